"""Payment files as councils publish them: headers anywhere in the first rows and in the council's own words,
a year in many files, every date form, placeholders, totals, identical lines, supplier records and coverage."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from svreport.core.config import SPEND_FIELDS, SUPPLIER_FIELDS, load_config
from svreport.core.errors import InputError, InputErrors
from svreport.io.contract import SPEND, SUPPLIERS, normalise_header
from svreport.io.readers import SOURCE_ROW, YearInputs, read_spend, read_table, read_tables, spend_spec
from svreport.stages.clean import (
    DUPLICATES_KEPT,
    TOTAL_STEP,
    clean,
    company_key,
    name_key,
    parse_dates,
    spend_coverage,
)

HEADER = "Transaction Number,Payment Date,Supplier ID,Supplier Name,Amount (£)"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def config(root):
    return load_config(root / "config" / "rotherham.yml")


def with_spend(config, **spend):
    return config.model_validate({**config.model_dump(), "spend": {**config.spend.model_dump(), **spend}})


def year_of_payments(rows: list[str], start: str = "2023") -> list[str]:
    """One payment a day on the 1st and 15th of each month of financial year start/start+1."""
    out, n = [], 0
    year = int(start)
    for month in list(range(4, 13)) + list(range(1, 4)):
        y = year if month >= 4 else year + 1
        for day in (1, 15):
            n += 1
            out.append(f"T{n},{day:02d}/{month:02d}/{y},S{n % 5},Supplier {n % 5},100.00")
    return rows + out


def inputs_with(root: Path, tmp_path: Path, spend: dict[str, list], suppliers=()) -> YearInputs:
    sample = read_table(root / "data" / "raw" / "2025" / "portal_delivery.csv", __import__(
        "svreport.io.contract", fromlist=["DELIVERY"]).DELIVERY)
    commitments = read_table(root / "data" / "raw" / "2025" / "portal_commitments.xlsx", __import__(
        "svreport.io.contract", fromlist=["COMMITMENTS"]).COMMITMENTS)
    return YearInputs(tmp_path, commitments, sample, spend, list(suppliers))


# --- fields ---------------------------------------------------------------------------------------------------
def test_config_fields_are_the_contracts():
    assert SPEND_FIELDS == tuple(c.name for c in SPEND.columns)
    assert SUPPLIER_FIELDS == tuple(c.name for c in SUPPLIERS.columns)


@pytest.mark.parametrize("written, canonical", [("Name:  ", "name"), ("HBC Ref No.", "hbc ref no"),
                                                ("Net Amount(£)", "net amount"), (" AMOUNT £ ", "amount"),
                                                ("Payment  Date", "payment date"), ("Amount (£):", "amount")])
def test_headers_match_however_punctuated(written, canonical):
    assert normalise_header(written) == canonical


def test_config_refuses_an_unknown_field(root, tmp_path):
    text = (root / "config" / "rotherham.yml").read_text(encoding="utf-8") + "spend:\n  columns:\n    amout: [Net]\n"
    with pytest.raises(InputError, match="'amout' is not a field of the file"):
        load_config(write(tmp_path / "c.yml", text))


# --- reading --------------------------------------------------------------------------------------------------
def test_header_under_a_row_of_commas_and_the_councils_own_headers(tmp_path):
    spec = spend_spec({"transaction_number": ["HBC ref no"], "supplier_name": ["Name"],
                       "amount": ["Net Amount", "Amount Paid"]})
    path = write(tmp_path / "April.csv", ",,,,,\nService,HBC ref no,Name,Payment Date,Net Amount(\xa3),\n"
                 "HR,P-CARD,AMAZON,15/03/2023,999.00,\n", "cp1252")
    table = read_table(path, spec)
    assert table.header_row == 2
    assert table.data[SOURCE_ROW].tolist() == [3]
    assert table.headers["amount"] == "Net Amount(£)"
    assert table.data["supplier_id"].isna().all()  # optional: absent, blank


def test_every_missing_field_is_named_at_once(tmp_path):
    path = write(tmp_path / "a.csv", "Transaction Number,Supplier ID,Supplier,Paid On,Value\nT1,S1,A,01/04/2023,1\n")
    with pytest.raises(InputError) as error:
        read_table(path, SPEND)
    assert str(error.value).startswith(
        f"{path}, row 1: required columns 'Payment Date', 'Supplier Name' and 'Amount (£)' are missing; found "
        "'supplier' for 'Supplier Name', which does not match; headers found that match no field: 'Supplier', "
        "'Paid On' and 'Value'")


def test_a_year_folder_of_monthly_files_with_changing_layouts(tmp_path):
    folder = tmp_path / "supplier_spend_2023-24"
    write(folder / "April-2023.csv", f"{HEADER}\nT1,03/04/2023,S1,A,10.00\n")
    write(folder / "May.csv", "Transaction Number,Supplier Name,Payment Date,Amount (£),Extra\nT2,B,3 May 2023,£20.50,x\n")
    write(folder / "~$May.xlsx", "lock")
    write(folder / ".DS_Store", "x")
    tables = read_spend(folder)
    assert [t.name for t in tables] == ["supplier_spend_2023-24/April-2023.csv", "supplier_spend_2023-24/May.csv"]


def test_a_workbook_with_a_sheet_a_month_and_a_hidden_sheet(tmp_path):
    path = tmp_path / "supplier_spend_2023-24.xlsx"
    book = xlsxwriter.Workbook(path)
    for name, hidden in (("Read me", False), ("April", False), ("Old", True), ("May", False)):
        sheet = book.add_worksheet(name)
        if name == "Read me":
            sheet.write(0, 0, "Payments over £500")
            continue
        for col, value in enumerate(HEADER.split(",")):
            sheet.write(1, col, value)
        for col, value in enumerate(["T" + name, f"01/0{4 if name == 'April' else 5}/2023", "S1", "A", 5]):
            sheet.write(2, col, value)
        if hidden:
            sheet.hide()
    book.close()
    tables = read_tables(path, SPEND, every_sheet=True)
    assert [t.name for t in tables] == ["supplier_spend_2023-24.xlsx [April]", "supplier_spend_2023-24.xlsx [May]"]
    assert [t.header_row for t in tables] == [2, 2]


# --- values ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell, day", [
    ("14/02/2024", "2024-02-14"), ("14/02/24", "2024-02-14"), ("2024-02-14", "2024-02-14"),
    ("3 Apr 2023", "2023-04-03"), ("15 June 2023", "2023-06-15"), ("7 Sept 2023", "2023-09-07"),
    ("11-Aug-22", "2022-08-11"), ("11-AUG-2022", "2022-08-11"), ("14-02-2024", "2024-02-14"),
    ("14.02.2024", "2024-02-14"), ("2021-04-01 00:00:00", "2021-04-01"), ("01/04/2021 10:23", "2021-04-01"),
    ("2023-04-03T10:00:00", "2023-04-03"), ("15/06/2023 12:00:00 AM", "2023-06-15"),
])
def test_date_forms(cell, day):
    values, bad = parse_dates(pd.Series([cell], dtype="str"))
    assert not bad[0] and values[0] == pd.Timestamp(day)


@pytest.mark.parametrize("cell", ["2024-06-30 to 09-30", "31/02/2024", "14/02", "Feb 2024", "2024", "14/02/2024x"])
def test_not_dates(cell):
    assert parse_dates(pd.Series([cell], dtype="str"))[1][0]


def test_any_date_written_any_way_reads_back():
    """Property: 2,000 random days, each written in a random form, read back as the same day."""
    rng = random.Random(20261201)
    forms = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y", "%d/%m/%Y %H:%M",
             "%Y-%m-%d %H:%M:%S", "%d.%m.%Y", "%-d %b %Y", "%-d/%-m/%Y"]
    days = [date(1990, 1, 1) + timedelta(days=rng.randrange(365 * 70)) for _ in range(2000)]
    written = [day.strftime(rng.choice(forms)) for day in days]
    values, bad = parse_dates(pd.Series(written, dtype="str"))
    assert not bad.any()
    assert [v.date() for v in values] == days  # two-digit years: 69-99 are 1969-1999, 00-68 are 2000-2068


def test_names_and_company_numbers_compare_as_the_same_supplier():
    names = pd.Series(["Kestlow Services Ltd.", "KESTLOW SERVICES LIMITED", "The Kestlow  Services", "A & B Ltd"])
    assert name_key(names).tolist() == ["KESTLOW SERVICES"] * 3 + ["A AND B"]
    assert company_key(pd.Series(["1234567", "01234567", "sc 123456", ""])).tolist() == \
        ["01234567", "01234567", "SC123456", ""]


# --- cleaning payments ----------------------------------------------------------------------------------------
def _clean_spend(root, tmp_path, config, lines, suppliers_text=None):
    path = write(tmp_path / "supplier_spend_2023-24.csv", "\n".join(lines) + "\n")
    suppliers = []
    if suppliers_text:
        suppliers = [read_table(write(tmp_path / "suppliers.csv", suppliers_text), SUPPLIERS)]
    inputs = inputs_with(root, tmp_path, {"2023-24": [read_table(path, SPEND)]}, suppliers)
    return clean(inputs, config)


SUPPLIERS_TEXT = ("Supplier ID,Supplier Name,Postcode,Company Number\n"
                  + "".join(f"S{i},Supplier {i},S60 1AE,\n" for i in range(5)))


def test_blank_references_identical_lines_and_placeholders_are_payments(root, tmp_path, config):
    lines = year_of_payments([HEADER])
    lines += [",20/05/2023,S1,Supplier 1,280.00", "-,20/05/2023,n/a,Supplier 1,280.00",
              "-,20/05/2023,n/a,Supplier 1,280.00"]
    tables = _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)
    assert len(tables.spend) == 24 + 3
    assert tables.spend["amount"].sum() == pytest.approx(2400 + 840)
    assert (tables.spend["transaction_number"] == "").sum() == 3
    kept = tables.log[tables.log["step"] == DUPLICATES_KEPT]
    assert kept["rows_affected"].tolist() == [1] and kept["amount"].tolist() == [280.0]
    removed = _clean_spend(root, tmp_path / "b", with_spend(config, duplicate_lines="remove"), lines, SUPPLIERS_TEXT)
    assert len(removed.spend) == 26
    spend_rows = removed.dropped[removed.dropped["source_file"] == "supplier_spend_2023-24.csv"]
    assert spend_rows["amount"].sum() == pytest.approx(280.0)


def test_total_rows_by_what_they_say_or_sum_to(root, tmp_path, config):
    lines = year_of_payments([HEADER])
    lines += [",,,,2400.00", "Grand total,,,,2400.00", ",,,Figures exclude VAT,"]
    tables = _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)
    assert len(tables.spend) == 24
    dropped = tables.dropped.set_index("source_row")
    assert dropped.loc[26, "reason"] == TOTAL_STEP and dropped.loc[26, "amount"] == 2400.0
    assert dropped.loc[27, "reason"] == TOTAL_STEP
    assert dropped.loc[28, "reason"].startswith("rows that are not payments")


def test_an_undated_amount_that_is_no_total_is_an_error(root, tmp_path, config):
    lines = year_of_payments([HEADER]) + ["T99,,S1,Supplier 1,55.00"]
    with pytest.raises(InputErrors, match=r"row 26, column 'Payment Date': blank is not a date"):
        _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)


def test_supplier_records_by_id_then_company_then_name(root, tmp_path, config):
    header = "Transaction Number,Payment Date,Supplier ID,Supplier Name,Company Number,Supplier Postcode,Amount (£)"
    lines = [header] + [line.replace(",100.00", ",,,100.00") for line in year_of_payments([])]
    lines += ["X1,02/05/2023,S9,Elsewhere Ltd,,,1.00",          # by ID: the record says S61 (local)
              "X2,02/05/2023,,Someone,1234567,,2.00",           # by company number 01234567
              "X3,02/05/2023,,KESTLOW SERVICES LIMITED,,,4.00",  # by name
              "X4,02/05/2023,S8,Kestlow Services,,,8.00",       # ID S8 has a record without a postcode: no name match
              "X5,02/05/2023,,Own Postcode Ltd,,s63 7pq,16.00"]  # its own postcode
    records = (SUPPLIERS_TEXT + "S9,Elsewhere Ltd,S61 2AB,\nS7,Another,M1 1AE,01234567\n"
               "S6,Kestlow Services Ltd,S62 6LA,\nS8,Kestlow Holdings,,\n")
    spend = _clean_spend(root, tmp_path, config, lines, records).spend.set_index("transaction_number")
    assert spend.loc["X1", "supplier_postcode"] == "S61 2AB" and spend.loc["X1", "is_local"]
    assert spend.loc["X2", "postcode_source"] == "supplier record (company number)"
    assert not spend.loc["X2", "is_local"]
    assert spend.loc["X3", "supplier_postcode"] == "S62 6LA"
    assert spend.loc["X4", "supplier_postcode"] == ""
    assert spend.loc["X5", "postcode_source"] == "payment" and spend.loc["X5", "is_local"]


def test_unmatched_payees_are_listed_with_their_money(root, tmp_path, config):
    lines = year_of_payments([HEADER]) + ["Z1,02/05/2023,,Nobody Knows Ltd,500.00", "Z2,03/05/2023,,Nobody Knows Ltd,1.50"]
    tables = _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)
    row = tables.unmatched.iloc[0]
    assert (row["Supplier Name"], row["payments"], row["amount"], row["Supplier Postcode"]) == \
        ("Nobody Knows Ltd", 2, 501.5, "")


def test_no_postcode_anywhere_stops_the_run(root, tmp_path, config):
    with pytest.raises(InputErrors, match="no payment of financial year 2023-24 can be given a supplier postcode"):
        _clean_spend(root, tmp_path, config, year_of_payments([HEADER]))


def test_outward_codes_only_do_not_fail():
    from svreport.stages.clean import is_local_postcode

    assert is_local_postcode(pd.Series(["BB5", "", "S60"]), ["S60"]).tolist() == [False, False, True]
    assert is_local_postcode(pd.Series(["", ""]), ["S60"]).tolist() == [False, False]


def test_a_missing_month_is_caught_unless_accepted(root, tmp_path, config):
    lines = [line for line in year_of_payments([HEADER]) if "/09/2023" not in line]
    with pytest.raises(InputErrors, match=r"September 2023 \(none\)"):
        _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)
    accepted = with_spend(config, accept_incomplete={"2023-24": "September's file was lost"})
    tables = _clean_spend(root, tmp_path / "b", accepted, lines, SUPPLIERS_TEXT)
    coverage = tables.coverage.set_index("month")
    assert not coverage.loc["2023-09", "covered"] and coverage.loc["2023-10", "covered"]


def test_a_thin_month_is_not_covered():
    days = [f"2023-{m:02d}-01" for m in range(4, 13) for _ in range(20)] + \
        [f"2024-{m:02d}-02" for m in range(1, 4) for _ in range(20)]
    days = [d for d in days if not d.startswith("2023-11")] + ["2023-11-05"] * 3
    spend = pd.DataFrame({"financial_year": "2023-24", "payment_date": pd.to_datetime(days), "amount": 1.0,
                          "source_file": "f.csv"})
    coverage = spend_coverage(spend).set_index("month")
    assert coverage["covered"].sum() == 11 and not coverage.loc["2023-11", "covered"]


def test_payments_dated_just_outside_the_year(root, tmp_path, config):
    lines = year_of_payments([HEADER]) + ["C1,15/03/2023,S1,Supplier 1,7.00"]  # a card payment in April's file
    tables = _clean_spend(root, tmp_path, config, lines, SUPPLIERS_TEXT)
    assert tables.spend["fy_start"].iloc[0] == pd.Timestamp("2023-04-01")  # validation refuses the payment
    tables = _clean_spend(root, tmp_path / "b", with_spend(config, days_outside_year=31), lines, SUPPLIERS_TEXT)
    assert tables.spend["fy_start"].iloc[0] == pd.Timestamp("2023-03-01")
    assert "payments dated outside the financial year" in " ".join(tables.log["step"])
