"""The figures ledger: every number the report prints, computed by the data contract's rules.

One row per figure, values unrounded: ``key, value, unit, description, source``. Keys follow
the data contract (``committed.total``, ``delivered.measure.NT10.units``, ...); changes against
the previous report's ledger are ``change.<key>.abs`` and ``change.<key>.pct``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from svreport.core import formatting, layout
from svreport.core.config import CouncilConfig, Position, key_part
from svreport.core.vocabulary import COUNT, MONEY, RATIO, ledger_unit
from svreport.stages import counting
from svreport.stages.bridge import COUNTED_THEN, DOWN, PARTS, STAGES, PreviousRows, bridge
from svreport.stages.clean import SOURCE_FILE, CleanTables, months_of
from svreport.stages.counting import KeySpec, RowOutcomes, Rules, Step, derived, rows_spec
from svreport.stages.ledger import LEDGER_COLUMNS, ledger_units, ledger_values
from svreport.stages.series import SERVICE_AREA, Series, quarterly_series
from svreport.stages.tracker import BEHIND, NO_DELIVERY, contract_tracker

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
    series: Series
    tracker: tuple[pd.DataFrame, pd.DataFrame]  # (contracts, contracts by measure): ``tracker.contract_tracker``
    bridge: pd.DataFrame | None = None  # each contract's change since the compared report (``bridge.bridge``)
    notes: list[str] = field(default_factory=list)  # said when the run ends (why there is no bridge)


class _Ledger:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.lineage: list[KeySpec] = []

    def add(self, key: str, value: float, unit: str, description: str, made: KeySpec) -> None:
        self.rows.append({"key": key, "value": float(value), "unit": unit, "description": description,
                          "source": METRICS_SOURCE})
        self.lineage.append(replace(made, key=key))

    def value(self, key: str) -> float:
        return next(float(row["value"]) for row in self.rows if row["key"] == key)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=LEDGER_COLUMNS)
        duplicated = frame["key"][frame["key"].duplicated()]
        if not duplicated.empty:
            raise ValueError(f"ledger keys computed twice: {sorted(set(duplicated))}")
        return frame


def group_keys(names: list[str]) -> dict[str, str]:
    """Each group's ledger key part (``key_part``), numbered when two names would share one."""
    keys: dict[str, str] = {}
    for name in sorted(names):
        key, number = key_part(name), 2
        while (candidate := key if number == 2 else f"{key}_{number - 1}") in keys.values():
            number += 1
        keys[name] = candidate
    return keys


def _measure_unit(measures: pd.DataFrame, code: str) -> str:
    return ledger_unit(str(measures.loc[code, "unit"]))


def compute_ledger(tables: CleanTables, config: CouncilConfig, position: Position, measures: pd.DataFrame,
                   comparator: pd.DataFrame | None = None, previous: PreviousRows | None = None) -> Figures:
    """All figures at ``position``'s cut-off (a report year's, or an as-at date); with ``comparator`` (the
    compared report's ledger) also changes against it, and with ``previous`` (the rows that report counted)
    the bridge from its totals to this report's."""
    cutoff = position.cutoff
    outcomes = counting.classify(tables, config, cutoff)
    counted = select_counted(tables, outcomes)
    rules = Rules(config, cutoff)
    ledger = _Ledger()
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
    _trend(ledger, counted, config, position, rules)
    changes_since, notes = None, []
    if previous is not None and comparator is not None:
        changes_since = bridge(previous, counted.committed, counted.delivered, position.name,
                               config.tracker.revision_share)
        if differs := _bridge_differs(changes_since, previous, comparator):
            notes.append(differs)
            changes_since = None
        else:
            _bridge(ledger, changes_since, previous)
    series = quarterly_series(tables, outcomes, config, cutoff)
    _quarters(ledger, series, config, position, rules)
    contracts = replace(rules.committed(), rule=counting.RULES["contracts"])
    ledger.add("committed.contracts", counted.committed["contract_reference"].nunique(), COUNT,
               "Contracts with at least one counted commitment",
               rows_spec("", contracts, "distinct:contract_reference"))

    pending = rules.not_validated(counting.AWAITING)
    awaiting = counted.not_validated[counted.not_validated["validation_status"].isin(counting.AWAITING)]
    ledger.add("delivered.pending.value", awaiting["value_delivered"].sum(), MONEY,
               "Delivery reported for periods by the cut-off and awaiting validation (pending or awaiting "
               "evidence; rejected delivery is delivered.status.rejected.*)",
               rows_spec("", pending, "sum:value_delivered"))
    ledger.add("delivered.pending.count", len(awaiting), COUNT, "Rows of delivery awaiting validation",
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
    tracker = contract_tracker(tables, outcomes, cutoff, changes_since)
    _tracker_counts(ledger, tracker[0])
    frame = ledger.frame()
    lineage = ledger.lineage
    if comparator is not None:
        changes, made = _changes(frame, comparator, position.comparator)
        frame = pd.concat([frame, changes], ignore_index=True)
        lineage = [*lineage, *made]
    return Figures(frame, lineage, outcomes, series, tracker, changes_since, notes)


def _bridge_differs(rows: pd.DataFrame, previous: PreviousRows, comparator: pd.DataFrame) -> str:
    """Why no bridge can be drawn, or '': the compared report's own rows must sum to the totals its ledger
    printed, else its recorded outputs are not the ones it was published from (an edited ledger, a re-run on
    other exports) and a bridge from them would not start at the figure the paper compares with."""
    recorded = ledger_values(comparator)
    for stage in STAGES:
        counted = rows.loc[rows["stage"] == stage, "previous"].sum()
        published = recorded.get(f"{stage}.total")
        if published is not None and round(counted * 100) != round(published * 100):
            return (f"No bridge from the {previous.year} report: the rows it counted sum to "
                    f"{formatting.gbp_pence(counted)} of {stage} social value, but its ledger's {stage}.total is "
                    f"{formatting.gbp_pence(published)}, so its recorded outputs are not the ones it was published "
                    f"from. Re-run `svreport run --year {previous.year}` on the exports it was published from.")
    return ""


def _bridge(ledger: _Ledger, rows: pd.DataFrame, previous: PreviousRows) -> None:
    """``bridge.<stage>.<part>.value|contracts`` (and ``.reduction`` for the parts that take value off), the
    net revisions and the flagged contracts, from the bridge rows."""
    day = formatting.long_date(previous.cutoff)
    for stage in STAGES:
        frame = rows[rows["stage"] == stage]
        part = _BridgePart(ledger, frame, stage, previous.year, day)
        part.add("previous", COUNTED_THEN, "that report counted", column="previous")
        for name, words in PARTS.items():
            if not (stage == "delivered" and name == "ended_early"):
                part.add(name, (name,), words)
        part.add("revisions", tuple(p for p in PARTS if p != "new"), "that report counted or that were first "
                 "recorded for a date by its cut-off (every part but the new)")
        if stage == "committed":  # the tracker flags revised commitments; later validation is not a revision
            flagged = frame[frame["flagged"].astype(bool)]
            ledger.add("bridge.committed.flagged.contracts", flagged["contract_reference"].nunique(), COUNT,
                       "Contracts whose commitments moved by at least the config's tracker.revision_share of what "
                       f"the {previous.year} report counted, or are no longer counted",
                       rows_spec("", part.family, "distinct:contract_reference", part.of_stage,
                                 Step("flagged for the contract manager", "flagged", ("True",))))


@dataclass
class _BridgePart:
    """Adds one part's keys of one stage's bridge to the ledger."""

    ledger: _Ledger
    frame: pd.DataFrame
    stage: str
    year: int
    day: str
    family: KeySpec = KeySpec("", "rows", counting.RULES["bridge"], "bridge", ())

    @property
    def of_stage(self) -> Step:
        return Step(self.stage, "stage", (self.stage,))

    def add(self, name: str, parts: tuple[str, ...], words: str, column: str = "change") -> None:
        """``<name>.value`` (the sum of ``column``: the change, or for ``previous`` what that report counted)
        and ``<name>.contracts``; ``.reduction`` for the parts that take value off, and the revisions."""
        chosen = self.frame[self.frame[counting.OUTCOME].isin(parts)]
        step = Step(f"contracts {words}", counting.OUTCOME, parts)
        key = f"bridge.{self.stage}.{name}"
        what = "commitments" if self.stage == "committed" else "validated delivery"
        since = f"since the {self.year} report ({self.day})"
        described = (f"Social value {what} the {self.year} report counted ({self.day}), from its recorded rows"
                     if column == "previous" else f"Change in {what} {since}: contracts {words}")
        self.ledger.add(f"{key}.value", chosen[column].sum(), MONEY, described,
                        rows_spec("", self.family, f"sum:{column}", self.of_stage, step))
        self.ledger.add(f"{key}.contracts", chosen["contract_reference"].nunique(), COUNT,
                        f"Contracts {words} ({what}, {since})",
                        rows_spec("", self.family, "distinct:contract_reference", self.of_stage, step))
        if name in DOWN or name == "revisions":
            self.ledger.add(f"{key}.reduction", -self.ledger.value(f"{key}.value"), MONEY,
                            f"The change in {what} {since} on contracts {words}, as a sum taken off (the change's "
                            "negative)", derived("", "negative", f"{key}.value"))


def trend_days(config: CouncilConfig, position: Position) -> list[date]:
    """The days of the ``trend.*`` figures: each report year's cut-off up to this run's, and an as-at date."""
    days = {y.cutoff for y in config.report_years.values() if config.policy_start <= y.cutoff <= position.cutoff}
    return sorted(days | ({position.cutoff} if not position.is_annual else set()))


def _trend(ledger: _Ledger, counted: Counted, config: CouncilConfig, position: Position, rules: Rules) -> None:
    """The cumulative position at each report year's cut-off up to this one (and at an as-at run's date), as
    this run's exports record it (``trend.<day>.committed|delivered``): the points the trend diagram and its
    table print. With a compared report, ``since_last_report.*`` is what was added after its cut-off."""
    for day in trend_days(config, position):
        words = formatting.long_date(day)
        for stage, family, frame, when, value, what in [
            ("committed", rules.committed(), counted.committed, "award_date", "value_committed",
             f"awarded by {words}"),
            ("delivered", rules.delivered(), counted.delivered, "period_end", "value_delivered",
             f"validated for periods ending by {words}"),
        ]:
            by_day = Step(what, when, (day.isoformat(),), counting.UP_TO)
            ledger.add(f"trend.{day.isoformat()}.{stage}", frame.loc[by_day.keep(frame), value].sum(), MONEY,
                       f"Social value {stage} since the policy began, {what}, as this report's exports record it",
                       rows_spec("", family, f"sum:{value}", by_day))
    if position.comparator is not None:
        last = config.year(position.comparator).cutoff.isoformat()
        for stage in ("committed", "delivered"):
            ledger.add(f"since_last_report.{stage}", ledger.value(f"{stage}.total") - ledger.value(
                f"trend.{last}.{stage}"), MONEY, f"Social value {stage} after the {position.comparator} report's "
                f"cut-off ({formatting.long_date(last)}), as these exports record it",
                derived("", "difference", f"{stage}.total", f"trend.{last}.{stage}"))


def quarter_periods(series: Series, config: CouncilConfig, position: Position) -> pd.DataFrame:
    """The periods of the quarterly figure a report prints: those after the compared report's cut-off, or
    the last four when there is none. Columns period_start, period_end (Timestamps)."""
    periods = series.frame[["period_start", "period_end"]].drop_duplicates().sort_values("period_end")
    if position.comparator is None:
        return periods.tail(4).reset_index(drop=True)
    last = pd.Timestamp(config.year(position.comparator).cutoff)
    return periods[periods["period_end"] > last].reset_index(drop=True)


def quarter_breakdown(series: pd.DataFrame) -> str:
    """Service area where the commitments export carries one; otherwise category (``series``: series.csv's rows)."""
    return SERVICE_AREA if (series["breakdown"] == SERVICE_AREA).any() else "category"


def quarter_groups(series: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """The quarterly figure's breakdown (``quarter_breakdown``) and each of its groups with its ledger key part
    (``group_keys``), sorted by name: every period of the series has every group."""
    breakdown = quarter_breakdown(series)
    return breakdown, group_keys(sorted(set(series.loc[series["breakdown"] == breakdown, "group"].astype(str))))


def _quarters(ledger: _Ledger, series: Series, config: CouncilConfig, position: Position, rules: Rules) -> None:
    """The quarterly figure by service area (or category): ``quarter.<period end>.<stage>.total`` and
    ``...<breakdown>.<group key>`` for each period ``quarter_periods`` names, from the series."""
    frame = series.frame
    breakdown, keys = quarter_groups(frame)
    for period in quarter_periods(series, config, position).itertuples(index=False):
        start, end = period.period_start, period.period_end
        words = f"{formatting.long_date(start.date())} to {formatting.long_date(end.date())}"
        rows = frame[frame["period_end"] == end]
        for stage, family, when, value in [("committed", rules.committed(), "award_date", "value_committed"),
                                           ("delivered", rules.delivered(), "period_end", "value_delivered")]:
            in_period = (Step(f"after {formatting.long_date((start - pd.Timedelta(days=1)).date())}", when,
                              ((start - pd.Timedelta(days=1)).date().isoformat(),), counting.AFTER),
                         Step(f"up to {formatting.long_date(end.date())}", when, (end.date().isoformat(),),
                              counting.UP_TO))
            mine = rows[rows["series"] == stage]
            prefix = f"quarter.{end.date().isoformat()}.{stage}"
            what = "awarded" if stage == "committed" else "validated for periods ending"
            ledger.add(f"{prefix}.total", float(mine.loc[mine["breakdown"] == "total", "value"].sum()), MONEY,
                       f"Social value {stage}: {what} {words}", rows_spec("", family, f"sum:{value}", *in_period))
            for group, amount in mine.loc[mine["breakdown"] == breakdown, ["group", "value"]].itertuples(index=False):
                named = f"{breakdown.replace('_', ' ')} {group or 'not known'}"
                ledger.add(f"{prefix}.{breakdown}.{keys[group]}", float(amount), MONEY,
                           f"Social value {stage}: {what} {words}, {named}",
                           rows_spec("", family, f"sum:{value}", *in_period, Step(named, breakdown, (group,))))


TRACKER_FLAGS = {"any": "", "no_delivery": NO_DELIVERY, "behind": BEHIND}


def flagged(flags: pd.Series, name: str) -> pd.Series:
    """Which of the tracker's contracts (their Flag) count in ``tracker.flagged.<name>``."""
    return (flags != "") & flags.str.contains(TRACKER_FLAGS[name], regex=False)


def _tracker_counts(ledger: _Ledger, contracts: pd.DataFrame) -> None:
    """``tracker.flagged.<kind>``: contracts the tracker flags (any flag, or its flag includes one reason)."""
    for name, words in TRACKER_FLAGS.items():
        what = f"flagged '{words}'" if words else "flagged for any reason"
        count = int(flagged(contracts["flag"], name).sum())
        ledger.add(f"tracker.flagged.{name}", count, COUNT, f"Contracts in the contract tracker {what}",
                   KeySpec("", "tracker", f"Contracts in the contract tracker ({layout.TABLES}/{layout.TRACKER_CSV}) "
                           f"{what}: see the data contract's flag rules.", "contract_tracker", (), "count", (name,)))


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
        # what the year's figures cover: its payments, the files they came from, the months of the year they fill
        every = replace(rules.spend(fy, local=False), rule=counting.RULES["spend_coverage"])
        ledger.add(f"local_spend.{fy}.payments", len(rows), COUNT, f"Payments counted in spend, {fy}",
                   rows_spec("", every, "count"))
        ledger.add(f"local_spend.{fy}.files", rows[SOURCE_FILE].nunique(), COUNT,
                   f"Files (or sheets) the payments of {fy} came from", rows_spec("", every, f"distinct:{SOURCE_FILE}"))
        months = tuple(str(p) for p in months_of(fy))
        inside = rows["payment_month"].isin(months)
        in_year = replace(every, steps=(*every.steps, Step("dated in the financial year", "payment_month", months)))
        ledger.add(f"local_spend.{fy}.months", rows.loc[inside, "payment_month"].nunique(), COUNT,
                   f"Months of {fy} with at least one payment", rows_spec("", in_year, "distinct:payment_month"))
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
    said = comparator.set_index("key")["description"]  # what the figure counted then: that report's window
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
        add(f"previous.{row.key}", old, row.unit, f"The {comparator_year} report: {said[row.key]}",
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
