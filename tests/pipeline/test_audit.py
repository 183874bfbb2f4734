"""Auditors: manifest, a clean re-run that reproduces every figure byte for byte, and reconciliation."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest


def svreport(project, *args):
    return subprocess.run([sys.executable, "-m", "svreport.cli", *args], cwd=project, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A project copy with the 2025 report published by `svreport run` (2024 runs first)."""
    from conftest import copy_project  # noqa: PLC0415

    project = copy_project(tmp_path_factory.mktemp("audit") / "project")
    result = svreport(project, "run", "--year", "2025")
    assert result.returncode == 0, result.stderr
    return project


def test_manifest_records_inputs_outputs_parameters_and_versions(published):
    manifest = json.loads((published / "data/processed/2025/manifest.json").read_text())
    inputs = manifest["inputs"]
    for name in ("config/rotherham.yml", "data/raw/2025/portal_commitments.xlsx", "data/raw/2025/portal_delivery.csv",
                 "data/raw/2025/supplier_spend_2023-24.csv", "data/reference/toms_measures.csv",
                 "expectations/commitments.json", "notebooks/03_metrics.ipynb", "report/councils/rotherham/2025/author-figures.yml",
                 "data/processed/2024/figures.csv"):
        assert len(inputs[name]) == 64, name
    outputs = manifest["outputs"]
    assert len(outputs["figures.csv"]) == 64 and len(outputs["diagrams/diagram_1.svg"]) == 64
    assert outputs["notebooks/01_clean.ipynb"].startswith("not hashed")
    parameters = manifest["notebook_runs"]["02_validate.ipynb"]["parameters"]
    assert parameters == {"report_year": 2025, "config_path": "config/rotherham.yml",
                          "output_dir": "data/processed/2025"}
    software = manifest["software"]
    assert software["python"].count(".") == 2
    assert software["packages"]["great-expectations"] and software["packages"]["pandas"].startswith("3.")
    assert software["renderer"]["pandoc"] == "3.9"


def test_audit_reproduces_every_figure_then_catches_a_changed_input(published):
    result = svreport(published, "audit", "--year", "2025")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS: all" in result.stdout and "every output is byte-identical" in result.stdout

    spend = published / "data/raw/2025/supplier_spend_2023-24.csv"
    rows = list(csv.reader(io.StringIO(spend.read_text(encoding="utf-8"), newline="")))
    records = list(csv.reader(io.StringIO((published / "data/raw/2025/suppliers.csv").read_text(encoding="utf-8"))))
    in_s60 = {row[0] for row in records[1:] if "".join(row[3].split()).upper().startswith("S60")}
    local = next(row for row in rows if row[2] in in_s60)  # a payment to a supplier whose record says S60
    local[-1] = "1000000.00"  # one local payment changed
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    spend.write_text(buffer.getvalue(), encoding="utf-8")

    result = svreport(published, "audit", "--year", "2025")
    assert result.returncode == 1
    out = result.stdout
    assert "input changed: data/raw/2025/supplier_spend_2023-24.csv (SHA-256 differs from the manifest)" in out
    moved = [line.split()[0] for line in out.splitlines() if line.rstrip().endswith(" NO")]
    assert "local_spend.2023-24.local" in moved and "local_spend.2023-24.share" in moved
    assert "committed.total" not in moved
    assert out.strip().splitlines()[-1].startswith("FAIL: 1 input(s) differ from the manifest")


def test_reconcile_flags_exactly_the_two_published_slips(published):
    result = svreport(published, "reconcile", "--year", "2025")
    assert result.returncode == 1
    flagged = [line for line in result.stdout.splitlines() if line.rstrip().endswith("NO")]
    assert len(flagged) == 3
    assert any("change.delivered.measure.NT16.value.abs" in f and "£63,500" in f for f in flagged)
    assert any("change.delivered.measure.NT16.value.pct" in f and "240%" in f for f in flagged)
    assert any("change.delivered.measure.NT15.units.pct" in f and "317%" in f for f in flagged)
    assert "3 of 100 printed figures, in 2 statements, do not match the ledger." in result.stdout


def test_reconcile_reads_printed_precision():
    from svreport.audit.reconcile import ledger_at, read_printed

    for printed, value, matches in [("£4.2 million", 4_245_000, True), ("£743,000", 743_003.73, True),
                                    ("£57,200", 57_200, True), ("8.3%", 0.0827, True), ("317%", 3.178571, False),
                                    ("£63,500", 55_500, False), ("1,850.1", 1850.1, True), ("24%", 0.2399909, True),
                                    ("£2.44m", 2_439_966.95, True), ("£2 million", 1_971_000, True)]:
        parsed = read_printed(printed)
        assert (ledger_at(value, parsed) == abs(parsed.value)) is matches, printed
    with pytest.raises(ValueError):
        read_printed("about £4m")
