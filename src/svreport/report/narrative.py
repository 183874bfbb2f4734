"""Checks on the author's text before it reaches the published report.

Case studies and narrative often come from suppliers' own text, and the HTML report goes onto
the council's website, so the report takes Markdown only. Refused, naming the file and line:
raw HTML (so no <script>), raw blocks or inline raw content of any format (```{=typst}, `x`{=html}),
event-handler attributes ({onclick=...}), and links or images to javascript:, vbscript: or data:
addresses. Markdown is parsed with pandoc, as the render paths parse it, so nothing is guessed
from the text's shape alone.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from pathlib import Path

from svreport.core.errors import InputError
from svreport.core.tools import pandoc_path

HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
SHORTCODE_TEXT = re.compile(r"\{\{<.*?>\}\}")
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
PLAIN_MARKDOWN = "plain Markdown: **bold**, lists and tables, without HTML tags"


def check_no_html(text: str, source: str | Path) -> None:
    """Raw HTML (and so <script>) would reach the HTML report unescaped: refuse any tag, naming its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = HTML_TAG.search(SHORTCODE_TEXT.sub("", line))
        if match:
            raise InputError(source, f"raw HTML '{match.group(0)[:40]}' is not allowed in report text", row=number,
                             expected=PLAIN_MARKDOWN)


@functools.cache
def _pandoc_ast(text: str) -> dict:
    out = subprocess.run([pandoc_path(), "--from", "markdown", "--to", "json"], input=text,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _line_of(text: str, needle: str) -> int | None:
    needle = needle.strip().splitlines()[0].strip() if needle.strip() else ""
    if not needle:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _problems(node: object):
    """(problem, what to find in the source, expected) for each unsafe element of a pandoc JSON AST."""
    if isinstance(node, list):
        for item in node:
            yield from _problems(item)
        return
    if not isinstance(node, dict):
        return
    kind, content = node.get("t"), node.get("c")
    if kind in ("RawBlock", "RawInline"):
        form, raw = content
        yield (f"raw {form} content '{' '.join(raw.split())[:40]}' is not allowed in report text", raw,
               "plain Markdown, without raw blocks of any format (```{=html}, ```{=typst} ...)")
    if kind in ("Link", "Image"):
        target = content[2][0]
        if UNSAFE_SCHEME.match(target):
            yield (f"the {kind.lower()} address '{target[:40]}' is not allowed in report text", target,
                   "a web address (https://...) or a document of the report")
    attributes = None
    if kind in ("Link", "Image", "Span", "Code"):
        attributes = content[0]
    elif kind in ("Div", "CodeBlock", "Header", "Table", "Figure"):
        attributes = content[1] if kind == "Header" else content[0]
    if attributes:
        for key, value in attributes[2]:
            if key.lower().startswith("on"):
                yield (f"the attribute {key}=\"{value[:30]}\" is not allowed in report text", key,
                       "Markdown attributes without event handlers (on...)")
    if content is not None:
        yield from _problems(content)


def check_markdown_safe(text: str, source: str | Path, located_in: str | None = None) -> None:
    """Refuse raw content, event handlers and script addresses anywhere in ``text`` (see module doc).
    ``located_in``: the text whose lines the message should count (when ``text`` was generated from it)."""
    check_no_html(located_in if located_in is not None else text, source)
    for problem, needle, expected in _problems(_pandoc_ast(text)["blocks"]):
        raise InputError(source, problem, row=_line_of(located_in if located_in is not None else text, needle),
                         expected=expected)
