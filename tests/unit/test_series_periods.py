"""Periods of the quarterly series: quarters from the policy start, split at every cut-off."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from svreport.stages.series import period_ends


def test_quarters_run_from_the_policy_start():
    ends = period_ends(date(2019, 12, 1), date(2020, 11, 30), [])
    assert [f"{e:%Y-%m-%d}" for e in ends] == ["2020-02-29", "2020-05-31", "2020-08-31", "2020-11-30"]


def test_a_cutoff_inside_a_quarter_splits_it_and_the_series_ends_at_its_date():
    ends = period_ends(date(2020, 4, 1), date(2021, 2, 15), [date(2020, 10, 31), date(2030, 1, 1)])
    assert [f"{e:%Y-%m-%d}" for e in ends] == ["2020-06-30", "2020-09-30", "2020-10-31", "2020-12-31",
                                                "2021-02-15"]
    assert pd.Timestamp("2030-01-01") not in ends  # a later year's cut-off is beyond the series


def _tables(service_area: list[str]):
    from svreport.stages.clean import CleanTables

    commitments = pd.DataFrame({
        "contract_reference": ["A", "B"], "category": ["Places", "People"], "service_area": service_area,
        "award_date": pd.to_datetime(["2019-12-01", "2020-03-01"]), "measure_id": ["NT1", "NT10"],
        "units_committed": [2.0, 10.0], "value_committed": [50_000.0, 2_000.0]})
    delivery = pd.DataFrame({
        "contract_reference": ["A", "A", "B"], "measure_id": ["NT1", "NT1", "NT10"],
        "period_end": pd.to_datetime(["2020-02-29", "2020-03-01", "2020-05-31"]),
        "validation_status": ["Validated", "Validated", "Pending"], "units_delivered": [1.0, 0.5, 4.0],
        "value_delivered": [25_000.0, 12_500.0, 800.0]})
    spend = pd.DataFrame({"supplier_postcode": ["S60 1AE"], "is_local": [True]})
    return CleanTables(commitments, delivery, spend, pd.DataFrame())


def test_rows_fall_in_the_quarter_of_their_date_and_only_counted_rows_count():
    from svreport.core.config import load_config
    from svreport.stages.counting import classify
    from svreport.stages.series import quarterly_series

    config = load_config(Path(__file__).resolve().parents[2] / "config" / "rotherham.yml")
    tables = _tables(["Housing", "Adult Care"])
    series = quarterly_series(tables, classify(tables, config, config.year(2025).cutoff), config, date(2020, 8, 31)).frame
    delivered = series[(series["series"] == "delivered") & (series["breakdown"] == "total")]
    assert list(delivered["value"]) == [25_000.0, 12_500.0, 0.0]  # 29 Feb in Q1, 1 Mar in Q2; pending not counted
    areas = series[(series["series"] == "committed") & (series["breakdown"] == "service_area")]
    assert sorted(set(areas["group"])) == ["Adult Care", "Housing"]
    nt1 = series[(series["series"] == "delivered") & (series["group"] == "NT1")]
    assert list(nt1["cumulative_units"]) == [1.0, 1.5, 1.5]


def test_without_service_areas_the_series_says_so_once_and_carries_on():
    from svreport.core.config import load_config
    from svreport.stages.counting import classify
    from svreport.stages.series import quarterly_series

    config = load_config(Path(__file__).resolve().parents[2] / "config" / "rotherham.yml")
    tables = _tables(["", ""])
    series = quarterly_series(tables, classify(tables, config, config.year(2025).cutoff), config, date(2020, 8, 31))
    assert "service_area" not in set(series.frame["breakdown"])
    assert len(series.notes) == 1 and "no Service Area column" in series.notes[0]
    assert set(series.frame["breakdown"]) == {"total", "category", "measure"}
