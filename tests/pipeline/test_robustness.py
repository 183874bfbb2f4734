"""Figures never served stale, however input paths are written; one command at a time per project."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402

DELIVERY = "portal_delivery.csv"


def _ledger(project: Path, key: str) -> float:
    ledger = pd.read_csv(project / "data" / "processed" / "2025" / "figures.csv")
    return float(ledger.loc[ledger["key"] == key, "value"].iloc[0])


def _set_config(project: Path, old: str, new: str) -> None:
    config = project / "config" / "rotherham.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def _raise_a_counted_delivery_value(path: Path, by: float) -> None:
    """Add ``by`` to the value of a validated delivery row with a 2022 period end (counted in the 2025 figures)."""
    rows, encoding, bom = corpus._read_csv(path)
    status = corpus._column_index(rows[0], "Validation Status")
    period = corpus._column_index(rows[0], "Reporting Period End")
    value = corpus._column_index(rows[0], "Social Value Delivered")
    row = next(r for r in rows[1:] if r[status] == "Validated" and r[period].startswith("2022-"))
    row[value] = f"{float(row[value].replace(',', '')) + by:.2f}"
    corpus._write_csv(path, rows, encoding, bom)


def _delivered(project: Path) -> float:
    return _ledger(project, "delivered.total") + _ledger(project, "excluded.delivered.total")


def _run(project: Path) -> str:
    """`svreport run` for 2025 in the project; returns what it printed."""
    from svreport.cli import main

    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["run", "--year", "2025", "--no-notebooks"])
    finally:
        os.chdir(previous)
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("way", ["relative", "dot-relative", "absolute", "symlinked-file"])
def test_an_edited_raw_value_changes_the_ledger_however_the_path_is_written(published_project, tmp_path, way):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    delivery = project / "data" / "raw" / "2025" / DELIVERY
    if way == "dot-relative":
        _set_config(project, "raw: data/raw", "raw: ./data/raw")
    elif way == "absolute":
        _set_config(project, "raw: data/raw", f"raw: {project / 'data' / 'raw'}")
    elif way == "symlinked-file":  # the export lives outside the project; the year folder links to it
        outside = tmp_path / "exports" / DELIVERY
        outside.parent.mkdir()
        shutil.move(delivery, outside)
        delivery.symlink_to(outside)
    _run(project)  # settle the stage keys for this way of writing the path
    assert "Report year 2025: up to date" in _run(project)
    before = _delivered(project)
    _raise_a_counted_delivery_value(delivery.resolve(), 1000)
    assert "Report year 2025: up to date" not in _run(project)
    assert _delivered(project) == pytest.approx(before + 1000)


def test_a_second_command_on_the_same_project_stops_with_a_clear_message(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    before = (project / "data" / "processed" / "2025" / "figures.csv").read_bytes()
    with FileLock(project / ".svreport.lock"):
        for argv in (["run", "--year", "2025", "--no-notebooks", "--force"], ["render", "--year", "2025"]):
            code, stderr = corpus.run_cli(project, argv)
            assert code == 2
            assert stderr == (".svreport.lock: another svreport command (run, render or prepare-report) is already "
                              "working on this project (expected that command to finish; then run this one again)\n"
                              ).join(["error: ", ""])
    assert (project / "data" / "processed" / "2025" / "figures.csv").read_bytes() == before
    assert "Report year 2025: up to date" in _run(project)  # the lock is free once the other command ends


def test_two_runs_at_once_one_waits_its_turn_or_stops_and_outputs_stay_valid(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    svreport = [sys.executable, "-m", "svreport", "run", "--year", "2025", "--no-notebooks", "--force"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    runs = [subprocess.Popen(svreport, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env) for _ in range(2)]
    results = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, stderr in results:
        assert "Traceback" not in stderr
        if code == 2:
            assert "another svreport command (run, render or prepare-report) is already working" in stderr
    ledger = pd.read_csv(project / "data" / "processed" / "2025" / "figures.csv")
    assert len(ledger) > 400 and not list(project.glob("data/processed/.staging-*"))


def test_an_upper_case_extension_is_read_as_the_same_export(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    before = (project / "data" / "processed" / "2025" / "figures.csv").read_bytes()
    raw = project / "data" / "raw" / "2025"
    (raw / "portal_commitments.xlsx").rename(raw / "portal_commitments.XLSX")
    (raw / "portal_delivery.csv").rename(raw / "Portal_Delivery.CSV")
    code, stderr = corpus.run_cli(project, ["run", "--year", "2025", "--no-notebooks", "--force"])
    assert code == 0, stderr
    ledger = pd.read_csv(project / "data" / "processed" / "2025" / "figures.csv")
    original = pd.read_csv(io.BytesIO(before))
    assert ledger["value"].tolist() == original["value"].tolist()


def test_one_spend_year_is_enough_for_the_pipeline(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    (project / "data" / "raw" / "2025" / "supplier_spend_2022-23.csv").unlink()
    code, stderr = corpus.run_cli(project, ["run", "--year", "2025", "--no-notebooks"])
    assert code == 0, stderr
    ledger = pd.read_csv(project / "data" / "processed" / "2025" / "figures.csv")
    assert "local_spend.2023-24.local" in set(ledger["key"]) and "local_spend.2022-23.local" not in set(ledger["key"])
