"""The quarterly series since the policy began, read at each annual cut-off, is that year's ledger."""

from __future__ import annotations

import pandas as pd
import pytest

from svreport.core.layout import LEDGER, SERIES
from svreport.stages.ledger import ledger_values, read_ledger


@pytest.mark.parametrize("year", [2025, 2024])
def test_the_series_at_the_cutoff_equals_the_ledger_to_the_penny(sample_run, year):
    stage, _ = sample_run
    folder = stage.project.processed_dir / str(year)
    series = pd.read_csv(folder / SERIES, keep_default_na=False, na_values={"units": [""], "cumulative_units": [""]})
    values = ledger_values(read_ledger(folder / LEDGER))
    cutoff = stage.config.year(year).cutoff.isoformat()
    at = series[series["period_end"] == cutoff]
    assert at["is_cutoff"].all() and series["period_end"].max() == cutoff
    checked = 0
    for row in at.itertuples(index=False):
        if row.breakdown == "total":
            keys = {f"{row.series}.total": row.cumulative_value}
        elif row.breakdown == "category":
            key = next(c.key for c in stage.config.categories if c.name == row.group)
            keys = {f"{row.series}.category.{key}": row.cumulative_value}
        elif row.breakdown == "measure":
            keys = {f"{row.series}.measure.{row.group}.value": row.cumulative_value,
                    f"{row.series}.measure.{row.group}.units": row.cumulative_units}
        else:
            continue
        for key, value in keys.items():
            assert round(value * 100) == round(values[key] * 100), key
            checked += 1
    for name in ("committed", "delivered"):  # every measure the ledger counts is in the series
        counted = {k.split(".")[2] for k, v in values.items() if k.startswith(f"{name}.measure.") and v}
        assert counted <= set(at.loc[(at["series"] == name) & (at["breakdown"] == "measure"), "group"])
    assert checked > 40
    areas = at[(at["breakdown"] == "service_area") & (at["series"] == "committed")]
    assert round(areas["cumulative_value"].sum() * 100) == round(values["committed.total"] * 100)


def test_every_quarter_since_the_policy_start_is_there_and_cumulates(sample_run):
    stage, _ = sample_run
    series = pd.read_csv(stage.output_dir / SERIES)
    total = series[(series["series"] == "delivered") & (series["breakdown"] == "total")]
    assert total["period_start"].iloc[0] == "2019-12-01" and total["period_end"].iloc[0] == "2020-02-29"
    assert len(total) == 20  # Dec 2019 to Nov 2024: twenty quarters
    assert list(total["cumulative_value"].round(2)) == list(total["value"].cumsum().round(2))
    assert list(total.loc[total["is_cutoff"], "period_end"]) == ["2023-11-30", "2024-11-30"]  # the config's years


def test_the_trend_figures_are_the_series_at_every_cutoff(sample_run):
    stage, _ = sample_run
    series = pd.read_csv(stage.output_dir / SERIES)
    values = ledger_values(read_ledger(stage.output_dir / LEDGER))
    days = sorted({key.split(".")[1] for key in values if key.startswith("trend.")})
    assert days == ["2023-11-30", "2024-11-30"]
    total = series[series["breakdown"] == "total"]
    for day in days:
        for name in ("committed", "delivered"):
            at = total[(total["series"] == name) & (total["period_end"] == day)]["cumulative_value"].item()
            assert round(at * 100) == round(values[f"trend.{day}.{name}"] * 100), (day, name)
    assert values["trend.2024-11-30.delivered"] == values["delivered.total"]


def test_the_trend_diagram_is_drawn_with_alt_text_from_the_ledger(sample_run):
    import json

    stage, _ = sample_run
    index = {entry["number"]: entry for entry in json.loads((stage.output_dir / "diagrams" / "diagrams.json")
                                                             .read_text(encoding="utf-8"))}
    trend = index[7]
    assert trend["caption"] == ("Diagram 7: Social value committed and delivered since the policy began, "
                                "December 2019 to November 2024")
    assert trend["alt"].startswith("Line chart. Validated delivery has reached £12.3m against £32m committed")
    # the 2024 point: the £27.8m that report printed less £7.1m of revisions since (the bridge)
    assert ("at the 2024 report's cut-off, 30 November 2023: £20.6 million committed and £8.7 million delivered"
            in trend["alt"])
    assert (stage.output_dir / "diagrams" / "diagram_7.svg").stat().st_size > 10_000


def test_the_trend_diagram_sets_close_marks_labels_either_side_of_their_lines():
    """A report's cut-off and an update six months on: side by side, not one label over the other."""
    from svreport.stages.diagrams import TrendDiagram, draw_trend

    cutoffs = (("2023-11-30", 2024, 19.8e6, 8.7e6), ("2024-11-30", 2025, 32.0e6, 12.7e6),
               ("2025-05-31", None, 32.9e6, 13.9e6))
    trend = TrendDiagram(7, "t", "c", "a", ("2023-11-30", "2024-11-30", "2025-05-31"), (19.8e6, 32.0e6, 32.9e6),
                         (8.7e6, 12.7e6, 13.9e6), cutoffs)
    labels = {t.get_text(): t.get_horizontalalignment() for t in draw_trend(trend).axes[0].texts
              if t.get_text().endswith(("report", "update"))}
    assert labels == {"2024\nreport": "center", "2025\nreport": "right", "May 2025\nupdate": "left"}
