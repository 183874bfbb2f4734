"""Reading YAML the way every file of the project needs it: safe, and strict about duplicate keys.

PyYAML keeps the last of two equal keys without a word (``cutoff:`` written twice silently changes
every figure), so a duplicate key is an error here, naming the file and line, as is a syntax error.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from svreport.core.errors import InputError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping holding the same key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice (lines {seen[key]} and {line}); the second would "
                    "silently replace the first", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


class _StrictTextDatesLoader(_StrictLoader):
    """As _StrictLoader, but dates stay text, so a bad date gets a message naming its field."""


_StrictTextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, source: str | Path, dates_as_text: bool = False, first_line: int = 1) -> object:
    """Parse YAML text from ``source``; an error names the file and line. ``first_line`` is the line of
    ``source`` the text starts on (front matter starts on line 2)."""
    loader = _StrictTextDatesLoader if dates_as_text else _StrictLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader subclasses
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark and (not mark or context_mark.line != mark.line):
            problem += f" ({context} that starts on line {context_mark.line + first_line})"
        raise InputError(source, f"not valid YAML: {problem}",
                         row=mark.line + first_line if mark else None) from None


def read_yaml(path: Path, dates_as_text: bool = False) -> object:
    return load_yaml(path.read_text(encoding="utf-8"), path, dates_as_text)


def read_generated_yaml(path: Path) -> object:
    """A YAML file the pipeline wrote itself (``_variables.yml``): parsed by libyaml where PyYAML has it, since
    such a file runs to thousands of lines and the pure-Python parser takes a second over it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
