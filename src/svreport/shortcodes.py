"""The shortcodes of the documented Quarto subset, for the pandoc render path and the auditors' page."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import InputError

SHORTCODE = re.compile(r"\{\{<\s*(\w+)\s*(.*?)\s*>\}\}")
PAGEBREAK = {
    "html": '\n<div class="page-break" aria-hidden="true"></div>\n',
    "typst": "\n```{=typst}\n#pagebreak()\n```\n",
    "docx": '\n```{=openxml}\n<w:p><w:r><w:br w:type="page"/></w:r></w:p>\n```\n',
}


def split_front_matter(text: str, source: Path) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end == -1:
        raise InputError(source, "front matter is not closed", row=1, expected="a line '---' after the YAML")
    meta = yaml.safe_load(text[3:end]) or {}
    body_start = text.find("\n", end + 1)
    if body_start == -1:
        return meta, ""
    # blank lines in place of the front matter keep line numbers in error messages right
    return meta, "\n" * text[: body_start + 1].count("\n") + text[body_start + 1:]


def lookup_variable(variables: dict, key: str) -> str | None:
    node: object = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict) else str(node)


def check_shortcodes(text: str, source: Path, variables: dict) -> None:
    """Every shortcode in one file is in the subset, and every variable exists (errors name file and line)."""
    for match in SHORTCODE.finditer(text):
        kind, argument = match.group(1), match.group(2)
        line = text[: match.start()].count("\n") + 1
        if kind not in ("var", "include", "pagebreak"):
            raise InputError(source, f"shortcode '{kind}' is outside the supported subset", row=line,
                             expected="var, include or pagebreak (see report/README.md)")
        if kind == "var" and lookup_variable(variables, argument) is None:
            raise InputError(source, f"unknown variable '{argument}'", row=line,
                             expected="a key in _variables.yml, e.g. committed.total.m")


def expand_includes(text: str, source: Path, variables: dict | None = None, depth: int = 0) -> str:
    """Insert included files (recursively, relative to the including file), checking each file's
    shortcodes against ``variables`` when given."""
    if depth > 10:
        raise InputError(source, "includes nest more than 10 deep", expected="no include loops")
    if variables is not None:
        check_shortcodes(text, source, variables)

    def include(match: re.Match) -> str:
        if match.group(1) != "include":
            return match.group(0)
        path = source.parent / match.group(2)
        if not path.exists():
            line = text[: match.start()].count("\n") + 1
            raise InputError(source, f"included file '{match.group(2)}' not found", row=line)
        return expand_includes(path.read_text(encoding="utf-8"), path, variables, depth + 1)

    return SHORTCODE.sub(include, text)


def used_variables(source: Path) -> list[str]:
    """The variable keys a document prints, in order of first use (includes expanded)."""
    meta, body = split_front_matter(source.read_text(encoding="utf-8"), source)
    text = " ".join(str(meta.get(k, "")) for k in ("title", "subtitle")) + "\n" + expand_includes(body, source)
    keys = [m.group(2) for m in SHORTCODE.finditer(text) if m.group(1) == "var"]
    return list(dict.fromkeys(keys))


def expand(text: str, source: Path, variables: dict, target: str) -> str:
    """Resolve includes, then variables and page breaks, for one output format."""
    text = expand_includes(text, source, variables)

    def resolve(match: re.Match) -> str:
        if match.group(1) == "var":
            return str(lookup_variable(variables, match.group(2)))
        return PAGEBREAK[target]

    return SHORTCODE.sub(resolve, text)


