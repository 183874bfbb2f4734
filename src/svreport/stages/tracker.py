"""The contract tracker for contract managers: per contract, what was committed, what has been delivered
and validated, what is waiting, and a flag (with its reason) for contracts falling behind.

Contracts are those with counted commitments (the ledger's rules: excluded contracts are left out), so
the tracker's totals are the ledger's. A contract is flagged when:

- **no validated delivery for two quarters or more**: six months or more between its last validated
  reporting period end (or, with none, its award date) and the position date; or
- **delivery well behind time elapsed** (only where the export gives a Contract End Date): at least a
  quarter of the contract's time has passed and the share of its committed social value delivered is
  less than half the share of its time elapsed. An end date before the award date (a validation
  warning) leaves the time elapsed blank, so that contract is not judged behind.

Supplier names only: the clean tables carry no contact details.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from svreport.core.formatting import gbp
from svreport.core.layout import TRACKER_CSV, TRACKER_MEASURES_CSV, TRACKER_XLSX
from svreport.stages import counting
from svreport.stages.appendix1 import safe_text
from svreport.stages.clean import CleanTables

QUIET_MONTHS = 6  # two quarters with no validated delivery
BEHIND_MIN_ELAPSED = 0.25  # time elapsed before "behind" is judged
BEHIND_RATIO = 0.5  # delivered share below this fraction of the elapsed share is "well behind"
NO_DELIVERY, BEHIND = "no validated delivery for two quarters or more", "delivery well behind time elapsed"
REVISED = "commitment revised since the last report"

CONTRACT_COLUMNS = {
    "contract_reference": "Contract reference", "contract_name": "Contract name", "supplier_name": "Supplier",
    "category": "Category", "service_area": "Service area", "award_date": "Award date",
    "contract_end_date": "Contract end date", "committed": "Committed (£)",
    "committed_at_last_report": "Committed at the last report (£)",
    "committed_change": "Change since the last report (£)", "delivered": "Validated delivery (£)",
    "pending": "Pending (£)", "awaiting_evidence": "Awaiting evidence (£)", "rejected": "Rejected (£)",
    "delivered_share": "Delivered share of commitment", "time_elapsed": "Share of contract time elapsed",
    "last_period_reported": "Last period reported", "last_validated_period": "Last validated period",
    "flag": "Flag", "reason": "Reason",
}
CONTRACT_DETAILS = ("contract_name", "supplier_name", "category", "service_area", "award_date", "contract_end_date")
COMMITMENTS_READ = ["contract_reference", "measure_id", "units_committed", "value_committed"]
DELIVERY_READ = ["contract_reference", "measure_id", "period_end", "units_delivered", "value_delivered"]
MEASURES_SHEET_ROWS = 100_000  # above this, the workbook points to the measures CSV (Excel and xlsxwriter slow)
MEASURE_COLUMNS = {
    "contract_reference": "Contract reference", "supplier_name": "Supplier", "measure_id": "Measure",
    "units_committed": "Units committed", "value_committed": "Committed (£)", "units_delivered": "Units delivered",
    "value_delivered": "Validated delivery (£)", "delivered_share": "Delivered share of commitment",
}


def contract_tracker(tables: CleanTables, outcomes: counting.RowOutcomes, as_at: date,
                     bridge: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per contract, one row per contract and measure), as at ``as_at`` (a cut-off or an as-at date).
    With ``bridge`` (``bridge.bridge``: the changes since the compared report), each contract's commitment at
    that report and its change, and the contracts whose change the bridge flagged."""
    position = pd.Timestamp(as_at)
    # Only the columns and rows the tracker reads are copied: the tables may hold a million rows.
    counted = (outcomes.commitments == counting.COUNTED).to_numpy()
    commitments = tables.commitments.loc[counted, COMMITMENTS_READ]
    first_rows = counted.copy()  # each counted contract's first row carries its details
    first_rows[counted] = ~commitments["contract_reference"].duplicated().to_numpy()
    details = [c for c in CONTRACT_DETAILS if c in tables.commitments]
    first = tables.commitments.loc[first_rows, ["contract_reference", *details]].set_index("contract_reference")
    delivery = tables.delivery[DELIVERY_READ]
    kept = (delivery["contract_reference"].isin(set(first.index)) & (delivery["period_end"] <= position)).to_numpy()
    delivery = delivery[kept].assign(outcome=outcomes.delivery.to_numpy()[kept])
    validated = delivery[delivery["outcome"] == counting.VALIDATED]

    contracts = first[details].copy()
    contracts["committed"] = commitments.groupby("contract_reference")["value_committed"].sum()
    contracts["delivered"] = validated.groupby("contract_reference")["value_delivered"].sum()
    for outcome in counting.NOT_VALIDATED.values():
        rows = delivery[delivery["outcome"] == outcome]
        contracts[outcome] = rows.groupby("contract_reference")["value_delivered"].sum()
    contracts[["delivered", *counting.NOT_VALIDATED.values()]] = (
        contracts[["delivered", *counting.NOT_VALIDATED.values()]].fillna(0.0))
    contracts["delivered_share"] = (contracts["delivered"] / contracts["committed"]).where(contracts["committed"] > 0)
    contracts["last_period_reported"] = delivery.groupby("contract_reference")["period_end"].max()
    contracts["last_validated_period"] = validated.groupby("contract_reference")["period_end"].max()
    end = contracts["contract_end_date"] if "contract_end_date" in contracts else pd.Series(pd.NaT, contracts.index)
    length = (end - contracts["award_date"]).dt.days
    contracts["time_elapsed"] = ((position - contracts["award_date"]).dt.days / length).clip(0, 1).where(length > 0)

    # The flags, for every contract at once (a tracker may hold tens of thousands).
    since = contracts["last_validated_period"].fillna(contracts["award_date"])
    months = ((position.year - since.dt.year) * 12 + (position.month - since.dt.month)
              + (position.day - since.dt.day) / 31)
    quiet = (months >= QUIET_MONTHS).to_numpy()
    day = since.dt.strftime("%d %b %Y")
    quiet_reason = np.where(contracts["last_validated_period"].notna(), "none validated for periods after " + day,
                            "none validated since award on " + day)
    share = contracts["delivered_share"].fillna(0.0)
    elapsed = contracts["time_elapsed"]
    behind = (elapsed.notna() & (elapsed >= BEHIND_MIN_ELAPSED) & (share < BEHIND_RATIO * elapsed)).to_numpy()
    behind_reason = pd.Series("", index=contracts.index)
    behind_reason[behind] = [f"{BEHIND}: {e:.0%} of the contract's time has passed, {d:.0%} of its committed "
                             "social value is delivered and validated" for e, d in zip(elapsed[behind], share[behind],
                                                                                       strict=True)]
    quiet_text = f"{NO_DELIVERY}: " + pd.Series(quiet_reason, index=contracts.index)
    named = [(quiet, NO_DELIVERY, quiet_text), (behind, BEHIND, behind_reason)]
    if bridge is not None:
        named.append(_revisions(contracts, bridge))
    flags = pd.Series("", index=contracts.index)
    reasons = pd.Series("", index=contracts.index)
    for raised, flag, reason in named:  # in order, joined by "; " where a contract has more than one
        keep = ~pd.Series(raised, index=contracts.index)
        flags = flags.where(keep, flags + np.where(flags != "", "; ", "") + flag)
        reasons = reasons.where(keep, reasons + np.where(reasons != "", "; ", "") + reason)
    contracts["flag"], contracts["reason"] = flags.to_numpy(), reasons.to_numpy()
    contracts = contracts.reset_index().sort_values("contract_reference", ignore_index=True)

    by_measure = commitments.groupby(["contract_reference", "measure_id"])[["units_committed", "value_committed"]].sum()
    delivered = validated.groupby(["contract_reference", "measure_id"])[["units_delivered", "value_delivered"]].sum()
    measures = by_measure.join(delivered, how="left").fillna(0.0).reset_index()
    measures["delivered_share"] = (measures["value_delivered"] / measures["value_committed"]).where(
        measures["value_committed"] > 0)
    measures.insert(1, "supplier_name", measures["contract_reference"].map(first["supplier_name"]))
    return (contracts[[c for c in CONTRACT_COLUMNS if c in contracts]],
            measures[list(MEASURE_COLUMNS)].sort_values(["contract_reference", "measure_id"], ignore_index=True))


def _revisions(contracts: pd.DataFrame, bridge: pd.DataFrame) -> tuple[np.ndarray, str, pd.Series]:
    """Each contract's commitment at the last report and its change since (columns of ``contracts``), and the
    contracts whose change the bridge flagged, with the reason in words."""
    committed = bridge[(bridge["stage"] == "committed") & (bridge["outcome"] != "new")].set_index("contract_reference")
    contracts["committed_at_last_report"] = committed["previous"].reindex(contracts.index)
    contracts["committed_change"] = committed["change"].reindex(contracts.index)
    flagged = committed[committed["flagged"].astype(bool)].reindex(contracts.index)
    raised = flagged["flagged"].fillna(False).astype(bool).to_numpy()
    reason = pd.Series("", index=contracts.index)
    rows = flagged[raised]
    words = {"revised_up": "revised up", "revised_down": "revised down",
             "ended_early": "revised down, its end date brought forward"}
    reason[raised] = [f"{REVISED}: {words[part]} from {gbp(before)} to {gbp(after)} ({share:+.0%})"
                      for part, before, after, share in zip(rows["outcome"], rows["previous"], rows["current"],
                                                            rows["share_of_previous"], strict=True)]
    return raised, REVISED, reason


EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _kind(values: pd.Series, header: str) -> str:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "date"
    if not pd.api.types.is_numeric_dtype(values.dtype):
        return "text"
    return "£" if "(£)" in header else "share" if "share" in header.lower() else "units"


def write_tracker(contracts: pd.DataFrame, measures: pd.DataFrame, folder: Path, title: str) -> list[Path]:
    """``contract_tracker.csv`` (one row per contract), ``contract_tracker_measures.csv`` (per contract and
    measure) and ``contract_tracker.xlsx`` with both as sheets: frozen header, autofilter, dates and money
    formatted, text guarded against formula injection, the same bytes every run. Beyond ``MEASURES_SHEET_ROWS``
    measure rows the workbook's Measures sheet says where they are rather than holding them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / TRACKER_CSV, folder / TRACKER_MEASURES_CSV, folder / TRACKER_XLSX]
    contracts, measures = _guarded(contracts), _guarded(measures)  # for the CSVs and the workbook alike
    for frame, headers, path in ((contracts, CONTRACT_COLUMNS, paths[0]), (measures, MEASURE_COLUMNS, paths[1])):
        _for_csv(frame, headers).to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
    # constant_memory: rows are streamed to disk, so a tracker of 50,000 contracts needs little memory.
    workbook = xlsxwriter.Workbook(str(paths[2]), {"constant_memory": True})
    workbook.set_properties({"title": title, "created": datetime(2000, 1, 1)})
    formats = {"£": workbook.add_format({"num_format": "£#,##0"}),
               "share": workbook.add_format({"num_format": "0%"}),
               "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
               "units": workbook.add_format({"num_format": "#,##0.##"}),
               "text": None}
    header_format = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    _write_sheet(workbook.add_worksheet("Contracts"), contracts, CONTRACT_COLUMNS, formats, header_format)
    if len(measures) <= MEASURES_SHEET_ROWS:
        _write_sheet(workbook.add_worksheet("Measures"), measures, MEASURE_COLUMNS, formats, header_format)
    else:
        sheet = workbook.add_worksheet("Measures")
        sheet.set_column(0, 0, 100)
        sheet.write_string(0, 0, f"{len(measures):,} rows, one per contract and measure: too many for this sheet to "
                           f"stay quick to open and filter. They are in {TRACKER_MEASURES_CSV}, beside this workbook.")
    workbook.close()
    return paths


def _guarded(frame: pd.DataFrame) -> pd.DataFrame:
    """Its text columns with formula-like values quoted and missing values blank (``safe_text``)."""
    text = [c for c in frame.columns if _kind(frame[c], "") == "text"]
    return frame.assign(**{c: safe_text(frame[c]) for c in text})


def _for_csv(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The (guarded) table under its headers: money to the penny, units and shares to six places (a share
    rounded to 0.04 would hide 4.27%)."""
    columns = {}
    for column in frame.columns:
        values, kind = frame[column], _kind(frame[column], headers[column])
        if kind == "£":
            values = values.map("{:.2f}".format, na_action="ignore")
        elif kind in ("units", "share"):  # 6 places: 9.13, not the sum's 9.129999999999999
            values = values.round(6)
        columns[headers[column]] = values
    return pd.DataFrame(columns)


def _write_sheet(sheet, frame: pd.DataFrame, headers: dict[str, str], formats: dict, header_format) -> None:
    """One sheet of the (guarded) table: a format per column, frozen header, autofilter."""
    columns = [headers[c] for c in frame.columns]
    cells = []
    for c, column in enumerate(frame.columns):
        values = frame[column]
        kind = _kind(values, columns[c])
        width = 70 if columns[c] == "Reason" else 16
        sheet.set_column(c, c, width, formats[kind])  # the column's format: cells are written plain
        if kind == "date":  # Excel's day number, shown as a date by the column format
            values = (values - EXCEL_EPOCH).dt.days.astype("float64")
        cells.append(values.astype(object).where(values.notna(), None).tolist())
    sheet.write_row(0, 0, columns, header_format)
    for r, row in enumerate(zip(*cells, strict=True), start=1):
        sheet.write_row(r, 0, row)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
