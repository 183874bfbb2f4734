"""Safety guarantees: no personal data or stray columns in outputs, formula injection neutralised,
command-line parameters checked."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest

from svreport.cli import main
from svreport.io.contract import COMMITMENTS, DELIVERY, SPEND
from svreport.stages.appendix1 import appendix1, safe_cell, write_appendix1
from svreport_dev.cli import main as dev_main

EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w.])0\d{3,4}[ -]?\d{3}[ -]?\d{3,4}(?![\w.])")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")  # Data Docs' element ids
DERIVED = {"source_file", "source_row", "financial_year", "fy_start", "fy_end", "is_local", "postcode_source",
           "payment_month"}


def _texts(root):
    """Every text the pipeline and the renderer wrote, with where it came from."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            yield path, frame.astype(str).to_csv(index=False)
        elif path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                yield path, " ".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist()
                                     if n.endswith(".xml"))
        elif path.suffix in (".csv", ".yml", ".json", ".md", ".txt", ".html", ".svg", ".typ", ".ipynb"):
            text = path.read_text(encoding="utf-8", errors="ignore")
            # embedded images are binary, not text a reader sees; random ids (06545677-1373-...) are not numbers
            yield path, UUID.sub("uuid", DATA_URI.sub("data:", text))


def test_clean_tables_hold_only_contract_columns(published_project):
    processed = published_project / "data" / "processed" / "2025"
    for name, spec in (("commitments", COMMITMENTS), ("delivery", DELIVERY), ("spend", SPEND)):
        columns = set(pd.read_parquet(processed / f"{name}.parquet").columns)
        assert columns - DERIVED == {c.name for c in spec.columns}, name


def test_no_email_or_phone_number_reaches_any_output(published_project):
    raw = (published_project / "data" / "raw" / "2025" / "portal_commitments.xlsx")
    assert raw.exists()  # the raw exports do carry contact e-mails and phone numbers
    checked = 0
    for folder in ("data/processed", "_output", "report/_generated"):
        for path, text in _texts(published_project / folder):
            checked += 1
            emails = [m.group(0) for m in EMAIL.finditer(text)] if "@" in text else []
            assert not emails, f"{path}: e-mail address {emails[:3]}"
            phones = PHONE.findall(text)
            assert not phones, f"{path}: phone number {phones[:3]}"
    assert checked > 40


def test_the_scan_would_see_personal_data():
    assert EMAIL.search("contact jamie.okoro@larkmoor.example.com today")
    assert not EMAIL.search("bootstrap-table@1.19.1")  # a package version in a URL is not an address
    assert PHONE.search("call 01632 960123") and PHONE.search("tel 0114 273 4567")
    assert not PHONE.search("£1,850.1 and 0.27900253 and 2024-11-30 and 12,304,000")


@pytest.mark.parametrize("text, expected", [("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+44 1632", "'+44 1632"),
                                            ("@cmd", "'@cmd"), ("-2+3", "'-2+3"), ("-1200.50", "-1200.50"),
                                            ("Care services", "Care services"), (12.5, 12.5)])
def test_spreadsheet_cells_are_neutralised(text, expected):
    assert safe_cell(text) == expected


def test_appendix_spreadsheets_neutralise_a_formula_in_reference_data(published_project, tmp_path):
    import openpyxl

    from svreport.io.reference import load_measures
    from svreport.stages.ledger import read_ledger

    ledger = read_ledger(published_project / "data" / "processed" / "2025" / "figures.csv")
    measures = load_measures(published_project / "data" / "reference")
    measures.loc["NT9", "title"] = '=HYPERLINK("http://example.com","training")'
    csv_path, xlsx_path = write_appendix1(appendix1(ledger, measures), tmp_path, "Appendix 1")
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8")
    sheet = openpyxl.load_workbook(xlsx_path).worksheets[0]
    titles = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
    assert "'=HYPERLINK(\"http://example.com\",\"training\")" in titles
    assert all(not str(t).startswith(("=", "+", "-", "@")) for t in titles if t)


@pytest.mark.parametrize("command, argv, message", [
    (main, ["run", "--year", "20x5"], "'20x5' is not a report year such as 2025"),
    (main, ["run", "--year", "1999"], "report year 1999 has no entry under report_years"),
    (dev_main, ["sample", "--scale", "0"], "'0' is not a whole number of at least 1"),
    (dev_main, ["sample", "--scale", "4"], "a scaled sample needs its own folder"),
])
def test_command_line_parameters_are_checked(published_project, monkeypatch, capsys, command, argv, message):
    monkeypatch.chdir(published_project)
    try:
        code = command(argv)
    except SystemExit as exit_:  # argparse refuses before running
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err
