"""The mid-year update to scrutiny: generated content for ``report/mid-year-update.qmd`` and the contract
tracker's page (``report/contract-tracker.qmd``), from an as-at run's outputs (``svreport run --as-at``).

Every figure the update prints is a ``{{< var >}}`` shortcode over the run's ledger: the position against the
last annual report (``previous.*``), what was added since its cut-off (``since_last_report.*``), the quarterly
figure by service area (``quarter.*``), the trend (``trend.*``) and the tracker's counts (``tracker.*``). The
tracker's page is the tracker table itself (``tables/contract_tracker.csv``), as an accessible HTML table.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from svreport.core import formatting
from svreport.core.config import Position
from svreport.core.errors import InputError
from svreport.core.layout import (
    DIAGRAMS,
    DIAGRAMS_INDEX,
    GENERATED,
    LEDGER,
    SERIES,
    STARTER,
    TABLES,
    TRACKER_CSV,
    UPDATE_NARRATIVE,
    VARIABLES,
    year_dir,
)
from svreport.core.project import Project
from svreport.core.yamlio import read_generated_yaml
from svreport.report.narrative import check_markdown_safe
from svreport.report.sources import diagram_md, narrative_md, trend_md, var, write_generated
from svreport.report.tables import markdown_table
from svreport.stages.ledger import ledger_values, read_ledger
from svreport.stages.metrics import quarter_groups
from svreport.stages.series import TREND_NUMBER
from svreport.stages.tracker import BEHIND, NO_DELIVERY

# (label, ledger key, printed form) of the position table, in order.
POSITION_ROWS = [("Social value committed", "committed.total", "auto"),
                 ("Validated social value delivered", "delivered.total", "auto"),
                 ("Contracts with commitments", "committed.contracts", "n")]


def position_md(values: dict[str, float], position: Position) -> str:
    """The position at the date, against the last annual report as it was published."""
    day = formatting.long_date(position.cutoff)
    if position.comparator is None:
        rows = [[label, var(f"{key}.{style}")] for label, key, style in POSITION_ROWS if key in values]
        return markdown_table(["Figure", f"At {day}"], rows, ["l", "r"], caption=f"The position at {day}")
    rows = [[label, var(f"previous.{key}.{style}"), var(f"{key}.{style}"), var(f"change.{key}.phrase")]
            for label, key, style in POSITION_ROWS if f"previous.{key}" in values]
    return markdown_table(["Figure", f"{position.comparator} report", f"At {day}", "Change"], rows,
                          ["l", "r", "r", "l"], caption=f"The position at {day} against the {position.comparator} "
                          "annual report")


def since_md(values: dict[str, float], config, position: Position) -> str:
    """What was added after the last report's cut-off, and why its published figure may differ now."""
    pending = (f" A further {var('delivered.pending.value.auto')} of delivery reported for periods up to "
               f"{formatting.long_date(position.cutoff)} is waiting to be validated and is not counted."
               if values.get("delivered.pending.value") else "")
    if position.comparator is None:
        return f"There is no earlier annual report to compare with.{pending}\n"
    last = config.year(position.comparator).cutoff
    delivered, committed = values["since_last_report.delivered"], values["since_last_report.committed"]
    delivery = (f"{var('since_last_report.delivered.auto')} of delivery has been validated" if delivered > 0
                else "no further delivery has been validated")
    awards = (f"contracts awarded in that time have added {var('since_last_report.committed.auto')} of commitments"
              if committed > 0 else "no contract awarded in that time has added commitments")
    text = f"Since the {position.comparator} report's cut-off, {formatting.long_date(last)}, {delivery}, and {awards}."
    published, now = values["previous.delivered.total"], values[f"trend.{last.isoformat()}.delivered"]
    if round(published) != round(now):
        text += (f" These exports record {var(f'trend.{last.isoformat()}.delivered.auto')} validated for periods up "
                 f"to that cut-off, where the {position.comparator} report printed "
                 f"{var('previous.delivered.total.auto')}: delivery validated since then counts in the period it was "
                 "delivered.")
    return text + pending + "\n"


def quarters_md(values: dict[str, float], series: pd.DataFrame, position: Position) -> str:
    """The quarterly figure by service area (or category): one table for delivery, one for commitments."""
    ends = sorted({k.split(".")[1] for k in values if k.startswith("quarter.")})
    if not ends:
        return ""
    breakdown, keys = quarter_groups(series)
    periods = series.drop_duplicates("period_end").set_index("period_end")["period_start"]
    headings = [_period_words(periods[pd.Timestamp(end)], pd.Timestamp(end)) for end in ends]
    label = "Service area" if breakdown == "service_area" else "Category"
    since = (f"since the {position.comparator} report's cut-off" if position.comparator is not None
             else "in the last four quarters")
    parts = []
    for stage, what in (("delivered", "Validated delivery"), ("committed", "Social value committed")):
        rows = [[group or "Not known", *(var(f"quarter.{end}.{stage}.{breakdown}.{key}.auto") for end in ends)]
                for group, key in keys.items()]
        rows.append(["**All**", *(f"**{var(f'quarter.{end}.{stage}.total.auto')}**" for end in ends)])
        parts.append(markdown_table([label, *headings], rows, ["l", *["r"] * len(ends)],
                                    caption=f"{what} by {label.lower()}, quarter by quarter {since}"))
    note = ("" if breakdown == "service_area" else "\nThe commitments export has no Service Area column, so the "
            "quarterly figure is shown by category.\n")
    return "\n".join(parts) + note


def _period_words(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'1 March to 31 May 2025', or '1 December 2024 to 28 February 2025' across a year's end."""
    first = formatting.long_date(start.date())
    return f"{first if start.year != end.year else first[:-5]} to {formatting.long_date(end.date())}"


def tracker_md(values: dict[str, float], position: Position) -> str:
    """The tracker's summary, its counts from the ledger; the flagged contracts themselves are in the annex
    (``tracker_flagged_md``), so the body of the update stays short however many there are."""
    day = formatting.long_date(position.cutoff)
    contracts = values.get("committed.contracts", 0)
    if not contracts:
        return f"No contract has commitments at {day}, so none is flagged.\n"
    of = f"Of the {var('committed.contracts.n')} contract{'s' if contracts != 1 else ''} with commitments"
    flagged = values.get("tracker.flagged.any", 0)
    if not flagged:
        return f"{of}, none is flagged at {day}.\n"
    quiet, behind = values.get("tracker.flagged.no_delivery", 0), values.get("tracker.flagged.behind", 0)
    reasons = []
    if quiet:
        reasons.append(f"{var('tracker.flagged.no_delivery.n')} with no validated delivery for two quarters or more")
    if behind:
        reasons.append(f"{var('tracker.flagged.behind.n')} whose delivery is well behind the share of the "
                       "contract's time that has passed")
    both = "" if quiet + behind == flagged else " (some for both reasons)" if flagged > 1 else " (for both reasons)"
    listed = "It is listed" if flagged == 1 else "They are listed"
    return (f"{of}, {var('tracker.flagged.any.n')} {'is' if flagged == 1 else 'are'} flagged at {day}: "
            f"{' and '.join(reasons)}{both}. {listed}, with the reason, in the annex to this update.\n")


def tracker_flagged_md(contracts: pd.DataFrame, position: Position) -> str:
    """The flagged contracts, by name and reason in words: the update's annex."""
    day = formatting.long_date(position.cutoff)
    flagged = contracts[contracts["Flag"] != ""]
    if flagged.empty:
        return f"No contract is flagged at {day}.\n"
    rows = [[row["Contract reference"], row["Supplier"], row.get("Service area", "") or "Not known",
             _reason_words(str(row["Flag"]), str(row["Last validated period"]))]
            for _, row in flagged.iterrows()]
    return markdown_table(["Contract", "Supplier", "Service area", "Why it is flagged"], rows,
                          caption=f"Contracts flagged at {day}", weights=[1.7, 1.6, 1.5, 2.2])


def _reason_words(flag: str, last_validated: str) -> str:
    parts = []
    if NO_DELIVERY in flag:
        parts.append(f"nothing validated for periods after {formatting.long_date(last_validated)}" if last_validated
                     else "nothing validated since award")
    if BEHIND in flag:
        parts.append("delivery well behind the time elapsed")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def tracker_table_md(contracts: pd.DataFrame, position: Position) -> str:
    """Every contract in the tracker, for its HTML page (the same rows as tables/contract_tracker.csv)."""
    shown = ["Contract reference", "Supplier", "Service area", "Award date", "Contract end date", "Committed (£)",
             "Validated delivery (£)", "Delivered share of commitment", "Last validated period", "Reason"]
    shown = [c for c in shown if c in contracts]
    rows = []
    for _, row in contracts.iterrows():
        cells = []
        for column in shown:
            value = row[column]
            if column.endswith("(£)"):
                cells.append(formatting.gbp(float(value)) if value != "" else "")
            elif column == "Delivered share of commitment":
                cells.append(formatting.percent(float(value), 0) if value != "" else "")
            else:
                cells.append(value)
        rows.append(cells)
    headings = [c.replace("Delivered share of commitment", "Delivered share") for c in shown]
    align = ["r" if c.endswith("(£)") or c == "Delivered share of commitment" else "l" for c in shown]
    return markdown_table(headings, rows, align,
                          caption=f"The contract tracker at {formatting.long_date(position.cutoff)}: every contract "
                          "with counted commitments")


def write_update_sources(project: Project, position: Position) -> Path:
    """report/_generated/ and the root _variables.yml for the mid-year update at ``position``."""
    processed = year_dir(project.processed_dir, position.name)
    for needed in (LEDGER, VARIABLES, SERIES, f"{TABLES}/{TRACKER_CSV}", f"{DIAGRAMS}/{DIAGRAMS_INDEX}"):
        if not (processed / needed).exists():
            raise InputError(project.shown(processed / needed), "pipeline output missing",
                             expected=f"`svreport{project.config_option} run --as-at {position.cutoff}` to have "
                                      "completed")
    ledger = read_ledger(processed / LEDGER)
    values = ledger_values(ledger)
    variables = read_generated_yaml(processed / VARIABLES)
    series = pd.read_csv(processed / SERIES, parse_dates=["period_start", "period_end"])
    contracts = pd.read_csv(processed / TABLES / TRACKER_CSV, keep_default_na=False, dtype=str)
    diagrams = {entry["number"]: entry for entry in json.loads((processed / DIAGRAMS / DIAGRAMS_INDEX).read_text())}
    files = {
        "update-position": position_md(values, position),
        "update-since": since_md(values, project.config, position),
        "update-quarters": quarters_md(values, series, position),
        "tracker-summary": tracker_md(values, position),
        "tracker-flagged": tracker_flagged_md(contracts, position),
        "tracker-table": tracker_table_md(contracts, position),
        "trend-table": trend_md(project, ledger),
        f"diagram-{TREND_NUMBER}": diagram_md(diagrams[TREND_NUMBER]) if TREND_NUMBER in diagrams else "",
    }
    folder = project.narrative_root / position.name
    narrative = folder / UPDATE_NARRATIVE
    if not narrative.exists():
        narrative = project.root / STARTER / UPDATE_NARRATIVE  # the update reads right unedited
    files["update"] = narrative_md(narrative, project, variables, files)
    for name in ("update", "tracker-table"):  # both carry supplier names from the exports (the annex is in update)
        check_markdown_safe(files[name], project.shown(narrative if name == "update" else processed / TABLES /
                                                       TRACKER_CSV))
    out = project.root / GENERATED
    if out.exists():
        shutil.rmtree(out)
    write_generated(out, processed, [diagrams[TREND_NUMBER]] if TREND_NUMBER in diagrams else [], files, variables)
    shutil.copyfile(processed / VARIABLES, project.root / VARIABLES)
    return out
