"""Cleaning: turn the raw exports into tidy typed tables, logging every change.

Follows docs/data-contract.md: footer rows and exact duplicates are dropped (and
counted), money, numbers and dates are parsed, measure codes, categories, statuses and
postcodes are normalised. Values that cannot be parsed stop the run here with the file,
row and column; values that parse but break a rule (an unknown measure code, a negative
unit) are left for the validation stage to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from svreport.core.config import CouncilConfig
from svreport.core.errors import InputError, InputErrors
from svreport.core.formatting import gbp_pence
from svreport.core.layout import CLEAN_TABLES, CLEANING_LOG, DROPPED_ROWS, SPEND_COVERAGE, UNMATCHED_SUPPLIERS
from svreport.core.vocabulary import MEASURE_CODE_AS_EXPORTED
from svreport.io.contract import PLACEHOLDERS, SPEND, SUPPLIERS, VALIDATION_STATUSES, TableSpec
from svreport.io.readers import SOURCE_ROW, RawTable, YearInputs, has_text_columns, read_year
from svreport.stages.appendix1 import safe_text

SOURCE_FILE = "source_file"
MAX_ERRORS_PER_COLUMN = 10
LOG_COLUMNS = ["file", "step", "rows_affected", "spreadsheet_rows", "amount"]
DROPPED_COLUMNS = [SOURCE_FILE, SOURCE_ROW, "reason", "same_as_row", "amount"]
FOOTER_STEP = "footer rows dropped (blank or 'Total' key)"
DUPLICATE_STEP = "exact duplicate rows removed (first kept)"
TOTAL_STEP = "total rows dropped (saying 'Total', or summing the payments above them)"
NOT_PAYMENT_STEP = "rows that are not payments dropped (no payment date and no amount)"
DUPLICATES_KEPT = "identical lines kept as separate payments (config spend.duplicate_lines: keep)"
OUTSIDE_YEAR = "payments dated outside the financial year kept in it (config spend.days_outside_year)"
HEADER = "the header row"
AMOUNT_OF = {"portal_commitments": "value_committed",
             "portal_delivery": "value_delivered", "supplier_spend": "amount"}  # a row's £, by its export
THIN_MONTH = 0.25  # a month with fewer payments than this share of the year's median month is not covered
COVERAGE_COLUMNS = ["financial_year", "month", "payments", "amount", "files", "covered"]
UNMATCHED_COLUMNS = ["Supplier ID", "Supplier Name", "Company Number", "Supplier Postcode", "payments", "amount",
                     "financial_years"]
POSTCODE_SOURCE = "postcode_source"  # where a payment's postcode came from: the payment, or a supplier record
SAYS_TOTAL = r"^(grand |sub[ -]?)?totals?\b"  # 'Total', 'Grand total', 'Sub-total', 'Totals' (lower case)


@dataclass
class CleaningLog:
    entries: list[dict[str, object]] = field(default_factory=list)
    dropped: list[pd.DataFrame] = field(default_factory=list)  # every row not carried into the clean tables

    def drop(self, file: str | pd.Series, reason: str, rows: pd.Series, same_as: pd.Series | None = None,
             amounts: pd.Series | None = None) -> None:
        """Rows not carried into the clean tables, with why and the £ each held (blank where it held none).
        ``file``: the file's name, or each row's (a Series aligned with ``rows``)."""
        files = file.to_numpy() if isinstance(file, pd.Series) else file
        self.dropped.append(pd.DataFrame({SOURCE_FILE: files, SOURCE_ROW: rows.astype("int64").to_numpy(),
                                          "reason": reason,
                                          "same_as_row": (pd.array([pd.NA] * len(rows), dtype="Int64")
                                                          if same_as is None else same_as.astype("Int64").to_numpy()),
                                          "amount": (np.full(len(rows), np.nan) if amounts is None
                                                     else amounts.astype("float64").round(2).to_numpy())}))

    def dropped_frame(self) -> pd.DataFrame:
        parts = [part for part in self.dropped if not part.empty]
        if not parts:
            return pd.DataFrame(columns=DROPPED_COLUMNS)
        return pd.concat(parts, ignore_index=True).sort_values([SOURCE_FILE, SOURCE_ROW], ignore_index=True)

    def add(self, file: str | pd.Series, step: str, rows: pd.Series | list[int],
            amount: float | pd.Series | None = None) -> None:
        """One step's rows of a file (with ``file`` and ``amount`` as Series aligned with ``rows``: of each file)."""
        if isinstance(file, pd.Series):
            for name in sorted(file.unique()):
                chosen = (file == name).to_numpy()
                part = amount[chosen] if isinstance(amount, pd.Series) else None
                self.add(str(name), step, pd.Series(rows)[chosen], None if part is None else part.sum())
            return
        if isinstance(amount, pd.Series):
            amount = amount.sum() if len(amount) else None
        rows = sorted(int(r) for r in rows)
        if not rows:
            return
        shown = ", ".join(str(r) for r in rows[:20]) + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")
        self.entries.append({"file": file, "step": step, "rows_affected": len(rows), "spreadsheet_rows": shown,
                             "amount": None if amount is None else round(float(amount), 2)})

    def note(self, file: str, step: str, count: int) -> None:
        self.entries.append({"file": file, "step": step, "rows_affected": count, "spreadsheet_rows": "",
                             "amount": None})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.entries, columns=LOG_COLUMNS)


@dataclass
class CleanTables:
    commitments: pd.DataFrame
    delivery: pd.DataFrame
    spend: pd.DataFrame
    log: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DROPPED_COLUMNS))
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COVERAGE_COLUMNS))
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNMATCHED_COLUMNS))

    TABLES = CLEAN_TABLES

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in self.TABLES:
            path = folder / f"{name}.parquet"
            getattr(self, name).to_parquet(path, index=False)
            written.append(path)
        self.log.to_csv(folder / CLEANING_LOG, index=False, lineterminator="\n")
        self.dropped.to_csv(folder / DROPPED_ROWS, index=False, lineterminator="\n")
        self.coverage.to_csv(folder / SPEND_COVERAGE, index=False, lineterminator="\n")
        text = [c for c in self.unmatched.columns if c not in ("payments", "amount")]  # guarded against formulas
        self.unmatched.assign(**{c: safe_text(self.unmatched[c]) for c in text}).to_csv(
            folder / UNMATCHED_SUPPLIERS, index=False, lineterminator="\n")
        return [*written, folder / CLEANING_LOG, folder / DROPPED_ROWS, folder / SPEND_COVERAGE,
                folder / UNMATCHED_SUPPLIERS]

    @classmethod
    def read(cls, folder: Path) -> CleanTables:
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in cls.TABLES}
        dropped = (pd.read_csv(folder / DROPPED_ROWS, dtype={"same_as_row": "Int64"}, keep_default_na=False,
                               na_values={"same_as_row": [""]})
                   if (folder / DROPPED_ROWS).exists() else pd.DataFrame(columns=DROPPED_COLUMNS))
        extra = {name: pd.read_csv(folder / file, keep_default_na=False) for name, file in
                 (("coverage", SPEND_COVERAGE), ("unmatched", UNMATCHED_SUPPLIERS)) if (folder / file).exists()}
        return cls(**tables, log=pd.read_csv(folder / CLEANING_LOG, keep_default_na=False), dropped=dropped, **extra)


class _Collector:
    """Collects parse errors so one run reports all of them, a few per column."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def bad_cells(self, file: str | pd.Series, header: str, data: pd.DataFrame, column: str, mask: pd.Series,
                  problem: str, expected: str) -> None:
        """A few of the cells under ``mask`` per file (``file``: its name, or each row's as a Series)."""
        if not mask.any():
            return
        files = file[mask] if isinstance(file, pd.Series) else pd.Series(file, index=data.index[mask])
        for name in sorted(files.unique()):
            bad = data.loc[files.index[files == name], [SOURCE_ROW, column]]
            for position, (row, raw) in enumerate(bad.itertuples(index=False)):
                if position == MAX_ERRORS_PER_COLUMN:
                    self.errors.append(InputError(name, f"... and {len(bad) - position} more rows with the same "
                                                  "problem", column=header))
                    break
                shown = "blank" if _blank(raw) else f"'{raw}'"
                self.errors.append(InputError(name, problem.format(value=shown), expected=expected, row=int(row),
                                              column=header))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _is_text(series: pd.Series) -> bool:
    """True for CSV columns (all text): they take the fast, vectorised paths."""
    return pd.api.types.is_string_dtype(series.dtype) and series.dtype != object


def _as_text(series: pd.Series) -> pd.Series:
    """Cell values as stripped text; blanks become ''. Whole floats from XLSX lose their '.0'."""
    if _is_text(series):
        return series.fillna("").str.strip()

    def text(value: object) -> str:
        if _blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
    return series.map(text).astype(str)


# A comma may only separate thousands: '1,850.1' and '147,690.00', never '4,2' or '147.690,00'.
_COMMA_AS_THOUSANDS = r"[(£\-]*\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?"


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Money or numbers: strip '£', thousands commas and spaces; '(1,200.00)' is negative.

    Returns the values (NaN where blank), a mask of cells that are not numbers, and a mask of cells
    whose commas are not thousands separators (a decimal comma, as in '4,2' or '147.690,00'), which
    would otherwise be read as a different number. A minus inside brackets, '(-480.00)', is not a number.
    """
    if _is_text(series):
        native = pd.Series(False, index=series.index)
        text = _as_text(series)
    else:
        native = series.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        text = _as_text(series.where(~native, None))
    compact = text.str.replace(r"\s", "", regex=True)
    misplaced_comma = compact.str.contains(",", regex=False) & ~compact.str.fullmatch(_COMMA_AS_THOUSANDS)
    cleaned = compact.str.replace(r"[£,]", "", regex=True)
    negative = cleaned.str.fullmatch(r"\(.*\)")
    signed_twice = negative & cleaned.str.contains("-", regex=False)  # '(-480.00)': which sign was meant?
    cleaned = cleaned.where(~negative, cleaned.str.slice(1, -1))
    values = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").astype("float64")
    values = values.where(~negative, -values)
    if native.any():
        values = values.where(~native, pd.to_numeric(series.where(native, None), errors="coerce"))
    bad = values.isna() & (cleaned != "") & ~native
    bad |= native & ~np.isfinite(values.fillna(0))
    bad |= signed_twice
    misplaced_comma &= ~native
    return values.where(~misplaced_comma), bad & ~misplaced_comma, misplaced_comma


# Day-first date forms councils' systems write, tried in turn on the cell without any time of day:
# 14/02/2024, 14/02/24, 2024-02-14, 3 Apr 2023, 15 June 2023, 11-Aug-22, 14-02-2024, 14.02.2024.
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y", "%d %b %y",
                "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_OF_DAY = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:\s?[AaPp][Mm])?)?"


def parse_dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in any form of DATE_FORMATS, with or without a time of day, or Excel date cells.
    Returns (dates, bad-or-blank mask). The whole cell must be a date: '2024-06-30 to 09-30' is not one."""
    native = (pd.Series(False, index=series.index) if _is_text(series)
              else series.map(lambda v: isinstance(v, date | pd.Timestamp)))
    text = _as_text(series.where(~native, None) if native.any() else series)
    day = text.str.extract(rf"^(.+?){_TIME_OF_DAY}$", expand=False).fillna("")
    day = day.str.replace(r"\bSept\b", "Sep", regex=True, case=False)  # '7 Sept 2023'
    values = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    for form in DATE_FORMATS:
        todo = values.isna() & (day != "")
        if not todo.any():
            break
        values = values.where(~todo, pd.to_datetime(day.where(todo), format=form, errors="coerce"))
    if native.any():
        values = values.where(~native, pd.to_datetime(series.where(native, None), errors="coerce"))
    values = values.astype("datetime64[ns]").dt.normalize()
    return values, values.isna()


def normalise_codes(series: pd.Series) -> pd.Series:
    """'nt 3' -> 'NT3', 'NT1C' -> 'NT1c'; text that is no TOMs code is kept (validation reports it)."""
    text = _as_text(series)
    parts = text.str.extract(MEASURE_CODE_AS_EXPORTED)
    number = pd.to_numeric(parts[0], errors="coerce")
    code = "NT" + number.astype("Int64").astype(str) + parts[1].fillna("").str.lower()
    return code.where(number.notna(), text.str.upper())


def normalise_categories(series: pd.Series, config: CouncilConfig) -> pd.Series:
    text = _as_text(series)
    lookup = {}
    for category in config.categories:
        for spelling in [category.name, category.label, *category.variants]:
            lookup[" ".join(spelling.split()).lower()] = category.name
    key = text.str.split().str.join(" ").str.lower()
    return key.map(lookup).fillna(text)


def normalise_statuses(series: pd.Series) -> pd.Series:
    text = _as_text(series)
    lookup = {status.lower(): status for status in VALIDATION_STATUSES}
    return text.str.split().str.join(" ").str.lower().map(lookup).fillna(text)


_INVISIBLE = r"[\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+"


def normalise_postcodes(series: pd.Series) -> pd.Series:
    """'s60 1ae', 'S601AE', ' S60  1AE ' -> 'S60 1AE'; blank stays ''. Invisible characters (a zero-width space
    pasted with the postcode) go with the spaces."""
    compact = _as_text(series).str.upper().str.replace(_INVISIBLE, "", regex=True)
    spaced = compact.str.slice(0, -3) + " " + compact.str.slice(-3)
    return spaced.where(compact.str.len() >= 5, compact)


def is_local_postcode(postcodes: pd.Series, prefixes: list[str]) -> pd.Series:
    """A district prefix (S60) matches the whole outward code; a sector (S63 7) also the inward digit."""
    postcodes = postcodes.fillna("").astype(str)
    outward = postcodes.str.extract(r"^(\S*)", expand=False).fillna("")
    sector = outward + " " + postcodes.str.extract(r"^\S* (\S)", expand=False).fillna("")
    districts = [p for p in prefixes if " " not in p]
    sectors = [p for p in prefixes if " " in p]
    return (outward.isin(districts) | sector.isin(sectors)) & (postcodes != "")


def _amounts(table: RawTable, data: pd.DataFrame) -> pd.Series | None:
    """Each row's £ as the export writes it (NaN where blank or not a number), for the record of dropped rows."""
    column = AMOUNT_OF.get(table.spec.name)
    return None if column is None else parse_numbers(data[column])[0]


def _says_total(data: pd.DataFrame, spec: TableSpec) -> pd.Series:
    """A row one of whose text cells reads 'Total', 'Grand total', 'Sub-total' ...."""
    says = pd.Series(False, index=data.index)
    for column in spec.columns:
        if column.kind == "text":
            text = _as_text(data[column.name]).str.lower()
            says |= text.str.match(SAYS_TOTAL)
    return says


def _sums_above(amounts: pd.Series, candidates: pd.Series) -> pd.Series:
    """Candidate rows whose amount equals, to the penny, the sum of the other rows above them (since the last such
    row)."""
    out = pd.Series(False, index=amounts.index)
    if not candidates.any():
        return out
    pence = (amounts.fillna(0) * 100).round().astype("int64").to_numpy()
    is_candidate = candidates.to_numpy()
    above = np.cumsum(np.where(is_candidate, 0, pence))  # the other rows' pence, down to each row
    base = 0
    for position in np.flatnonzero(is_candidate):
        running = int(above[position]) - base
        if running != 0 and not pd.isna(amounts.iloc[position]) and int(pence[position]) == running:
            out.iloc[position] = True
            base = int(above[position])
    return out


def _drop_spend_non_payments(table: RawTable, log: CleaningLog, data: pd.DataFrame,
                             amounts: pd.Series) -> pd.DataFrame:
    """Payments: a row with a date and an amount is one, whatever its reference. A row without a date that says
    'Total', or sums the payments above it, is a total; one with neither a date nor an amount is no payment."""
    name = _row_files(table, data)
    dated = _as_text(data["payment_date"]) != ""
    has_amount = _as_text(data["amount"]) != ""
    undated = ~dated & has_amount
    says = pd.Series(False, index=data.index)
    if undated.any():  # any text cell of an undated row; of a dated one, the reference (a dated 'Total' line)
        says[undated] = _says_total(data[undated], table.spec)
    key = _as_text(data[table.spec.key_column]).str.lower()
    dated_total = dated & has_amount & key.str.match(SAYS_TOTAL)
    sums = pd.Series(False, index=data.index)
    for _, rows in name.groupby(name, sort=False).groups.items():  # a total sums the rows above it in its file
        sums[rows] = _sums_above(amounts[rows], undated[rows]) | _sums_above(amounts[rows], dated_total[rows])
    total = (undated & (says | sums)) | (dated_total & sums)
    empty = ~dated & ~has_amount
    for mask, step in ((total, TOTAL_STEP), (empty, NOT_PAYMENT_STEP)):
        log.add(name[mask], step, data.loc[mask, SOURCE_ROW], amounts[mask])
        log.drop(name[mask], step, data.loc[mask, SOURCE_ROW], amounts=amounts[mask])
    return data.loc[~(total | empty)]


def _row_files(table: RawTable, data: pd.DataFrame) -> pd.Series:
    """Each row's file: a table of several files' rows (``combine``) carries them in SOURCE_FILE."""
    if SOURCE_FILE in data:
        return data[SOURCE_FILE].astype(str)
    return pd.Series(table.name, index=data.index, dtype="str")


def _drop_footers_and_duplicates(table: RawTable, log: CleaningLog, config: CouncilConfig) -> pd.DataFrame:
    data = table.data
    name = _row_files(table, data)
    amounts = _amounts(table, data)
    is_spend = table.spec.name == SPEND.name
    if is_spend:
        data = _drop_spend_non_payments(table, log, data, amounts)
    else:
        key = _as_text(data[table.spec.key_column])
        footer = key == ""
        if table.spec.name != SUPPLIERS.name:  # a supplier may be called 'Total Graphics Ltd'
            footer |= key.str.lower().str.startswith("total")
        log.add(name[footer], FOOTER_STEP, data.loc[footer, SOURCE_ROW], None if amounts is None else amounts[footer])
        log.drop(name[footer], FOOTER_STEP, data.loc[footer, SOURCE_ROW],
                 amounts=None if amounts is None else amounts[footer])
        data = data.loc[~footer]
    columns = [c.name for c in table.spec.columns]
    keyed = data[columns].assign(**{SOURCE_FILE: name[data.index]})  # a copy in another file is not a copy
    duplicate = keyed.duplicated(keep="first")  # exactly the same cells
    if duplicate.any() and is_spend and config.spend.duplicate_lines == "keep":
        log.add(name[duplicate.index[duplicate]], DUPLICATES_KEPT, data.loc[duplicate, SOURCE_ROW],
                amounts[duplicate.index[duplicate]])
        return data.copy()
    if duplicate.any():
        removed = None if amounts is None else amounts[duplicate.index[duplicate]]
        log.add(name[duplicate.index[duplicate]], DUPLICATE_STEP, data.loc[duplicate, SOURCE_ROW], removed)
        keys = [*columns, SOURCE_FILE]
        with_rows = keyed.assign(**{SOURCE_ROW: data[SOURCE_ROW]})
        first = with_rows.loc[keyed.duplicated(keep=False) & ~duplicate]
        copies = with_rows.loc[duplicate].merge(first, on=keys, how="left", suffixes=("", "_first"))
        log.drop(copies[SOURCE_FILE], DUPLICATE_STEP, copies[SOURCE_ROW], copies[f"{SOURCE_ROW}_first"],
                 amounts=None if removed is None else removed.reset_index(drop=True))
    return data.loc[~duplicate].copy()


def _log_changes(log: CleaningLog, table: RawTable, data: pd.DataFrame, before: pd.Series, after: pd.Series,
                 step: str) -> None:
    changed = (_as_text(before) != after).to_numpy()
    log.add(_row_files(table, data)[changed], step, data.loc[changed, SOURCE_ROW])


def _placeholders_blank(table: RawTable, data: pd.DataFrame) -> pd.DataFrame:
    """'-', 'n/a' ... in a field that may be blank mean blank (a payment with no reference or no supplier ID)."""
    blankable = [c.name for c in table.spec.columns if not c.required or
                 (table.spec.name == SPEND.name and c.name == table.spec.key_column)]
    out = data.copy()
    for column in blankable:
        text = _as_text(out[column]).str.lower()
        out[column] = out[column].where(~text.isin(PLACEHOLDERS), None)
    return out


def _typed(table: RawTable, data: pd.DataFrame, errors: _Collector, log: CleaningLog,
           config: CouncilConfig) -> pd.DataFrame:
    """Parse each contract column by its kind; text columns are stripped."""
    spec: TableSpec = table.spec
    file = _row_files(table, data)
    out = pd.DataFrame({SOURCE_FILE: file, SOURCE_ROW: data[SOURCE_ROW].astype("int64")}, index=data.index)
    for column in spec.columns:
        raw = data[column.name]
        header = table.header(column.name)
        if column.kind in ("money", "number"):
            values, bad, misplaced_comma = parse_numbers(raw)
            example = "a number such as 1,850.1" if column.kind == "number" else "an amount such as £1,200.00"
            errors.bad_cells(file, header, data, column.name, bad, "{value} is not a number", example)
            errors.bad_cells(file, header, data, column.name, misplaced_comma,
                             "{value} has a comma that is not a thousands separator (a decimal comma?)",
                             f"{example}: a full stop before decimals, commas only between thousands")
            out[column.name] = values
        elif column.kind == "date":
            values, bad = parse_dates(raw)
            if not column.required:  # an optional date may be blank (not known)
                bad &= _as_text(raw) != ""
            errors.bad_cells(file, header, data, column.name, bad, "{value} is not a date",
                             "a date such as 14/02/2024, 2024-02-14 or 3 Apr 2023")
            out[column.name] = values
        else:
            out[column.name] = _as_text(raw)
    if "measure_id" in out:
        out["measure_id"] = normalise_codes(data["measure_id"])
        _log_changes(log, table, data, data["measure_id"], out["measure_id"], "measure codes normalised")
    if "category" in out:
        out["category"] = normalise_categories(data["category"], config)
        _log_changes(log, table, data, data["category"], out["category"], "categories normalised")
    if "validation_status" in out:
        out["validation_status"] = normalise_statuses(data["validation_status"])
        _log_changes(log, table, data, data["validation_status"], out["validation_status"],
                     "validation statuses normalised")
    if "supplier_postcode" in out:
        out["supplier_postcode"] = normalise_postcodes(data["supplier_postcode"])
        _log_changes(log, table, data, data["supplier_postcode"], out["supplier_postcode"],
                     "postcodes normalised")
    return out.reset_index(drop=True)


def _note_table(table: RawTable, log: CleaningLog) -> None:
    log.drop(table.name, HEADER, pd.Series([table.header_row]))
    if table.dropped_columns:
        log.note(table.name, "columns dropped, not in the data contract: " + ", ".join(table.dropped_columns),
                 len(table.data))
    if table.absent_optional:
        log.note(table.name, "optional columns not in the file, left blank: " + ", ".join(table.absent_optional),
                 len(table.data))


def _clean_rows(table: RawTable, errors: _Collector, log: CleaningLog, config: CouncilConfig) -> pd.DataFrame:
    data = _drop_footers_and_duplicates(_with_data(table, _placeholders_blank(table, table.data)), log, config)
    return _typed(table, data, errors, log, config)


def _clean_one(table: RawTable, errors: _Collector, log: CleaningLog, config: CouncilConfig) -> pd.DataFrame:
    _note_table(table, log)
    return _clean_rows(table, errors, log, config)


def combine(tables: list[RawTable]) -> list[RawTable]:
    """Tables of the same layout (contract, headers as written, text or typed cells) as one table whose rows keep
    their own file in SOURCE_FILE: a year of monthly files is cleaned in one pass, not twelve."""
    groups: dict[tuple, list[RawTable]] = {}
    for table in tables:
        key = (table.spec.name, tuple(sorted(table.headers.items())), has_text_columns(table.data))
        groups.setdefault(key, []).append(table)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        data = pd.concat([t.data.assign(**{SOURCE_FILE: t.name}) for t in group], ignore_index=True)
        out.append(_with_data(group[0], data))
    return out


def _with_data(table: RawTable, data: pd.DataFrame) -> RawTable:
    return replace(table, data=data)


_COMPANY_SUFFIXES = r"\b(LIMITED|LTD|PLC|LLP|LLC|CIC|CO|COMPANY|INC|UK)\b"


def name_key(series: pd.Series) -> pd.Series:
    """A supplier name as the finance system and the payments may both spell it: 'Kestlow Services Ltd.',
    'KESTLOW SERVICES LIMITED' and 'Kestlow  Services' -> 'KESTLOW SERVICES'."""
    text = _as_text(series).str.upper().str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[^A-Z0-9 ]+", " ", regex=True).str.replace(_COMPANY_SUFFIXES, " ", regex=True)
    return text.str.replace(r"^THE\b", " ", regex=True).str.split().str.join(" ").fillna("")


def company_key(series: pd.Series) -> pd.Series:
    """A Companies House number in one form: '1234567', '01234567', 'sc 123456' -> '01234567', 'SC123456'."""
    text = _as_text(series).str.upper().str.replace(r"[\s.\-]", "", regex=True)
    return text.where(~text.str.fullmatch(r"\d{1,7}"), text.str.zfill(8))


def _supplier_records(tables: list[RawTable], errors: _Collector, log: CleaningLog,
                      config: CouncilConfig) -> pd.DataFrame:
    parts = [_clean_one(table, errors, log, config) for table in tables]
    columns = [SOURCE_FILE, SOURCE_ROW, "supplier_id", "supplier_name", "supplier_postcode", "company_number"]
    if not parts:
        return pd.DataFrame(columns=[*columns, "name_key"])
    records = pd.concat(parts, ignore_index=True)[columns]
    records["company_number"] = company_key(records["company_number"])
    records["name_key"] = name_key(records["supplier_name"])
    return records  # a record without a postcode still matches its payments: they then have none


def _lookup(records: pd.DataFrame, key: str, log: CleaningLog, what: str) -> pd.Series:
    """key -> postcode ('' for a record without one), for keys whose records agree on the postcode (a key with two
    postcodes is not used)."""
    keyed = records[records[key] != ""]
    postcodes = keyed.groupby(key)["supplier_postcode"].agg(lambda p: p.iloc[0] if p.nunique() == 1 else None)
    ambiguous = keyed[keyed[key].map(postcodes).isna()]
    for file, rows in ambiguous.groupby(SOURCE_FILE)[SOURCE_ROW]:
        log.add(str(file), f"supplier records not used: one {what} with two different postcodes", rows)
    return postcodes.dropna()


def _postcodes_from_records(spend: pd.DataFrame, records: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Each payment's postcode: its own where it has one, else its supplier record's, found by supplier ID, else
    company number, else name: the first key that finds a record decides, even one without a postcode (a supplier
    is never given another's postcode by name). POSTCODE_SOURCE says which."""
    spend = spend.copy()
    spend[POSTCODE_SOURCE] = np.where(spend["supplier_postcode"] != "", "payment", "")
    matched = spend["supplier_postcode"] != ""
    if records.empty:
        return spend
    keys = {"supplier_id": _as_text(spend["supplier_id"]).str.upper(),
            "company_number": company_key(spend["company_number"]), "name_key": name_key(spend["supplier_name"])}
    records = records.assign(supplier_id=_as_text(records["supplier_id"]).str.upper())
    for key, source in (("supplier_id", "supplier ID"), ("company_number", "company number"),
                        ("name_key", "supplier name")):
        lookup = _lookup(records, key, log, source)
        todo = ~matched & (keys[key] != "")
        found = keys[key].where(todo).map(lookup)
        hit = todo & found.notna()
        matched |= hit
        hit &= found != ""
        spend.loc[hit, "supplier_postcode"] = found[hit]
        spend.loc[hit, POSTCODE_SOURCE] = f"supplier record ({source})"
    return spend


def unmatched_suppliers(spend: pd.DataFrame) -> pd.DataFrame:
    """Payees with no postcode, largest first, in the supplier records' columns: fill in the postcode and save the
    rows as a suppliers file beside the exports (suppliers_added.csv), and the next run finds them."""
    missing = spend[spend["supplier_postcode"] == ""]
    if missing.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    grouped = (missing.groupby(["supplier_id", "supplier_name", "company_number"], dropna=False)
               .agg(payments=("amount", "size"), amount=("amount", "sum"),
                    financial_years=("financial_year", lambda v: ", ".join(sorted(set(v)))))
               .reset_index())
    grouped["amount"] = grouped["amount"].round(2)
    grouped = grouped.sort_values(["amount", "supplier_name"], ascending=[False, True], ignore_index=True)
    return pd.DataFrame({"Supplier ID": grouped["supplier_id"], "Supplier Name": grouped["supplier_name"],
                         "Company Number": grouped["company_number"], "Supplier Postcode": "",
                         "payments": grouped["payments"], "amount": grouped["amount"],
                         "financial_years": grouped["financial_years"]})


def _entry(inputs: YearInputs, tables: list[RawTable]) -> Path:
    """The spend file or folder a financial year's tables came from."""
    return inputs.year_dir / tables[0].name.split("/")[0].split(" [")[0]


def months_of(financial_year: str) -> pd.PeriodIndex:
    """'2023-24' -> its twelve months, April 2023 to March 2024."""
    return pd.period_range(f"{financial_year[:4]}-04", periods=12, freq="M")


def spend_coverage(spend: pd.DataFrame) -> pd.DataFrame:
    """Each financial year month by month: payments, £, the files they came from, and whether the month is covered
    (it has at least THIN_MONTH of the year's median month's payments)."""
    rows = []
    for financial_year, part in spend.groupby("financial_year", sort=True):
        months = months_of(str(financial_year))
        month = part["payment_date"].dt.to_period("M")
        counts = month.value_counts().reindex(months, fill_value=0)
        median = float(np.median(counts.to_numpy()))
        for period in months:
            inside = part[month == period]
            rows.append({"financial_year": financial_year, "month": str(period), "payments": len(inside),
                         "amount": round(float(inside["amount"].sum()), 2),
                         "files": "; ".join(sorted(inside[SOURCE_FILE].unique())),
                         "covered": bool(len(inside) > 0 and len(inside) >= THIN_MONTH * median)})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def _check_coverage(coverage: pd.DataFrame, inputs: YearInputs, config: CouncilConfig) -> list[InputError]:
    problems = []
    for financial_year, months in coverage.groupby("financial_year", sort=True):
        short = months[~months["covered"]]
        if short.empty or financial_year in config.spend.accept_incomplete:
            continue
        median = int(np.median(months["payments"]))
        said = [f"{pd.Period(m).strftime('%B %Y')} ({'none' if n == 0 else n})"
                for m, n in zip(short["month"], short["payments"], strict=True)]
        problems.append(InputError(
            _entry(inputs, inputs.spend[str(financial_year)]),
            f"the payments do not cover financial year {financial_year}: {len(short)} of its months have none or "
            f"few payments against a median of {median} a month: {', '.join(said)}",
            expected="payments in every month of the year (add the missing months' files), or the year accepted "
                     f"as it is under spend.accept_incomplete in the config (\"{financial_year}\": why), which the "
                     "paper then reports"))
    return problems


def clean_payments(financial_year: str, tables: list[RawTable], errors: _Collector, log: CleaningLog,
                   config: CouncilConfig) -> list[pd.DataFrame]:
    """A financial year's payment tables cleaned, those of one layout together (``combine``)."""
    start = pd.Timestamp(int(financial_year[:4]), 4, 1)
    end = pd.Timestamp(start.year + 1, 3, 31)
    slack = pd.Timedelta(days=config.spend.days_outside_year)
    parts = []
    for table in tables:
        _note_table(table, log)
    for table in combine(tables):
        part = _clean_rows(table, errors, log, config)
        part.insert(1, "financial_year", financial_year)
        part["fy_start"] = start - slack  # the first and last payment dates a year's files may hold
        part["fy_end"] = end + slack
        if slack:
            outside = (part["payment_date"] < start) | (part["payment_date"] > end)
            log.add(part.loc[outside, SOURCE_FILE], OUTSIDE_YEAR, part.loc[outside, SOURCE_ROW],
                    part.loc[outside, "amount"])
        parts.append(part)
    return parts


def clean(inputs: YearInputs, config: CouncilConfig) -> CleanTables:
    """Clean one report year's inputs; raises InputErrors listing every unparseable cell."""
    errors, log = _Collector(), CleaningLog()
    commitments = _clean_one(inputs.commitments, errors, log, config)
    delivery = _clean_one(inputs.delivery, errors, log, config)
    spend_parts = [part for financial_year, tables in sorted(inputs.spend.items())
                   for part in clean_payments(financial_year, tables, errors, log, config)]
    records = _supplier_records(inputs.suppliers, errors, log, config)
    if errors.errors:
        raise InputErrors(sorted(errors.errors, key=lambda e: (str(e.file), e.row or 0)))
    spend = _postcodes_from_records(pd.concat(spend_parts, ignore_index=True), records, log)
    coverage = spend_coverage(spend)
    problems = _check_coverage(coverage, inputs, config) + _check_postcodes(spend, inputs)
    if problems:
        raise InputErrors(problems)
    spend["payment_month"] = spend["payment_date"].dt.strftime("%Y-%m")
    spend["is_local"] = is_local_postcode(spend["supplier_postcode"], config.local_postcode_prefixes)
    return CleanTables(commitments, delivery, spend, log.frame(), log.dropped_frame(), coverage,
                       unmatched_suppliers(spend))


def _check_postcodes(spend: pd.DataFrame, inputs: YearInputs) -> list[InputError]:
    """A year in which no payment could be given a postcode would print 0% local: stop and say what to provide."""
    problems = []
    for financial_year, part in spend.groupby("financial_year", sort=True):
        if (part["supplier_postcode"] != "").any():
            continue
        where = ("no supplier record matches them" if inputs.suppliers else
                 "there is no suppliers file beside them")
        problems.append(InputError(
            _entry(inputs, inputs.spend[str(financial_year)]),
            f"no payment of financial year {financial_year} can be given a supplier postcode, so local spend cannot "
            f"be counted: the payments carry none and {where}",
            expected="the finance system's supplier list saved as suppliers.csv in the run's folder (Supplier ID "
                     "or Supplier Name, Supplier Postcode, and Company Number if held), or a Supplier Postcode "
                     "column in the payments"))
    return problems


@dataclass
class FileSummary:
    """What one input file (or sheet) holds, before any run: for ``svreport inspect``."""

    name: str
    file_format: str
    header_row: int
    rows: int
    mapping: dict[str, str]  # field -> the header it was read from
    dropped_columns: list[str]
    absent_optional: list[str]
    amount: float | None = None  # the £ of the rows kept (payments: the file's total)
    months: str = ""  # payments: the months their dates fall in, 'April 2023 - March 2024 (12 months)'
    left_out: list[str] = field(default_factory=list)  # what the cleaning would drop, with its £
    problems: list[str] = field(default_factory=list)  # cells the cleaning could not read


def summarise(table: RawTable, config: CouncilConfig) -> FileSummary:
    """One file as the cleaning would read it: rows kept, their £ and months, and what would be dropped."""
    errors, log = _Collector(), CleaningLog()
    clean_rows = _clean_one(table, errors, log, config)
    summary = FileSummary(table.name, table.file_format, table.header_row, len(table.data), dict(table.headers),
                          table.dropped_columns, table.absent_optional,
                          problems=[str(e) for e in errors.errors[:5]])
    column = AMOUNT_OF.get(table.spec.name)
    if column is not None and not errors.errors:
        summary.amount = round(float(clean_rows[column].sum()), 2)
    if "payment_date" in clean_rows and not errors.errors and clean_rows["payment_date"].notna().any():
        months = clean_rows["payment_date"].dt.to_period("M")
        first, last = months.min(), months.max()
        summary.months = (f"{first.strftime('%B %Y')} - {last.strftime('%B %Y')} ({months.nunique()} "
                          f"{'month' if months.nunique() == 1 else 'months'} with payments)")
    summary.left_out = [f"{rows_and_pounds(row['rows'], row['amount'])}: {row['reason']}"
                        for _, row in dropped_summary(log.dropped_frame()).iterrows()]
    summary.left_out += [f"{rows_and_pounds(entry['rows_affected'], entry['amount'] or 0)}: {entry['step']}"
                         for entry in log.entries if entry["step"] == DUPLICATES_KEPT]
    return summary


def clean_year(year_dir: Path, config: CouncilConfig, cutoff: date | None = None) -> CleanTables:
    return clean(read_year(year_dir, cutoff, config.spend.columns, config.spend.supplier_columns), config)


def rows_and_pounds(rows: int, amount: float) -> str:
    """'1 row, £61.50' or '3 rows, -£12.00'."""
    return f"{int(rows)} {'row' if int(rows) == 1 else 'rows'}, {gbp_pence(amount)}"


def dropped_summary(dropped: pd.DataFrame) -> pd.DataFrame:
    """Rows not carried into the clean tables (``dropped_rows.csv``), by file and reason, with the £ they held
    (header rows aside)."""
    dropped = dropped[dropped["reason"] != HEADER]
    if dropped.empty:
        return pd.DataFrame(columns=["file", "reason", "rows", "amount"])
    return (dropped.groupby([SOURCE_FILE, "reason"], sort=True)
            .agg(rows=(SOURCE_ROW, "size"), amount=("amount", "sum")).reset_index()
            .rename(columns={SOURCE_FILE: "file"}))


def row_counts(tables: CleanTables) -> pd.DataFrame:
    """Rows per clean table and the files they came from, for the clean notebook."""
    return pd.DataFrame([{"table": name, "rows": len(getattr(tables, name)),
                          "files": ", ".join(sorted(getattr(tables, name)[SOURCE_FILE].unique()))}
                         for name in CleanTables.TABLES])
