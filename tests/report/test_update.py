"""The mid-year update and the contract tracker's page (`svreport render --as-at`) on the pandoc path:
outputs, figures from the as-at ledger, PDF/UA, axe-core."""

from __future__ import annotations

import re
from datetime import date

import pikepdf
import pytest

from helpers import project_words, run_axe, struct_elements
from svreport.core import formatting
from svreport.core.project import Project
from svreport.pipeline.runner import run
from svreport.report.render import render_update
from svreport.stages.ledger import ledger_values, read_ledger

AS_AT = date(2025, 5, 31)


@pytest.fixture(scope="module")
def update(tmp_path_factory):
    """A copy of the sample with the position at 31 May 2025 run (in-process) and its update rendered."""
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("update") / "project")
    project = Project.load(root / "config" / "rotherham.yml")
    position = project.position(as_at=AS_AT)
    run(project, position, say=lambda _line: None, notebooks=False)
    result = render_update(project, position, engine="pandoc")
    values = ledger_values(read_ledger(project.processed_dir / position.name / "figures.csv"))
    return project, result, values, root / "_output" / position.name / "report"


def _text(path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).replace("&#39;", "'")


def test_the_update_and_the_trackers_page_are_written_beside_the_spreadsheet(update):
    _, result, _, folder = update
    assert {p.name for p in result.outputs} == {"mid-year-update.html", "mid-year-update.pdf", "mid-year-update.docx",
                                                "contract-tracker.html", "contract_tracker.xlsx",
                                                "contract_tracker.csv", "contract_tracker_measures.csv"}
    assert all(p.parent == folder and p.exists() for p in result.outputs)


def test_the_update_prints_the_as_at_ledger_against_the_last_report(update):
    project, _, values, folder = update
    text = _text(folder / "mid-year-update.html")
    m = formatting.gbp_auto
    assert "Report to Overview and Scrutiny Management Board: the position at 31 May 2025" in text
    # the position table: the 2025 report as published, the position now
    assert f"Validated social value delivered {m(values['previous.delivered.total'])} " \
           f"{m(values['delivered.total'])}" in text
    assert f"Social value committed {m(values['previous.committed.total'])} {m(values['committed.total'])}" in text
    # delivery since the last report, and the note on late validation
    assert f"{m(values['since_last_report.delivered'])} of delivery has been validated" in text
    assert f"These exports record {m(values['trend.2024-11-30.delivered'])} validated for periods up to that " \
           "cut-off" in text
    # the quarterly figure by service area: every quarter's total and each service area's figure
    for end in ("2025-02-28", "2025-05-31"):
        assert m(values[f"quarter.{end}.delivered.total"]) in text
    assert "1 December 2024 to 28 February 2025" in text and "1 March to 31 May 2025" in text
    assert f"Housing {m(values['quarter.2025-02-28.delivered.service_area.housing'])}" in text
    # the tracker's summary, from the ledger
    assert (f"{int(values['tracker.flagged.any'])} are flagged at 31 May 2025: "
            f"{int(values['tracker.flagged.no_delivery'])} with no validated delivery for two quarters or more and "
            f"{int(values['tracker.flagged.behind'])} whose delivery is well behind") in text
    annex = text.split("Annex: contracts flagged at 31 May 2025", 1)[1]
    assert annex.count("RMBC-") == values["tracker.flagged.any"]  # every flagged contract, in the annex only
    assert text.split("Annex: contracts flagged", 1)[0].count("RMBC-") == 0
    assert "Diagram 7" in text and "This update, 31 May 2025" in text


def test_the_update_pdf_is_tagged_pdf_ua_with_alt_text(update):
    _, _, _, folder = update
    with pikepdf.open(folder / "mid-year-update.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True and pdf.Root.Lang == "en-GB"
        assert str(pdf.docinfo.get("/Title", "")) == "Social Value Mid-Year Update"
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        elements = struct_elements(pdf.Root.StructTreeRoot)
        figures = [e for e in elements if e.S == "/Figure"]
        assert len(figures) == 1 and str(figures[0].Alt).startswith("Line chart.")
        assert "the date of this update marked" in str(figures[0].Alt)
        assert any(e.S == "/TH" for e in elements)


def test_the_update_and_the_trackers_page_have_no_axe_violations(update):
    _, _, _, folder = update
    pages = [folder / "mid-year-update.html", folder / "contract-tracker.html"]
    results = run_axe(*pages)
    assert {str(p): results[str(p)]["violations"] for p in pages} == {str(p): [] for p in pages}


def test_the_trackers_page_is_a_table_of_every_contract_with_headers(update):
    _, _, values, folder = update
    html = (folder / "contract-tracker.html").read_text(encoding="utf-8")
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == values["committed.contracts"]
    assert "<caption" in html and html.count("<th") >= 10
    # too wide for the page: it scrolls sideways in a region a keyboard can reach and a screen reader names
    region = html.split("<table", 1)[0].rsplit("<div", 1)[1]
    assert 'class="wide-table"' in region and 'tabindex="0"' in region and 'role="region"' in region
    assert 'aria-label="Contract tracker table' in region
    assert "RMBC-2024-0911" in body  # awarded after the 2025 report's cut-off, counted by 31 May 2025


def test_rendering_the_annual_report_keeps_the_update(update):
    from svreport.report.render import render_report

    project, _, _, folder = update
    render_report(project, 2025, engine="pandoc")
    assert (folder / "mid-year-update.pdf").exists()
    assert (project.root / "_output" / "report" / "cabinet-report.pdf").exists()


def test_every_generated_shortcode_of_the_update_names_content_it_writes(update):
    from svreport.core.layout import UPDATE_DOCUMENTS, UPDATE_NARRATIVE
    from svreport.report.shortcodes import SHORTCODE
    from svreport.report.update import write_update_sources

    project, _, _, _ = update
    write_update_sources(project, project.position(as_at=AS_AT))  # the annual render replaced them
    sources = [*(project.root / d for d in UPDATE_DOCUMENTS), *project.root.glob(f"report/**/{UPDATE_NARRATIVE}")]
    names = {m.group(2) for source in sources for m in SHORTCODE.finditer(source.read_text(encoding="utf-8"))
             if m.group(1) == "generated"}
    assert {"update", "update-position", "update-quarters", "tracker-summary", "tracker-flagged", "tracker-table",
            "diagram-7"} <= names
    generated = project.root / "report" / "_generated"
    assert sorted(n for n in names if not (generated / f"{n}.md").is_file()) == []
    assert "Rendered with" not in (project.root / "_output" / "as-at-2025-05-31" / "report" /
                                   "mid-year-update.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("values", "expected"), [
    ({"committed.contracts": 0}, "No contract has commitments at 31 May 2025, so none is flagged."),
    ({"committed.contracts": 1, "tracker.flagged.any": 0},
     "Of the {{< var committed.contracts.n >}} contract with commitments, none is flagged at 31 May 2025."),
    ({"committed.contracts": 9, "tracker.flagged.any": 1, "tracker.flagged.no_delivery": 1,
      "tracker.flagged.behind": 1},
     "Of the {{< var committed.contracts.n >}} contracts with commitments, {{< var tracker.flagged.any.n >}} is "
     "flagged at 31 May 2025: {{< var tracker.flagged.no_delivery.n >}} with no validated delivery for two quarters "
     "or more and {{< var tracker.flagged.behind.n >}} whose delivery is well behind the share of the contract's "
     "time that has passed (for both reasons). It is listed, with the reason, in the annex to this update."),
    ({"committed.contracts": 9, "tracker.flagged.any": 2, "tracker.flagged.no_delivery": 0,
      "tracker.flagged.behind": 2},
     "Of the {{< var committed.contracts.n >}} contracts with commitments, {{< var tracker.flagged.any.n >}} are "
     "flagged at 31 May 2025: {{< var tracker.flagged.behind.n >}} whose delivery is well behind the share of the "
     "contract's time that has passed. They are listed, with the reason, in the annex to this update."),
])
def test_the_trackers_summary_reads_right_for_any_counts(values, expected):
    from datetime import date

    from svreport.core.config import Position
    from svreport.report.update import tracker_md

    assert tracker_md(values, Position(date(2025, 5, 31))).strip() == expected


def test_the_update_speaks_to_scrutiny_members(update):
    """No tool, file or folder names in the update members read (the tracker's page is for contract managers)."""
    _, _, _, folder = update
    assert project_words(_text(folder / "mid-year-update.html")) == []
