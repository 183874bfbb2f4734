"""Status figures that mean their words: "awaiting validation" is pending + awaiting evidence; rejected delivery is
reported on its own and is never called awaiting."""

from __future__ import annotations

import pandas as pd

from svreport.report.sources import pending_md, rejected_md
from svreport.stages.ledger import read_ledger


def test_awaiting_validation_leaves_rejected_delivery_out(sample_run):
    stage, _ = sample_run
    ledger = read_ledger(stage.output_dir / "figures.csv").set_index("key")["value"]
    delivery = pd.read_parquet(stage.output_dir / "delivery.parquet")
    counted = delivery[(delivery["period_end"] <= pd.Timestamp(stage.position.cutoff))
                       & ~delivery["contract_reference"].isin(stage.config.excluded_references())]
    by_status = counted.groupby("validation_status")["value_delivered"].sum()
    assert by_status["Rejected"] > 0  # the sample has rejected delivery
    assert round(ledger["delivered.pending.value"] * 100) == round(
        (by_status["Pending"] + by_status["Awaiting Evidence"]) * 100)
    assert round(ledger["delivered.status.rejected.value"] * 100) == round(by_status["Rejected"] * 100)
    # the 2025 report printed "£1.2 million ... awaiting validation": the sample still gives it
    assert 1_150_000 <= ledger["delivered.pending.value"] < 1_250_000


def test_the_sentences_say_awaiting_and_rejected_apart(sample_run):
    stage, _ = sample_run
    ledger = read_ledger(stage.output_dir / "figures.csv")
    assert "waiting to be validated" in pending_md(ledger) and "rejected at validation" in pending_md(ledger)
    assert "{{< var delivered.status.rejected.value.auto >}}" in rejected_md(ledger)
    none = ledger.assign(value=ledger["value"].where(~ledger["key"].str.contains("rejected"), 0.0))
    assert rejected_md(none) == "" and "rejected" not in pending_md(none)
    nothing = none.assign(value=none["value"].where(none["key"] != "delivered.pending.value", 0.0))
    assert pending_md(nothing) == ""
