"""``svreport trace``: a ledger figure back to the source rows that make it, and a source row forward to the
figures it feeds (or why it feeds none).

Reads only what the pipeline recorded for the run (a report year or an as-at date): the ledger,
``lineage.csv`` (how each figure was made), ``row_outcomes.parquet`` (each clean row's outcome under the
counting rules), the clean tables and ``dropped_rows.csv`` (rows the cleaning dropped). The counting rules
are not applied a second time.
"""

from __future__ import annotations

import difflib
import math
import textwrap
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from svreport.core import formatting
from svreport.core.config import Position
from svreport.core.errors import InputError
from svreport.core.layout import DROPPED_ROWS, LEDGER, LINEAGE, ROW_OUTCOMES, TABLES, TRACKER_CSV, year_dir
from svreport.core.project import Project
from svreport.core.vocabulary import COUNT, MONEY
from svreport.io.contract import CLEAN_TABLE_SPECS
from svreport.io.readers import SOURCE_ROW
from svreport.stages import counting
from svreport.stages.clean import (
    DUPLICATE_STEP,
    FOOTER_STEP,
    HEADER,
    NOT_PAYMENT_STEP,
    SOURCE_FILE,
    TOTAL_STEP,
    CleanTables,
)
from svreport.stages.counting import OUTCOME, Funnel, KeySpec, RecordedLineage
from svreport.stages.ledger import read_ledger
from svreport.stages.metrics import flagged

# A dropped row's reason, in the words of the cleaning log and the data contract.
DROPPED_WORDS = {
    FOOTER_STEP: "a footer row: its key cell is blank or starts with 'Total', so the cleaning dropped it "
                 "(cleaning log: \"footer rows dropped (blank or 'Total' key)\")",
    DUPLICATE_STEP: "an exact duplicate of row {same}, which is kept; the cleaning dropped this copy "
                    "(cleaning log: \"exact duplicate rows removed (first kept)\")",
    TOTAL_STEP: "a total row: it has no payment date and says 'Total' or sums the payments above it, so the "
                "cleaning dropped it (cleaning log: \"total rows dropped\")",
    NOT_PAYMENT_STEP: "not a payment: it has neither a payment date nor an amount (a note under the table), so the "
                      "cleaning dropped it",
    HEADER: "the header row (column names), not data",
}


LEDGER_PRECISION = 1e-8  # the ledger file keeps 8 decimal places (``ledger.format_value``)


def column_header(table: str, column: str) -> str:
    """A clean column as the export's header names it (the data contract's spelling)."""
    spec = CLEAN_TABLE_SPECS.get(table)  # the bridge is the pipeline's own table, not an export's
    return (spec.header_of(column) if spec is not None else None) or column.replace("_", " ")


def same_figure(traced: float, ledger: float, unit: str) -> bool:
    """Money equal to the penny, counts exactly, anything else to floating-point precision."""
    if unit == MONEY:
        return round(traced * 100) == round(ledger * 100)
    if unit == COUNT:
        return traced == ledger
    return math.isclose(traced, ledger, rel_tol=1e-9, abs_tol=LEDGER_PRECISION)


@dataclass
class TraceRun:
    """One run's recorded pipeline outputs (a report year or an as-at date), read for tracing."""

    project: Project
    position: Position

    @cached_property
    def folder(self) -> Path:
        return year_dir(self.project.processed_dir, self.position.name)

    def _require(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():
            raise InputError(self.project.shown(path), "not found: the run's lineage has not been recorded",
                             expected=f"`svreport{self.project.config_option} run {self.position.option}` first")
        return path

    @cached_property
    def ledger(self) -> pd.DataFrame:
        return read_ledger(self._require(LEDGER)).set_index("key")

    @cached_property
    def recorded(self) -> RecordedLineage:
        for name in (LINEAGE, ROW_OUTCOMES, DROPPED_ROWS):
            self._require(name)
        return RecordedLineage(self.folder)

    @property
    def specs(self) -> dict[str, KeySpec]:
        return self.recorded.specs

    @property
    def tables(self) -> CleanTables:
        return self.recorded.tables

    @property
    def outcomes(self) -> pd.DataFrame:
        return self.recorded.outcomes

    def frame(self, table: str) -> pd.DataFrame:
        return self.recorded.frame(table)

    def value(self, key: str) -> float:
        return float(self.ledger.loc[key, "value"])

    def unit(self, key: str) -> str:
        return str(self.ledger.loc[key, "unit"])

    def spec(self, key: str) -> KeySpec:
        if key not in self.specs:
            close = difflib.get_close_matches(key, list(self.specs), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise InputError(self.project.shown(self.folder / LEDGER),
                             f"no figure '{key}' in the {self.position.label}'s ledger{hint}",
                             expected="a key from the ledger's key column, e.g. delivered.total")
        return self.specs[key]


@dataclass
class KeyTrace:
    key: str
    value: float
    unit: str
    description: str
    spec: KeySpec
    funnel: Funnel | None = None  # rows keys
    inputs: dict[str, float] = field(default_factory=dict)  # derived keys: each input's ledger value
    recomputed: float | None = None  # the sum of the rows, or the formula over the inputs, or the source's value

    @property
    def matches(self) -> bool:
        return self.recomputed is not None and same_figure(self.recomputed, self.value, self.unit)


def trace_key(run: TraceRun, key: str) -> KeyTrace:
    spec = run.spec(key)
    value, unit = run.value(key), run.unit(key)
    trace = KeyTrace(key, value, unit, str(run.ledger.loc[key, "description"]), spec)
    if spec.kind == "rows":
        trace.funnel = run.recorded.funnel(key)
        trace.recomputed = float(trace.funnel.rows["adds"].sum())
    elif spec.kind == "derived":
        trace.inputs = {k: run.value(k) for k in spec.inputs}
        trace.recomputed = counting.evaluate(spec, trace.inputs)
    elif spec.kind == "previous":
        comparator = TraceRun(run.project, run.project.config.position(int(spec.aggregate)))
        trace.inputs = {f"{spec.inputs[0]} ({spec.aggregate})": comparator.value(spec.inputs[0])}
        trace.recomputed = comparator.value(spec.inputs[0])
    elif spec.kind == "tracker":  # contracts counted in the tracker the metrics stage wrote
        flags = pd.read_csv(run.folder / TABLES / TRACKER_CSV, keep_default_na=False)["Flag"]
        trace.recomputed = float(flagged(flags, spec.inputs[0]).sum())
    else:  # the author's figure: as entered
        trace.recomputed = value
    return trace


def format_key_trace(trace: KeyTrace, run: TraceRun, limit: int = 20) -> str:
    spec, unit = trace.spec, trace.unit
    lines = [f"{trace.key} = {formatting.exact(trace.value, unit)}   ({run.position.label})", f"  {trace.description}"]
    if spec.rule:
        lines.append(f"  Rule: {spec.rule}")
    command = f"svreport{run.project.config_option} trace {run.position.option}"
    if trace.funnel is not None:
        shown = trace.funnel.rows
        files = ", ".join(sorted(shown[SOURCE_FILE].astype(str).unique())) or f"the {spec.table} files"
        column = spec.summed_column
        what = ("rows" if column is None else column_header(spec.table, column) if spec.aggregate.startswith("sum:")
                else f"distinct {column_header(spec.table, column)}")
        width = max(len(step) for step in trace.funnel.steps["step"])
        table = ("the bridge table (one row per contract and part), in order" if spec.table == "bridge"
                 else f"the clean {spec.table} table, in order")
        lines += ["", f"  {'Filters on ' + table:<{width + 2}} {'rows':>7}   "
                      f"subtotal ({what})"]
        for step in trace.funnel.steps.itertuples(index=False):
            lines.append(f"    {step.step:<{width}} {step.rows:>7,}   {formatting.exact(step.subtotal, unit)}")
        lines += ["", f"  Contributing rows: {len(shown):,} from {files}"
                      + (f" (the first {limit} shown; --csv FILE writes them all)" if len(shown) > limit else "")]
        if len(shown):
            table = shown.head(limit).rename(columns={SOURCE_FILE: "file", SOURCE_ROW: "row"})
            lines += ["    " + line for line in table.to_string(index=False).splitlines()]
        verdict = "equal to the penny" if unit == MONEY else "equal"
        lines += ["", f"  Sum of the contributing rows: {formatting.exact(trace.recomputed or 0.0, unit)}",
                  f"  Ledger:                       {formatting.exact(trace.value, unit)}   "
                  + (verdict if trace.matches else "DIFFERENT: report this, the lineage does not explain the figure")]
    elif spec.kind == "derived":
        lines += ["", f"  Derived: {counting.formula_words(spec)}"]
        for key, value in trace.inputs.items():
            lines.append(f"    {key:<48} {formatting.exact(value, run.unit(key))}")
        lines += [f"  Recomputed from these: {formatting.exact(trace.recomputed or 0.0, unit)}   "
                  + ("equal to the ledger" if trace.matches else "DIFFERENT from the ledger"),
                  "  Trace each in turn: " + "; ".join(f"{command} {k}" for k in spec.inputs)]
    elif spec.kind == "tracker":
        lines += ["", f"  Counted in {run.project.shown(run.folder / TABLES / TRACKER_CSV).as_posix()}: "
                      f"{formatting.exact(trace.recomputed or 0.0, unit)} contracts   "
                      + ("equal to the ledger" if trace.matches else "DIFFERENT from the ledger")]
    elif spec.kind == "previous":
        lines += ["", f"  From the {spec.aggregate} report's ledger: {spec.inputs[0]}   "
                      + ("equal" if trace.matches else "DIFFERENT"),
                  f"  Trace it: svreport{run.project.config_option} trace --year {spec.aggregate} {spec.inputs[0]}"]
    return "\n".join(lines)


@dataclass
class RowTrace:
    file: str
    row: int
    table: str = ""
    outcome: str = ""
    explanation: str = ""
    values: dict[str, object] = field(default_factory=dict)
    feeds: dict[str, float] = field(default_factory=dict)  # rows keys the row is in, and what it adds to each
    derived: list[str] = field(default_factory=list)  # keys made from those, in turn


def parse_row_reference(text: str) -> tuple[str, int]:
    name, _, row = text.rpartition(":")
    if not name or not row.isdigit():
        raise InputError(text, "is not a row reference", expected="FILE:ROW as a spreadsheet shows it, e.g. "
                         "portal_delivery.csv:117")
    return Path(name).as_posix(), int(row)


def trace_row(run: TraceRun, file: str, row: int) -> RowTrace:
    outcomes, dropped = run.outcomes, run.tables.dropped
    files = sorted(set(outcomes[SOURCE_FILE].astype(str)) | set(dropped[SOURCE_FILE].astype(str)))
    # as the rows name their file ('supplier_spend_2023-24/April.csv'), or given with the run's folder in front
    # (data/raw/2025/portal_delivery.csv), or by its own name when only one file has it
    wanted = file.lower()
    matched = next((f for f in files if f.lower() == wanted or wanted.endswith("/" + f.lower())), None)
    if matched is None:
        alike = [f for f in files if Path(f).name.lower() == Path(wanted).name]
        matched = alike[0] if len(alike) == 1 else None
    if matched is None:
        raise InputError(file, f"is not one of the {run.position.label}'s input files",
                         expected="one of " + ", ".join(files))
    trace = RowTrace(matched, row)
    at = outcomes[(outcomes[SOURCE_FILE].astype(str) == matched) & (outcomes[SOURCE_ROW] == row)]
    if at.empty:
        gone = dropped[(dropped[SOURCE_FILE].astype(str) == matched) & (dropped[SOURCE_ROW] == row)]
        if not gone.empty:
            reason = gone.iloc[0]
            same = reason["same_as_row"]
            trace.explanation = DROPPED_WORDS.get(reason["reason"], reason["reason"]).format(
                same="?" if pd.isna(same) else int(same)) + ". It feeds no figure."
            return trace
        rows = pd.concat([outcomes.loc[outcomes[SOURCE_FILE].astype(str) == matched, SOURCE_ROW],
                          dropped.loc[dropped[SOURCE_FILE].astype(str) == matched, SOURCE_ROW]])
        header = dropped[(dropped[SOURCE_FILE].astype(str) == matched) & (dropped["reason"] == HEADER)][SOURCE_ROW]
        if not header.empty and row < int(header.iloc[0]):
            trace.explanation = (f"above the header row (row {int(header.iloc[0])}): a title or blank row, not data. "
                                 "It feeds no figure.")
        elif row < int(rows.max()):
            trace.explanation = "a blank row: it holds no data, so reading skipped it. It feeds no figure."
        else:
            trace.explanation = f"not a row of the file: its last row is {int(rows.max())}. It feeds no figure."
        return trace
    table = str(at["table"].iloc[0])
    frame = run.frame(table)
    position = at.index[0] - outcomes.index[outcomes["table"] == table][0]
    record = frame.iloc[position]
    trace.table, trace.outcome = table, str(record[OUTCOME])
    trace.values = {c: record[c] for c in counting.TRACE_COLUMNS[table]}
    contract = str(record.get("contract_reference", ""))
    trace.explanation = counting.outcome_words(table, trace.outcome, run.project.config,
                                               run.position.cutoff, contract)
    for key, spec in run.specs.items():
        if spec.kind != "rows" or spec.table != table or not all(s.admits(record[s.column]) for s in spec.steps):
            continue
        if spec.aggregate.startswith("distinct:"):  # 1 for the first counted row of its contract, 0 after it
            kept = run.recorded.funnel(key).rows
            first = kept[kept[spec.summed_column] == record[spec.summed_column]].iloc[0]
            trace.feeds[key] = 1.0 if int(first[SOURCE_ROW]) == row and first[SOURCE_FILE] == matched else 0.0
        else:
            trace.feeds[key] = float(counting.adds(spec, frame.iloc[[position]]).iloc[0])
    trace.derived = [k for k, s in run.specs.items() if s.kind == "derived" and k not in trace.feeds
                     and set(counting.inputs_of(run.specs, [k])) & set(trace.feeds)]
    return trace


def shown_cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{value:,.0f}"
    return str(value)


def format_row_trace(trace: RowTrace, run: TraceRun) -> str:
    lines = [f"{trace.file}:{trace.row}   ({run.position.label})"]
    if trace.values:
        lines += [f"    {column_header(trace.table, column):<28} {shown_cell(value)}"
                  for column, value in trace.values.items()]
    lines.append(f"  {trace.explanation[0].upper()}{trace.explanation[1:]}")
    if trace.feeds:
        lines += ["", f"  Feeds {len(trace.feeds)} figure{'s' if len(trace.feeds) != 1 else ''} directly "
                      "(what the row adds):"]
        lines += [f"    {key:<48} +{formatting.exact(add, run.unit(key))}" for key, add in trace.feeds.items()]
    elif trace.table:
        lines.append("  It feeds no figure.")
    if trace.derived:
        lines += ["", *textwrap.wrap(f"And, through those, {len(trace.derived)} derived figure"
                                     f"{'s' if len(trace.derived) != 1 else ''}: " + ", ".join(trace.derived),
                                     width=110, initial_indent="  ", subsequent_indent="    ")]
    return "\n".join(lines)
