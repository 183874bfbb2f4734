"""From the compared report's total to this report's, contract by contract: the bridge.

A report's total moves for two reasons: contracts awarded (or delivery validated for periods ending) after
the compared report's cut-off, and changes the exports record to what that report counted (a contract
varied, ended early, corrected, withdrawn, or recorded late). The bridge compares, for each contract, the
figure the compared report counted (its own recorded rows and outcomes, never recounted here) with what this
report's exports record for the same cut-off, and says which part of the movement each change is.

For each stage (``committed``, ``delivered``) and contract, with ``L`` the compared report's cut-off:

- ``previous``: what the compared report counted for the contract;
- ``current``: what this report counts for it up to ``L`` (awarded, or for periods ending, by ``L``);
- its ``part``: ``unchanged``, ``revised_up``, ``revised_down``, ``ended_early`` (revised down with its end
  date brought forward; commitments only), ``withdrawn`` (counted then, not counted now) or
  ``first_recorded`` (not counted then, counted now, for the same cut-off);
- and one ``new`` row per contract with anything counted after ``L``.

So ``previous total + the changes of every part but new = the position at L as this report's exports record
it`` (the ``trend.<L>.*`` figure Diagram 7 prints), and adding ``new`` gives this report's total. A change
of a share of ``previous`` at least the config's ``tracker.revision_share`` is flagged for the contract
manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from svreport.io.readers import SOURCE_ROW
from svreport.stages.appendix1 import safe_text
from svreport.stages.clean import SOURCE_FILE

OUTCOME = "outcome"  # as counting.OUTCOME: the bridge row's part is its outcome when traced
STAGES = {"committed": ("award_date", "value_committed"), "delivered": ("period_end", "value_delivered")}
# Each part, in the order the paper's table lists them, with the contracts it holds in words (the ledger's
# descriptions: "contracts <words>").
PARTS = {
    "unchanged": "that report counted, unchanged",
    "revised_up": "that report counted, revised up",
    "revised_down": "that report counted, revised down",
    "ended_early": "that report counted, revised down with the end date brought forward",
    "withdrawn": "that report counted, no longer counted",
    "first_recorded": "not counted by that report, counted now for a date by its cut-off",
    "new": "counted for dates after that report's cut-off",
}
DOWN = ("revised_down", "ended_early", "withdrawn")  # the parts that take value off
REVISIONS = ("revised_up", *DOWN)  # changes a contract manager may query
COUNTED_THEN = ("unchanged", *REVISIONS)  # the parts the compared report counted
BRIDGE_COLUMNS = ["stage", "contract_reference", "supplier_name", "category", "award_date", "previous_end_date",
                  "contract_end_date", "previous", "current", "change", "share_of_previous", "flagged",
                  "recorded_in", SOURCE_FILE, SOURCE_ROW, OUTCOME]
PENNY = 0.005  # a change smaller than this is no change


@dataclass(frozen=True)
class PreviousRows:
    """What the compared report counted, from its own recorded outputs: its counted commitment rows and its
    validated delivery rows (clean columns), its year and its cut-off."""

    year: int
    cutoff: date
    committed: pd.DataFrame
    delivered: pd.DataFrame


def _details(rows: pd.DataFrame) -> pd.DataFrame:
    """Each contract's first row: supplier, category, award and end dates, where it is in its export."""
    columns = [c for c in ("supplier_name", "category", "award_date", "contract_end_date", SOURCE_FILE, SOURCE_ROW)
               if c in rows]
    return rows.drop_duplicates("contract_reference").set_index("contract_reference")[columns]


def contract_bridge(stage: str, previous: pd.DataFrame, current: pd.DataFrame, previous_commitments: pd.DataFrame,
                    current_commitments: pd.DataFrame, previous_year: int, current_year: str, cutoff: date,
                    revision_share: float) -> pd.DataFrame:
    """The bridge rows of one stage (``BRIDGE_COLUMNS``), sorted by part then contract.

    ``previous``/``current``: the rows each report counts for the stage; ``*_commitments``: each report's
    commitment rows, for the contracts' details; ``current_year``: how this run's export is named in
    ``recorded_in`` (a report year, or an as-at run's name)."""
    when, value = STAGES[stage]
    last = pd.Timestamp(cutoff)
    by_then = current[when] <= last
    before = previous.groupby("contract_reference", sort=True)[value].sum()
    now = current[by_then].groupby("contract_reference", sort=True)[value].sum()
    after = current[~by_then].groupby("contract_reference", sort=True)[value].sum()

    refs = before.index.union(now.index)
    old = pd.DataFrame(index=pd.Index(refs, name="contract_reference"))
    old["previous"] = before.reindex(refs, fill_value=0.0).astype(float)
    old["current"] = now.reindex(refs, fill_value=0.0).astype(float)
    old["change"] = old["current"] - old["previous"]
    was, is_ = refs.isin(before.index), refs.isin(now.index)
    details_now, details_then = _details(current_commitments), _details(previous_commitments)
    old[OUTCOME] = np.select([was & ~is_, ~was & is_, (old["change"] >= PENNY).to_numpy(),
                              (old["change"] <= -PENNY).to_numpy()],
                             ["withdrawn", "first_recorded", "revised_up", "revised_down"], "unchanged")
    new = pd.DataFrame({"previous": 0.0, "current": after.astype(float), "change": after.astype(float),
                        OUTCOME: "new"}, index=pd.Index(after.index, name="contract_reference"))

    frame = pd.concat([old, new]).reset_index()
    for column, details in (("previous_end_date", details_then), ("contract_end_date", details_now)):
        frame[column] = (frame["contract_reference"].map(details["contract_end_date"])
                         if "contract_end_date" in details else pd.Series(pd.NaT, index=frame.index,
                                                                          dtype="datetime64[ns]"))
    if stage == "committed":  # revised down with the end date brought forward
        earlier = (frame[OUTCOME] == "revised_down") & (frame["contract_end_date"] < frame["previous_end_date"])
        frame.loc[earlier, OUTCOME] = "ended_early"
    in_now = frame["contract_reference"].isin(details_now.index)
    details = pd.concat([details_now, details_then[~details_then.index.isin(details_now.index)]])
    for column in ("supplier_name", "category", "award_date", SOURCE_FILE, SOURCE_ROW):
        frame[column] = frame["contract_reference"].map(details[column]) if column in details else None
    frame["recorded_in"] = np.where(in_now, current_year, str(previous_year))
    frame["stage"] = stage
    share = (frame["change"] / frame["previous"]).where(frame["previous"] > 0)
    frame["share_of_previous"] = share
    revised = frame[OUTCOME].isin(REVISIONS)
    frame["flagged"] = revised & ((share.abs() >= revision_share) | frame["previous"].eq(0))
    order = {part: number for number, part in enumerate(PARTS)}
    frame = frame.sort_values(["contract_reference"], kind="stable")
    frame = frame.sort_values(OUTCOME, key=lambda parts: parts.map(order), kind="stable", ignore_index=True)
    frame[SOURCE_FILE] = frame[SOURCE_FILE].astype(str)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("Int64")
    for column in ("supplier_name", "category"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame[BRIDGE_COLUMNS]


def bridge(previous: PreviousRows, committed: pd.DataFrame, delivered: pd.DataFrame, current_year: str,
           revision_share: float) -> pd.DataFrame:
    """Both stages' bridge rows: ``committed`` (this report's counted commitment rows, which also give the
    contracts' details) and ``delivered`` (its validated delivery rows), against ``previous``."""
    parts = [contract_bridge("committed", previous.committed, committed, previous.committed, committed,
                             previous.year, current_year, previous.cutoff, revision_share),
             contract_bridge("delivered", previous.delivered, delivered, previous.committed, committed,
                             previous.year, current_year, previous.cutoff, revision_share)]
    return pd.concat(parts, ignore_index=True)


# The bridge CSV's headers (for contract managers and auditors: the same rows as the parquet file).
CSV_HEADERS = {
    "stage": "Figure", "contract_reference": "Contract reference", "supplier_name": "Supplier",
    "category": "Category", "award_date": "Award date", "previous_end_date": "End date at the last report",
    "contract_end_date": "Contract end date", "previous": "At the last report (£)",
    "current": "Now, for the same cut-off (£)", "change": "Change (£)", "share_of_previous": "Change as a share",
    OUTCOME: "Part", "flagged": "Flagged", "recorded_in": "Export", SOURCE_FILE: "File", SOURCE_ROW: "Row",
}


def write_bridge(rows: pd.DataFrame | None, path: Path, csv: Path) -> None:
    """The bridge rows (for the trace) and its CSV; with no bridge (no compared report), neither file."""
    for stale in (path, csv):
        stale.unlink(missing_ok=True)
    if rows is None:
        return
    rows.to_parquet(path, index=False)
    shown = rows.assign(**{c: rows[c].map("{:.2f}".format) for c in ("previous", "current", "change")},
                        share_of_previous=rows["share_of_previous"].round(6),
                        supplier_name=safe_text(rows["supplier_name"]), category=safe_text(rows["category"]))
    csv.parent.mkdir(parents=True, exist_ok=True)
    shown[list(CSV_HEADERS)].rename(columns=CSV_HEADERS).to_csv(csv, index=False, lineterminator="\n",
                                                                date_format="%Y-%m-%d")
