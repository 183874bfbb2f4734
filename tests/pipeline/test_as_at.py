"""The position at any date (`svreport run --as-at`): the same rules with the date as the cut-off, outputs of
their own, and figures that compare with the last annual report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from svreport.core.layout import LEDGER, SERIES, TABLES, TRACKER_CSV
from svreport.core.project import Project
from svreport.pipeline.runner import run
from svreport.stages.ledger import ledger_values, read_ledger

AS_AT = date(2025, 5, 31)


def _quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def as_at_project(tmp_path_factory) -> Project:
    """A copy of the sample with the 2025 report and the position at 31 May 2025 run (stages in-process)."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("as-at") / "project")
    project = Project.load(root / "config" / "rotherham.yml")
    run(project, project.position(2025), say=_quiet, notebooks=False)
    run(project, project.position(as_at=AS_AT), say=_quiet, notebooks=False)
    return project


def _link_exports(project: Project, source: str, target: str, keep=lambda name: True) -> None:
    folder = project.raw_dir / target
    folder.mkdir()
    for path in sorted((project.raw_dir / source).iterdir()):
        if keep(path.name):
            (folder / path.name).symlink_to(path)


def _ledger(project: Project, name: str) -> dict[str, float]:
    return ledger_values(read_ledger(project.processed_dir / name / LEDGER))


def test_the_position_at_a_reports_cut_off_is_that_reports_ledger(as_at_project):
    """An annual report is the as-at computation at its cut-off: same exports, same date, same figures."""
    project = as_at_project
    _link_exports(project, "2025", "as-at-2024-11-30")
    run(project, project.position(as_at=date(2024, 11, 30)), say=_quiet, notebooks=False)
    annual, as_at = _ledger(project, "2025"), _ledger(project, "as-at-2024-11-30")
    authored = set(pd.read_csv(project.processed_dir / "2025" / "lineage.csv").query("kind == 'author'")["key"])
    assert set(as_at) == set(annual) - authored
    assert {key: as_at[key] for key in as_at} == {key: annual[key] for key in as_at}
    for name in (SERIES, f"{TABLES}/{TRACKER_CSV}"):
        assert (project.processed_dir / "as-at-2024-11-30" / name).read_bytes() == \
            (project.processed_dir / "2025" / name).read_bytes(), name


def test_an_as_at_run_counts_to_its_date_and_compares_with_the_last_report(as_at_project):
    project = as_at_project
    folder = project.processed_dir / "as-at-2025-05-31"
    values = _ledger(project, "as-at-2025-05-31")
    delivery = pd.read_parquet(folder / "delivery.parquet")
    counted = delivery[(delivery["validation_status"] == "Validated")
                       & ~delivery["contract_reference"].isin(project.config.excluded_references())]
    by_as_at = counted.loc[counted["period_end"] <= pd.Timestamp(AS_AT), "value_delivered"].sum()
    by_last_cutoff = counted.loc[counted["period_end"] <= pd.Timestamp("2024-11-30"), "value_delivered"].sum()
    assert values["delivered.total"] == pytest.approx(by_as_at, abs=0.005)
    assert values["since_last_report.delivered"] == pytest.approx(by_as_at - by_last_cutoff, abs=0.005)
    assert by_as_at > counted.loc[counted["period_end"] <= pd.Timestamp("2024-12-31"), "value_delivered"].sum()
    annual = _ledger(project, "2025")
    assert values["previous.delivered.total"] == annual["delivered.total"]  # the last report, as published
    assert values["previous.committed.total"] == annual["committed.total"]
    # the two quarters since the 2025 cut-off add up to what was added since, in total and by service area
    for stage in ("committed", "delivered"):
        quarters = [k for k in values if k.startswith("quarter.") and k.endswith(f".{stage}.total")]
        assert sorted(k.split(".")[1] for k in quarters) == ["2025-02-28", "2025-05-31"]
        assert sum(values[k] for k in quarters) == pytest.approx(values[f"since_last_report.{stage}"], abs=0.005)
        for key in quarters:
            areas = [v for k, v in values.items() if k.startswith(key.removesuffix("total") + "service_area.")]
            assert len(areas) == 6 and sum(areas) == pytest.approx(values[key], abs=0.005)
    # the latest complete financial year at 31 May 2025 is 2024-25
    assert "local_spend.2024-25.local" in values and "local_spend.2022-23.local" not in values
    tracker = pd.read_csv(folder / TABLES / TRACKER_CSV, keep_default_na=False)
    assert round(tracker["Validated delivery (£)"].sum(), 2) == round(values["delivered.total"], 2)
    assert len(tracker) == values["committed.contracts"] > annual["committed.contracts"]


def test_a_position_before_any_report_has_no_comparison(as_at_project):
    project = as_at_project
    _link_exports(project, "2024", "as-at-2022-05-31", keep=lambda name: not name.startswith("supplier_spend_2022"))
    run(project, project.position(as_at=date(2022, 5, 31)), say=_quiet, notebooks=False)
    values = _ledger(project, "as-at-2022-05-31")
    assert not [k for k in values if k.startswith(("previous.", "change.", "since_last_report."))]
    ends = sorted({k.split(".")[1] for k in values if k.startswith("quarter.")})
    assert ends == ["2021-08-31", "2021-11-30", "2022-02-28", "2022-05-31"]  # the last four quarters
    assert [k for k in values if k.startswith("trend.")] == ["trend.2022-05-31.committed", "trend.2022-05-31.delivered"]


def test_missing_exports_and_impossible_dates_stop_with_a_message(project_copy):
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
    import corpus

    code, stderr = corpus.run_cli(project_copy, ["run", "--as-at", "2025-08-31", "--no-notebooks"])
    assert code == 2
    assert "data/raw/as-at-2025-08-31: no exports for the position at 31 August 2025" in stderr
    assert "saved in data/raw/as-at-2025-08-31/" in stderr
    code, stderr = corpus.run_cli(project_copy, ["run", "--as-at", "2019-06-30"])
    assert code == 2 and "is not after policy_start 2019-12-01" in stderr
    assert not (project_copy / "data" / "processed" / "as-at-2025-08-31").exists()


def test_an_as_at_runs_figures_trace_to_their_rows_and_its_rows_to_their_figures(as_at_project):
    from svreport.audit.trace import TraceRun, format_key_trace, format_row_trace, trace_key, trace_row

    project = as_at_project
    traced = TraceRun(project, project.position(as_at=AS_AT))
    kinds = set()
    for key in traced.ledger.index:
        trace = trace_key(traced, key)
        kinds.add(trace.spec.kind)
        assert trace.matches, f"{key}: traced {trace.recomputed} but the ledger has {trace.value}"
    assert {"rows", "derived", "previous", "tracker"} <= kinds
    text = format_key_trace(trace_key(traced, "previous.delivered.total"), traced)
    assert text.splitlines()[0].endswith("(position at 31 May 2025)")
    assert text.splitlines()[-1].endswith(" trace --year 2025 delivered.total")

    delivery = traced.frame("delivery")
    since = delivery[(delivery["outcome"] == "validated") & (delivery["period_end"] > pd.Timestamp("2024-11-30"))
                     & (delivery["period_end"] <= pd.Timestamp(AS_AT))].iloc[0]
    row = trace_row(traced, str(since["source_file"]), int(since["source_row"]))
    assert row.feeds["delivered.total"] == pytest.approx(float(since["value_delivered"]))
    assert any(key.startswith("quarter.") for key in row.feeds)
    assert format_row_trace(row, traced).splitlines()[0].endswith("(position at 31 May 2025)")


def test_an_auditor_reruns_an_as_at_position_from_its_inputs(as_at_project, tmp_path):
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
    import corpus

    project = tmp_path / "project"
    shutil.copytree(as_at_project.root, project, symlinks=True)
    for folder in project.glob("data/raw/as-at-*"):
        if folder.name != "as-at-2025-05-31":  # other tests' positions, run before or after this one
            shutil.rmtree(folder)
            shutil.rmtree(project / "data" / "processed" / folder.name, ignore_errors=True)
    code, output = corpus.run_cli(project, ["audit", "--as-at", "2025-05-31"], stdout=True)
    assert code == 0, output
    assert "Re-running the position at 31 May 2025 from its inputs in a clean folder..." in output
    assert output.strip().splitlines()[-1].startswith("PASS: all ")
    assert "figures of the position at 31 May 2025's ledger were reproduced" in output
    code, output = corpus.run_cli(project, ["trace", "--as-at", "2025-05-31", "since_last_report.delivered"],
                                  stdout=True)
    assert code == 0 and "(position at 31 May 2025)" in output.splitlines()[0], output
