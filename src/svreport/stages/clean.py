"""Cleaning: turn the raw exports into tidy typed tables, logging every change.

Follows docs/data-contract.md: footer rows and exact duplicates are dropped (and
counted), money, numbers and dates are parsed, measure codes, categories, statuses and
postcodes are normalised. Values that cannot be parsed stop the run here with the file,
row and column; values that parse but break a rule (an unknown measure code, a negative
unit) are left for the validation stage to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from svreport.core.config import CouncilConfig
from svreport.core.errors import InputError, InputErrors
from svreport.core.layout import CLEAN_TABLES, CLEANING_LOG, DROPPED_ROWS
from svreport.core.vocabulary import MEASURE_CODE_AS_EXPORTED
from svreport.io.contract import VALIDATION_STATUSES, TableSpec
from svreport.io.readers import SOURCE_ROW, RawTable, YearInputs, read_year

SOURCE_FILE = "source_file"
MAX_ERRORS_PER_COLUMN = 10
LOG_COLUMNS = ["file", "step", "rows_affected", "spreadsheet_rows"]
DROPPED_COLUMNS = [SOURCE_FILE, SOURCE_ROW, "reason", "same_as_row"]
FOOTER_STEP = "footer rows dropped (blank or 'Total' key)"
DUPLICATE_STEP = "exact duplicate rows removed (first kept)"
HEADER = "the header row"


@dataclass
class CleaningLog:
    entries: list[dict[str, object]] = field(default_factory=list)
    dropped: list[pd.DataFrame] = field(default_factory=list)  # every row not carried into the clean tables

    def drop(self, file: str, reason: str, rows: pd.Series, same_as: pd.Series | None = None) -> None:
        self.dropped.append(pd.DataFrame({SOURCE_FILE: file, SOURCE_ROW: rows.astype("int64").to_numpy(),
                                          "reason": reason,
                                          "same_as_row": (pd.array([pd.NA] * len(rows), dtype="Int64")
                                                          if same_as is None else same_as.astype("Int64").to_numpy())}))

    def dropped_frame(self) -> pd.DataFrame:
        parts = [part for part in self.dropped if not part.empty]
        if not parts:
            return pd.DataFrame(columns=DROPPED_COLUMNS)
        return pd.concat(parts, ignore_index=True).sort_values([SOURCE_FILE, SOURCE_ROW], ignore_index=True)

    def add(self, file: str, step: str, rows: pd.Series | list[int]) -> None:
        rows = sorted(int(r) for r in rows)
        if not rows:
            return
        shown = ", ".join(str(r) for r in rows[:20]) + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")
        self.entries.append({"file": file, "step": step, "rows_affected": len(rows), "spreadsheet_rows": shown})

    def note(self, file: str, step: str, count: int) -> None:
        self.entries.append({"file": file, "step": step, "rows_affected": count, "spreadsheet_rows": ""})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.entries, columns=LOG_COLUMNS)


@dataclass
class CleanTables:
    commitments: pd.DataFrame
    delivery: pd.DataFrame
    spend: pd.DataFrame
    log: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DROPPED_COLUMNS))

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
        return [*written, folder / CLEANING_LOG, folder / DROPPED_ROWS]

    @classmethod
    def read(cls, folder: Path) -> CleanTables:
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in cls.TABLES}
        dropped = (pd.read_csv(folder / DROPPED_ROWS, dtype={"same_as_row": "Int64"}, keep_default_na=False,
                               na_values={"same_as_row": [""]})
                   if (folder / DROPPED_ROWS).exists() else pd.DataFrame(columns=DROPPED_COLUMNS))
        return cls(**tables, log=pd.read_csv(folder / CLEANING_LOG, keep_default_na=False), dropped=dropped)


class _Collector:
    """Collects parse errors so one run reports all of them, a few per column."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def bad_cells(self, file: str, header: str, data: pd.DataFrame, column: str, mask: pd.Series,
                  problem: str, expected: str) -> None:
        bad = data.loc[mask, [SOURCE_ROW, column]]
        for position, (row, raw) in enumerate(bad.itertuples(index=False)):
            if position == MAX_ERRORS_PER_COLUMN:
                self.errors.append(InputError(file, f"... and {len(bad) - position} more rows with the same problem",
                                              column=header))
                break
            shown = "blank" if _blank(raw) else f"'{raw}'"
            self.errors.append(InputError(file, problem.format(value=shown), expected=expected, row=int(row),
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


def parse_dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UK dd/mm/yyyy or ISO yyyy-mm-dd text, or Excel date cells. Returns (dates, bad-or-blank mask)."""
    native = (pd.Series(False, index=series.index) if _is_text(series)
              else series.map(lambda v: isinstance(v, date | pd.Timestamp)))
    text = _as_text(series.where(~native, None) if native.any() else series)
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    iso = iso.where(text.str.len().isin([10, 19]))  # 'yyyy-mm-dd' or 'yyyy-mm-dd 00:00:00'
    values = uk.fillna(iso)
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


def normalise_postcodes(series: pd.Series) -> pd.Series:
    """'s60 1ae', 'S601AE', ' S60  1AE ' -> 'S60 1AE'; blank stays ''."""
    compact = _as_text(series).str.upper().str.replace(r"\s+", "", regex=True)
    spaced = compact.str.slice(0, -3) + " " + compact.str.slice(-3)
    return spaced.where(compact.str.len() >= 5, compact)


def is_local_postcode(postcodes: pd.Series, prefixes: list[str]) -> pd.Series:
    """A district prefix (S60) matches the whole outward code; a sector (S63 7) also the inward digit."""
    outward = postcodes.str.split(" ").str[0]
    sector = outward + " " + postcodes.str.split(" ").str[1].str.slice(0, 1)
    districts = [p for p in prefixes if " " not in p]
    sectors = [p for p in prefixes if " " in p]
    return (outward.isin(districts) | sector.isin(sectors)) & (postcodes != "")


def _drop_footers_and_duplicates(table: RawTable, log: CleaningLog) -> pd.DataFrame:
    data, name = table.data, table.path.name
    log.drop(name, HEADER, pd.Series([table.header_row]))
    key = _as_text(data[table.spec.key_column])
    footer = (key == "") | key.str.lower().str.startswith("total")
    log.add(name, FOOTER_STEP, data.loc[footer, SOURCE_ROW])
    log.drop(name, FOOTER_STEP, data.loc[footer, SOURCE_ROW])
    data = data.loc[~footer]
    columns = [c.name for c in table.spec.columns]
    duplicate = data[columns].duplicated(keep="first")  # exactly the same cells
    if duplicate.any():
        log.add(name, DUPLICATE_STEP, data.loc[duplicate, SOURCE_ROW])
        first = data.loc[data[columns].duplicated(keep=False) & ~duplicate, [*columns, SOURCE_ROW]]
        copies = data.loc[duplicate, [*columns, SOURCE_ROW]].merge(first, on=columns, how="left",
                                                                   suffixes=("", "_first"))
        log.drop(name, DUPLICATE_STEP, copies[SOURCE_ROW], copies[f"{SOURCE_ROW}_first"])
    return data.loc[~duplicate].copy()


def _log_changes(log: CleaningLog, table: RawTable, data: pd.DataFrame, before: pd.Series, after: pd.Series,
                 step: str) -> None:
    log.add(table.path.name, step, data.loc[_as_text(before) != after, SOURCE_ROW])


def _typed(table: RawTable, data: pd.DataFrame, errors: _Collector, log: CleaningLog,
           config: CouncilConfig) -> pd.DataFrame:
    """Parse each contract column by its kind; text columns are stripped."""
    spec: TableSpec = table.spec
    out = pd.DataFrame({SOURCE_FILE: table.path.name, SOURCE_ROW: data[SOURCE_ROW].astype("int64")},
                       index=data.index)
    for column in spec.columns:
        raw = data[column.name]
        if column.kind in ("money", "number"):
            values, bad, misplaced_comma = parse_numbers(raw)
            example = "a number such as 1,850.1" if column.kind == "number" else "an amount such as £1,200.00"
            errors.bad_cells(table.path.name, column.header, data, column.name, bad, "{value} is not a number",
                             example)
            errors.bad_cells(table.path.name, column.header, data, column.name, misplaced_comma,
                             "{value} has a comma that is not a thousands separator (a decimal comma?)",
                             f"{example}: a full stop before decimals, commas only between thousands")
            out[column.name] = values
        elif column.kind == "date":
            values, bad = parse_dates(raw)
            if not column.required:  # an optional date may be blank (not known)
                bad &= _as_text(raw) != ""
            errors.bad_cells(table.path.name, column.header, data, column.name, bad, "{value} is not a date",
                             "a date as dd/mm/yyyy or yyyy-mm-dd")
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


def _clean_one(table: RawTable, errors: _Collector, log: CleaningLog, config: CouncilConfig) -> pd.DataFrame:
    if table.dropped_columns:
        log.note(table.path.name, "columns dropped, not in the data contract: " + ", ".join(table.dropped_columns),
                 len(table.data))
    if table.absent_optional:
        log.note(table.path.name, "optional columns not in the file, left blank: " + ", ".join(table.absent_optional),
                 len(table.data))
    data = _drop_footers_and_duplicates(table, log)
    return _typed(table, data, errors, log, config)


def clean(inputs: YearInputs, config: CouncilConfig) -> CleanTables:
    """Clean one report year's inputs; raises InputErrors listing every unparseable cell."""
    errors, log = _Collector(), CleaningLog()
    commitments = _clean_one(inputs.commitments, errors, log, config)
    delivery = _clean_one(inputs.delivery, errors, log, config)
    spend_parts = []
    for financial_year, table in sorted(inputs.spend.items()):
        part = _clean_one(table, errors, log, config)
        start = pd.Timestamp(int(financial_year[:4]), 4, 1)
        part.insert(1, "financial_year", financial_year)
        part["fy_start"] = start
        part["fy_end"] = pd.Timestamp(start.year + 1, 3, 31)
        spend_parts.append(part)
    if errors.errors:
        raise InputErrors(sorted(errors.errors, key=lambda e: (str(e.file), e.row or 0)))
    spend = pd.concat(spend_parts, ignore_index=True)
    spend["is_local"] = is_local_postcode(spend["supplier_postcode"], config.local_postcode_prefixes)
    return CleanTables(commitments, delivery, spend, log.frame(), log.dropped_frame())


def clean_year(year_dir: Path, config: CouncilConfig, cutoff: date | None = None) -> CleanTables:
    return clean(read_year(year_dir, cutoff), config)


def row_counts(tables: CleanTables) -> pd.DataFrame:
    """Rows per clean table and the files they came from, for the clean notebook."""
    return pd.DataFrame([{"table": name, "rows": len(getattr(tables, name)),
                          "files": ", ".join(sorted(getattr(tables, name)[SOURCE_FILE].unique()))}
                         for name in CleanTables.TABLES])
