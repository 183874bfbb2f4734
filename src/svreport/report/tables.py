"""Markdown pipe tables for generated content, sized so long text wraps in PDF and DOCX."""

from __future__ import annotations

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def plain_text(text: object) -> str:
    """Text from the config, an export or reference data as Markdown that prints exactly that text: every ASCII
    punctuation mark backslash-escaped (so no emphasis, link, shortcode, citation or maths can start), spaces
    and line breaks as single spaces."""
    words = " ".join(str(text).split())
    return "".join(f"\\{ch}" if ch in _ASCII_PUNCTUATION else ch for ch in words)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_table(columns: list[str], rows: list[list[object]], align: list[str] | None = None,
                   caption: str | None = None, weights: list[float] | None = None) -> str:
    """A pipe table; dash counts give relative column widths, so long text wraps in PDF and DOCX.

    Without ``weights``, widths grow with the square root of each column's longest cell, so a long
    text column does not squeeze the rest.
    """
    align = align or ["l"] * len(columns)
    if weights is None:
        longest = [max([len(_cell(c)) for c in [columns[i], *(r[i] for r in rows)]] + [3])
                   for i in range(len(columns))]
        weights = [w ** 0.5 for w in longest]
    dashes = [max(3, round(72 * w / sum(weights))) for w in weights]
    rule = ["-" * d if a == "l" else "-" * (d - 1) + ":" for d, a in zip(dashes, align, strict=True)]
    rule = [":" + r[1:] if a == "l" else r for r, a in zip(rule, align, strict=True)]
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    return text + (f"\n: {caption}\n" if caption else "")
