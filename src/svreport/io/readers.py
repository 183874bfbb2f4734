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
from svreport.core.formatting import and_list
from svreport.io.contract import (
    COMMITMENTS,
    DELIVERY,
    MAX_TITLE_ROWS,
    SPEND,
    SPEND_FILE_PATTERN,
    SUPPLIERS,
    SUPPLIERS_FILE_PATTERN,
    TableSpec,
    normalise_header,
)

SOURCE_ROW = "source_row"  # the row number a spreadsheet shows for this record
MAPPABLE = (SPEND.name, SUPPLIERS.name)  # exports whose headers a council maps in its config (spend.columns)


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
    name: str = ""  # how rows name their file: 'portal_delivery.csv', 'supplier_spend_2023-24/April-2023.csv'
    headers: dict[str, str] = field(default_factory=dict)  # clean column -> its header as the file writes it

    def __post_init__(self) -> None:
        self.name = self.name or self.path.name

    @property
    def display_name(self) -> str:
        return self.name

    def header(self, column: str) -> str:
        """A column's header as this file writes it (the contract's for a column the file lacks)."""
        return self.headers.get(column) or self.spec.column(column).header


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


def _read_xlsx_sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every visible sheet's cells, in the workbook's order (hidden sheets are ignored: nobody sees them)."""
    with path.open("rb") as handle:
        head = handle.read(64)
    wrong_kind = _not_a_spreadsheet_of_this_kind(path, head)
    if wrong_kind:
        raise wrong_kind
    if not head.startswith(ZIP_SIGNATURE):
        raise InputError(path, "is not an Excel workbook: it looks like a text file (perhaps a CSV renamed .xlsx)",
                         expected="an .xlsx saved by Excel, or the same data saved as .csv")
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        visible = [sheet.name for sheet in book.sheets_metadata
                   if str(sheet.visible).endswith(".Visible") and str(sheet.typ).endswith(".WorkSheet")]
        frames = pd.read_excel(path, sheet_name=visible or None, header=None, dtype=object, engine="calamine")
    except Exception:  # calamine raises its own types for corrupt or non-XLSX files
        raise InputError(path, "cannot be opened as an Excel workbook: the file is damaged or incomplete",
                         expected="an .xlsx saved by Excel (export it again), or the same data saved as .csv") from None
    if not frames:
        raise InputError(path, "the workbook has no visible sheet", expected="the export on a visible sheet")
    return [(str(sheet), frame.astype(object).where(frame.notna(), None).values.tolist())
            for sheet, frame in frames.items()]


def _hidden_xlsx_cells(path: Path, sheet_name: str | None = None) -> dict[tuple[int, int], str]:
    """Cells whose shown value the reader cannot see: Excel errors (#N/A, #REF!...) and formulas saved
    without their calculated value (written by a program, not Excel). (row, column) index -> what it is.
    Calamine reads both as empty, which would make a data row look like a blank footer."""
    import openpyxl

    hidden: dict[tuple[int, int], str] = {}
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
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
                        spec: TableSpec, sheet: str | None = None) -> None:
    """A contract cell holding an Excel error, or a formula with no saved value, is an error, not a blank."""
    hidden = _hidden_xlsx_cells(path, sheet)
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


def _header_index(spec: TableSpec, rows: list[list[object]], max_title_rows: int) -> int | None:
    """Index of the header row: the first of the allowed rows naming two or more contract columns."""
    wanted = set(spec.headers)
    for index, row in enumerate(rows[: max_title_rows + 1]):
        names = {normalise_header(cell) for cell in row if cell is not None}
        if len(names & wanted) >= 2:
            return index
    return None


def _find_header_row(path: Path, spec: TableSpec, rows: list[list[object]], max_title_rows: int) -> int:
    """Index of the header row, or an error saying why none was found."""
    index = _header_index(spec, rows, max_title_rows)
    if index is not None:
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


def _quoted(names: list[str]) -> str:
    return and_list([f"'{n}'" for n in names])


def _match_columns(path: Path, spec: TableSpec, header: list[object],
                   header_row: int) -> tuple[dict[int, str], list[str], dict[str, str]]:
    """Map cell positions to canonical column names; report every missing column at once, and duplicates.
    Returns the positions, the headers not in the contract and each column's header as written."""
    wanted = spec.headers
    positions: dict[int, str] = {}
    written: dict[str, str] = {}
    dropped: list[str] = []
    for position, cell in enumerate(header):
        label = "" if cell is None else " ".join(str(cell).replace("\ufeff", "").split())
        name = wanted.get(normalise_header(label))
        if name is None:
            if label:
                dropped.append(label)
            continue
        if name in positions.values():
            order = [normalise_header(h) for h in (spec.column(name).header, *spec.column(name).variants)]
            rank_new, rank_old = order.index(normalise_header(label)), order.index(normalise_header(written[name]))
            if spec.name not in MAPPABLE or rank_new == rank_old:
                raise InputError(path, f"column '{label}' appears twice" + (
                    f" (as '{written[name]}' too)" if written[name] != label else ""), row=header_row, column=label,
                    expected="each contract column once")
            # a council's headers for a field are in its order of preference: a file with two of them (a new
            # layout beside the old one's column) is read from the first, and the other is left unread
            if rank_new > rank_old:
                dropped.append(label)
                continue
            dropped.append(written[name])
            del positions[next(p for p, n in positions.items() if n == name)]
        positions[position] = name
        written[name] = label
    missing = [c for c in spec.columns if c.name not in positions.values() and c.required]
    if missing:
        hints = []
        for column in missing:
            close = difflib.get_close_matches(normalise_header(column.header),
                                              [normalise_header(d) for d in dropped], n=1, cutoff=0.6)
            if close:
                hints.append(f"found '{close[0]}' for '{column.header}', which does not match")
        names = [c.header for c in missing]
        if len(names) == 1:
            problem = f"required column '{names[0]}' is missing"
            hints = [h.replace(f" for '{names[0]}'", "") for h in hints]
        else:
            problem = f"required columns {_quoted(names)} are missing"
        unmatched = len(hints) < len(missing)
        if hints:
            problem += "; " + "; ".join(hints)
        if unmatched and dropped and (len(missing) > 1 or spec.name in MAPPABLE):
            problem += f"; headers found that match no field: {_quoted(dropped[:12])}" + (
                f" and {len(dropped) - 12} more" if len(dropped) > 12 else "")
        raise InputError(path, problem, row=header_row, column=names[0] if len(names) == 1 else None,
                         expected="the column names in the data contract (case and spacing may vary), or this "
                                  "council's own headers for them in the config's spend section"
                                  if spec.name in MAPPABLE else
                                  "the column names in the data contract (case and spacing may vary)")
    return positions, dropped, written


def _absent(spec: TableSpec, positions: dict[int, str]) -> list[str]:
    return [c.header for c in spec.columns if c.name not in positions.values()]


def has_text_columns(data: pd.DataFrame) -> bool:
    """A CSV's table: its cells are pandas text (an XLSX's are Python values of any type)."""
    return any(isinstance(t, pd.StringDtype) for t in data.dtypes)


def _with_absent_columns(data: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """An optional column the file lacks becomes a blank column, so every later step sees the same table."""
    missing = [c.name for c in spec.columns if c.name not in data.columns]
    if not missing:
        return data
    blank = pd.Series(None, index=data.index, dtype="str" if has_text_columns(data) else object)
    return data.assign(**{name: blank for name in missing})


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv_table(path: Path, spec: TableSpec, name: str) -> RawTable | None:
    """A well-formed CSV, read with pandas (text cells); None if it needs the careful path."""
    text, file_format = _read_csv_text(path)
    frame = _csv_frame(text)
    if frame is None or frame.empty:
        return None
    top = frame.iloc[: MAX_TITLE_ROWS + 1].to_numpy().tolist()
    header_index = _header_index(spec, top, MAX_TITLE_ROWS)
    if header_index is None:
        return None  # no header: perhaps another delimiter; the careful path explains it
    header_row = header_index + 1
    positions, dropped, written = _match_columns(path, spec, top[header_index], header_row)
    body = frame.iloc[header_index + 1:]
    blank = (body == "").all(axis=1)
    body = body[~blank]
    if body.empty:
        raise InputError(path, "the file has a header but no data rows", row=header_row,
                         expected="at least one data row below the header")
    data = _with_absent_columns(body[list(positions)].set_axis(list(positions.values()), axis=1), spec)
    data = data[[c.name for c in spec.columns]].replace("", None).reset_index(names=SOURCE_ROW)
    data[SOURCE_ROW] = data[SOURCE_ROW].astype("int64") + 1
    return RawTable(path=path, spec=spec, data=data, file_format=file_format, header_row=header_row,
                    dropped_columns=dropped, absent_optional=_absent(spec, positions), name=name, headers=written)


def _table_from_rows(path: Path, spec: TableSpec, rows: list[list[object]], header_index: int, file_format: str,
                     name: str, sheet: str | None = None) -> RawTable:
    header_row = header_index + 1
    positions, dropped, written = _match_columns(path, spec, rows[header_index], header_row)
    if file_format == "XLSX":
        _check_hidden_cells(path, rows, positions, header_index, spec, sheet)
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
    return RawTable(path=path, spec=spec, data=data, file_format=file_format, header_row=header_row,
                    dropped_columns=dropped, absent_optional=_absent(spec, positions), name=name, headers=written)


def read_tables(path: str | Path, spec: TableSpec, name: str | None = None, every_sheet: bool = False
                ) -> list[RawTable]:
    """Read one contract file (CSV or XLSX) into RawTables of contract columns: one for a CSV; for a workbook the
    first visible sheet with the contract's header, or with ``every_sheet`` each such sheet (a sheet a month)."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        fast = _read_csv_table(path, spec, name)
        if fast is not None:
            return [fast]
        text, file_format = _read_csv_text(path)
        rows = _csv_rows(path, text)
        return [_table_from_rows(path, spec, rows, _find_header_row(path, spec, rows, MAX_TITLE_ROWS), file_format,
                                 name)]
    if suffix != ".xlsx":
        raise InputError(path, f"unsupported file type '{suffix}'", expected=".csv or .xlsx")
    sheets = _read_xlsx_sheets(path)
    found = [(sheet, rows, _header_index(spec, rows, MAX_TITLE_ROWS)) for sheet, rows in sheets]
    with_header = [(sheet, rows, index) for sheet, rows, index in found if index is not None]
    if not with_header:
        sheet, rows = sheets[0]
        _find_header_row(path, spec, rows, MAX_TITLE_ROWS)  # raises, saying why
    if not every_sheet:
        with_header = with_header[:1]
    several = len(with_header) > 1
    return [_table_from_rows(path, spec, rows, index, "XLSX", f"{name} [{sheet}]" if several else name, sheet)
            for sheet, rows, index in with_header]


def read_table(path: str | Path, spec: TableSpec, name: str | None = None) -> RawTable:
    """Read one contract file (CSV, or a workbook's sheet with the contract's header) into a RawTable."""
    return read_tables(path, spec, name)[0]


@dataclass
class YearInputs:
    year_dir: Path
    commitments: RawTable
    delivery: RawTable
    spend: dict[str, list[RawTable]]  # financial year "2023-24" -> its payment tables (a file, or a sheet, each)
    suppliers: list[RawTable] = field(default_factory=list)  # the finance system's supplier records, if given


def _names(paths: list[Path]) -> str:
    """'a.csv and b.csv', or 'a.csv, b.csv and c.csv'."""
    return and_list([p.name for p in paths])


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
    """'supplier_spend_2023-24.csv' (or the folder 'supplier_spend_2023-24') -> '2023-24', checking that the two
    years are consecutive."""
    match = SPEND_FILE_PATTERN.match(path.name)
    if not match:
        raise InputError(path, "spend file name not recognised",
                         expected="supplier_spend_YYYY-YY.csv, or a folder supplier_spend_YYYY-YY/ of the year's files")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise InputError(path, f"'{match.group(1)}-{match.group(2)}' is not a financial year",
                         expected=f"supplier_spend_{start}-{(start + 1) % 100:02d}{match.group(3).lower()}")
    return f"{start}-{end:02d}"


def _is_data_file(path: Path) -> bool:
    """A CSV or workbook a person saved, not a hidden file or Excel's lock file (~$April.xlsx)."""
    return (path.is_file() and path.suffix.lower() in (".csv", ".xlsx")
            and not path.name.startswith((".", "~$")))


def spend_files(year_dir: Path) -> list[Path]:
    """The spend entries of a run's folder: supplier_spend_YYYY-YY files and supplier_spend_YYYY-YY/ folders."""
    return sorted(p for p in year_dir.iterdir() if p.name.lower().startswith("supplier_spend_")
                  and (p.is_dir() or not p.name.startswith((".", "~$"))))


def files_of(entry: Path) -> list[Path]:
    """A spend entry's files: the file itself, or every CSV and workbook in the year's folder (any names:
    monthly or quarterly files as the finance system saved them, card payments in files of their own)."""
    if not entry.is_dir():
        return [entry]
    files = sorted((p for p in entry.iterdir() if _is_data_file(p)), key=lambda p: p.name.lower())
    if not files:
        raise InputError(entry, "the folder holds no .csv or .xlsx file",
                         expected="the financial year's payment files (monthly, quarterly or one for the year)")
    return files


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
                             f"for {financial_year}", expected="one supplier spend file, or one folder of files, "
                                                              "per financial year")
    if not by_year:
        raise InputError(year_dir, "no supplier spend file found",
                         expected="at least one supplier_spend_YYYY-YY.csv, or a folder supplier_spend_YYYY-YY/")
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


def spend_spec(columns: dict[str, list[str]] | None = None) -> TableSpec:
    """The payments contract with the council's own headers (config ``spend.columns``)."""
    return SPEND.with_headers(columns or {})


def suppliers_spec(columns: dict[str, list[str]] | None = None) -> TableSpec:
    return SUPPLIERS.with_headers(columns or {})


def read_spend(entry: Path, spec: TableSpec = SPEND) -> list[RawTable]:
    """One financial year's payments: a file, or each file (each sheet of a workbook) in the year's folder, every
    one read with its own header (layouts may change within the year). Rows name their file from the run's folder."""
    tables = []
    for path in files_of(entry):
        name = f"{entry.name}/{path.name}" if entry.is_dir() else path.name
        tables += read_tables(path, spec, name, every_sheet=True)
    return tables


def supplier_files(year_dir: Path) -> list[Path]:
    return sorted(p for p in year_dir.iterdir() if SUPPLIERS_FILE_PATTERN.match(p.name) and _is_data_file(p))


def read_year(year_dir: str | Path, cutoff: date | None = None, spend_columns: dict[str, list[str]] | None = None,
              supplier_columns: dict[str, list[str]] | None = None) -> YearInputs:
    """Read every input file of one report year's folder. With the report's ``cutoff``, the spend
    files must be the complete financial years it compares (see ``spend_years``)."""
    year_dir = Path(year_dir)
    if not year_dir.is_dir():
        raise InputError(year_dir, "input folder not found", expected="data/raw/<year>/ with the year's exports")
    commitments = read_table(_one_of(year_dir, "portal_commitments"), COMMITMENTS)
    delivery = read_table(_one_of(year_dir, "portal_delivery"), DELIVERY)
    payments = spend_spec(spend_columns)
    spend = {financial_year: read_spend(path, payments)
             for financial_year, path in _spend_by_year(year_dir, cutoff).items()}
    records = suppliers_spec(supplier_columns)
    suppliers = [table for path in supplier_files(year_dir) for table in read_tables(path, records, every_sheet=True)]
    return YearInputs(year_dir=year_dir, commitments=commitments, delivery=delivery, spend=spend, suppliers=suppliers)


def read_commitments(year_dir: str | Path) -> RawTable:
    """The commitments export of a run's folder alone (a new council's categories come from it)."""
    return read_table(_one_of(Path(year_dir), "portal_commitments"), COMMITMENTS)


# What councils' payment files call each field (normalised as headers are): a whole header, or a word in it.
_SAID = {
    "transaction_number": (("transaction number", "trans no", "transaction no", "transaction id", "transaction ref",
                            "payment reference", "reference", "ref", "ref no", "invoice number", "invoice no",
                            "document number", "voucher number"), ("ref", "reference", "transaction")),
    "payment_date": (("payment date", "paid date", "date paid", "invoice payment date", "transaction date", "date"),
                     ("date",)),
    "supplier_name": (("supplier name", "supplier", "name", "payee", "payee name", "vendor name", "vendor",
                       "beneficiary", "merchant name", "creditor name"), ("supplier", "payee", "vendor", "merchant")),
    "amount": (("amount", "net amount", "amount paid", "gross amount", "value", "net value", "total"),
               ("amount", "value")),
    "supplier_id": (("supplier id", "supplier number", "supplier no", "supplier code", "vendor id", "vendor number",
                     "creditor number", "creditor id"), ()),
    "company_number": (("company number", "company registration number", "companies house number", "company no",
                        "company reg no"), ()),
    "supplier_postcode": (("supplier postcode", "postcode", "post code"), ("postcode",)),
    "service_area": (("service area", "directorate", "department", "service", "department area", "service division",
                      "service cost centre", "service label"), ("directorate", "department", "service")),
    "expense_type": (("expense type", "expenses type", "expenditure category", "expenditure catergory",
                      "expense description", "expenditure type", "account detail", "subjective", "expense area"),
                     ("expense", "expenditure", "account")),
}


def _score(field: str, header: str) -> int:
    whole, words = _SAID[field]
    if header in whole:
        return 3
    return 1 if any(word in header.split() for word in words) else 0


def propose_header_mapping(header: list[object]) -> dict[str, str]:
    """field -> the header of this row that most likely holds it (each header used once, required fields first)."""
    cells = [" ".join(str(c).replace("\ufeff", "").split()) for c in header if not _is_blank(c)]
    proposal: dict[str, str] = {}
    for name in _SAID:
        scored = [(_score(name, normalise_header(cell)), cell) for cell in cells if cell not in proposal.values()]
        best = max(scored, default=(0, ""), key=lambda pair: pair[0])
        if best[0] and (best[0] >= 3 or name not in ("supplier_id", "company_number", "supplier_postcode")):
            proposal[name] = best[1]
    return proposal


def propose_spend_columns(paths: list[Path]) -> dict[str, list[str]]:
    """The headers a council's payment files (files or year folders) use for each field, as a proposal for the
    config's ``spend.columns``: the header row of each file is the one of its first rows naming most fields."""
    found: dict[str, list[str]] = {}
    for entry in paths:
        for path in files_of(entry):
            if path.suffix.lower() == ".csv":
                rows = _csv_rows(path, _read_csv_text(path)[0])[: MAX_TITLE_ROWS + 1]
            else:
                rows = _read_xlsx_sheets(path)[0][1][: MAX_TITLE_ROWS + 1]
            best = max((propose_header_mapping(row) for row in rows), key=len, default={})
            for name, header in best.items():
                known = found.setdefault(name, [])
                if normalise_header(header) not in {normalise_header(h) for h in known}:
                    known.append(header)
    return {name: headers for name, headers in found.items() if headers}
