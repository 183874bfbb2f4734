"""What counts, row by row: each clean row's outcome under the data contract's rules, and the filter
steps that pick the rows behind each ledger key (the figures' lineage).

The metrics stage classifies every row once (``classify``), computes the ledger from those outcomes
and records, for each key it writes, how that figure was made (``KeySpec``): from rows (the table,
the filter steps in order, what is summed or counted) or from other keys (a ratio, a difference, the
previous report's figure, the author's file). ``svreport trace`` reads that record and the outcomes;
it never applies the cut-off, the policy start or the exclusions a second way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from svreport.core.config import CouncilConfig
from svreport.core.formatting import long_date
from svreport.core.layout import BRIDGE, LINEAGE, ROW_OUTCOMES
from svreport.io.readers import SOURCE_ROW
from svreport.stages.clean import SOURCE_FILE, CleanTables

OUTCOME = "outcome"  # the column of each row's outcome (in ``row_outcomes.parquet`` and when tracing)
CATEGORY = "category"  # a delivery row's category is its contract's, from the commitments export

# Each table's outcomes, in the order the rules are applied (the first rule a row fails decides).
COUNTED, EXCLUDED, BEFORE_POLICY, AFTER_CUTOFF = "counted", "excluded_contract", "before_policy_start", "after_cutoff"
VALIDATED, EXCLUDED_VALIDATED, EXCLUDED_NOT_VALIDATED = "validated", "excluded_validated", "excluded_not_validated"
NOT_VALIDATED = {"Pending": "pending", "Awaiting Evidence": "awaiting_evidence", "Rejected": "rejected"}
AWAITING = ("Pending", "Awaiting Evidence")  # still to be validated; a rejected row is not awaiting anything
LOCAL, NOT_LOCAL, NO_POSTCODE = "local", "not_local", "no_postcode"

# The counting rules as the data contract words them, by the family of keys they make.
RULES = {
    "committed": "Committed: commitment rows with policy start <= Award Date <= cut-off; excluded contracts are left "
                 "out of every headline figure.",
    "contracts": "Contracts: distinct Contract References among the counted commitment rows.",
    "delivered": "Delivered: delivery rows with Validation Status 'Validated' and Reporting Period End <= cut-off; "
                 "excluded contracts are left out. A delivery row's category is its contract's, from the "
                 "commitments export.",
    "not_validated": "Not validated: delivery rows with Reporting Period End <= cut-off whose status is Pending, "
                     "Awaiting Evidence or Rejected, excluded contracts left out; counted separately, never in "
                     "delivery.",
    "awaiting": "Awaiting validation: delivery rows with Reporting Period End <= cut-off whose status is Pending or "
                "Awaiting Evidence, excluded contracts left out (rejected delivery is not awaiting anything: it is "
                "reported on its own); never in delivery.",
    "after_cutoff": "After the cut-off: delivery rows whose Reporting Period End is after the cut-off (not counted).",
    "excluded": "Excluded contracts (listed in the config with a reason): their validated delivery by the cut-off "
                "is reported separately.",
    "bridge": "Bridge from the compared report: for each contract, what that report counted (from its own recorded "
              "rows) against what this report's exports record for the same cut-off, and what was added after it; "
              "each change is one part: revised up, revised down, ended early (revised down with its end date "
              "brought forward), withdrawn (no longer counted), first recorded (counted now, not then, for a date by "
              "that cut-off) or new (after that cut-off).",
    "spend": "Total spend for a financial year: the sum of Amount over all its payments.",
    "spend_coverage": "What a financial year's spend covers: its payments, the files (or sheets) they came from, "
                      "and the months of the year with at least one payment.",
    "local": "Local spend for a financial year: the sum of Amount over payments whose normalised supplier "
             "postcode starts with one of the config's local prefixes (a district prefix matches the whole "
             "outward code).",
}


UP_TO = "<="  # a step keeping the rows whose date column is on or before a day
AFTER = ">"  # a step keeping the rows whose date column is after a day
SERVICE_AREA = "service_area"  # a commitment's service area; a delivery row takes its contract's


@dataclass(frozen=True)
class Step:
    """One filter: keep the rows whose ``column`` holds one of ``values`` (``outcome`` is the row's outcome),
    or, with ``test`` ``<=`` (``>``), whose date in ``column`` is on or before (after) ``values[0]`` (ISO)."""

    label: str
    column: str
    values: tuple[str, ...]
    test: str = "in"

    def keep(self, frame: pd.DataFrame) -> pd.Series:
        column = frame[self.column]
        if self.test == UP_TO:
            return column <= pd.Timestamp(self.values[0])
        if self.test == AFTER:
            return column > pd.Timestamp(self.values[0])
        return (column if pd.api.types.is_string_dtype(column.dtype) else column.astype(str)).isin(self.values)

    def admits(self, value: object) -> bool:
        """The same test (``keep``) for one row's value."""
        return bool(self.keep(pd.DataFrame({self.column: [value]})).iloc[0])

    def as_json(self) -> list:
        return [self.label, self.column, list(self.values), *([self.test] if self.test != "in" else [])]


@dataclass(frozen=True)
class KeySpec:
    """How one ledger figure was made.

    ``kind`` is ``rows`` (``table`` filtered by ``steps`` in order, then ``aggregate``: ``sum:<column>``,
    ``count`` or ``distinct:<column>``), ``derived`` (``aggregate`` one of ``DERIVED`` over ``inputs``,
    keys of the same ledger), ``previous`` (``inputs``: the key in the comparator year's ledger) or
    ``author`` (``inputs``: the author's figures file).
    """

    key: str
    kind: str
    rule: str = ""
    table: str = ""
    steps: tuple[Step, ...] = ()
    aggregate: str = ""
    inputs: tuple[str, ...] = ()

    @property
    def summed_column(self) -> str | None:
        return self.aggregate.split(":", 1)[1] if ":" in self.aggregate else None


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator


def _ratio_or_zero(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _difference(new: float, old: float) -> float:
    return new - old


def _negative(value: float) -> float:
    return -value


def _relative_change(new: float, old: float) -> float:
    return (new - old) / old


# Derived figures: name -> (function of the inputs' values, the formula in words).
DERIVED = {
    "ratio": (_ratio, "{0} / {1}"),
    "ratio_or_zero": (_ratio_or_zero, "{0} / {1} (0 when {1} is 0)"),
    "difference": (_difference, "{0} - {1}"),
    "relative_change": (_relative_change, "({0} - {1}) / {1}"),
    "negative": (_negative, "-{0}"),
}


def derived(key: str, formula: str, *inputs: str) -> KeySpec:
    return KeySpec(key, "derived", aggregate=formula, inputs=inputs)


def evaluate(spec: KeySpec, values: Mapping[str, float]) -> float:
    function, _ = DERIVED[spec.aggregate]
    return float(function(*(values[k] for k in spec.inputs)))


def formula_words(spec: KeySpec, quote: str = "") -> str:
    return DERIVED[spec.aggregate][1].format(*(f"{quote}{key}{quote}" for key in spec.inputs))


@dataclass(frozen=True)
class Rules:
    """The filter steps of each family of keys, for one cut-off (the dates are in the labels)."""

    config: CouncilConfig
    cutoff: date

    # --- commitments
    def committed(self) -> KeySpec:
        steps = (Step("not on an excluded contract", OUTCOME, (COUNTED, BEFORE_POLICY, AFTER_CUTOFF)),
                 Step(f"awarded on or after the policy start, {long_date(self.config.policy_start)}", OUTCOME,
                      (COUNTED, AFTER_CUTOFF)),
                 Step(f"awarded by the cut-off, {long_date(self.cutoff)}", OUTCOME, (COUNTED,)))
        return KeySpec("", "rows", RULES["committed"], "commitments", steps)

    # --- delivery
    def _in_period(self) -> Step:
        return Step(f"reporting period ending by the cut-off, {long_date(self.cutoff)}", OUTCOME,
                    (VALIDATED, *NOT_VALIDATED.values(), EXCLUDED_VALIDATED, EXCLUDED_NOT_VALIDATED))

    def delivered(self) -> KeySpec:
        steps = (self._in_period(),
                 Step("not on an excluded contract", OUTCOME, (VALIDATED, *NOT_VALIDATED.values())),
                 Step("validated", OUTCOME, (VALIDATED,)))
        return KeySpec("", "rows", RULES["delivered"], "delivery", steps)

    def not_validated(self, statuses: tuple[str, ...] = tuple(NOT_VALIDATED)) -> KeySpec:
        steps = (self._in_period(),
                 Step("not on an excluded contract", OUTCOME, (VALIDATED, *NOT_VALIDATED.values())),
                 Step(f"status {statuses[0]}" if len(statuses) == 1 else
                      "awaiting validation (pending or awaiting evidence)" if set(statuses) == set(AWAITING)
                      else "not validated", OUTCOME, tuple(NOT_VALIDATED[s] for s in statuses)))
        rule = RULES["awaiting"] if set(statuses) == set(AWAITING) else RULES["not_validated"]
        return KeySpec("", "rows", rule, "delivery", steps)

    def after_cutoff(self) -> KeySpec:
        steps = (Step(f"reporting period ending after the cut-off, {long_date(self.cutoff)}", OUTCOME,
                      (AFTER_CUTOFF,)),)
        return KeySpec("", "rows", RULES["after_cutoff"], "delivery", steps)

    def excluded_delivered(self) -> KeySpec:
        steps = (self._in_period(),
                 Step("on an excluded contract", OUTCOME, (EXCLUDED_VALIDATED, EXCLUDED_NOT_VALIDATED)),
                 Step("validated", OUTCOME, (EXCLUDED_VALIDATED,)))
        return KeySpec("", "rows", RULES["excluded"], "delivery", steps)

    # --- spend
    def spend(self, financial_year: str, local: bool) -> KeySpec:
        steps = [Step(f"payments in {financial_year}", "financial_year", (financial_year,))]
        if local:
            steps.append(Step("a local supplier postcode", OUTCOME, (LOCAL,)))
        return KeySpec("", "rows", RULES["local" if local else "spend"], "spend", tuple(steps))


def rows_spec(key: str, family: KeySpec, aggregate: str, *steps: Step) -> KeySpec:
    return KeySpec(key, "rows", family.rule, family.table, (*family.steps, *steps), aggregate)


@dataclass
class RowOutcomes:
    """Each clean row's outcome (aligned with the clean tables' rows), and each delivery row's category."""

    commitments: pd.Series
    delivery: pd.Series
    spend: pd.Series
    delivery_category: pd.Series

    def frame(self, tables: CleanTables) -> pd.DataFrame:
        """One row per clean row: table, file, spreadsheet row, outcome, category (as ``row_outcomes.parquet``)."""
        parts = []
        for name in CleanTables.TABLES:
            table = getattr(tables, name)
            category = (self.delivery_category if name == "delivery"
                        else table[CATEGORY] if CATEGORY in table else pd.Series("", index=table.index))
            parts.append(pd.DataFrame({"table": name, SOURCE_FILE: table[SOURCE_FILE], SOURCE_ROW: table[SOURCE_ROW],
                                       OUTCOME: getattr(self, name).astype(str), CATEGORY: category.astype(str)}))
        frame = pd.concat(parts, ignore_index=True)
        for column in ("table", SOURCE_FILE, OUTCOME, CATEGORY):
            frame[column] = frame[column].astype("category")
        return frame


def classify(tables: CleanTables, config: CouncilConfig, day: date) -> RowOutcomes:
    """Apply the contract's rules once, with ``day`` as the cut-off (a report year's, or an as-at date): the
    outcome of every commitment, delivery and payment row."""
    cutoff = pd.Timestamp(day)
    start = pd.Timestamp(config.policy_start)
    excluded_refs = config.excluded_references()
    commitments, delivery, spend = tables.commitments, tables.delivery, tables.spend

    excluded = commitments["contract_reference"].isin(excluded_refs)
    committed = np.select([excluded, ~(commitments["award_date"] >= start), commitments["award_date"] > cutoff],
                          [EXCLUDED, BEFORE_POLICY, AFTER_CUTOFF], COUNTED)

    status = delivery["validation_status"].astype(str)
    is_excluded = delivery["contract_reference"].isin(excluded_refs)
    validated = status == "Validated"
    after = ~(delivery["period_end"] <= cutoff)
    not_validated = status.map(NOT_VALIDATED).fillna("pending")  # validation allows no other status
    delivered = np.select([after, is_excluded & validated, is_excluded, validated],
                          [AFTER_CUTOFF, EXCLUDED_VALIDATED, EXCLUDED_NOT_VALIDATED, VALIDATED], not_validated)

    postcode = spend["supplier_postcode"].astype(str)
    local = np.select([spend["is_local"].astype(bool), postcode == ""], [LOCAL, NO_POSTCODE], NOT_LOCAL)

    return RowOutcomes(pd.Series(committed, index=commitments.index), pd.Series(delivered, index=delivery.index),
                       pd.Series(local, index=spend.index), of_contract(delivery, commitments[CATEGORY], commitments))


def of_contract(rows: pd.DataFrame, values: pd.Series, commitments: pd.DataFrame) -> pd.Series:
    """Each row's contract's value (a category, a service area) from the commitments export; '' if none."""
    lookup = values.groupby(commitments["contract_reference"], sort=False).first()
    return rows["contract_reference"].map(lookup).fillna("").astype(str)


def outcome_words(table: str, outcome: str, config: CouncilConfig, cutoff: date, contract: str = "") -> str:
    """A row's outcome as the data contract words it."""
    reasons = {c.reference: c.reason for c in config.excluded_contracts}
    excluded = f"{contract} is an excluded contract ({reasons.get(contract, 'listed in the config')})"
    day, start = long_date(cutoff), long_date(config.policy_start)
    words = {
        ("commitments", COUNTED): f"counted as committed: awarded between the policy start ({start}) and the "
                                  f"cut-off ({day})",
        ("commitments", EXCLUDED): f"not counted: {excluded}",
        ("commitments", BEFORE_POLICY): f"not counted: awarded before the policy start ({start})",
        ("commitments", AFTER_CUTOFF): f"not counted: awarded after the cut-off ({day})",
        ("delivery", VALIDATED): f"counted as delivered: validated, for a period ending by the cut-off ({day})",
        ("delivery", AFTER_CUTOFF): f"not counted: the reporting period ends after the cut-off ({day})",
        ("delivery", EXCLUDED_VALIDATED): f"not in the headline figures: {excluded}; its validated delivery is "
                                          "reported separately",
        ("delivery", EXCLUDED_NOT_VALIDATED): f"not counted: {excluded}, and the row is not validated",
        ("spend", LOCAL): "a payment to a supplier with a local postcode: counted in local and total spend",
        ("spend", NOT_LOCAL): "a payment to a supplier whose postcode is not local: counted in total spend only",
        ("spend", NO_POSTCODE): "a payment with no supplier postcode (counted as not local): in total spend only",
    }
    for status, code in NOT_VALIDATED.items():
        words[("delivery", code)] = (f"not counted as delivered: not validated (status {status}); counted in the "
                                     "not-validated (pending) figures")
    return words[(table, outcome)]


# --- the lineage file: one row per ledger key

LINEAGE_COLUMNS = ["key", "kind", "table", "steps", "aggregate", "inputs", "rule"]


def write_lineage(specs: Iterable[KeySpec], path: Path) -> None:
    rows = [{"key": s.key, "kind": s.kind, "table": s.table,
             "steps": json.dumps([step.as_json() for step in s.steps], ensure_ascii=False) if s.steps else "",
             "aggregate": s.aggregate, "inputs": " ".join(s.inputs), "rule": s.rule} for s in specs]
    pd.DataFrame(rows, columns=LINEAGE_COLUMNS).to_csv(path, index=False, lineterminator="\n")


def read_lineage(path: Path) -> dict[str, KeySpec]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    specs = {}
    for row in frame.itertuples(index=False):
        steps = tuple(Step(label, column, tuple(values), *test)
                      for label, column, values, *test in json.loads(row.steps or "[]"))
        specs[row.key] = KeySpec(row.key, row.kind, row.rule, row.table, steps, row.aggregate,
                                 tuple(row.inputs.split()))
    return specs


# --- tracing a figure back to its rows, from the recorded outcomes and lineage

# The columns an auditor checks for a row of each table, in the clean tables' names.
TRACE_COLUMNS = {
    "commitments": ["contract_reference", "supplier_name", "category", "award_date", "measure_id", "units_committed",
                    "value_committed"],
    "delivery": ["contract_reference", "category", "measure_id", "period_end", "validation_status", "units_delivered",
                 "value_delivered"],
    "spend": ["transaction_number", "financial_year", "payment_date", "supplier_name", "supplier_postcode",
              "postcode_source", "amount"],
    "bridge": ["stage", "contract_reference", "supplier_name", "category", "award_date", "previous_end_date",
               "contract_end_date", "recorded_in", "previous", "current", "change", "flagged"],
}


def with_outcomes(tables: CleanTables, outcomes: pd.DataFrame, table: str) -> pd.DataFrame:
    """A clean table with each row's recorded outcome (and, for delivery, its contract's category and service
    area)."""
    frame = getattr(tables, table)
    part = outcomes[outcomes["table"] == table]
    same_rows = (len(part) == len(frame)
                 and (part[SOURCE_ROW].to_numpy() == frame[SOURCE_ROW].to_numpy()).all()
                 and (part[SOURCE_FILE].astype(str).to_numpy() == frame[SOURCE_FILE].astype(str).to_numpy()).all())
    if not same_rows:
        raise ValueError(f"the recorded row outcomes do not match the clean {table} table: re-run the metrics stage")
    extra = {OUTCOME: part[OUTCOME].astype(str).to_numpy()}
    if CATEGORY not in frame:
        extra[CATEGORY] = part[CATEGORY].astype(str).to_numpy()
    if table == "delivery" and SERVICE_AREA in tables.commitments:
        extra[SERVICE_AREA] = of_contract(frame, tables.commitments[SERVICE_AREA], tables.commitments).to_numpy()
    return frame.assign(**extra)


@dataclass
class Funnel:
    """A rows key's filter steps applied in order: rows and subtotal after each, and the rows that remain."""

    steps: pd.DataFrame  # step, rows, subtotal
    rows: pd.DataFrame  # the contributing rows, with ``adds``: what each adds to the figure


def adds(spec: KeySpec, rows: pd.DataFrame) -> pd.Series:
    """What each contributing row adds to the figure: its summed column, 1 per row, or 1 per distinct value."""
    if spec.aggregate == "count":
        return pd.Series(1.0, index=rows.index)
    column = spec.summed_column
    if spec.aggregate.startswith("distinct:"):
        return (~rows[column].duplicated()).astype(float)
    return rows[column].astype(float)


def funnel(spec: KeySpec, frame: pd.DataFrame) -> Funnel:
    each = None if spec.aggregate.startswith("distinct:") else adds(spec, frame)

    def subtotal(keep: pd.Series) -> float:  # a distinct count depends on which rows remain
        return float(each[keep].sum()) if each is not None else float(frame.loc[keep, spec.summed_column].nunique())

    keep = pd.Series(True, index=frame.index)
    first = "every contract and part" if spec.table == "bridge" else "all rows after cleaning"
    steps = [{"step": first, "rows": len(frame), "subtotal": subtotal(keep)}]
    for step in spec.steps:
        keep &= step.keep(frame)
        steps.append({"step": step.label, "rows": int(keep.sum()), "subtotal": subtotal(keep)})
    rows = frame.loc[keep]
    columns = [SOURCE_FILE, SOURCE_ROW, *TRACE_COLUMNS[spec.table]]
    if spec.summed_column and spec.summed_column not in columns:  # the column the figure sums or counts
        columns.append(spec.summed_column)
    shown = rows[[*columns, OUTCOME]].assign(adds=adds(spec, rows))
    for column in shown.columns[shown.dtypes.map(pd.api.types.is_datetime64_any_dtype)]:
        shown[column] = shown[column].dt.strftime("%Y-%m-%d")  # dates as the data contract writes them
    return Funnel(pd.DataFrame(steps), shown.reset_index(drop=True))


def inputs_of(specs: Mapping[str, KeySpec], keys: Iterable[str]) -> list[str]:
    """The keys and, for derived ones, the keys they are made from, in turn (first seen first)."""
    seen: dict[str, None] = {}
    pending = list(keys)
    while pending:
        key = pending.pop(0)
        if key in seen or key not in specs:
            continue
        seen[key] = None
        if specs[key].kind == "derived":
            pending.extend(specs[key].inputs)
    return list(seen)


@dataclass
class RecordedLineage:
    """What the metrics stage recorded in a year's output folder, read once: the lineage, the clean tables
    and each row's outcome."""

    folder: Path
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @cached_property
    def specs(self) -> dict[str, KeySpec]:
        return read_lineage(self.folder / LINEAGE)

    @cached_property
    def tables(self) -> CleanTables:
        return CleanTables.read(self.folder)

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        return pd.read_parquet(self.folder / ROW_OUTCOMES)

    def frame(self, table: str) -> pd.DataFrame:
        if table not in self._frames:
            self._frames[table] = (pd.read_parquet(self.folder / BRIDGE) if table == "bridge"
                                   else with_outcomes(self.tables, self.outcomes, table))
        return self._frames[table]

    def funnel(self, key: str) -> Funnel:
        spec = self.specs[key]
        return funnel(spec, self.frame(spec.table))
