"""Tracing: every ledger figure back to its rows (or the keys it is made from), and source rows forward.

The rows a trace names are checked against the clean tables by file and spreadsheet row, and the rows
the ``--row`` tests pick are found in the raw exports with pandas, not with the pipeline's rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from svreport.audit.trace import TraceRun, same_figure, trace_key, trace_row
from svreport.io.readers import SOURCE_ROW
from svreport.stages.clean import SOURCE_FILE

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402

CUTOFF = pd.Timestamp("2024-11-30")
EXCLUDED = {"RMBC-2017-0012", "RMBC-2018-0031"}
LOCAL = ("S25", "S26", "S60", "S61", "S62", "S65", "S66")


@pytest.fixture(scope="module")
def traced(sample_run) -> TraceRun:
    stage, _ = sample_run
    return TraceRun(stage.project, stage.position)


@pytest.fixture(scope="module")
def raw_delivery(sample_run) -> pd.DataFrame:
    stage, _ = sample_run
    raw = pd.read_csv(stage.project.raw_year_dir(2025) / "portal_delivery.csv", dtype=str, encoding="utf-8-sig",
                      keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    raw.index = raw.index + 2  # spreadsheet rows: the header is row 1
    raw["period"] = pd.to_datetime(raw["Reporting Period End"], format="mixed", dayfirst=True, errors="coerce")
    raw["status"] = raw["Validation Status"].str.strip().str.lower()
    return raw


def _clean_rows(traced: TraceRun, table: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The clean table's rows named by (file, spreadsheet row): independent of the trace's own frame."""
    clean = getattr(traced.tables, table)
    named = rows[[SOURCE_FILE, SOURCE_ROW]].astype({SOURCE_FILE: str, SOURCE_ROW: "int64"})
    picked = clean.astype({SOURCE_FILE: str}).merge(named, on=[SOURCE_FILE, SOURCE_ROW], how="inner")
    assert len(picked) == len(rows), "a traced row is not in the clean table"
    return picked


def _check_bridge_rows(stage, rows: pd.DataFrame) -> None:
    """Each bridge row's figures, recounted from each year's recorded row outcomes: what the 2024 report counted
    for the contract, and what this report counts for it by (or, for the new part, after) that cut-off."""
    from svreport.stages.counting import RecordedLineage

    last = pd.Timestamp(stage.project.config.year(2024).cutoff)
    for figure, table, when, value, counted in (("committed", "commitments", "award_date", "value_committed",
                                                 "counted"), ("delivered", "delivery", "period_end",
                                                              "value_delivered", "validated")):
        part = rows[rows["stage"] == figure]
        if part.empty:
            continue
        years = {}
        for year in (2024, 2025):
            frame = RecordedLineage(stage.project.processed_dir / str(year)).frame(table)
            years[year] = frame[frame["outcome"] == counted]
        now = years[2025][years[2025][when] <= last].groupby("contract_reference")[value].sum()
        later = years[2025][years[2025][when] > last].groupby("contract_reference")[value].sum()
        then = years[2024].groupby("contract_reference")[value].sum()
        for row in part.itertuples():
            current = (later if row.outcome == "new" else now).get(row.contract_reference, 0.0)
            assert round(row.current, 2) == round(current, 2), (figure, row.contract_reference)
            previous = 0.0 if row.outcome == "new" else then.get(row.contract_reference, 0.0)
            assert round(row.previous, 2) == round(previous, 2), (figure, row.contract_reference)
            assert round(row.change, 2) == round(current - previous, 2)


@pytest.mark.parametrize("year", [2025, 2024])
def test_every_ledger_figure_is_reproduced_by_its_traced_rows_or_inputs(sample_run, year):
    stage, _ = sample_run
    traced = TraceRun(stage.project, stage.project.config.position(year))
    assert set(traced.specs) == set(traced.ledger.index), "a ledger key has no lineage, or lineage no key"
    kinds = set()
    for key in traced.ledger.index:
        trace = trace_key(traced, key)
        kinds.add(trace.spec.kind)
        assert trace.matches, f"{key}: traced {trace.recomputed} but the ledger has {trace.value}"
        if trace.spec.kind == "rows" and trace.spec.table == "bridge":  # the bridge's rows are contracts
            _check_bridge_rows(stage, trace.funnel.rows)
        elif trace.spec.kind == "rows":
            rows = _clean_rows(traced, trace.spec.table, trace.funnel.rows)
            aggregate, column = trace.spec.aggregate, trace.spec.summed_column
            total = (len(rows) if aggregate == "count" else rows[column].nunique()
                     if aggregate.startswith("distinct:") else rows[column].sum())
            assert same_figure(float(total), trace.value, trace.unit), key
        elif trace.spec.kind == "derived":
            assert set(trace.inputs) == set(trace.spec.inputs)
    assert {"rows", "derived"} <= kinds
    if year == 2025:
        assert {"previous", "author"} <= kinds


def test_the_headline_delivered_figure_is_the_validated_in_period_rows_of_included_contracts(traced, raw_delivery):
    trace = trace_key(traced, "delivered.total")
    expected = raw_delivery[(raw_delivery["status"] == "validated") & (raw_delivery["period"] <= CUTOFF)
                            & ~raw_delivery["Contract Reference"].isin(EXCLUDED)]
    expected = expected[~expected.drop(columns=["period", "status"]).duplicated()]  # the exact duplicate
    assert sorted(trace.funnel.rows[SOURCE_ROW]) == sorted(expected.index)
    steps = trace.funnel.steps
    assert list(steps["rows"]) == sorted(steps["rows"], reverse=True), "a filter step added rows"
    assert steps["rows"].iloc[-1] == len(expected)


def _first(raw: pd.DataFrame, mask: pd.Series) -> int:
    assert mask.any(), "the sample has no such row"
    return int(raw.index[mask][0])


def test_a_footer_row_feeds_no_figure(traced, raw_delivery):
    row = _first(raw_delivery, raw_delivery["Contract Reference"].str.lower().str.startswith("total"))
    trace = trace_row(traced, "portal_delivery.csv", row)
    assert "footer row" in trace.explanation and not trace.feeds


def test_an_exact_duplicate_names_the_row_that_is_kept(traced, raw_delivery):
    data = raw_delivery.drop(columns=["period", "status", "Submitted By"])
    row = _first(raw_delivery, data.duplicated(keep="first"))
    kept = _first(raw_delivery, data.duplicated(keep=False) & ~data.duplicated(keep="first")
                  & (data.apply(tuple, axis=1) == tuple(data.loc[row])))
    trace = trace_row(traced, "PORTAL_DELIVERY.CSV", row)
    assert f"exact duplicate of row {kept}" in trace.explanation and not trace.feeds


def test_a_row_after_the_cutoff_only_counts_as_after_the_cutoff(traced, raw_delivery):
    row = _first(raw_delivery, raw_delivery["period"] > CUTOFF)
    trace = trace_row(traced, "portal_delivery.csv", row)
    assert "after the cut-off (30 November 2024)" in trace.explanation
    assert trace.feeds == {"delivered.after_cutoff.count": 1.0}


def test_a_not_validated_row_counts_as_pending_not_delivered(traced, raw_delivery):
    row = _first(raw_delivery, (raw_delivery["status"] == "pending") & (raw_delivery["period"] <= CUTOFF)
                 & ~raw_delivery["Contract Reference"].isin(EXCLUDED))
    trace = trace_row(traced, "portal_delivery.csv", row)
    value = float(raw_delivery.loc[row, "Social Value Delivered"].replace(",", ""))
    assert "not validated (status Pending)" in trace.explanation
    assert trace.feeds == {"delivered.pending.value": value, "delivered.pending.count": 1.0,
                           "delivered.status.pending.count": 1.0, "delivered.status.pending.value": value}


def test_an_excluded_contracts_row_is_reported_separately_with_its_reason(traced, raw_delivery):
    row = _first(raw_delivery, raw_delivery["Contract Reference"].isin(EXCLUDED)
                 & (raw_delivery["status"] == "validated") & (raw_delivery["period"] <= CUTOFF))
    trace = trace_row(traced, "portal_delivery.csv", row)
    assert "is an excluded contract (Housing repairs contract let before" in trace.explanation
    assert "excluded.delivered.total" in trace.feeds
    assert not [key for key in trace.feeds if not key.startswith("excluded.")]


def test_a_validated_row_feeds_delivery_with_its_own_value(traced, raw_delivery):
    row = _first(raw_delivery, (raw_delivery["status"] == "validated") & (raw_delivery["period"] <= CUTOFF)
                 & ~raw_delivery["Contract Reference"].isin(EXCLUDED))
    trace = trace_row(traced, "portal_delivery.csv", row)
    value = float(raw_delivery.loc[row, "Social Value Delivered"].replace(",", ""))
    assert trace.feeds["delivered.total"] == value
    assert "delivered.share.total" in trace.derived and "change.delivered.total.abs" in trace.derived


def _raw_spend(traced: TraceRun) -> pd.DataFrame:
    raw = pd.read_csv(traced.project.raw_year_dir(2025) / "supplier_spend_2023-24.csv", dtype=str,
                      encoding="utf-8-sig", keep_default_na=False)
    raw.index = raw.index + 2
    records = pd.read_csv(traced.project.raw_year_dir(2025) / "suppliers.csv", dtype=str, keep_default_na=False)
    where = dict(zip(records["Supplier ID"], records["Postcode"], strict=True))  # the supplier records' postcodes
    postcode = raw["Supplier ID"].map(where).fillna("")
    raw["outward"] = postcode.str.upper().str.replace(r"\s", "", regex=True).str.slice(0, -3)
    return raw


def _money_feeds(trace) -> set[str]:
    """The £ figures a payment feeds (it also counts in the year's payments, files and months)."""
    return {key for key in trace.feeds if not key.endswith((".payments", ".files", ".months"))}


def test_a_non_local_payment_feeds_total_spend_only(traced):
    raw = _raw_spend(traced)
    row = _first(raw, ~raw["outward"].isin(LOCAL) & (raw["outward"] != "S63") & (raw["outward"] != "")
                 & ~raw["Transaction Number"].str.lower().str.startswith("total"))
    trace = trace_row(traced, "supplier_spend_2023-24.csv", row)
    assert "not local" in trace.explanation
    assert _money_feeds(trace) == {"local_spend.2023-24.total"}
    assert trace.feeds["local_spend.2023-24.payments"] == 1


def test_a_local_payment_feeds_local_and_total_spend(traced):
    raw = _raw_spend(traced)
    row = _first(raw, raw["outward"] == "S60")
    trace = trace_row(traced, "supplier_spend_2023-24.csv", row)
    assert _money_feeds(trace) == {"local_spend.2023-24.local", "local_spend.2023-24.total"}


def test_rows_that_are_not_data_say_so(traced):
    assert "header row" in trace_row(traced, "portal_delivery.csv", 1).explanation
    assert "above the header row (row 4)" in trace_row(traced, "portal_commitments.xlsx", 2).explanation
    assert "its last row is" in trace_row(traced, "portal_delivery.csv", 99_999).explanation


def test_the_trace_command_writes_the_rows_and_explains_a_wrong_key(sample_run, tmp_path):
    stage, _ = sample_run
    out = tmp_path / "rows.csv"
    code, output = corpus.run_cli(stage.project.root, ["trace", "--year", "2025", "delivered.total", "--csv",
                                                         str(out)], stdout=True)
    assert code == 0, output
    assert "equal to the penny" in output
    written = pd.read_csv(out)
    assert len(written) == len(trace_key(TraceRun(stage.project, stage.position), "delivered.total").funnel.rows)
    code, output = corpus.run_cli(stage.project.root, ["trace", "--year", "2025", "delivered.totl"])
    assert code == 2 and "did you mean delivered.total" in output
    code, output = corpus.run_cli(stage.project.root, ["trace", "--year", "2025", "--row", "nosuch.csv:3"])
    assert code == 2 and "portal_delivery.csv" in output


def test_data_docs_load_nothing_from_the_network(project_copy):
    """GX's Data Docs pages load their styles, scripts, fonts and logo from copies beside them."""
    import re

    from svreport.core.project import Project
    from svreport.pipeline import runner, steps

    project = Project.load(project_copy / "config" / "rotherham.yml")
    stage = steps.PipelineRun(project, project.config.position(2024), project.processed_dir / "2024", build_missing=runner.build_in_process)
    steps.run_clean(stage)
    steps.run_validate(stage, docs=True)
    docs = stage.output_dir / "validation"
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 7  # the index, three suites, three validation results
    loads = re.compile(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"|url\([\'"]?([^\'")]+)')
    for page in pages:
        for match in loads.finditer(page.read_text(encoding="utf-8")):
            target = match.group(1) or match.group(2)
            if target.startswith(("#", "data:")):
                continue
            assert not re.match(r"(https?:)?//", target), f"{page.relative_to(docs)} loads {target}"
            assert (page.parent / target.split("?")[0]).resolve().is_file(), f"{page.relative_to(docs)}: {target}"
    css = (docs / "static" / "vendor" / "fontawesome" / "css" / "all.min.css").read_text(encoding="utf-8")
    fonts = {f for f in re.findall(r"url\(\.\./webfonts/([^)]+\.woff2)\)", css)}
    assert fonts and all((docs / "static" / "vendor" / "fontawesome" / "webfonts" / f).is_file() for f in fonts)


def test_a_blank_line_in_a_csv_is_explained_and_keeps_the_rows_below_it_numbered(project_copy):
    from svreport.core.project import Project
    from svreport.pipeline import runner, steps

    project = Project.load(project_copy / "config" / "rotherham.yml")
    path = project.raw_year_dir(2024) / "portal_delivery.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([*lines[:10], b"", *lines[10:]]))  # a blank row 11; the old row 11 is now 12
    stage = steps.PipelineRun(project, project.config.position(2024), project.processed_dir / "2024", build_missing=runner.build_in_process)
    steps.run_clean(stage)
    steps.run_validate(stage, docs=False)
    steps.run_metrics(stage)
    traced = TraceRun(project, project.config.position(2024))
    assert "a blank row" in trace_row(traced, "portal_delivery.csv", 11).explanation
    moved = trace_row(traced, "portal_delivery.csv", 12)
    assert moved.values["contract_reference"] == lines[10].split(b",")[0].decode("utf-8-sig")
