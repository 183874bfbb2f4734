"""The sample's outputs, byte for byte: every file of the 2024 and 2025 pipeline outputs (ledger, variables,
clean tables, Appendix 1, diagrams) and of the rendered 2025 report (HTML, PDF, DOCX, the pack).

``tests/golden/sample-outputs.sha256`` was written from the outputs of the code before it was reorganised
into layers (issue 15), so this test records that the reorganisation changed no output. A change meant to
alter an output updates the file: ``SVREPORT_UPDATE_GOLDEN=1 pytest tests/report/test_golden_outputs.py``,
and the diff of that file shows, for review, exactly which outputs moved.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

GOLDEN = Path(__file__).parents[1] / "golden" / "sample-outputs.sha256"
RUN_RECORDS = ("notebooks", "validation", "manifest.json")  # run times and ids: not compared


def output_hashes(project: Path) -> dict[str, str]:
    found = {}
    for folder in (project / "data" / "processed" / "2024", project / "data" / "processed" / "2025",
                   project / "_output" / "report"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if relative.split("/")[0] not in RUN_RECORDS:
                found[path.relative_to(project).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_the_sample_outputs_are_byte_identical_to_the_recorded_ones(published_project):
    found = output_hashes(published_project)
    if os.environ.get("SVREPORT_UPDATE_GOLDEN"):
        GOLDEN.write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(found.items())), encoding="utf-8")
    recorded = dict(reversed(line.split("  ", 1)) for line in GOLDEN.read_text(encoding="utf-8").splitlines())
    assert sorted(found) == sorted(recorded), "a different set of output files"
    changed = sorted(name for name in recorded if found[name] != recorded[name])
    assert not changed, f"outputs not byte-identical to {GOLDEN.name}: {changed}"
