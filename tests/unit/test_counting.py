"""Each row's outcome under the counting rules, and the lineage record's round trip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from svreport.core.config import load_config
from svreport.stages import counting
from svreport.stages.clean import CleanTables

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "config" / "rotherham.yml")  # policy start 1 Dec 2019; 2025 cut-off 30 Nov 2024
EXCLUDED = "RMBC-2017-0012"


def _tables() -> CleanTables:
    commitments = pd.DataFrame({
        "contract_reference": ["A", "B", "C", EXCLUDED],
        "category": ["Places", "People", "Places", "Places"],
        "award_date": pd.to_datetime(["2019-12-01", "2019-11-30", "2024-12-01", "2020-01-01"]),
    })
    delivery = pd.DataFrame({
        "contract_reference": ["A", "A", "A", "A", "A", EXCLUDED, EXCLUDED, EXCLUDED],
        "period_end": pd.to_datetime(["2024-11-30", "2024-12-31", "2024-06-30", "2024-06-30", "2024-06-30",
                                      "2024-06-30", "2024-06-30", "2025-03-31"]),
        "validation_status": ["Validated", "Validated", "Pending", "Awaiting Evidence", "Rejected", "Validated",
                              "Pending", "Validated"],
    })
    spend = pd.DataFrame({"supplier_postcode": ["S60 1AE", "S6 2LU", ""], "is_local": [True, False, False]})
    return CleanTables(commitments, delivery, spend, pd.DataFrame())


def test_each_row_gets_the_outcome_of_the_first_rule_it_fails():
    outcomes = counting.classify(_tables(), CONFIG, CONFIG.year(2025).cutoff)
    assert list(outcomes.commitments) == ["counted", "before_policy_start", "after_cutoff", "excluded_contract"]
    assert list(outcomes.delivery) == ["validated", "after_cutoff", "pending", "awaiting_evidence", "rejected",
                                       "excluded_validated", "excluded_not_validated", "after_cutoff"]
    assert list(outcomes.spend) == ["local", "not_local", "no_postcode"]
    assert list(outcomes.delivery_category) == ["Places"] * 5 + ["Places"] * 3


def test_a_family_of_keys_keeps_only_its_outcomes_step_by_step():
    rules = counting.Rules(CONFIG, CONFIG.year(2025).cutoff)
    delivered = rules.delivered()
    assert delivered.steps[-1].values == ("validated",)
    assert "30 November 2024" in delivered.steps[0].label
    assert set(rules.not_validated(("Rejected",)).steps[-1].values) == {"rejected"}
    assert [s.label for s in rules.spend("2023-24", local=True).steps] == ["payments in 2023-24",
                                                                           "a local supplier postcode"]


def test_the_lineage_file_reads_back_what_was_written(tmp_path):
    rules = counting.Rules(CONFIG, CONFIG.year(2025).cutoff)
    specs = [counting.rows_spec("delivered.measure.NT10.value", rules.delivered(), "sum:value_delivered",
                                counting.Step("measure NT10", "measure_id", ("NT10",))),
             counting.rows_spec("trend.2023-11-30.delivered", rules.delivered(), "sum:value_delivered",
                                counting.Step("by 30 November 2023", "period_end", ("2023-11-30",), counting.UP_TO)),
             counting.derived("delivered.share.total", "ratio", "delivered.total", "committed.total"),
             counting.KeySpec("author.x", "author", "Entered by the report author in a file with spaces.yml")]
    counting.write_lineage(specs, tmp_path / "lineage.csv")
    assert list(counting.read_lineage(tmp_path / "lineage.csv").values()) == specs


def test_derived_figures_and_their_formulas():
    share = counting.derived("delivered.share.total", "ratio", "delivered.total", "committed.total")
    assert counting.evaluate(share, {"delivered.total": 3.0, "committed.total": 4.0}) == 0.75
    assert counting.formula_words(share, quote="`") == "`delivered.total` / `committed.total`"
    change = counting.derived("change.x.pct", "relative_change", "x", "previous.x")
    assert counting.evaluate(change, {"x": 150.0, "previous.x": 100.0}) == 0.5
    local = counting.derived("s", "ratio_or_zero", "a", "b")
    assert counting.evaluate(local, {"a": 1.0, "b": 0.0}) == 0.0


def test_distinct_counts_a_value_once_and_sums_add_the_column():
    rows = pd.DataFrame({"contract_reference": ["A", "A", "B"], "value_committed": [1.5, 2.0, 4.0]})
    distinct = counting.KeySpec("committed.contracts", "rows", aggregate="distinct:contract_reference")
    assert list(counting.adds(distinct, rows)) == [1.0, 0.0, 1.0]
    total = counting.KeySpec("committed.total", "rows", aggregate="sum:value_committed")
    assert list(counting.adds(total, rows)) == [1.5, 2.0, 4.0]


def test_a_date_step_keeps_rows_on_or_before_its_day():
    step = counting.Step("by 30 November 2023", "period_end", ("2023-11-30",), counting.UP_TO)
    frame = pd.DataFrame({"period_end": pd.to_datetime(["2023-11-30", "2023-12-01", "2020-01-01"])})
    assert list(step.keep(frame)) == [True, False, True]
    assert step.admits(pd.Timestamp("2023-11-30")) and not step.admits(pd.Timestamp("2023-12-01"))
    assert not step.admits(pd.NaT)
