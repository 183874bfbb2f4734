"""Real councils' payment files, read as they are published (tests/fixtures/real-spend/, with its attribution):
only a config mapping, no edits to the files. Each year's total is checked against the published amounts summed
here independently of the pipeline (the csv module, every row of every file), and every row is accounted for."""

from __future__ import annotations

import csv
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from svreport.core.config import load_config
from svreport.core.errors import InputErrors
from svreport.io.readers import read_year
from svreport.stages.clean import HEADER, clean

FIXTURE = Path(__file__).parents[1] / "fixtures" / "real-spend"

HYNDBURN = {
    "columns": {
        "transaction_number": ["HBC ref no"],
        "payment_date": ["Payment Date"],
        "supplier_name": ["Name"],
        "amount": ["Net Amount", "Amount Paid"],
        "service_area": ["Service Cost Centre", "Department Area"],
        "expense_type": ["Account Detail"],
    },
    "supplier_columns": {"supplier_postcode": ["Post Code"]},
    "days_outside_year": 62,  # the card payments of each month's file are dated the month before
}
OXFORD = {
    "columns": {
        "transaction_number": ["Trans No"],
        "payment_date": ["Paid Date"],
        "expense_type": ["Expenditure Category", "Expenditure Catergory"],
    },
}
MANCHESTER = {
    "columns": {
        "payment_date": ["Invoice Payment Date"],
        "amount": ["Net Amount"],
        "expense_type": ["Expenses Type"],
    },
}


# --- the published amounts, summed independently ----------------------------------------------------------------
def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _pence(cell: str) -> int:
    cell = cell.strip().replace("£", "").replace(",", "")
    negative = cell.startswith("(") and cell.endswith(")")
    value = Decimal(cell.strip("()"))
    return int((-value if negative else value) * 100)


def published(path: Path, date_header: str, amount_headers: tuple[str, ...]) -> tuple[int, int, int]:
    """(payments, their pence, other non-blank rows) of one file: a payment is a row with a date and an amount."""
    table = list(csv.reader(io.StringIO(_text(path))))
    head_at = next(i for i, row in enumerate(table) if any(c.strip().lower() == date_header.lower() for c in row))
    head = [c.strip().lower() for c in table[head_at]]
    date_col = head.index(date_header.lower())
    amount_col = next(i for i, c in enumerate(head) if c.split("(")[0].strip() in amount_headers)
    payments = pence = other = 0
    for row in table[head_at + 1:]:
        if not any(c.strip() for c in row):
            continue
        if row[date_col].strip() and row[amount_col].strip():
            payments, pence = payments + 1, pence + _pence(row[amount_col])
        else:
            other += 1
    return payments, pence, other


# --- a run folder: the sample's portal exports, a council's payment files ------------------------------------
def run_folder(tmp_path: Path, root: Path, years: dict[str, Path], suppliers: Path | None = None) -> Path:
    folder = tmp_path / "2025"
    folder.mkdir(parents=True)
    for name in ("portal_commitments.xlsx", "portal_delivery.csv"):
        shutil.copy(root / "data" / "raw" / "2025" / name, folder / name)
    for financial_year, source in years.items():
        shutil.copytree(source, folder / f"supplier_spend_{financial_year}")
    if suppliers is not None:
        shutil.copy(suppliers, folder / "suppliers.csv")
    return folder


def council_config(root: Path, spend: dict, prefixes: list[str]):
    base = load_config(root / "config" / "rotherham.yml")
    return base.model_validate({**base.model_dump(), "spend": spend, "local_postcode_prefixes": prefixes})


def read(folder: Path, config):
    return read_year(folder, config.report_years[2025].cutoff, config.spend.columns, config.spend.supplier_columns)


@pytest.fixture
def hyndburn(tmp_path, root):
    folder = run_folder(tmp_path, root, {"2022-23": FIXTURE / "hyndburn" / "2022-23",
                                         "2023-24": FIXTURE / "hyndburn" / "2023-24"},
                        FIXTURE / "hyndburn" / "suppliers.csv")
    return folder


def test_hyndburn_incomplete_year_is_caught_naming_its_months(hyndburn, root):
    config = council_config(root, HYNDBURN, ["BB5"])
    with pytest.raises(InputErrors) as error:
        clean(read(hyndburn, config), config)
    (message,) = [str(e) for e in error.value.errors]
    assert "supplier_spend_2022-23: the payments do not cover financial year 2022-23" in message
    for month in ("September 2022", "November 2022", "February 2023", "March 2023"):
        assert month in message
    for month in ("April 2022", "October 2022", "January 2023"):
        assert month not in message
    assert "spend.accept_incomplete" in message


def test_hyndburn_years_read_as_published(hyndburn, root):
    config = council_config(root, {**HYNDBURN, "accept_incomplete": {"2022-23": "four months hold card payments only"}},
                            ["BB5"])
    tables = clean(read(hyndburn, config), config)
    spend, dropped = tables.spend, tables.dropped
    for financial_year in ("2022-23", "2023-24"):
        files = sorted((FIXTURE / "hyndburn" / financial_year).glob("*.csv"))
        assert len(files) == 12
        payments = pence = other = 0
        for path in files:
            n, p, o = published(path, "Payment Date", ("net amount", "amount paid"))
            payments, pence, other = payments + n, pence + p, other + o
        year = spend[spend["financial_year"] == financial_year]
        assert len(year) == payments  # every payment kept: identical lines and blank references included
        assert round(year["amount"].sum() * 100) == pence  # the year's total, to the penny
        # every other row is in the record of dropped rows, with why
        rows = dropped[dropped["source_file"].str.startswith(f"supplier_spend_{financial_year}/")
                       & (dropped["reason"] != HEADER)]
        assert len(rows) == other
        assert set(year["source_file"].str.split("/").str[0]) == {f"supplier_spend_{financial_year}"}
    # the fixture keeps lines the councils repeated and payments with no reference: all are payments
    assert spend.duplicated([c for c in spend.columns if c != "source_row"]).any()
    assert (spend["transaction_number"] == "").any()


def test_hyndburn_local_share_from_made_up_supplier_records(hyndburn, root):
    config = council_config(root, {**HYNDBURN, "accept_incomplete": {"2022-23": "card payments only"}}, ["BB5"])
    tables = clean(read(hyndburn, config), config)
    spend = tables.spend
    # the records give names beginning A-J a BB5 postcode, K-V a PR1 one, and leave the rest out
    first = (spend["supplier_name"].str.upper().str.strip().str.removeprefix("THE ")
             .str.extract(r"([A-Z0-9])", expand=False).fillna(""))
    expected_local = first.str.match(r"[A-J]")
    assert (spend["is_local"] == expected_local).all()
    unmatched = ~first.str.match(r"[A-V]")
    assert set(tables.unmatched["Supplier Name"].str.upper()) == set(spend.loc[unmatched, "supplier_name"].str.upper())
    assert tables.unmatched["amount"].sum() == pytest.approx(spend.loc[unmatched, "amount"].sum())


def test_hyndburn_without_supplier_records_stops_rather_than_print_zero(tmp_path, root):
    folder = run_folder(tmp_path, root, {"2023-24": FIXTURE / "hyndburn" / "2023-24"})
    config = council_config(root, HYNDBURN, ["BB5"])
    with pytest.raises(InputErrors) as error:
        clean(read(folder, config), config)
    (message,) = [str(e) for e in error.value.errors]
    assert "no payment of financial year 2023-24 can be given a supplier postcode" in message
    assert "suppliers.csv" in message


def test_oxford_quarterly_files_with_changing_headers_and_supplier_ids(tmp_path, root):
    year = tmp_path / "oxford-2023-24"
    shutil.copytree(FIXTURE / "oxford", year)
    (year / "suppliers.csv").unlink()
    folder = run_folder(tmp_path, root, {"2023-24": year}, FIXTURE / "oxford" / "suppliers.csv")
    # the files are for 2017-18; the test reads them as the report's last complete year, dates shifted by config
    config = council_config(root, OXFORD, ["OX1"])
    with pytest.raises(InputErrors):  # payments dated 2017-18 in a 2023-24 folder are refused, not moved
        clean(read(folder, config), config)
    config = config.model_validate({**config.model_dump(), "report_years": {
        2018: {"cutoff": "2018-11-30"}}, "policy_start": "2017-01-01"})
    shutil.move(folder / "supplier_spend_2023-24", folder / "supplier_spend_2017-18")
    inputs = read_year(folder, config.report_years[2018].cutoff, config.spend.columns, config.spend.supplier_columns)
    # Oxford's published January-March 2018 file holds January's payments only: the year is caught as incomplete
    with pytest.raises(InputErrors) as error:
        clean(inputs, config)
    assert "February 2018 (none), March 2018 (none)" in str(error.value)
    config = config.model_validate({**config.model_dump(), "spend": {
        **OXFORD, "accept_incomplete": {"2017-18": "the published file for the last quarter holds January only"}}})
    tables = clean(inputs, config)
    spend = tables.spend
    payments = pence = 0
    for path in sorted(year.glob("expenditure-*.csv")):
        n, p, _ = published(path, "Paid Date", ("amount",))
        payments, pence = payments + n, pence + p
    assert len(spend) == payments and round(spend["amount"].sum() * 100) == pence
    ids = spend["supplier_id"].where(spend["supplier_id"] != "", "1")  # a payment with no supplier ID is not local
    assert (spend["is_local"] == (ids.astype(int) % 3 == 0) & (spend["supplier_id"] != "")).all()
    assert set(spend["postcode_source"]) <= {"supplier record (supplier ID)", ""}


def test_manchester_monthly_files_without_supplier_records_stop(tmp_path, root):
    folder = run_folder(tmp_path, root, {"2021-22": FIXTURE / "manchester"})
    config = council_config(root, MANCHESTER, ["M1"])
    config = config.model_validate({**config.model_dump(), "report_years": {2022: {"cutoff": "2022-11-30"}}})
    inputs = read_year(folder, config.report_years[2022].cutoff, config.spend.columns)
    assert len(inputs.spend["2021-22"]) == 12
    total = sum(published(path, "Invoice Payment Date", ("net amount",))[1]
                for path in sorted((FIXTURE / "manchester").glob("*.csv")))
    assert round(sum(float(t.data["amount"].astype(float).sum()) for t in inputs.spend["2021-22"]) * 100) == total
    with pytest.raises(InputErrors) as error:
        clean(inputs, config)
    assert re.search(r"no payment of financial year 2021-22 can be given a supplier postcode", str(error.value))


@pytest.mark.parametrize("council, years", [("hyndburn", ("2022-23", "2023-24")), ("manchester", ("",))])
def test_the_proposed_mapping_reads_the_files(tmp_path, root, council, years):
    """What `svreport new-council` proposes from a council's files, used as its config, reads every file."""
    from svreport.io.readers import propose_spend_columns, read_spend, spend_spec

    entries = [FIXTURE / council / year if year else FIXTURE / council for year in years]
    proposal = propose_spend_columns(entries)
    assert set(proposal) >= {"transaction_number", "payment_date", "supplier_name", "amount"}
    if council == "hyndburn":
        assert proposal["amount"] == ["Net Amount(£)", "Amount Paid"]
        assert proposal["supplier_name"] == ["Name"]
    tables = [t for entry in entries for t in read_spend(entry, spend_spec(proposal))]
    assert len(tables) == 12 * len(entries)


def test_a_council_runs_its_published_files_end_to_end(tmp_path, root):
    """`svreport inspect` and `svreport run` on a project whose 2025 report reads Hyndburn's two years as published:
    what each file holds before the run, then the figures, with the rows not counted and the payees without a
    postcode said after it."""
    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
    import corpus

    from conftest import copy_project

    project = copy_project(tmp_path / "project")
    year = project / "data" / "raw" / "2025"
    for old in year.glob("supplier_spend_*"):
        old.unlink()
    for financial_year in ("2022-23", "2023-24"):
        shutil.copytree(FIXTURE / "hyndburn" / financial_year, year / f"supplier_spend_{financial_year}")
    shutil.copy(FIXTURE / "hyndburn" / "suppliers.csv", year / "suppliers.csv")
    config_path = project / "config" / "rotherham.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    # the 2024 report (the comparator) still reads the sample's files: their headers are listed too
    columns = {field: [*headers, default] for (field, headers), default in zip(HYNDBURN["columns"].items(), (
        "Transaction Number", "Payment Date", "Supplier Name", "Amount (£)", "Service Area", "Expense Type"),
        strict=True)}
    config["spend"] = {**HYNDBURN, "columns": columns, "supplier_columns": {"supplier_postcode": ["Post Code",
                                                                                                   "Postcode"]},
                       "accept_incomplete": {"2022-23": "four months were published with card payments only"}}
    config["local_postcode_prefixes"] = ["BB5", "S60", "S61", "S62", "S63 7", "S65", "S66", "S25", "S26"]
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    code, out = corpus.run_cli(project, ["inspect", "--year", "2025"], stdout=True)
    assert code == 0, out
    assert "supplier_spend_2023-24/April-2023.csv: CSV (Windows-1252), header on row 2" in out
    assert "amount <- 'Amount Paid'" in out  # March 2024's layout
    assert "payments dated" in out

    code, out = corpus.run_cli(project, ["run", "--year", "2025", "--no-notebooks"], stdout=True)
    assert code == 0, out
    assert "payees have no supplier postcode" in out
    processed = project / "data" / "processed" / "2025"
    figures = {row.split(",")[0]: row.split(",")[1] for row in (processed / "figures.csv").read_text().splitlines()}
    assert figures["local_spend.2023-24.files"] == "12" and figures["local_spend.2023-24.months"] == "12"
    assert int(figures["local_spend.2022-23.months"]) == 12  # months with few payments still have some
    payments = sum(published(p, "Payment Date", ("net amount", "amount paid"))[1]
                   for p in sorted((FIXTURE / "hyndburn" / "2023-24").glob("*.csv")))
    assert round(float(figures["local_spend.2023-24.total"]) * 100) == payments
