"""The figures ledger: every number the report prints, computed by the data contract's rules.

One row per figure, values unrounded: ``key, value, unit, description, source``. Keys follow
the data contract (``committed.total``, ``delivered.measure.NT10.units``, ...); changes against
the previous report's ledger are ``change.<key>.abs`` and ``change.<key>.pct``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from svreport.core import formatting, layout
from svreport.core.config import CouncilConfig
from svreport.core.vocabulary import COUNT, MONEY, RATIO, ledger_unit
from svreport.stages.clean import CleanTables
from svreport.stages.ledger import LEDGER_COLUMNS, ledger_units, ledger_values

METRICS_SOURCE = f"{layout.NOTEBOOKS}/{layout.stage('metrics').notebook}"
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
    return ledger_unit(str(measures.loc[code, "unit"]))


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
        ledger.add(f"{stage}.total", frame[value].sum(), MONEY, f"Social value {what}, excluded contracts left out")
        categories = _category_of(frame, tables)
        for category in config.categories:
            ledger.add(f"{stage}.category.{category.key}", frame.loc[categories == category.name, value].sum(),
                       MONEY, f"Social value {what}: {category.name} contracts")
        by_measure = frame.groupby("measure_id")[[units, value]].sum()
        for code in measures.index:
            measure_units, measure_value = (by_measure.loc[code] if code in by_measure.index else (0.0, 0.0))
            ledger.add(f"{stage}.measure.{code}.units", measure_units, _measure_unit(measures, code),
                       f"{code} units {what}")
            ledger.add(f"{stage}.measure.{code}.value", measure_value, MONEY, f"{code} social value {what}")
        for group, spec in config.measure_groups.items():
            members = frame["measure_id"].isin(spec.measures)
            unit = _measure_unit(measures, spec.measures[0])
            ledger.add(f"{stage}.group.{group}.units", frame.loc[members, units].sum(), unit,
                       f"{' + '.join(spec.measures)} units {what}")
            ledger.add(f"{stage}.group.{group}.value", frame.loc[members, value].sum(), MONEY,
                       f"{' + '.join(spec.measures)} social value {what}")
    ledger.add("committed.contracts", counted.committed["contract_reference"].nunique(), COUNT,
               "Contracts with at least one counted commitment")

    ledger.add("delivered.pending.value", counted.not_validated["value_delivered"].sum(), MONEY,
               "Delivery reported for periods by the cut-off but not validated (pending, awaiting evidence "
               "or rejected)")
    ledger.add("delivered.pending.count", len(counted.not_validated), COUNT, "Rows of not-validated delivery")
    for status, key in STATUS_KEYS.items():
        rows = counted.not_validated[counted.not_validated["validation_status"] == status]
        ledger.add(f"delivered.status.{key}.count", len(rows), COUNT, f"Delivery rows with status {status}")
        ledger.add(f"delivered.status.{key}.value", rows["value_delivered"].sum(), MONEY,
                   f"Social value in delivery rows with status {status}")
    ledger.add("delivered.after_cutoff.count", len(counted.after_cutoff), COUNT,
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
            ledger.add(f"delivered.share.{suffix}", values[f"delivered.{suffix}"] / committed, RATIO,
                       f"Validated delivery as a share of commitment ({suffix})")


def _excluded(ledger: _Ledger, counted: Counted, measures: pd.DataFrame) -> None:
    frame = counted.excluded_delivered
    ledger.add("excluded.delivered.total", frame["value_delivered"].sum(), MONEY,
               "Validated delivery on excluded (pre-policy) contracts, reported separately")
    by_measure = frame.groupby("measure_id")[["units_delivered", "value_delivered"]].sum()
    for code in [m for m in measures.index if m in by_measure.index]:
        ledger.add(f"excluded.delivered.measure.{code}.units", by_measure.loc[code, "units_delivered"],
                   _measure_unit(measures, code), f"{code} units delivered on excluded contracts")
        ledger.add(f"excluded.delivered.measure.{code}.value", by_measure.loc[code, "value_delivered"], MONEY,
                   f"{code} social value delivered on excluded contracts")


def _local_spend(ledger: _Ledger, tables: CleanTables) -> None:
    spend = tables.spend
    years = sorted(spend["financial_year"].unique())
    for fy in years:
        rows = spend[spend["financial_year"] == fy]
        local, total = rows.loc[rows["is_local"], "amount"].sum(), rows["amount"].sum()
        ledger.add(f"local_spend.{fy}.local", local, MONEY, f"Payments to suppliers with a local postcode, {fy}")
        ledger.add(f"local_spend.{fy}.total", total, MONEY, f"All payments to suppliers, {fy}")
        ledger.add(f"local_spend.{fy}.share", local / total if total else 0.0, RATIO, f"Local share of spend, {fy}")
    values = {row["key"]: row["value"] for row in ledger.rows}
    for before, after in zip(years, years[1:], strict=False):
        for part in ("local", "total"):
            old, new = values[f"local_spend.{before}.{part}"], values[f"local_spend.{after}.{part}"]
            ledger.add(f"change.local_spend.{after}.{part}.abs", new - old, MONEY,
                       f"Change in {part} spend from {before}")
            if old:
                ledger.add(f"change.local_spend.{after}.{part}.pct", (new - old) / old, RATIO,
                           f"Percentage change in {part} spend from {before}")
        old, new = values[f"local_spend.{before}.share"], values[f"local_spend.{after}.share"]
        ledger.add(f"change.local_spend.{after}.share.abs", new - old, RATIO,
                   f"Change in local share from {before} (percentage points as a ratio)")


def _changes(current: pd.DataFrame, comparator: pd.DataFrame) -> pd.DataFrame:
    """Absolute and percentage change of committed and delivered figures against the previous report."""
    previous = comparator.set_index("key")["value"]
    rows = []
    for row in current.itertuples(index=False):
        if not row.key.startswith(("committed.", "delivered.")) or row.unit == RATIO or row.key not in previous:
            continue
        if ".status." in row.key or row.key.startswith(("delivered.pending", "delivered.after_cutoff")):
            continue
        old = float(previous[row.key])
        rows.append({"key": f"change.{row.key}.abs", "value": row.value - old, "unit": row.unit,
                     "description": f"Change since the previous report in: {row.description}",
                     "source": METRICS_SOURCE})
        if old:
            rows.append({"key": f"change.{row.key}.pct", "value": (row.value - old) / old, "unit": RATIO,
                         "description": f"Percentage change since the previous report in: {row.description}",
                         "source": METRICS_SOURCE})
        rows.append({"key": f"previous.{row.key}", "value": old, "unit": row.unit,
                     "description": f"Previous report: {row.description}", "source": METRICS_SOURCE})
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def headlines(config: CouncilConfig) -> list[tuple[str, str, str]]:
    """(label, ledger key, printed form) of the figures an auditor checks first, for the config's categories."""
    committed = [(f"Committed: {c.name}", f"committed.category.{c.key}", "auto") for c in config.categories]
    delivered = [(f"Delivered: {c.name}", f"delivered.category.{c.key}", "auto") for c in config.categories]
    return [("Social value committed", "committed.total", "auto"), *committed,
            ("Validated social value delivered", "delivered.total", "auto"), *delivered,
            ("Delivery not yet validated (by the cut-off)", "delivered.pending.value", "auto"),
            ("Excluded pre-policy contracts: validated delivery", "excluded.delivered.total", "auto"),
            ("Contracts with commitments", "committed.contracts", "n")]


def headline_table(ledger: pd.DataFrame, config: CouncilConfig) -> pd.DataFrame:
    """The figures an auditor checks first: previous report, this report, change, all as printed."""
    values = ledger_values(ledger)
    units = ledger_units(ledger)
    rows = []
    for label, key, style in headlines(config):
        if key not in values:
            continue  # e.g. no excluded contracts in the config
        now = formatting.styles_for(values[key], units[key])[style]
        before = values.get(f"previous.{key}")
        change = values.get(f"change.{key}.abs")
        rows.append({"figure": label, "ledger key": key,
                     "previous report": "" if before is None else formatting.styles_for(before, units[key])[style],
                     "this report": now,
                     "change": "" if change is None else formatting.change_phrase(
                         change, values.get(f"change.{key}.pct"), units[key])})
    return pd.DataFrame(rows)
