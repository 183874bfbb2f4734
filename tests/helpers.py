"""Helpers shared by test modules (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

A11Y = Path(__file__).parent / "a11y"


def node_ready() -> bool:
    return shutil.which("node") is not None and (A11Y / "node_modules" / "axe-core").exists() and Path(
        os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists()


def run_axe(*files: Path) -> dict:
    """axe-core's violations for each HTML file, in headless Chromium (tests/a11y/axe-check.mjs)."""
    if not node_ready():
        pytest.fail("axe-core check needs node, Chromium (apt-get install chromium) and "
                    "`npm ci --prefix tests/a11y`; `make test` installs the npm part")
    out = subprocess.run(["node", str(A11Y / "axe-check.mjs"), *map(str, files)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def struct_elements(node, found: list | None = None) -> list:
    """Every element of a tagged PDF's structure tree (pikepdf), depth first."""
    import pikepdf

    found = [] if found is None else found
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            struct_elements(kid, found)
    return found


# Words a Cabinet document must not carry: the project's own (tools, files, folders, stand-ins for facts).
PROJECT_WORDS = re.compile(r"pipeline|data/processed|svreport|figures\.csv|\bledger\b|_output|\.ya?ml\b|\.parquet"
                           r"|notebook|\bTODO\b|placeholder|lorem ipsum|the seeds|seed report|to be confirmed",
                           re.IGNORECASE)


def project_words(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in PROJECT_WORDS.finditer(text)})
