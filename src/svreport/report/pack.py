"""The combined pack: the paper and every appendix in one PDF, in the render order."""

from __future__ import annotations

from pathlib import Path

from svreport.report.shortcodes import PAGEBREAK, document_formats, expand, shift_headings, split_front_matter


def printed_documents(documents: list[Path]) -> list[Path]:
    """The paper and its appendices: every document but the auditors' page and the pack."""
    printed = []
    for document in documents:
        meta = split_front_matter(document.read_text(encoding="utf-8"), document)[0]
        if not meta.get("auditors-page") and not meta.get("pack"):
            printed.append(document)
    return printed


def pack_md(documents: list[Path], variables: dict) -> str:
    """The paper and each appendix for the combined pack PDF, in the render order: each part starts on a
    new page (the first after the contents) under its title as a level-1 heading, with the part's own
    headings one level down."""
    parts = []
    for document in printed_documents(documents):
        if "pdf" not in document_formats(document):
            continue
        meta, body = split_front_matter(document.read_text(encoding="utf-8"), document)
        title = expand(str(meta.get("title", document.stem)), document, variables, "typst")
        text = shift_headings(expand(body, document, variables, "typst").strip("\n"))
        parts.append(f"{PAGEBREAK['typst']}\n# {title}\n\n{text}\n")
    return "".join(parts)
