"""The shortcodes of the documented Quarto subset, for the pandoc render path and the auditors' page.

- ``{{< var key >}}``: a figure or text from ``_variables.yml``;
- ``{{< include file >}}``: an author's file, relative to the including file; it must exist in a
  clean checkout, because Quarto reads includes before the pre-render step runs;
- ``{{< generated name >}}``: the pipeline's content ``_generated/<name>.md`` beside the
  document, written by the pre-render step (Quarto: ``report/style/generated.lua``);
- ``{{< pagebreak >}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from svreport.core.errors import InputError
from svreport.core.layout import GENERATED_NAME
from svreport.core.yamlio import load_yaml
from svreport.report.narrative import check_markdown_safe

SHORTCODE = re.compile(r"\{\{<\s*(\w+)\s*(.*?)\s*>\}\}")
SUBSET = ("var", "include", "generated", "pagebreak")
CONTENT_NAME = re.compile(r"^[\w-]+$")  # {{< generated NAME >}}
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
    meta = load_yaml(text[3:end], source, first_line=1) or {}
    if not isinstance(meta, dict):
        raise InputError(source, "the front matter is not a list of fields", row=2,
                         expected="title: ..., subtitle: ...")
    body_start = text.find("\n", end + 1)
    if body_start == -1:
        return meta, ""
    # blank lines in place of the front matter keep line numbers in error messages right
    return meta, "\n" * text[: body_start + 1].count("\n") + text[body_start + 1:]


FORMATS = ("html", "pdf", "docx")


def document_formats(source: Path) -> tuple[str, ...]:
    """The document's own `format:` (e.g. `format: html` for the auditors' page), else all three;
    Quarto's `typst` is our `pdf`."""
    wanted = split_front_matter(source.read_text(encoding="utf-8"), source)[0].get("format")
    if wanted is None:
        return FORMATS
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    return tuple("pdf" if n == "typst" else n for n in names if n in ("html", "typst", "pdf", "docx"))


_MISSING = object()


def _variable_node(variables: dict, key: str) -> object:
    """The value or branch at a dotted key, or _MISSING."""
    node: object = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def lookup_variable(variables: dict, key: str) -> str | None:
    """The printed value at a dotted key; None for a missing key or a branch."""
    node = _variable_node(variables, key)
    return None if node is _MISSING or isinstance(node, dict) else str(node)


def _line(text: str, match: re.Match) -> int:
    return text[: match.start()].count("\n") + 1


def check_shortcodes(text: str, source: Path, variables: dict) -> None:
    """Every shortcode in one file is in the subset, and every variable exists (errors name file and line)."""
    for match in SHORTCODE.finditer(text):
        kind, argument = match.group(1), match.group(2)
        if kind not in SUBSET:
            raise InputError(source, f"shortcode '{kind}' is outside the supported subset", row=_line(text, match),
                             expected="var, include, generated or pagebreak (see report/README.md)")
        if kind == "var" and lookup_variable(variables, argument) is None:
            raise InputError(source, f"unknown variable '{argument}'", row=_line(text, match),
                             expected="a key in _variables.yml, e.g. committed.total.m")
        if kind == "generated" and not CONTENT_NAME.match(argument):
            raise InputError(source, f"'{argument}' is not the name of generated content", row=_line(text, match),
                             expected="{{< generated NAME >}} with a name such as appendix1-table")


FENCE_OPEN = re.compile(r"^\s*:{3,}\s*\{(?P<attributes>[^}]*)\}\s*$|^\s*:{3,}\s*[\w-]+\s*$")
FENCE_CLOSE = re.compile(r"^\s*:{3,}\s*$")
CONDITION = re.compile(r"(?:^|\s)\.(?P<kind>when|unless)-data(?:\s|$)")
CONDITION_KEY = re.compile(r'\bhas="(?P<key>[^"]*)"')


def has_variable(variables: dict, key: str) -> bool:
    """Whether a dotted key exists, as a value or a branch."""
    return _variable_node(variables, key) is not _MISSING


def conditional_block_lines(text: str) -> list[int]:
    """Line numbers of ``.when-data`` / ``.unless-data`` fences in a text."""
    return [number for number, line in enumerate(text.split("\n"), start=1)
            if (fence := FENCE_OPEN.match(line)) and CONDITION.search(fence.group("attributes") or "")]


def apply_conditions(text: str, source: Path, variables: dict) -> str:
    """Conditional text on the data, resolved before either render path sees the narrative:
    ``::: {.when-data has="key ..."}`` blocks are kept only when every key exists in the variables,
    ``::: {.unless-data has="key ..."}`` only when one of them does not. Removed lines become blank
    lines, so line numbers in messages stay right."""
    lines = text.split("\n")
    stack: list[tuple[int, bool | None]] = []  # (line index of the opening fence, shown?) per open div
    hidden_depth = 0
    for index, line in enumerate(lines):
        opening = FENCE_OPEN.match(line)
        if opening and not FENCE_CLOSE.match(line):
            attributes = opening.group("attributes") or ""
            condition = CONDITION.search(attributes)
            shown: bool | None = None
            if condition:
                key = CONDITION_KEY.search(attributes)
                if not key:
                    raise InputError(source, f"a .{condition.group('kind')}-data block needs the variable it tests",
                                     row=index + 1, expected='::: {.when-data has="compare.committed.total"}')
                present = all(has_variable(variables, k) for k in key.group("key").split())
                shown = present == (condition.group("kind") == "when")
                lines[index] = ""
            stack.append((index, shown))
            if shown is False:
                hidden_depth += 1
            elif hidden_depth:
                lines[index] = ""
        elif FENCE_CLOSE.match(line) and stack:
            _, shown = stack.pop()
            if shown is not None or hidden_depth:
                lines[index] = ""
            if shown is False:
                hidden_depth -= 1
        elif hidden_depth:
            lines[index] = ""
    if stack:
        raise InputError(source, "a ::: block is not closed", row=stack[-1][0] + 1, expected="a closing ::: line")
    return "\n".join(lines)


def generated_path(source: Path, name: str) -> Path:
    """Where ``{{< generated name >}}`` in ``source`` reads from."""
    return source.parent / GENERATED_NAME / f"{name}.md"


def expand_includes(text: str, source: Path, variables: dict | None = None, depth: int = 0,
                    generated: Mapping[str, str] | None = None, folder: Path | None = None) -> str:
    """Insert included files and generated content (recursively), checking each file's shortcodes
    against ``variables`` when given. ``generated`` supplies generated content by name instead of
    reading it from ``_generated/`` (the auditors' page reads it before figures are filled in).
    Includes must stay inside ``folder``, the report folder (the top document's folder by default),
    and each included file is checked as author text (``narrative.check_markdown_safe``)."""
    folder = folder or source.parent.resolve()
    if depth > 10:
        raise InputError(source, "includes nest more than 10 deep", expected="no include loops")
    if variables is not None:
        text = apply_conditions(text, source, variables)
        check_shortcodes(text, source, variables)

    def include(match: re.Match) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind == "generated":
            if generated is not None and argument in generated:
                return expand_includes(generated[argument], generated_path(source, argument), variables, depth + 1,
                                       generated, folder)
            path = generated_path(source, argument)
            if not path.exists():
                raise InputError(source, f"generated content '{argument}' not found ({path.name} is not in "
                                 f"{GENERATED_NAME}/)", row=_line(text, match),
                                 expected="a name the pipeline writes, listed in report/README.md")
            return expand_includes(path.read_text(encoding="utf-8"), path, variables, depth + 1, generated, folder)
        if kind != "include":
            return match.group(0)
        path = source.parent / argument
        if Path(argument).parts[:1] == (GENERATED_NAME,):
            raise InputError(source, f"'{argument}' is generated content, which Quarto cannot include",
                             row=_line(text, match),
                             expected="{{< generated " + Path(argument).stem + " >}} (see report/README.md)")
        if not path.resolve().is_relative_to(folder):
            raise InputError(source, f"the include '{argument}' reaches outside the report folder",
                             row=_line(text, match),
                             expected="an author's file inside the council's report folder, such as a case study "
                                      "beside the year's narrative")
        if not path.is_file():
            raise InputError(source, f"included file '{argument}' not found", row=_line(text, match))
        included = path.read_text(encoding="utf-8")
        check_markdown_safe(included, path)
        return expand_includes(included, path, variables, depth + 1, generated, folder)

    return SHORTCODE.sub(include, text)


def used_variables(source: Path, variables: dict, generated: Mapping[str, str] | None = None) -> list[str]:
    """The variable keys a document prints, in order of first use (includes expanded, hidden blocks left out)."""
    meta, body = split_front_matter(source.read_text(encoding="utf-8"), source)
    text = " ".join(str(meta.get(k, "")) for k in ("title", "subtitle")) + "\n" + \
        expand_includes(body, source, variables, generated=generated)
    keys = [m.group(2) for m in SHORTCODE.finditer(text) if m.group(1) == "var"]
    return list(dict.fromkeys(keys))


def fill_variables(text: str, source: Path, variables: dict) -> str:
    """Replace ``{{< var >}}`` shortcodes with their values (for generated content)."""
    check_shortcodes(text, source, variables)
    return SHORTCODE.sub(lambda m: str(lookup_variable(variables, m.group(2))) if m.group(1) == "var"
                         else m.group(0), text)


def expand(text: str, source: Path, variables: dict, target: str) -> str:
    """Resolve includes and generated content, then variables and page breaks, for one output format."""
    text = expand_includes(text, source, variables)

    def resolve(match: re.Match) -> str:
        if match.group(1) == "var":
            return str(lookup_variable(variables, match.group(2)))
        return PAGEBREAK[target]

    return SHORTCODE.sub(resolve, text)


def shift_headings(markdown: str, by: int = 1) -> str:
    """Demote every ATX heading outside fenced code by ``by`` levels (for the combined pack)."""
    out, fence = [], None
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and re.match(r"#{1,6}\s", line):
            line = "#" * by + line
        out.append(line)
    return "\n".join(out)
