"""The figures ledger: every number the report prints, computed by the data contract's rules.

One row per figure, values unrounded: ``key, value, unit, description, source``. Keys follow
the data contract (``committed.total``, ``delivered.measure.NT10.units``, ...); changes against
the previous report's ledger are ``change.<key>.abs`` and ``change.<key>.pct``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from svreport.core import formatting, layout
from svreport.core.config import CouncilConfig
from svreport.core.vocabulary import COUNT, MONEY, RATIO, ledger_unit
from svreport.stages import counting
from svreport.stages.clean import CleanTables
from svreport.stages.counting import KeySpec, RowOutcomes, Rules, Step, derived, rows_spec
from svreport.stages.ledger import LEDGER_COLUMNS, ledger_units, ledger_values

METRICS_SOURCE = f"{layout.NOTEBOOKS}/{layout.stage('metrics').notebook}"
STATUS_KEYS = {"Pending": "pending", "Awaiting Evidence": "awaiting_evidence", "Rejected": "rejected"}


@dataclass
class Counted:
    """The rows that count towards this report, by the contract's rules (from each row's outcome)."""

    committed: pd.DataFrame
    delivered: pd.DataFrame
    not_validated: pd.DataFrame  # period end <= cut-off, not Validated, excluded contracts left out
    after_cutoff: pd.DataFrame
    excluded_delivered: pd.DataFrame


def select_counted(tables: CleanTables, outcomes: RowOutcomes) -> Counted:
    delivery = tables.delivery.assign(**{counting.CATEGORY: outcomes.delivery_category})
    status = outcomes.delivery
    return Counted(
        committed=tables.commitments[outcomes.commitments == counting.COUNTED],
        delivered=delivery[status == counting.VALIDATED],
        not_validated=delivery[status.isin(counting.NOT_VALIDATED.values())],
        after_cutoff=delivery[status == counting.AFTER_CUTOFF],
        excluded_delivered=delivery[status == counting.EXCLUDED_VALIDATED],
    )


@dataclass
class Figures:
    """The metrics stage's result: the ledger, how each of its figures was made, and each row's outcome."""

    ledger: pd.DataFrame
    lineage: list[KeySpec]
    outcomes: RowOutcomes


class _Ledger:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.lineage: list[KeySpec] = []

    def add(self, key: str, value: float, unit: str, description: str, made: KeySpec) -> None:
        self.rows.append({"key": key, "value": float(value), "unit": unit, "description": description,
                          "source": METRICS_SOURCE})
        self.lineage.append(replace(made, key=key))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=LEDGER_COLUMNS)
        duplicated = frame["key"][frame["key"].duplicated()]
        if not duplicated.empty:
            raise ValueError(f"ledger keys computed twice: {sorted(set(duplicated))}")
        return frame


def _measure_unit(measures: pd.DataFrame, code: str) -> str:
    return ledger_unit(str(measures.loc[code, "unit"]))


def compute_ledger(tables: CleanTables, config: CouncilConfig, year: int, measures: pd.DataFrame,
                   comparator: pd.DataFrame | None = None) -> Figures:
    """All figures for report year ``year``; with ``comparator`` (the previous ledger) also changes."""
    outcomes = counting.classify(tables, config, year)
    counted = select_counted(tables, outcomes)
    rules = Rules.for_year(config, year)
    ledger = _Ledger()
    cutoff = config.year(year).cutoff
    for stage, family, frame, units, value, what in [
        ("committed", rules.committed(), counted.committed, "units_committed", "value_committed",
         f"committed on contracts awarded {config.policy_start:%d %b %Y} to {cutoff:%d %b %Y}"),
        ("delivered", rules.delivered(), counted.delivered, "units_delivered", "value_delivered",
         f"validated delivery for periods ending by {cutoff:%d %b %Y}"),
    ]:
        sum_units, sum_value = f"sum:{units}", f"sum:{value}"
        ledger.add(f"{stage}.total", frame[value].sum(), MONEY, f"Social value {what}, excluded contracts left out",
                   rows_spec("", family, sum_value))
        for category in config.categories:
            ledger.add(f"{stage}.category.{category.key}", frame.loc[frame["category"] == category.name, value].sum(),
                       MONEY, f"Social value {what}: {category.name} contracts",
                       rows_spec("", family, sum_value,
                                 Step(f"category {category.name}", counting.CATEGORY, (category.name,))))
        by_measure = frame.groupby("measure_id")[[units, value]].sum()
        for code in measures.index:
            measure_units, measure_value = (by_measure.loc[code] if code in by_measure.index else (0.0, 0.0))
            measure = Step(f"measure {code}", "measure_id", (code,))
            ledger.add(f"{stage}.measure.{code}.units", measure_units, _measure_unit(measures, code),
                       f"{code} units {what}", rows_spec("", family, sum_units, measure))
            ledger.add(f"{stage}.measure.{code}.value", measure_value, MONEY, f"{code} social value {what}",
                       rows_spec("", family, sum_value, measure))
        for group, spec in config.measure_groups.items():
            members = frame["measure_id"].isin(spec.measures)
            unit = _measure_unit(measures, spec.measures[0])
            in_group = Step(f"measures {', '.join(spec.measures)}", "measure_id", tuple(spec.measures))
            ledger.add(f"{stage}.group.{group}.units", frame.loc[members, units].sum(), unit,
                       f"{' + '.join(spec.measures)} units {what}", rows_spec("", family, sum_units, in_group))
            ledger.add(f"{stage}.group.{group}.value", frame.loc[members, value].sum(), MONEY,
                       f"{' + '.join(spec.measures)} social value {what}", rows_spec("", family, sum_value, in_group))
    _trend(ledger, counted, config, year, rules)
    contracts = replace(rules.committed(), rule=counting.RULES["contracts"])
    ledger.add("committed.contracts", counted.committed["contract_reference"].nunique(), COUNT,
               "Contracts with at least one counted commitment",
               rows_spec("", contracts, "distinct:contract_reference"))

    pending = rules.not_validated()
    ledger.add("delivered.pending.value", counted.not_validated["value_delivered"].sum(), MONEY,
               "Delivery reported for periods by the cut-off but not validated (pending, awaiting evidence "
               "or rejected)", rows_spec("", pending, "sum:value_delivered"))
    ledger.add("delivered.pending.count", len(counted.not_validated), COUNT, "Rows of not-validated delivery",
               rows_spec("", pending, "count"))
    for status, key in STATUS_KEYS.items():
        rows = counted.not_validated[counted.not_validated["validation_status"] == status]
        with_status = rules.not_validated((status,))
        ledger.add(f"delivered.status.{key}.count", len(rows), COUNT, f"Delivery rows with status {status}",
                   rows_spec("", with_status, "count"))
        ledger.add(f"delivered.status.{key}.value", rows["value_delivered"].sum(), MONEY,
                   f"Social value in delivery rows with status {status}",
                   rows_spec("", with_status, "sum:value_delivered"))
    ledger.add("delivered.after_cutoff.count", len(counted.after_cutoff), COUNT,
               "Delivery rows for periods ending after the cut-off (not counted)",
               rows_spec("", rules.after_cutoff(), "count"))

    _shares(ledger, config, measures)
    if config.excluded_contracts:  # no keys at all for a council that excludes nothing
        _excluded(ledger, counted, measures, rules.excluded_delivered())
    _local_spend(ledger, tables, rules)
    frame = ledger.frame()
    lineage = ledger.lineage
    if comparator is not None:
        changes, made = _changes(frame, comparator, config.year(year).comparator)
        frame = pd.concat([frame, changes], ignore_index=True)
        lineage = [*lineage, *made]
    return Figures(frame, lineage, outcomes)


def _trend(ledger: _Ledger, counted: Counted, config: CouncilConfig, year: int, rules: Rules) -> None:
    """The cumulative position at each report year's cut-off up to this one, as this year's exports record
    it (``trend.<cut-off>.committed|delivered``): the points the trend diagram and its table print."""
    cutoff = config.year(year).cutoff
    for day in sorted(y.cutoff for y in config.report_years.values() if config.policy_start <= y.cutoff <= cutoff):
        words = formatting.long_date(day)
        for stage, family, frame, when, value, what in [
            ("committed", rules.committed(), counted.committed, "award_date", "value_committed",
             f"awarded by {words}"),
            ("delivered", rules.delivered(), counted.delivered, "period_end", "value_delivered",
             f"validated for periods ending by {words}"),
        ]:
            by_day = Step(what, when, (day.isoformat(),), counting.UP_TO)
            ledger.add(f"trend.{day.isoformat()}.{stage}", frame.loc[frame[when] <= pd.Timestamp(day), value].sum(),
                       MONEY, f"Social value {stage} since the policy began, {what}, as this report's exports "
                       "record it", rows_spec("", family, f"sum:{value}", by_day))


def _shares(ledger: _Ledger, config: CouncilConfig, measures: pd.DataFrame) -> None:
    values = {row["key"]: row["value"] for row in ledger.rows}
    suffixes = ["total", *(f"category.{c.key}" for c in config.categories),
                *(f"measure.{m}.value" for m in measures.index)]
    for suffix in suffixes:
        committed = values[f"committed.{suffix}"]
        if committed:
            ledger.add(f"delivered.share.{suffix}", values[f"delivered.{suffix}"] / committed, RATIO,
                       f"Validated delivery as a share of commitment ({suffix})",
                       derived("", "ratio", f"delivered.{suffix}", f"committed.{suffix}"))


def _excluded(ledger: _Ledger, counted: Counted, measures: pd.DataFrame, family: KeySpec) -> None:
    frame = counted.excluded_delivered
    ledger.add("excluded.delivered.total", frame["value_delivered"].sum(), MONEY,
               "Validated delivery on excluded (pre-policy) contracts, reported separately",
               rows_spec("", family, "sum:value_delivered"))
    by_measure = frame.groupby("measure_id")[["units_delivered", "value_delivered"]].sum()
    for code in [m for m in measures.index if m in by_measure.index]:
        measure = Step(f"measure {code}", "measure_id", (code,))
        ledger.add(f"excluded.delivered.measure.{code}.units", by_measure.loc[code, "units_delivered"],
                   _measure_unit(measures, code), f"{code} units delivered on excluded contracts",
                   rows_spec("", family, "sum:units_delivered", measure))
        ledger.add(f"excluded.delivered.measure.{code}.value", by_measure.loc[code, "value_delivered"], MONEY,
                   f"{code} social value delivered on excluded contracts",
                   rows_spec("", family, "sum:value_delivered", measure))


def _local_spend(ledger: _Ledger, tables: CleanTables, rules: Rules) -> None:
    spend = tables.spend
    years = sorted(spend["financial_year"].unique())
    for fy in years:
        rows = spend[spend["financial_year"] == fy]
        local, total = rows.loc[rows["is_local"], "amount"].sum(), rows["amount"].sum()
        ledger.add(f"local_spend.{fy}.local", local, MONEY, f"Payments to suppliers with a local postcode, {fy}",
                   rows_spec("", rules.spend(fy, local=True), "sum:amount"))
        ledger.add(f"local_spend.{fy}.total", total, MONEY, f"All payments to suppliers, {fy}",
                   rows_spec("", rules.spend(fy, local=False), "sum:amount"))
        ledger.add(f"local_spend.{fy}.share", local / total if total else 0.0, RATIO, f"Local share of spend, {fy}",
                   derived("", "ratio_or_zero", f"local_spend.{fy}.local", f"local_spend.{fy}.total"))
    values = {row["key"]: row["value"] for row in ledger.rows}
    for before, after in zip(years, years[1:], strict=False):
        for part in ("local", "total"):
            old, new = values[f"local_spend.{before}.{part}"], values[f"local_spend.{after}.{part}"]
            inputs = (f"local_spend.{after}.{part}", f"local_spend.{before}.{part}")
            ledger.add(f"change.local_spend.{after}.{part}.abs", new - old, MONEY,
                       f"Change in {part} spend from {before}", derived("", "difference", *inputs))
            if old:
                ledger.add(f"change.local_spend.{after}.{part}.pct", (new - old) / old, RATIO,
                           f"Percentage change in {part} spend from {before}", derived("", "relative_change", *inputs))
        old, new = values[f"local_spend.{before}.share"], values[f"local_spend.{after}.share"]
        ledger.add(f"change.local_spend.{after}.share.abs", new - old, RATIO,
                   f"Change in local share from {before} (percentage points as a ratio)",
                   derived("", "difference", f"local_spend.{after}.share", f"local_spend.{before}.share"))


def _changes(current: pd.DataFrame, comparator: pd.DataFrame, comparator_year: int | None
             ) -> tuple[pd.DataFrame, list[KeySpec]]:
    """Absolute and percentage change of committed and delivered figures against the previous report."""
    previous = comparator.set_index("key")["value"]
    rows, made = [], []

    def add(key: str, value: float, unit: str, description: str, spec: KeySpec) -> None:
        rows.append({"key": key, "value": value, "unit": unit, "description": description, "source": METRICS_SOURCE})
        made.append(replace(spec, key=key))

    for row in current.itertuples(index=False):
        if not row.key.startswith(("committed.", "delivered.")) or row.unit == RATIO or row.key not in previous:
            continue
        if ".status." in row.key or row.key.startswith(("delivered.pending", "delivered.after_cutoff")):
            continue
        old = float(previous[row.key])
        inputs = (row.key, f"previous.{row.key}")
        add(f"change.{row.key}.abs", row.value - old, row.unit,
            f"Change since the previous report in: {row.description}", derived("", "difference", *inputs))
        if old:
            add(f"change.{row.key}.pct", (row.value - old) / old, RATIO,
                f"Percentage change since the previous report in: {row.description}",
                derived("", "relative_change", *inputs))
        add(f"previous.{row.key}", old, row.unit, f"Previous report: {row.description}",
            KeySpec("", "previous", f"The {comparator_year} report's ledger, key {row.key}",
                    aggregate=str(comparator_year), inputs=(row.key,)))
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS), made


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
