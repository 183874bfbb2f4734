"""Every reader variant the data contract allows, and the errors for what it does not."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter

from svreport.core.errors import InputError
from svreport.io.contract import COMMITMENTS, DELIVERY, SPEND, normalise_header
from svreport.io.readers import SOURCE_ROW, financial_year_of, read_table, read_year

DELIVERY_HEADER = "Contract Reference,Measure ID,Reporting Period End,Units Delivered,Social Value Delivered (£),Validation Status"
ROW = "RMBC-2021-0147,NT10,31/03/2024,12.5,\"£2,500.00\",Validated"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("header, expected", [
    ("Social Value Committed (£)", "social value committed"),
    ("  social   value committed £ ", "social value committed"),
    ("\ufeffContract Reference", "contract reference"),
    ("UNITS  COMMITTED", "units committed"),
])
def test_header_normalisation(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize("encoding, prefix, label", [
    ("utf-8", b"", "CSV (UTF-8)"),
    ("utf-8", b"\xef\xbb\xbf", "CSV (UTF-8 with BOM)"),
    ("cp1252", b"", "CSV (Windows-1252)"),
])
def test_csv_encodings_keep_the_pound_sign(tmp_path, encoding, prefix, label):
    path = tmp_path / "portal_delivery.csv"
    path.write_bytes(prefix + f"{DELIVERY_HEADER}\r\n{ROW}\r\n".encode(encoding))
    table = read_table(path, DELIVERY)
    assert table.file_format == label
    assert table.data.loc[0, "value_delivered"] == "£2,500.00"
    assert list(table.data.columns) == [SOURCE_ROW] + [c.name for c in DELIVERY.columns]


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    text = f"{DELIVERY_HEADER}\n{ROW}\n\n{ROW.replace('NT10', 'NT9')}\n,,,,,\nTotal,,,25,5000,\n"
    table = read_table(write(tmp_path / "d.csv", text), DELIVERY)
    # header = row 1; the blank line (row 3) and empty row (row 5) carry no data
    assert table.data[SOURCE_ROW].tolist() == [2, 4, 6]
    assert table.data["contract_reference"].tolist() == ["RMBC-2021-0147", "RMBC-2021-0147", "Total"]


def test_headers_match_loosely_and_extra_columns_are_dropped(tmp_path):
    text = (" contract reference ,MEASURE  ID,Reporting Period End,Units Delivered,Social Value Delivered £,"
            "validation status,Submitted By,Contact Phone\n"
            f"{ROW},someone@example.com,01632 960000\n")
    table = read_table(write(tmp_path / "d.csv", text), DELIVERY)
    assert table.dropped_columns == ["Submitted By", "Contact Phone"]
    assert "someone@example.com" not in table.data.to_csv()
    assert table.data.loc[0, "measure_id"] == "NT10"


def test_columns_may_come_in_any_order(tmp_path):
    text = "Validation Status,Units Delivered,Contract Reference,Measure ID,Reporting Period End,Social Value Delivered\n" \
           "Pending,3,RMBC-1,NT3,2024-03-31,100\n"
    table = read_table(write(tmp_path / "d.csv", text), DELIVERY)
    assert table.data.loc[0, ["contract_reference", "units_delivered", "validation_status"]].tolist() == [
        "RMBC-1", "3", "Pending"]


def _xlsx(path: Path, title_rows: int, header: list[str], rows: list[list[object]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for index in range(title_rows):
        if index == 0:
            sheet.write(0, 0, "Social Value Portal export")
    sheet.write_row(title_rows, 0, header)
    for offset, row in enumerate(rows, start=1):
        for col, cell in enumerate(row):
            if isinstance(cell, datetime):
                sheet.write_datetime(title_rows + offset, col, cell, workbook.add_format({"num_format": "dd/mm/yyyy"}))
            elif cell is not None:
                sheet.write(title_rows + offset, col, cell)
    workbook.close()
    return path


COMMIT_HEADER = [c.header for c in COMMITMENTS.columns]
COMMIT_ROW = ["RMBC-2021-0147", "Grounds maintenance", "Example Landscapes Ltd", "Places", datetime(2021, 5, 4),
              250000, "NT9", "Training weeks", 1850.1, "no. weeks", 647535.0]


@pytest.mark.parametrize("title_rows", [0, 3, 10])
def test_xlsx_header_found_below_title_rows(tmp_path, title_rows):
    table = read_table(_xlsx(tmp_path / "c.xlsx", title_rows, COMMIT_HEADER, [COMMIT_ROW]), COMMITMENTS)
    assert table.header_row == title_rows + 1
    assert table.data[SOURCE_ROW].tolist() == [title_rows + 2]
    assert table.data.loc[0, "award_date"] == datetime(2021, 5, 4)
    assert table.data.loc[0, "units_committed"] == pytest.approx(1850.1)


def test_xlsx_header_below_row_11_is_refused(tmp_path):
    path = _xlsx(tmp_path / "c.xlsx", 11, COMMIT_HEADER, [COMMIT_ROW])
    with pytest.raises(InputError, match=r"no header row found in rows 1-11"):
        read_table(path, COMMITMENTS)


def test_csv_pretending_to_be_xlsx_is_refused(tmp_path):
    path = write(tmp_path / "portal_commitments.xlsx", ",".join(COMMIT_HEADER) + "\n")
    with pytest.raises(InputError, match="is not an Excel workbook: it looks like a text file"):
        read_table(path, COMMITMENTS)


def test_missing_column_names_the_column_and_the_near_miss(tmp_path):
    header = DELIVERY_HEADER.replace("Validation Status", "Validaton Stat")
    with pytest.raises(InputError) as error:
        read_table(write(tmp_path / "d.csv", f"{header}\n{ROW}\n"), DELIVERY)
    assert error.value.column == "Validation Status"
    assert error.value.row == 1
    assert "found 'validaton stat'" in str(error.value)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    (f"{DELIVERY_HEADER}\n", "header but no data rows"),
    (f"{DELIVERY_HEADER}\n{ROW},extra,cells\n", "row has 8 cells but the header has 6"),
])
def test_unreadable_csv_shapes(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_table(write(tmp_path / "d.csv", text), DELIVERY)


def test_utf16_is_refused_with_advice(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(f"{DELIVERY_HEADER}\n{ROW}\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_table(path, DELIVERY)


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(f"{DELIVERY_HEADER}\n".encode() + b"RMBC-1,NT1,2024-03-31,1,\x81,Validated\n")
    with pytest.raises(InputError) as error:
        read_table(path, DELIVERY)
    assert error.value.row == 2 and "0x81" in str(error.value)


@pytest.mark.parametrize("name, year", [("supplier_spend_2023-24.csv", "2023-24"),
                                        ("supplier_spend_1999-00.csv", "1999-00")])
def test_financial_year_from_file_name(name, year):
    assert financial_year_of(Path(name)) == year


@pytest.mark.parametrize("name", ["supplier_spend_2023-25.csv", "supplier_spend_2023.csv"])
def test_impossible_financial_year_is_refused(name):
    with pytest.raises(InputError, match="financial year|not recognised"):
        financial_year_of(Path(name))


def test_read_year_reads_the_bundled_sample(root):
    inputs = read_year(root / "data" / "raw" / "2025")
    assert inputs.commitments.file_format == "XLSX" and inputs.commitments.header_row == 4
    assert inputs.delivery.file_format == "CSV (UTF-8 with BOM)"
    assert sorted(inputs.spend) == ["2022-23", "2023-24"]
    assert set(inputs.spend["2023-24"][0].data.columns) == {SOURCE_ROW, *(c.name for c in SPEND.columns)}
    older = read_year(root / "data" / "raw" / "2024")
    assert older.commitments.file_format == "CSV (Windows-1252)"


def test_read_year_needs_each_required_file(tmp_path):
    write(tmp_path / "portal_delivery.csv", f"{DELIVERY_HEADER}\n{ROW}\n")
    with pytest.raises(InputError, match="portal_commitments.csv or portal_commitments.xlsx is missing"):
        read_year(tmp_path)


@pytest.mark.parametrize(("cutoff", "years"), [("2024-11-30", ("2023-24", "2022-23")),
                                               ("2024-03-31", ("2023-24", "2022-23")),
                                               ("2024-03-30", ("2022-23", "2021-22")),
                                               ("2025-01-01", ("2023-24", "2022-23"))])
def test_spend_years_are_the_complete_years_before_the_cutoff(cutoff, years):
    from datetime import date

    from svreport.io.readers import spend_years

    assert spend_years(date.fromisoformat(cutoff)) == years
