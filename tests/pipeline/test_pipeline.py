"""The pipeline on the sample: every published figure, deterministic outputs, and a stop at validation."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from svreport.core.layout import VALIDATION_SUMMARY, VARIABLES
from svreport.pipeline import steps

# The 2025 report's printed figures (shared/spec/seed-figures.md), keyed by the variable the
# report uses to print them. Test data only: the pipeline never sees these.
PUBLISHED = {
    "committed.total.m": "£32m",
    "previous.committed.total.m": "£27.8m",
    "change.committed.total.phrase": "a net increase of £4.2 million or 15%",
    "committed.category.places.m": "£18.3m", "previous.committed.category.places.m": "£16.9m",
    "change.committed.category.places.abs.million": "£1.4 million", "change.committed.category.places.pct.pct": "8.3%",
    "committed.category.people.m": "£10.6m", "previous.committed.category.people.m": "£8.9m",
    "change.committed.category.people.abs.million": "£1.7 million", "change.committed.category.people.pct.pct": "19%",
    "committed.category.corporate.m": "£3.1m", "previous.committed.category.corporate.m": "£1.9m",
    "change.committed.category.corporate.abs.million": "£1.2 million",
    "change.committed.category.corporate.pct.pct": "63%",
    "committed.measure.NT3.units.n": "21.84", "previous.committed.measure.NT3.units.n": "19",
    "change.committed.measure.NT3.units.abs.n": "2.84", "change.committed.measure.NT3.units.pct.pct": "15%",
    "committed.measure.NT9.units.plain": "1850.1", "committed.measure.NT9.units.n0": "1,850",
    "previous.committed.measure.NT9.units.n": "1,526", "change.committed.measure.NT9.units.abs.words": "324 weeks",
    "change.committed.measure.NT9.units.pct.pct": "21%",
    "committed.group.support_into_work.units.n": "22,364.5",
    "committed.group.support_into_work.value.m2": "£2.44m",
    "previous.committed.group.support_into_work.value.m": "£1.7m",
    "change.committed.group.support_into_work.value.abs.k": "£743,000",
    "change.committed.group.support_into_work.value.pct.pct": "44%",
    "committed.measure.NT31.units.plain": "4601", "previous.committed.measure.NT31.units.n": "4,369",
    "change.committed.measure.NT31.units.abs.n0": "232", "change.committed.measure.NT31.units.pct.pct": "5.3%",
    "committed.measure.NT16.value.h": "£178,400", "previous.committed.measure.NT16.value.h": "£121,200",
    "change.committed.measure.NT16.value.abs.h": "£57,200", "change.committed.measure.NT16.value.pct.pct": "47%",
    "committed.measure.NT18.value.m": "£19.3m", "previous.committed.measure.NT18.value.m": "£10.9m",
    "change.committed.measure.NT18.value.abs.million": "£8.4 million",
    "change.committed.measure.NT18.value.pct.pct": "77%",
    "committed.measure.NT28.value.k": "£14,000",
    "delivered.total.million": "£12.3 million", "previous.delivered.total.million": "£8 million",
    "change.delivered.total.phrase": "a net increase of £4.3 million or 54%",
    "delivered.category.people.million": "£6.1 million", "previous.delivered.category.people.million": "£4.4 million",
    "change.delivered.category.people.phrase": "a net increase of £1.7 million or 38%",
    "delivered.category.places.million": "£5.5 million", "previous.delivered.category.places.million": "£3.5 million",
    "change.delivered.category.places.phrase": "a net increase of £2 million or 57%",
    "delivered.category.corporate.k": "£794,000", "previous.delivered.category.corporate.k": "£82,000",
    "change.delivered.category.corporate.phrase": "a net increase of £712,000 or 868%",
    "delivered.group.local_employment.units.n": "308.22",
    "delivered.measure.NT10.units.n": "695", "previous.delivered.measure.NT10.units.n": "487",
    "change.delivered.measure.NT10.units.phrase": "a net increase of 208 weeks or 43%",
    "delivered.group.support_into_work.value.gbp": "£479,684",
    "delivered.group.support_into_work.value.k": "£480,000",
    "previous.delivered.group.support_into_work.value.k": "£247,000",
    "change.delivered.group.support_into_work.value.phrase": "a net increase of £233,000 or 94%",
    "delivered.measure.NT31.units.n": "1,093.7", "delivered.measure.NT31.units.n0": "1,094",
    "delivered.measure.NT31.value.k": "£245,000",
    "delivered.measure.NT18.value.gbp": "£2,676,073",
    # the two figures the published report got wrong, as the data really gives them
    "delivered.measure.NT16.value.k": "£82,000", "previous.delivered.measure.NT16.value.h": "£26,500",
    "change.delivered.measure.NT16.value.phrase": "a net increase of £55,500 or 209%",
    "delivered.measure.NT15.units.n": "234", "previous.delivered.measure.NT15.units.n": "56",
    "change.delivered.measure.NT15.units.phrase": "a net increase of 178 hours or 318%",
    "excluded.delivered.total.m": "£3.1m",
    "excluded.delivered.measure.NT10.units.n": "447", "excluded.delivered.measure.NT9.units.n": "13.4",
    "excluded.delivered.measure.NT8.units.n": "38.5", "excluded.delivered.measure.NT12.units.n": "15.4",
    "excluded.delivered.measure.NT11.units.n": "129.5", "excluded.delivered.measure.NT1.units.n": "105.89",
    "local_spend.previous.local.m": "£77.2m", "local_spend.latest.local.m": "£105.5m",
    "local_spend.previous.share.pct1": "27.9%", "local_spend.latest.share.pct1": "24%",
    "change.local_spend.latest.local.abs.m": "£28.3m", "change.local_spend.latest.local.pct.pct1": "36.7%",
    "local_spend.previous.label": "2022/23", "local_spend.latest.label": "2023/24",
}


def lookup(tree: dict, dotted: str) -> object:
    node = tree
    for part in dotted.split("."):
        node = node[part]
    return node


@pytest.fixture(scope="module")
def variables(sample_run):
    stage, _ = sample_run
    return yaml.safe_load((stage.output_dir / VARIABLES).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_published_figure_in_house_style(variables, name):
    assert lookup(variables, name) == PUBLISHED[name]


def test_ledger_has_the_contract_keys(sample_run):
    _, ledger = sample_run
    keys = set(ledger["key"])
    required = {"committed.total", "committed.contracts", "delivered.total", "delivered.pending.value",
                "excluded.delivered.total", "local_spend.2023-24.local", "local_spend.2023-24.total",
                "local_spend.2023-24.share"}
    required |= {f"{s}.category.{c}" for s in ("committed", "delivered") for c in ("places", "people", "corporate")}
    required |= {f"{s}.measure.NT9.{p}" for s in ("committed", "delivered") for p in ("units", "value")}
    assert required <= keys
    assert ledger["key"].is_unique
    author = ledger["key"].str.startswith("author.")
    assert (ledger.loc[~author, "source"] == "notebooks/03_metrics.ipynb").all()
    assert (ledger.loc[author, "source"] == "author: author-figures.yml").all() and author.sum() == 19
    assert ledger.loc[ledger["key"] == "author.social_media_audience", "value"].item() == 8591
    value = ledger.set_index("key")["value"]
    # the 2024 report's 119 contracts, one award withdrawn since, and the 31 awarded after its cut-off
    assert value["committed.contracts"] == 149 == (value["bridge.committed.previous.contracts"]
                                                   - value["bridge.committed.withdrawn.contracts"]
                                                   + value["bridge.committed.first_recorded.contracts"]
                                                   + value["bridge.committed.new.contracts"])


@pytest.mark.parametrize("stage", ["committed", "delivered"])
def test_the_bridge_runs_from_the_published_total_to_this_reports(sample_run, stage):
    """Last year's printed total, plus every revision to what it counted, is the position at its cut-off as
    these exports record it (Diagram 7's point); plus the new awards (or periods) it is this year's total."""
    value = sample_run[1].set_index("key")["value"]
    previous = value[f"previous.{stage}.total"]
    assert value[f"bridge.{stage}.previous.value"] == pytest.approx(previous, abs=0.005)
    parts = [p for p in ("unchanged", "revised_up", "revised_down", "ended_early", "withdrawn", "first_recorded")
             if f"bridge.{stage}.{p}.value" in value]
    revisions = sum(value[f"bridge.{stage}.{p}.value"] for p in parts)
    assert revisions == pytest.approx(value[f"bridge.{stage}.revisions.value"], abs=0.005)
    assert previous + revisions == pytest.approx(value[f"trend.2023-11-30.{stage}"], abs=0.005)
    assert value[f"trend.2023-11-30.{stage}"] + value[f"bridge.{stage}.new.value"] == pytest.approx(
        value[f"{stage}.total"], abs=0.005)
    assert value[f"bridge.{stage}.new.value"] == pytest.approx(value[f"since_last_report.{stage}"], abs=0.005)


def test_a_previous_figure_is_described_as_the_compared_report_counted_it(sample_run):
    """``previous.<key>`` says the compared report's window (its cut-off), not this report's, in every row."""
    from svreport.stages.ledger import read_ledger

    stage, ledger = sample_run
    compared = read_ledger(stage.project.processed_dir / "2024" / "figures.csv").set_index("key")["description"]
    previous = ledger[ledger["key"].str.startswith("previous.")]
    assert len(previous) > 50
    for row in previous.itertuples(index=False):
        assert row.description == f"The 2024 report: {compared[row.key.removeprefix('previous.')]}"
    windows = previous["description"].str.extract(r"(?:to|by) (\d\d \w{3} \d{4})")[0].dropna()
    assert len(windows) > 50 and set(windows) == {"30 Nov 2023"}  # the 2024 report's cut-off, never 2024's


def test_outputs_are_byte_identical_on_rerun(sample_run, tmp_path):
    stage, ledger = sample_run
    again = steps.PipelineRun(stage.project, stage.position, tmp_path / "again")
    (tmp_path / "again").mkdir()
    for name in ("commitments.parquet", "delivery.parquet", "spend.parquet", "cleaning_log.csv",
                 VALIDATION_SUMMARY):
        (tmp_path / "again" / name).write_bytes((stage.output_dir / name).read_bytes())
    steps.run_metrics(again)
    steps.run_diagrams(again)
    for name in ["figures.csv", "_variables.yml", "tables/appendix1.csv", "tables/appendix1.xlsx",
                 *(f"diagrams/diagram_{n}.{ext}" for n in range(1, 7) for ext in ("svg", "png", "alt.txt"))]:
        assert (again.output_dir / name).read_bytes() == (stage.output_dir / name).read_bytes(), name


def test_diagrams_have_alt_text_and_no_timestamps(sample_run):
    stage, _ = sample_run
    folder = stage.output_dir / "diagrams"
    for number in range(1, 7):
        svg = (folder / f"diagram_{number}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
        alt = (folder / f"diagram_{number}.alt.txt").read_text(encoding="utf-8")
        assert alt.startswith("Bar chart.") and len(alt) > 80
    alt = (folder / "diagram_1.alt.txt").read_text(encoding="utf-8")
    assert "All contracts: £27.8 million in the 2024 report, £32 million in 2025" in alt
    assert "Corporate: £1.9 million in the 2024 report, £3.1 million in 2025" in alt


def test_appendix1_totals_match_the_ledger(sample_run):
    stage, _ = sample_run
    import pandas as pd

    table = pd.read_csv(stage.output_dir / "tables" / "appendix1.csv")
    total = table[table["Measure"] == "Total"].iloc[0]
    assert total["Social value committed (£)"] == pytest.approx(32_011_000)
    assert table.loc[table["Measure"] != "Total", "Social value delivered (£)"].sum() == pytest.approx(12_304_000)


def _break_sample(project) -> None:
    """One unknown measure code (commitments, XLSX) and one negative value (delivery, CSV) in 2025."""
    import openpyxl

    book_path = project / "data" / "raw" / "2025" / "portal_commitments.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    assert sheet.cell(row=4, column=10).value == "Measure ID"
    sheet.cell(row=20, column=10).value = "NT99"
    book.save(book_path)
    delivery = project / "data" / "raw" / "2025" / "portal_delivery.csv"
    lines = delivery.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[29].split(",")
    fields[3] = "-" + fields[3].strip('"')
    lines[29] = ",".join(fields)
    delivery.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_data_stops_at_validation_and_writes_no_figures(project_copy):
    _break_sample(project_copy)
    result = subprocess.run([sys.executable, "-m", "svreport.cli", "--config", "config/rotherham.yml", "run",
                             "--year", "2025"], cwd=project_copy, capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the validate stage stopped; no figures were written" in result.stderr
    assert "portal_commitments.xlsx, row 20, column 'Measure ID': 'NT99' is not a measure in the TOMs catalogue" \
        in result.stderr
    assert "portal_delivery.csv, row 30, column 'Units Delivered': '-" in result.stderr
    assert "is negative or too large to be real" in result.stderr
    assert "Traceback" not in result.stderr
    processed = project_copy / "data" / "processed"
    assert not (processed / "2025").exists()  # no ledger, no half-written outputs
    assert (processed / "2024" / "figures.csv").exists()  # the comparator ran first and passed
    assert sorted(p.name for p in (processed / "2024" / "notebooks").iterdir()) == [
        "01_clean.ipynb", "02_validate.ipynb", "03_metrics.ipynb", "04_diagrams.ipynb"]
