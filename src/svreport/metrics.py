"""The figures ledger: every number the report prints, computed by the data contract's rules.

One row per figure, values unrounded: ``key, value, unit, description, source``. Keys follow
the data contract (``committed.total``, ``delivered.measure.NT10.units``, ...); changes against
the previous report's ledger are ``change.<key>.abs`` and ``change.<key>.pct``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .clean import CleanTables
from .config import CouncilConfig
from .errors import InputError

LEDGER_COLUMNS = ["key", "value", "unit", "description", "source"]
METRICS_SOURCE = "notebooks/03_metrics.ipynb"
UNIT_CODES = {"no. people FTE": "FTE", "no. weeks": "weeks", "no. hrs": "hours", "tCO2e": "tCO2e", "£": "GBP"}
STATUS_KEYS = {"Pending": "pending", "Awaiting Evidence": "awaiting_evidence", "Rejected": "rejected"}


@dataclass
class Counted:
    """The rows that count towards this report, by the contract's rules."""

    committed: pd.DataFrame
    delivered: pd.DataFrame
    not_validated: pd.DataFrame  # period end <= cut-off, not Validated, excluded contracts left out
    after_cutoff: pd.DataFrame
    excluded_delivered: pd.DataFrame


def select_counted(tables: CleanTables, config: CouncilConfig, year: int) -> Counted:
    cutoff = pd.Timestamp(config.year(year).cutoff)
    start = pd.Timestamp(config.policy_start)
    excluded = tables.commitments["contract_reference"].isin(config.excluded_references())
    commitments = tables.commitments
    committed = commitments[~excluded & commitments["award_date"].between(start, cutoff)]
    delivery = tables.delivery
    is_excluded = delivery["contract_reference"].isin(config.excluded_references())
    in_period = delivery["period_end"] <= cutoff
    validated = delivery["validation_status"] == "Validated"
    return Counted(
        committed=committed,
        delivered=delivery[~is_excluded & in_period & validated],
        not_validated=delivery[~is_excluded & in_period & ~validated],
        after_cutoff=delivery[~in_period],
        excluded_delivered=delivery[is_excluded & in_period & validated],
    )


class _Ledger:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(self, key: str, value: float, unit: str, description: str) -> None:
        self.rows.append({"key": key, "value": float(value), "unit": unit, "description": description,
                          "source": METRICS_SOURCE})

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=LEDGER_COLUMNS)
        duplicated = frame["key"][frame["key"].duplicated()]
        if not duplicated.empty:
            raise ValueError(f"ledger keys computed twice: {sorted(set(duplicated))}")
        return frame


def _measure_unit(measures: pd.DataFrame, code: str) -> str:
    return UNIT_CODES.get(measures.loc[code, "unit"], str(measures.loc[code, "unit"]))


def compute_ledger(tables: CleanTables, config: CouncilConfig, year: int, measures: pd.DataFrame,
                   comparator: pd.DataFrame | None = None) -> pd.DataFrame:
    """All figures for report year ``year``; with ``comparator`` (the previous ledger) also changes."""
    counted = select_counted(tables, config, year)
    ledger = _Ledger()
    cutoff = config.year(year).cutoff
    for stage, frame, units, value, what in [
        ("committed", counted.committed, "units_committed", "value_committed",
         f"committed on contracts awarded {config.policy_start:%d %b %Y} to {cutoff:%d %b %Y}"),
        ("delivered", counted.delivered, "units_delivered", "value_delivered",
         f"validated delivery for periods ending by {cutoff:%d %b %Y}"),
    ]:
        ledger.add(f"{stage}.total", frame[value].sum(), "GBP", f"Social value {what}, excluded contracts left out")
        categories = _category_of(frame, tables)
        for category in config.categories:
            ledger.add(f"{stage}.category.{category.key}", frame.loc[categories == category.name, value].sum(),
                       "GBP", f"Social value {what}: {category.name} contracts")
        by_measure = frame.groupby("measure_id")[[units, value]].sum()
        for code in measures.index:
            measure_units, measure_value = (by_measure.loc[code] if code in by_measure.index else (0.0, 0.0))
            ledger.add(f"{stage}.measure.{code}.units", measure_units, _measure_unit(measures, code),
                       f"{code} units {what}")
            ledger.add(f"{stage}.measure.{code}.value", measure_value, "GBP", f"{code} social value {what}")
        for group, spec in config.measure_groups.items():
            members = frame["measure_id"].isin(spec.measures)
            unit = _measure_unit(measures, spec.measures[0])
            ledger.add(f"{stage}.group.{group}.units", frame.loc[members, units].sum(), unit,
                       f"{' + '.join(spec.measures)} units {what}")
            ledger.add(f"{stage}.group.{group}.value", frame.loc[members, value].sum(), "GBP",
                       f"{' + '.join(spec.measures)} social value {what}")
    ledger.add("committed.contracts", counted.committed["contract_reference"].nunique(), "count",
               "Contracts with at least one counted commitment")

    ledger.add("delivered.pending.value", counted.not_validated["value_delivered"].sum(), "GBP",
               "Delivery reported for periods by the cut-off but not validated (pending, awaiting evidence "
               "or rejected)")
    ledger.add("delivered.pending.count", len(counted.not_validated), "count", "Rows of not-validated delivery")
    for status, key in STATUS_KEYS.items():
        rows = counted.not_validated[counted.not_validated["validation_status"] == status]
        ledger.add(f"delivered.status.{key}.count", len(rows), "count", f"Delivery rows with status {status}")
        ledger.add(f"delivered.status.{key}.value", rows["value_delivered"].sum(), "GBP",
                   f"Social value in delivery rows with status {status}")
    ledger.add("delivered.after_cutoff.count", len(counted.after_cutoff), "count",
               "Delivery rows for periods ending after the cut-off (not counted)")

    _shares(ledger, config, measures)
    if config.excluded_contracts:  # no keys at all for a council that excludes nothing
        _excluded(ledger, counted, measures)
    _local_spend(ledger, tables)
    frame = ledger.frame()
    if comparator is not None:
        frame = pd.concat([frame, _changes(frame, comparator)], ignore_index=True)
    return frame


def _category_of(frame: pd.DataFrame, tables: CleanTables) -> pd.Series:
    """Each row's contract category (delivery rows take theirs from the commitments export)."""
    if "category" in frame:
        return frame["category"]
    lookup = tables.commitments.drop_duplicates("contract_reference").set_index("contract_reference")["category"]
    return frame["contract_reference"].map(lookup)


def _shares(ledger: _Ledger, config: CouncilConfig, measures: pd.DataFrame) -> None:
    values = {row["key"]: row["value"] for row in ledger.rows}
    suffixes = ["total", *(f"category.{c.key}" for c in config.categories),
                *(f"measure.{m}.value" for m in measures.index)]
    for suffix in suffixes:
        committed = values[f"committed.{suffix}"]
        if committed:
            ledger.add(f"delivered.share.{suffix}", values[f"delivered.{suffix}"] / committed, "ratio",
                       f"Validated delivery as a share of commitment ({suffix})")


def _excluded(ledger: _Ledger, counted: Counted, measures: pd.DataFrame) -> None:
    frame = counted.excluded_delivered
    ledger.add("excluded.delivered.total", frame["value_delivered"].sum(), "GBP",
               "Validated delivery on excluded (pre-policy) contracts, reported separately")
    by_measure = frame.groupby("measure_id")[["units_delivered", "value_delivered"]].sum()
    for code in [m for m in measures.index if m in by_measure.index]:
        ledger.add(f"excluded.delivered.measure.{code}.units", by_measure.loc[code, "units_delivered"],
                   _measure_unit(measures, code), f"{code} units delivered on excluded contracts")
        ledger.add(f"excluded.delivered.measure.{code}.value", by_measure.loc[code, "value_delivered"], "GBP",
                   f"{code} social value delivered on excluded contracts")


def _local_spend(ledger: _Ledger, tables: CleanTables) -> None:
    spend = tables.spend
    years = sorted(spend["financial_year"].unique())
    for fy in years:
        rows = spend[spend["financial_year"] == fy]
        local, total = rows.loc[rows["is_local"], "amount"].sum(), rows["amount"].sum()
        ledger.add(f"local_spend.{fy}.local", local, "GBP", f"Payments to suppliers with a local postcode, {fy}")
        ledger.add(f"local_spend.{fy}.total", total, "GBP", f"All payments to suppliers, {fy}")
        ledger.add(f"local_spend.{fy}.share", local / total if total else 0.0, "ratio", f"Local share of spend, {fy}")
    values = {row["key"]: row["value"] for row in ledger.rows}
    for before, after in zip(years, years[1:], strict=False):
        for part in ("local", "total"):
            old, new = values[f"local_spend.{before}.{part}"], values[f"local_spend.{after}.{part}"]
            ledger.add(f"change.local_spend.{after}.{part}.abs", new - old, "GBP", f"Change in {part} spend from {before}")
            if old:
                ledger.add(f"change.local_spend.{after}.{part}.pct", (new - old) / old, "ratio",
                           f"Percentage change in {part} spend from {before}")
        old, new = values[f"local_spend.{before}.share"], values[f"local_spend.{after}.share"]
        ledger.add(f"change.local_spend.{after}.share.abs", new - old, "ratio",
                   f"Change in local share from {before} (percentage points as a ratio)")


def _changes(current: pd.DataFrame, comparator: pd.DataFrame) -> pd.DataFrame:
    """Absolute and percentage change of committed and delivered figures against the previous report."""
    previous = comparator.set_index("key")["value"]
    rows = []
    for row in current.itertuples(index=False):
        if not row.key.startswith(("committed.", "delivered.")) or row.unit in ("ratio",) or row.key not in previous:
            continue
        if ".status." in row.key or row.key.startswith(("delivered.pending", "delivered.after_cutoff")):
            continue
        old = float(previous[row.key])
        rows.append({"key": f"change.{row.key}.abs", "value": row.value - old, "unit": row.unit,
                     "description": f"Change since the previous report in: {row.description}", "source": METRICS_SOURCE})
        if old:
            rows.append({"key": f"change.{row.key}.pct", "value": (row.value - old) / old, "unit": "ratio",
                         "description": f"Percentage change since the previous report in: {row.description}",
                         "source": METRICS_SOURCE})
        rows.append({"key": f"previous.{row.key}", "value": old, "unit": row.unit,
                     "description": f"Previous report: {row.description}", "source": METRICS_SOURCE})
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


AUTHOR_UNITS = ("count", "GBP")


AUTHOR_FIELDS = ("value", "unit", "description")
AUTHOR_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def author_figures(path: Path) -> pd.DataFrame:
    """Figures the report author supplies (event attendance, the Living Wage rate...), as ledger rows.

    Checked like an export: each figure is ``name: {value: 12, unit: count, description: ...}``; a
    value must be a finite number, not negative, and a count a whole number. Errors name the line."""
    from .yamlio import load_yaml

    if not path.exists():
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    text = path.read_text(encoding="utf-8")
    entries = load_yaml(text, path) or {}
    example = "{value: 12, unit: count, description: ...}"
    if not isinstance(entries, dict):
        raise InputError(path, f"the file holds a {type(entries).__name__}, not named figures",
                         expected=f"one figure per line, name: {example}")
    lines = text.splitlines()
    rows = []
    for name, entry in entries.items():
        line = next((i for i, row in enumerate(lines, start=1) if row.startswith(f"{name}:")), None)

        def fail(problem: str, expected: str = example, line: int | None = line, name: object = name) -> None:
            raise InputError(path, f"figure '{name}' {problem}", row=line, expected=expected)

        if not isinstance(name, str) or not AUTHOR_NAME.match(name):
            fail("has a name that cannot be a ledger key", "a name of lower-case letters, digits and _")
        if not isinstance(entry, dict):
            fail(f"is {entry!r}, not a value with its unit and description")
        unexpected = [str(k) for k in entry if k not in AUTHOR_FIELDS]
        if unexpected:
            hint = (" (a comma inside a number splits it: write 8591, not 8,591)"
                    if any(k.isdigit() for k in unexpected) else "")
            fail(f"has unexpected field(s) {', '.join(repr(k) for k in unexpected)}{hint}",
                 "the fields value, unit and description")
        value, unit = entry.get("value"), entry.get("unit")
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            fail(f"has value {value!r}, which is not a number")
        if unit not in AUTHOR_UNITS:
            fail(f"has unit {unit!r}", "unit: count or unit: GBP")
        if value < 0:
            fail(f"has value {value!r}, which is negative", "a figure of 0 or more")
        if unit == "count" and not float(value).is_integer():
            fail(f"is a count of {value!r}, which is not a whole number", "a whole number for unit: count")
        rows.append({"key": f"author.{name}", "value": float(value), "unit": unit,
                     "description": str(entry.get("description", "")), "source": f"author: {path.name}"})
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def format_value(value: float) -> str:
    """Ledger values: unrounded, but without binary floating-point noise."""
    text = f"{round(value, 8):.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_ledger(ledger: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = ledger.assign(value=ledger["value"].map(format_value))
    out.to_csv(path, index=False, lineterminator="\n")


def read_ledger(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(path, "figures ledger not found", expected="run `svreport run` for that year first")
    return pd.read_csv(path, dtype={"key": str, "unit": str}, keep_default_na=False)


def ledger_values(ledger: pd.DataFrame) -> dict[str, float]:
    return dict(zip(ledger["key"], ledger["value"].astype(float), strict=True))


@dataclass(frozen=True)
class MeasureFigure:
    """One measure's figure in a stage of the ledger, as the report prints it."""

    code: str
    measure: pd.Series  # its row of the TOMs catalogue (theme, title, unit)
    value: float  # proxy value in £
    key: str  # the figure in the measure's own units: <stage>.measure.<code>.units, or .value for £ measures


def measures_with_figures(ledger: pd.DataFrame, measures: pd.DataFrame, stage: str) -> list[MeasureFigure]:
    """The catalogue's measures with a figure (units or £) in ``stage`` (committed or delivered), in
    catalogue order."""
    values = ledger_values(ledger)
    units = dict(zip(ledger["key"], ledger["unit"], strict=True))
    found = []
    for code, measure in measures.iterrows():
        base = f"{stage}.measure.{code}"
        value = values.get(f"{base}.value", 0.0)
        if not (value or values.get(f"{base}.units", 0.0)):
            continue
        key = f"{base}.value" if units.get(f"{base}.units") == "GBP" else f"{base}.units"
        found.append(MeasureFigure(str(code), measure, value, key))
    return found
