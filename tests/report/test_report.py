"""The rendered Cabinet report: outputs, PDF/UA tagging, alt text, accessibility, figures, determinism."""

from __future__ import annotations

import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from helpers import project_words, run_axe, struct_elements
from svreport.core.errors import InputError
from svreport.core.layout import PACK_NAME
from svreport.report.render import render_report

DOCUMENTS = ["cabinet-report", "appendix-1", "appendix-2", "appendix-3", "appendix-4", "appendix-5"]


def test_every_document_in_every_format_plus_the_pack(rendered):
    folder, result = rendered
    expected = {f"{d}.{ext}" for d in DOCUMENTS for ext in ("html", "pdf", "docx")} | {PACK_NAME, "auditors.html",
                                                                                     "appendix1.xlsx"}
    assert {p.name for p in folder.iterdir()} == expected | {"figure-rows"}
    assert {p.name for p in result.outputs} == expected
    assert result.figure_rows == folder / "figure-rows"
    assert "pandoc 3.9" in result.renderer and "Typst" in result.renderer and "Quarto is not installed" in \
        result.renderer


@pytest.mark.parametrize("name", [*DOCUMENTS, "cabinet-pack"])
def test_pdf_is_tagged_pdf_ua_with_title_language_and_alt_text(rendered, name):
    folder, _ = rendered
    with pikepdf.open(folder / f"{name}.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.Lang == "en-GB"
        title = str(pdf.docinfo.get("/Title", ""))
        assert title.startswith(("Social Value Annual Report", "Appendix")), title
        with pdf.open_metadata() as xmp:
            assert xmp.get("dc:title") == title
            assert xmp.get("pdfuaid:part") == "1"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        elements = struct_elements(pdf.Root.StructTreeRoot)
        figures = [e for e in elements if e.S == "/Figure"]
        assert all(str(f.get("/Alt", "")).strip() for f in figures), "a figure without alt text"
        width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
        assert (round(width), round(height)) == (595, 842)  # A4
        if name in ("cabinet-report", "cabinet-pack"):
            assert len(figures) == 7  # Diagrams 1-6 and the trend diagram
            assert any(str(f.Alt).startswith("Bar chart. Social value committed has reached £32m") for f in figures)
            assert any(str(f.Alt).startswith("Line chart. Validated delivery has reached £12.3m") for f in figures)
        assert any(e.S == "/Table" for e in elements) or name == "appendix-3"
        assert any(e.S == "/TH" for e in elements) or name == "appendix-3"


def test_pack_holds_the_paper_and_every_appendix_in_order(rendered):
    folder, _ = rendered
    with pikepdf.open(folder / "cabinet-pack.pdf") as pack:
        titles = [str(item.title) for item in pikepdf.open(folder / "cabinet-pack.pdf").open_outline().root]
        pages = len(pack.pages)
    assert titles == ["Social Value Annual Report", "Appendix 1: Social value commitments and delivery",
                      "Appendix 2: Old-to-new TOMs mapping", "Appendix 3: Social value case studies",
                      "Appendix 4: Initial equality screening assessment (form A)",
                      "Appendix 5: Carbon impact assessment"]
    separate = sum(len(pikepdf.open(folder / f"{d}.pdf").pages) for d in DOCUMENTS)
    assert pages >= separate - len(DOCUMENTS)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.images = [], []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def _html(folder: Path, name: str) -> _Text:
    parser = _Text()
    parser.feed((folder / f"{name}.html").read_text(encoding="utf-8"))
    return parser


def test_html_is_self_contained_with_alt_text(rendered):
    folder, _ = rendered
    for name in DOCUMENTS:
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert '<html lang="en-GB"' in html
        assert not re.search(r'(src|href)="https?:', html), f"{name} loads something from the network"
    images = _html(folder, "cabinet-report").images
    assert len(images) == 7
    assert images[-1].get("alt", "").startswith("Line chart. Validated delivery has reached")
    assert all(img["src"].startswith("data:image/svg+xml") for img in images)
    assert images[0]["alt"].startswith("Bar chart. Social value committed has reached £32m")


# The 2025 report's figures, worded as the paper prints them (test data from seed-figures.md).
PRINTED = [
    "£32m", "£12.3 million", "Since the 2024 annual report it has risen from £27.8 million to £32 million",
    "a net increase of £4.2 million or 15%",
    "from £16.9 million to £18.3 million, a net increase of £1.4 million or 8.3%",
    "from £8.9 million to £10.6 million, a net increase of £1.7 million or 19%",
    "from £1.9 million to £3.1 million, a net increase of £1.2 million or 63%",
    "21.84 full-time equivalent", "1,850.1 weeks", "22,364.5 hours", "4,601 tonnes",
    "up from 1,526 to 1,850 weeks, a net increase of 324 weeks or 21%",
    "rose from £1.7 million to £2.4 million, a net increase of £743,000 or 44%.",
    "from 19 to 21.84 FTE, a net increase of 2.84 FTE or 15%",
    "rose from 4,369 to 4,601 tonnes, a net increase of 232 tonnes or 5.3%",
    "rose from £121,000 to £178,000, a net increase of £57,000 or 47%.",
    "rose from £10.9 million to £19.3 million, a net increase of £8.4 million or 77%", "£14,000",
    "has risen from £8 million to £12.3 million, a net increase of £4.3 million or 54%",
    "from £4.4 million to £6.1 million, a net increase of £1.7 million or 38%",
    "from £3.5 million to £5.5 million, a net increase of £2 million or 57%",
    "from £82,000 to £794,000, a net increase of £712,000 or 868%",
    "308.22 FTE", "695 weeks", "£479,684",
    "rose from 487 to 695 weeks, a net increase of 208 weeks or 43%",
    "from £247,000 to £480,000, a net increase of £233,000 or 94%",
    "1,093.7 tonnes", "1,094 tonnes of CO2e so far, with a proxy value of £245,000", "£2,676,073",
    "from £26,500 to £82,000, a net increase of £55,500 or 209%",  # the published slip corrected
    "up from 56 to 234 hours, a net increase of 178 hours or 318%",  # the published slip corrected
    "£3.1m of it has been validated",
    "(NT10): 447 weeks", "(NT9): 13.4 weeks", "(NT8): 38.5 hours", "(NT12): 15.4 weeks", "(NT11): 129.5 hours",
    "(NT1): 105.89 FTE",
    "rose from £77.2 million to £105.5 million, a net increase of £28.3 million or 37%",
    "fell from 27.9% to 24%",
]


def test_the_paper_prints_every_seed_figure_in_house_style(rendered):
    folder, _ = rendered
    text = " ".join("".join(_html(folder, "cabinet-report").parts).split())
    missing = [p for p in PRINTED if p not in text]
    assert not missing
    assert "{{<" not in text and "£63,500" not in text and "317%" not in text


@pytest.mark.a11y
def test_html_has_no_axe_violations(rendered):
    folder, _ = rendered
    results = run_axe(*(folder / f"{d}.html" for d in [*DOCUMENTS, "auditors"]))
    assert all(r["rules"] > 50 for r in results.values())
    assert {f: r["violations"] for f, r in results.items() if r["violations"]} == {}


@pytest.mark.a11y
def test_axe_check_catches_what_it_should(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>x</h1><img src="a.png">'
                    '<ul><li><a href="#a" style="display:block;height:12px;font-size:9px">a</a></li>'
                    '<li><a href="#b" style="display:block;height:12px;font-size:9px">b</a></li></ul></main></body></html>')
    found = {v["id"] for v in run_axe(page)[str(page)]["violations"]}
    assert {"html-has-lang", "image-alt", "target-size"} <= found


def test_docx_is_a4_with_repeating_header_rows_and_alt_text(rendered):
    folder, _ = rendered
    with zipfile.ZipFile(folder / "cabinet-report.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        assert "word/header1.xml" in docx.namelist() and "word/footer1.xml" in docx.namelist()
    assert '<w:pgSz w:h="16838" w:w="11906"' in document
    assert document.count("<w:tblHeader/>") == document.count("<w:tbl>") > 0
    assert 'descr="Bar chart. Social value committed has reached £32m' in document


def test_rendering_is_byte_identical(rendered, sample_run):
    folder, _ = rendered
    stage, _ = sample_run
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    render_report(stage.project, 2025, engine="pandoc")
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    assert [n for n in before if before[n] != after[n]] == []


def test_raw_html_in_narrative_is_refused(sample_run):
    stage, _ = sample_run
    case_studies = stage.project.narrative_dir(2025) / "case-studies.md"
    original = case_studies.read_text(encoding="utf-8")
    output = stage.project.root / "_output"
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    try:
        case_studies.write_text(original + "\nA quote.\n<script>alert('x')</script>\n", encoding="utf-8")
        with pytest.raises(InputError) as error:
            render_report(stage.project, 2025, engine="pandoc")
        assert str(error.value).startswith("report/councils/rotherham/2025/case-studies.md, row ")
        assert "<script>" in str(error.value)
    finally:
        case_studies.write_text(original, encoding="utf-8")
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before  # nothing half-written


def test_auditors_page_lists_every_printed_figure_with_its_source(rendered):
    folder, _ = rendered
    text = " ".join("".join(_html(folder, "auditors").parts).split())
    assert "committed.total 32011000 GBP 1,077 rows" in text
    assert "£479,684 delivered.group.support_into_work.value 479684 GBP 132 rows" in text
    assert "author.social_media_audience 8591 count author: author-figures.yml" in text
    assert ("change.delivered.measure.NT16.value.pct 2.09433962 ratio (delivered.measure.NT16.value - "
            "previous.delivered.measure.NT16.value) / previous.delivered.measure.NT16.value") in text
    assert "previous.committed.total 27766000 GBP the 2024 ledger" in text


def test_unknown_variable_names_file_and_line(sample_run):
    stage, _ = sample_run
    paper = stage.project.root / "report" / "appendix-2.qmd"
    original = paper.read_text(encoding="utf-8")
    try:
        paper.write_text(original + "\nTotal: {{< var committed.totl.m >}}\n", encoding="utf-8")
        line = len(original.splitlines()) + 2
        with pytest.raises(InputError, match=rf"appendix-2.qmd, row {line}: unknown variable 'committed.totl.m'"):
            render_report(stage.project, 2025, engine="pandoc")
    finally:
        paper.write_text(original, encoding="utf-8")


def test_html_links_to_the_pdf_and_word_versions(rendered):
    folder, _ = rendered
    paper = (folder / "cabinet-report.html").read_text(encoding="utf-8")
    formats = re.search(r'<div class="quarto-alternate-formats">(.*?)</div>', paper, re.S).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', formats) == [("cabinet-report.pdf", "PDF"),
                                                                     ("cabinet-report.docx", "Word")]
    assert "quarto-alternate-formats" not in (folder / "auditors.html").read_text(encoding="utf-8")  # HTML only


def test_the_auditors_page_links_each_figure_to_rows_that_sum_to_it(rendered):
    """Every "Made from" link opens a CSV whose rows add up to the ledger value the page prints beside it."""
    import html as html_module
    import re

    import pandas as pd

    folder, _ = rendered
    page = (folder / "auditors.html").read_text(encoding="utf-8")
    cells = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    assert cells
    checked = 0
    for row in cells:
        link = re.search(r'href="(figure-rows/([^"]+)\.csv)"', row)
        if not link:
            continue
        key = link.group(2)
        value = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3]
        number = float(html_module.unescape(re.sub(r"<[^>]+>", "", value)).split()[0])
        rows = pd.read_csv(folder / link.group(1))
        assert len(rows) == int(re.search(r">([\d,]+)\s+rows?<", row).group(1).replace(",", "")), key
        assert round(rows["adds"].sum(), 2) == round(number, 2), key
        checked += 1
    assert checked >= 20
    assert {p.stem for p in (folder / "figure-rows").iterdir()} >= {"committed.total", "delivered.total"}


def test_figure_rows_are_reused_only_when_written_from_the_same_lineage(sample_run, tmp_path):
    from svreport.core.layout import LINEAGE
    from svreport.report.sources import write_figure_rows
    from svreport.stages.counting import RecordedLineage

    stage, _ = sample_run
    recorded = RecordedLineage(stage.output_dir)
    first = write_figure_rows(recorded, ["delivered.share.total"], tmp_path / "first")
    assert set(first) == {"delivered.total", "committed.total"}  # a derived figure's rows are its inputs'
    (tmp_path / "first" / "delivered.total.csv").write_text("marker", encoding="utf-8")
    reused = write_figure_rows(recorded, ["delivered.share.total"], tmp_path / "reused", tmp_path / "first")
    assert reused == first and (tmp_path / "reused" / "delivered.total.csv").read_text() == "marker"
    other_keys = write_figure_rows(recorded, ["delivered.total"], tmp_path / "keys", tmp_path / "first")
    assert (tmp_path / "keys" / "delivered.total.csv").read_text() != "marker" and set(other_keys) == {
        "delivered.total"}
    copy = tmp_path / "processed"
    shutil.copytree(stage.output_dir, copy, ignore=shutil.ignore_patterns("validation", "diagrams", "notebooks"))
    (copy / LINEAGE).write_text((copy / LINEAGE).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = write_figure_rows(RecordedLineage(copy), ["delivered.share.total"], tmp_path / "changed",
                                tmp_path / "first")
    assert changed == first and (tmp_path / "changed" / "delivered.total.csv").read_text() != "marker"


def test_project_words_are_found():
    assert project_words("See data/processed/2025/figures.csv; `svreport trace` shows the ledger.") == [
        "data/processed", "figures.csv", "ledger", "svreport"]
    assert project_words("The company donated tools and seeds; the Ledger Building.") == ["ledger"]
    assert project_words("A garden of seeds, planted on the 30 November cut-off.") == []


@pytest.mark.parametrize("name", [*DOCUMENTS, "cabinet-pack"])
def test_cabinet_documents_speak_to_cabinet(rendered, name):
    """No tool, file or folder names, and no stand-ins for missing facts, in what Cabinet reads (the auditors'
    page is the place for those), in every format."""
    folder, _ = rendered
    if name != "cabinet-pack":
        assert project_words(" ".join(_html(folder, name).parts)) == [], f"{name}.html"
        with zipfile.ZipFile(folder / f"{name}.docx") as docx:
            assert project_words(re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())) == [], name
    with pikepdf.open(folder / f"{name}.pdf") as pdf:  # the PDF's own metadata and outline
        assert project_words(str(pdf.docinfo.get("/Title", ""))) == []


def test_each_years_documents_are_kept_when_another_year_is_rendered(sample_run, tmp_path):
    """`make report YEAR=2024` then `YEAR=2025`: _output/report/ is the last rendered, and each year's documents
    stay under _output/<year>/report/ (the mid-year updates under _output/as-at-<date>/ are kept too)."""
    from svreport.core.project import Project
    from svreport.report.render import render_report

    stage, _ = sample_run
    root = shutil.copytree(stage.project.root, tmp_path / "project", ignore=shutil.ignore_patterns("_output"))
    project = Project.load(root / "config" / "rotherham.yml")
    (root / "_output" / "as-at-2025-05-31").mkdir(parents=True)
    (root / "_output" / "as-at-2025-05-31" / "kept.txt").write_text("an update", encoding="utf-8")
    render_report(project, 2024, engine="pandoc")
    render_report(project, 2025, engine="pandoc")
    output = root / "_output"
    for year, cutoff in ((2024, "30 November 2023"), (2025, "30 November 2024")):
        assert cutoff in " ".join("".join(_html(output / str(year) / "report", "appendix-1").parts).split()), year
    assert (output / "report" / "cabinet-report.pdf").read_bytes() == (
        output / "2025" / "report" / "cabinet-report.pdf").read_bytes()
    assert (output / "as-at-2025-05-31" / "kept.txt").exists()
