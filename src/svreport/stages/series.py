"""The quarterly series since the policy began: social value committed (by award date) and validated
delivery (by reporting period end), per quarter and cumulative, in total, by category, by service area
(where the commitments export carries one) and by measure.

Quarters run from the policy start (a policy that began on 1 December has quarters ending in
February, May, August and November). Every report year's cut-off up to the series' end is also a
period boundary, so the cumulative series read at a cut-off is that cut-off's position exactly, even
when a cut-off falls inside a quarter. The rows are the ledger's counted rows (``counting.classify``),
grouped in one pass, so the series read at the year's cut-off equals the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from svreport.core.config import CouncilConfig
from svreport.stages import counting
from svreport.stages.clean import CleanTables

SERVICE_AREA = "service_area"
TREND_NUMBER = 7  # the trend diagram drawn from this series (after Diagrams 1-6)
SERIES_COLUMNS = ["period", "period_start", "period_end", "is_cutoff", "series", "breakdown", "group", "units",
                  "value", "cumulative_units", "cumulative_value"]
# series -> (the counted outcome, the date that places a row in a period, units, value)
SERIES_ROWS = {"committed": ("commitments", counting.COUNTED, "award_date", "units_committed", "value_committed"),
               "delivered": ("delivery", counting.VALIDATED, "period_end", "units_delivered", "value_delivered")}


def period_ends(policy_start: date, until: date, cutoffs: list[date]) -> list[pd.Timestamp]:
    """The last day of each period from the policy start to ``until``: quarter ends, and every cut-off."""
    start = pd.Timestamp(policy_start)
    ends, k = [], 1
    while (end := start + pd.DateOffset(months=3 * k) - pd.Timedelta(days=1)) < pd.Timestamp(until):
        ends.append(end)
        k += 1
    ends.append(pd.Timestamp(until))
    extra = [pd.Timestamp(c) for c in cutoffs if pd.Timestamp(policy_start) <= pd.Timestamp(c) <= pd.Timestamp(until)]
    return sorted(set(ends) | set(extra))


@dataclass
class Series:
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # what the series could not break down, said once

    def write(self, path: Path) -> None:
        out = self.frame.assign(period_start=self.frame["period_start"].dt.strftime("%Y-%m-%d"),
                                period_end=self.frame["period_end"].dt.strftime("%Y-%m-%d"))
        out.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")

    def at(self, day: date, series: str, breakdown: str = "total") -> pd.DataFrame:
        """The cumulative position at a period end: group -> (cumulative_units, cumulative_value)."""
        rows = self.frame[(self.frame["period_end"] == pd.Timestamp(day)) & (self.frame["series"] == series)
                          & (self.frame["breakdown"] == breakdown)]
        if rows.empty:
            raise KeyError(f"{day} is not a period end of the series")
        return rows.set_index("group")[["cumulative_units", "cumulative_value"]]


def quarterly_series(tables: CleanTables, outcomes: counting.RowOutcomes, config: CouncilConfig,
                     until: date) -> Series:
    """The series from the policy start to ``until`` (a report year's cut-off, or an as-at date)."""
    ends = period_ends(config.policy_start, until, [y.cutoff for y in config.report_years.values()])
    starts = [pd.Timestamp(config.policy_start), *(e + pd.Timedelta(days=1) for e in ends[:-1])]
    cutoffs = {pd.Timestamp(y.cutoff) for y in config.report_years.values()}
    periods = pd.DataFrame({"period": range(1, len(ends) + 1), "period_start": starts, "period_end": ends,
                            "is_cutoff": [e in cutoffs for e in ends]})
    areas = tables.commitments[SERVICE_AREA].astype(str) if SERVICE_AREA in tables.commitments else None
    has_areas = areas is not None and (areas != "").any()
    notes = [] if has_areas else ["The commitments export has no Service Area column (or it is blank): the "
                                  "quarterly series is not broken down by service area."]
    parts = []
    for name, (table, outcome, when, units, value) in SERIES_ROWS.items():
        frame = getattr(tables, table)
        counted = (getattr(outcomes, table) == outcome).to_numpy() & (frame[when] <= pd.Timestamp(until)).to_numpy()
        rows = frame.loc[counted, [when, units, value, "measure_id", "contract_reference"]]
        rows = rows.assign(period=np.searchsorted(np.array(ends, dtype="datetime64[ns]"),
                                                  rows[when].to_numpy(dtype="datetime64[ns]")) + 1,
                           category=(frame.loc[counted, "category"] if "category" in frame
                                     else outcomes.delivery_category[counted]).astype(str))
        breakdowns = {"total": pd.Series("all", index=rows.index), "category": rows["category"],
                      "measure": rows["measure_id"].astype(str)}
        if has_areas:
            breakdowns[SERVICE_AREA] = counting.of_contract(rows, areas, tables.commitments)
        for breakdown, group in breakdowns.items():
            summed = rows.groupby([rows["period"], group.rename("group")])[[units, value]].sum()
            groups = _groups(breakdown, group, config)
            full = pd.MultiIndex.from_product([periods["period"], groups], names=["period", "group"])
            summed = summed.reindex(full, fill_value=0.0).reset_index()
            summed = summed.rename(columns={units: "units", value: "value"}).assign(series=name, breakdown=breakdown)
            parts.append(summed)
    out = pd.concat(parts, ignore_index=True)
    keys = ["series", "breakdown", "group"]
    out = out.sort_values([*keys, "period"], kind="stable", ignore_index=True)
    out["cumulative_units"] = out.groupby(keys, sort=False)["units"].cumsum()
    out["cumulative_value"] = out.groupby(keys, sort=False)["value"].cumsum()
    out.loc[out["breakdown"] != "measure", ["units", "cumulative_units"]] = np.nan  # units only add up per measure
    out = out.merge(periods, on="period")
    order = {"total": 0, "category": 1, SERVICE_AREA: 2, "measure": 3}
    out = out.assign(order=out["breakdown"].map(order)).sort_values(["series", "order", "group", "period"])
    return Series(out[SERIES_COLUMNS].reset_index(drop=True), notes)


def trend_points(values: dict[str, float], config: CouncilConfig) -> list[tuple[str, int | None, float, float]]:
    """(day ISO, report year or None, committed, delivered) for each ``trend.<day>`` the ledger holds: the
    points the trend diagram labels and its data table prints (a day that is no report's cut-off is an
    as-at run's date)."""
    years = {f"{y.cutoff:%Y-%m-%d}": number for number, y in config.report_years.items()}
    days = sorted(k.split(".")[1] for k in values if k.startswith("trend.") and k.endswith(".committed"))
    return [(day, years.get(day), values[f"trend.{day}.committed"], values[f"trend.{day}.delivered"]) for day in days]


def _groups(breakdown: str, group: pd.Series, config: CouncilConfig) -> list[str]:
    """Every group of a breakdown, including those with nothing yet (the config's categories)."""
    if breakdown == "total":
        return ["all"]
    present = set(group.unique())  # unique() first: iterating a million strings in Python is slow
    if breakdown == "category":
        return [*config.category_names(), *sorted(present - set(config.category_names()))]
    return sorted(present)
