"""The documentation a council analyst follows points at files the project has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "report/README.md", "docs/data-contract.md", "docs/bad-inputs.md", "docs/benchmarks.md",
        "docs/assumptions-log.md", "docs/data-log.md", "docs/architecture.md"]


@pytest.mark.parametrize("doc", DOCS)
def test_every_relative_link_resolves_inside_the_project(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    text = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)  # examples in code are not links
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    relative = [link for link in links if not re.match(r"^[a-z]+:", link)]
    for link in relative:
        target = ((ROOT / doc).parent / link).resolve()
        assert target.is_relative_to(ROOT), f"{doc} links outside the project: {link}"
        assert target.exists(), f"{doc} links to {link}, which does not exist"


def test_the_data_contract_lives_in_the_project_and_the_code_cites_it():
    assert (ROOT / "docs" / "data-contract.md").is_file()
    for module in ("io/contract.py", "stages/clean.py"):
        assert "docs/data-contract.md" in (ROOT / "src" / "svreport" / module).read_text(encoding="utf-8")
    assert "../shared" not in (ROOT / "README.md").read_text(encoding="utf-8")
