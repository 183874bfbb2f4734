"""Read the portal exports and spend extracts exactly as the data contract allows.

Readers only find the table, match its headers and keep each row's spreadsheet row number;
they return raw cell values (text from CSV, native values from XLSX). Parsing values and
applying the counting rules is the cleaning stage's job.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from svreport.core.errors import InputError
from svreport.io.contract import (
    COMMITMENTS,
    DELIVERY,
    MAX_TITLE_ROWS,
    SPEND,
    SPEND_FILE_PATTERN,
    TableSpec,
    normalise_header,
)

SOURCE_ROW = "source_row"  # the row number a spreadsheet shows for this record


@dataclass
class RawTable:
    """One input file as read: contract columns only, plus where each row came from."""

    path: Path
    spec: TableSpec
    data: pd.DataFrame
    file_format: str  # e.g. "CSV (Windows-1252)" or "XLSX"
    header_row: int
    dropped_columns: list[str] = field(default_factory=list)
    absent_optional: list[str] = field(default_factory=list)  # optional contract columns the file lacks

    @property
    def display_name(self) -> str:
        return self.path.name


ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx (and .docx, .ods): a zip archive
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-protected workbooks


def _not_a_spreadsheet_of_this_kind(path: Path, head: bytes) -> InputError | None:
    """A workbook saved under the wrong name: say what the file really is."""
    if head.startswith(OLE2_SIGNATURE):
        return InputError(path, "is a legacy Excel 97-2003 (.xls) workbook or a password-protected one, which the "
                          "pipeline cannot read", expected="the export saved as .xlsx without a password, or as .csv")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doct", b"<html", b"<table", b"<?xml")):
        return InputError(path, f"is a web page or XML document, though its name ends {path.suffix} (some "
                          "systems' 'Export to Excel' writes one)",
                          expected="the export opened in Excel and saved as .xlsx or as 'CSV UTF-8'")
    if head.startswith(ZIP_SIGNATURE) and path.suffix.lower() == ".csv":
        return InputError(path, "is an Excel workbook (.xlsx) saved under a .csv name",
                          expected=f"the file renamed {path.stem}.xlsx, or saved from Excel as 'CSV UTF-8'")
    return None


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode a CSV as UTF-8 (with or without BOM) or Windows-1252, or explain why not."""
    wrong_kind = _not_a_spreadsheet_of_this_kind(path, raw[:64])
    if wrong_kind:
        raise wrong_kind
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "UTF-8 with BOM"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError(path, "the file looks like UTF-16 text, which the pipeline does not read",
                         expected="CSV saved as UTF-8 or Windows-1252 ('CSV UTF-8' in Excel)")
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"byte 0x{raw[exc.start]:02X} cannot be decoded", row=line,
                         expected="CSV saved as UTF-8 or Windows-1252") from None


def _read_csv_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "the file is empty", expected="a header row and at least one data row")
    text, encoding = _decode(path, raw)
    return text, f"CSV ({encoding})"


def _csv_rows(path: Path, text: str) -> list[list[object]]:
    """The csv module's reading, row by row (the careful path, used to explain a malformed file).
    No limit on a cell's size: a long cell is data, and must not hide the real problem of a later row."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(path, f"not a readable CSV file: {exc}") from None
    finally:
        csv.field_size_limit(previous)


def _csv_frame(text: str) -> pd.DataFrame | None:
    """Fast path: pandas' C parser, every cell as text, blank lines kept so row numbers stay right.

    Returns None when the file is not rectangular; the careful path then names the row."""
    try:
        return pd.read_csv(io.StringIO(text), header=None, dtype="str", keep_default_na=False, na_filter=False,
                           skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return None


def _read_xlsx_cells(path: Path) -> tuple[list[list[object]], str]:
    with path.open("rb") as handle:
        head = handle.read(64)
    wrong_kind = _not_a_spreadsheet_of_this_kind(path, head)
    if wrong_kind:
        raise wrong_kind
    if not head.startswith(ZIP_SIGNATURE):
        raise InputError(path, "is not an Excel workbook: it looks like a text file (perhaps a CSV renamed .xlsx)",
                         expected="an .xlsx saved by Excel, or the same data saved as .csv")
    try:
        frame = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="calamine")
    except Exception:  # calamine raises its own types for corrupt or non-XLSX files
        raise InputError(path, "cannot be opened as an Excel workbook: the file is damaged or incomplete",
                         expected="an .xlsx saved by Excel (export it again), or the same data saved as .csv") from None
    cells = frame.astype(object).where(frame.notna(), None).values.tolist()
    return cells, "XLSX"


def _hidden_xlsx_cells(path: Path) -> dict[tuple[int, int], str]:
    """Cells whose shown value the reader cannot see: Excel errors (#N/A, #REF!...) and formulas saved
    without their calculated value (written by a program, not Excel). (row, column) index -> what it is.
    Calamine reads both as empty, which would make a data row look like a blank footer."""
    import openpyxl

    hidden: dict[tuple[int, int], str] = {}
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "e":
                    hidden[cell.row - 1, cell.column - 1] = f"the Excel error {cell.value} instead of a value"
                elif getattr(cell, "data_type", None) == "f":
                    hidden[cell.row - 1, cell.column - 1] = (f"the formula {str(cell.value)[:40]} with no calculated "
                                                             "value saved")
    finally:
        book.close()
    return hidden


def _check_hidden_cells(path: Path, rows: list[list[object]], positions: dict[int, str], header_index: int,
                        spec: TableSpec) -> None:
    """A contract cell holding an Excel error, or a formula with no saved value, is an error, not a blank."""
    hidden = _hidden_xlsx_cells(path)
    for (row, column), what in sorted(hidden.items()):
        if row <= header_index or column not in positions:
            continue
        value = rows[row][column] if row < len(rows) and column < len(rows[row]) else None
        if not _is_blank(value):
            continue  # a formula whose calculated value was saved: the reader has the value
        header = spec.column(positions[column]).header
        raise InputError(path, f"the cell holds {what}", row=row + 1, column=header,
                         expected="a value: correct the cell, or open the file in Excel and save it so that every "
                                  "formula's result is stored")


def _find_header_row(path: Path, spec: TableSpec, rows: list[list[object]], max_title_rows: int) -> int:
    """Index of the header row: the first of the allowed rows naming any contract column."""
    wanted = set(spec.headers)
    for index, row in enumerate(rows[: max_title_rows + 1]):
        names = {normalise_header(cell) for cell in row if cell is not None}
        if len(names & wanted) >= 2:
            return index
    looked = "row 1" if max_title_rows == 0 else f"rows 1-{max_title_rows + 1}"
    first = next((row for row in rows[: max_title_rows + 1] if any(not _is_blank(c) for c in row)), [])
    cells = [str(c) for c in first if not _is_blank(c)]
    for delimiter, name in ((";", "semicolons (;)"), ("\t", "tabs"), ("|", "vertical bars (|)")):
        if len(cells) == 1 and cells[0].count(delimiter) >= 2:
            raise InputError(path, f"no header row found in {looked}: the columns are separated by {name}, not "
                             "commas", row=rows.index(first) + 1,
                             expected="a CSV with commas between columns (Excel: 'CSV UTF-8 (Comma delimited)')")
    raise InputError(
        path, f"no header row found in {looked}",
        expected="a header row with the contract's column names, e.g. "
        + ", ".join(f"'{c.header}'" for c in spec.columns[:3]),
    )


def _match_columns(path: Path, spec: TableSpec, header: list[object],
                   header_row: int) -> tuple[dict[int, str], list[str]]:
    """Map cell positions to canonical column names; report missing and duplicated columns."""
    wanted = spec.headers
    positions: dict[int, str] = {}
    dropped: list[str] = []
    for position, cell in enumerate(header):
        label = "" if cell is None else str(cell).strip()
        name = wanted.get(normalise_header(label))
        if name is None:
            if label:
                dropped.append(label)
            continue
        if name in positions.values():
            raise InputError(path, f"column '{label}' appears twice", row=header_row, column=label,
                             expected="each contract column once")
        positions[position] = name
    found = set(positions.values())
    for column in spec.columns:
        if column.name not in found and column.required:
            close = difflib.get_close_matches(normalise_header(column.header),
                                              [normalise_header(d) for d in dropped], n=1, cutoff=0.6)
            hint = f"; found '{close[0]}', which does not match" if close else ""
            raise InputError(path, f"required column '{column.header}' is missing{hint}",
                             row=header_row, column=column.header,
                             expected="the column names in the data contract (case and spacing may vary)")
    return positions, dropped


def _absent(spec: TableSpec, positions: dict[int, str]) -> list[str]:
    return [c.header for c in spec.columns if c.name not in positions.values()]


def _with_absent_columns(data: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """An optional column the file lacks becomes a blank column, so every later step sees the same table."""
    missing = [c.name for c in spec.columns if c.name not in data.columns]
    return data.assign(**{name: None for name in missing}) if missing else data


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv_table(path: Path, spec: TableSpec) -> RawTable | None:
    """A well-formed CSV, read with pandas (text cells, pyarrow-backed); None if it needs the careful path."""
    text, file_format = _read_csv_text(path)
    frame = _csv_frame(text)
    if frame is None or frame.empty:
        return None
    header = frame.iloc[0].tolist()
    if sum(not _is_blank(cell) for cell in header) <= 1:
        return None  # one column: perhaps another delimiter; the careful path explains it
    positions, dropped = _match_columns(path, spec, header, 1)
    body = frame.iloc[1:]
    blank = (body == "").all(axis=1)
    body = body[~blank]
    if body.empty:
        raise InputError(path, "the file has a header but no data rows", row=1,
                         expected="at least one data row below the header")
    data = _with_absent_columns(body[list(positions)].set_axis(list(positions.values()), axis=1), spec)
    data = data[[c.name for c in spec.columns]].replace("", None).reset_index(names=SOURCE_ROW)
    data[SOURCE_ROW] = data[SOURCE_ROW].astype("int64") + 1
    return RawTable(path=path, spec=spec, data=data, file_format=file_format, header_row=1, dropped_columns=dropped,
                    absent_optional=_absent(spec, positions))


def read_table(path: str | Path, spec: TableSpec) -> RawTable:
    """Read one contract file (CSV or XLSX) into a RawTable of contract columns."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        fast = _read_csv_table(path, spec)
        if fast is not None:
            return fast
        text, file_format = _read_csv_text(path)
        rows = _csv_rows(path, text)
        max_title_rows = 0
    elif suffix == ".xlsx":
        rows, file_format = _read_xlsx_cells(path)
        max_title_rows = MAX_TITLE_ROWS
    else:
        raise InputError(path, f"unsupported file type '{suffix}'", expected=".csv or .xlsx")
    header_index = _find_header_row(path, spec, rows, max_title_rows)
    header_row = header_index + 1
    positions, dropped = _match_columns(path, spec, rows[header_index], header_row)
    if suffix == ".xlsx":
        _check_hidden_cells(path, rows, positions, header_index, spec)

    records: list[list[object]] = []
    row_numbers: list[int] = []
    width = len(rows[header_index])
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if all(_is_blank(cell) for cell in row):
            continue  # blank lines carry no data; their numbers are still counted
        if len(row) > width and any(not _is_blank(c) for c in row[width:]):
            raise InputError(path, f"row has {len(row)} cells but the header has {width}",
                             row=index + 1, expected="one cell per header column")
        records.append([row[p] if p < len(row) else None for p in positions])
        row_numbers.append(index + 1)
    if not records:
        raise InputError(path, "the file has a header but no data rows", row=header_row,
                         expected="at least one data row below the header")

    columns = list(positions.values())
    data = _with_absent_columns(pd.DataFrame(records, columns=columns, dtype=object), spec)
    data = data[[c.name for c in spec.columns]]
    data.insert(0, SOURCE_ROW, row_numbers)
    return RawTable(path=path, spec=spec, data=data, file_format=file_format,
                    header_row=header_row, dropped_columns=dropped, absent_optional=_absent(spec, positions))


@dataclass
class YearInputs:
    year_dir: Path
    commitments: RawTable
    delivery: RawTable
    spend: dict[str, RawTable]  # financial year "2023-24" -> table


def _names(paths: list[Path]) -> str:
    """'a.csv and b.csv', or 'a.csv, b.csv and c.csv'."""
    names = [p.name for p in paths]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _one_of(year_dir: Path, stem: str) -> Path:
    """The one file named ``stem``.csv or .xlsx, in any case (Excel may save PORTAL_DELIVERY.CSV)."""
    found = sorted(p for p in year_dir.iterdir() if p.name.lower() in (f"{stem}.csv", f"{stem}.xlsx"))
    if not found:
        raise InputError(year_dir, f"required file {stem}.csv or {stem}.xlsx is missing",
                         expected="the Social Value Portal export saved in this folder")
    if len(found) > 1:
        both = "both " if len(found) == 2 else ""
        raise InputError(year_dir, f"{both}{_names(found)} are present", expected="exactly one of them")
    return found[0]


def financial_year_of(path: Path) -> str:
    """'supplier_spend_2023-24.csv' -> '2023-24', checking that the two years are consecutive."""
    match = SPEND_FILE_PATTERN.match(path.name)
    if not match:
        raise InputError(path, "spend file name not recognised", expected="supplier_spend_YYYY-YY.csv")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise InputError(path, f"'{match.group(1)}-{match.group(2)}' is not a financial year",
                         expected=f"supplier_spend_{start}-{(start + 1) % 100:02d}.csv")
    return f"{start}-{end:02d}"


def spend_files(year_dir: Path) -> list[Path]:
    return sorted(p for p in year_dir.iterdir() if p.name.lower().startswith("supplier_spend_"))


def spend_years(cutoff: date) -> tuple[str, str]:
    """The financial years a report with this cut-off compares: the last one that ended by the cut-off
    (required) and the one before it (optional). A year still running at the cut-off is incomplete."""
    end = cutoff.year if cutoff >= date(cutoff.year, 3, 31) else cutoff.year - 1  # 31 March closing the year
    return f"{end - 1}-{end % 100:02d}", f"{end - 2}-{(end - 1) % 100:02d}"


def _spend_by_year(year_dir: Path, cutoff: date | None) -> dict[str, Path]:
    by_year: dict[str, list[Path]] = {}
    for path in spend_files(year_dir):
        by_year.setdefault(financial_year_of(path), []).append(path)
    for financial_year, paths in sorted(by_year.items()):
        if len(paths) > 1:
            raise InputError(year_dir, f"{_names(paths)} are {'both' if len(paths) == 2 else 'all'} spend files "
                             f"for {financial_year}", expected="one supplier spend file per financial year")
    if not by_year:
        raise InputError(year_dir, "no supplier spend file found", expected="at least one supplier_spend_YYYY-YY.csv")
    if cutoff is not None:
        latest, previous = spend_years(cutoff)
        wanted = f"supplier_spend_{latest}.csv (and supplier_spend_{previous}.csv to compare with)"
        for financial_year, (path,) in sorted(by_year.items()):
            if financial_year in (latest, previous):
                continue
            ends = date(int(financial_year[:4]) + 1, 3, 31)
            problem = (f"financial year {financial_year} ends on {ends:%d %B %Y}, after the report's cut-off "
                       f"({cutoff:%d %B %Y}), so its spend is incomplete" if ends > cutoff else
                       f"financial year {financial_year} is not one this report compares")
            raise InputError(path, problem, expected=f"the complete years before the cut-off: {wanted}")
        if latest not in by_year:
            raise InputError(year_dir, f"no supplier spend file for {latest}, the last financial year that "
                             f"ended by the cut-off ({cutoff:%d %B %Y})", expected=wanted)
    return {financial_year: paths[0] for financial_year, paths in by_year.items()}


def read_year(year_dir: str | Path, cutoff: date | None = None) -> YearInputs:
    """Read every input file of one report year's folder. With the report's ``cutoff``, the spend
    files must be the complete financial years it compares (see ``spend_years``)."""
    year_dir = Path(year_dir)
    if not year_dir.is_dir():
        raise InputError(year_dir, "input folder not found", expected="data/raw/<year>/ with the year's exports")
    commitments = read_table(_one_of(year_dir, "portal_commitments"), COMMITMENTS)
    delivery = read_table(_one_of(year_dir, "portal_delivery"), DELIVERY)
    spend = {financial_year: read_table(path, SPEND)
             for financial_year, path in _spend_by_year(year_dir, cutoff).items()}
    return YearInputs(year_dir=year_dir, commitments=commitments, delivery=delivery, spend=spend)
