"""The bad-input corpus (tests/bad_inputs/cases.yml) and the safety guarantees around it."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402

CASES = corpus.load_cases()


def snapshot(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_case(base: Path, target: Path, case: dict) -> tuple[int, str, dict, dict]:
    shutil.copytree(base, target, symlinks=True)
    for edit in case["edits"]:
        corpus.apply(target, edit)
    before = {part: snapshot(target / part) for part in ("data/raw", "data/processed", "_output")}
    code, stderr = corpus.run_cli(target, case["command"])
    after = {part: snapshot(target / part) for part in ("data/raw", "data/processed", "_output")}
    return code, stderr, before, after


def test_corpus_has_at_least_30_distinct_cases():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert all(c.get("message") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_gives_its_message_and_changes_nothing(published_project, tmp_path, case):
    code, stderr, before, after = run_case(published_project, tmp_path / "project", case)
    assert code != 0
    assert stderr.rstrip("\n") == case["message"].rstrip("\n")
    assert "Traceback" not in stderr
    assert after["data/raw"] == before["data/raw"], "raw input files changed"
    assert after["_output"] == before["_output"], "the rendered report changed"
    assert after["data/processed"] == before["data/processed"], "published outputs changed"


def test_docs_bad_inputs_is_generated_from_the_corpus():
    assert corpus.DOC.read_text(encoding="utf-8") == corpus.write_doc(), \
        "docs/bad-inputs.md is stale: run python tests/bad_inputs/corpus.py"
