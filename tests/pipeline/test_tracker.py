"""The contract tracker: its totals are the ledger's, and which sample contracts it flags, and why."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from svreport.core.layout import LEDGER, TABLES, TRACKER_CSV, TRACKER_XLSX
from svreport.stages.ledger import ledger_values, read_ledger
from svreport.stages.tracker import BEHIND, NO_DELIVERY, contract_tracker, write_tracker


@pytest.fixture(scope="module")
def tracker(sample_run) -> pd.DataFrame:
    stage, _ = sample_run
    return pd.read_csv(stage.output_dir / TABLES / TRACKER_CSV, keep_default_na=False)


def test_the_trackers_totals_are_the_ledgers(sample_run, tracker):
    stage, _ = sample_run
    values = ledger_values(read_ledger(stage.output_dir / LEDGER))
    assert len(tracker) == values["committed.contracts"]
    for column, key in [("Committed (£)", "committed.total"), ("Validated delivery (£)", "delivered.total"),
                        ("Pending (£)", "delivered.status.pending.value"),
                        ("Awaiting evidence (£)", "delivered.status.awaiting_evidence.value"),
                        ("Rejected (£)", "delivered.status.rejected.value")]:
        assert round(tracker[column].sum(), 2) == round(values[key], 2), column
    assert not [c for c in tracker.columns if any(w in c.lower() for w in ("mail", "phone", "contact"))]
    assert "RMBC-2017-0012" not in set(tracker["Contract reference"])  # an excluded contract


def test_the_sample_flags_these_contracts_for_each_reason(tracker):
    flagged = {flag: sorted(tracker.loc[tracker["Flag"] == flag, "Contract reference"])
               for flag in set(tracker["Flag"]) - {""}}
    assert {flag: len(refs) for flag, refs in flagged.items()} == {
        NO_DELIVERY: 18, BEHIND: 17, f"{NO_DELIVERY}; {BEHIND}": 5}
    assert flagged[NO_DELIVERY][:3] == ["RMBC-2020-0310", "RMBC-2020-0410", "RMBC-2020-0549"]
    assert flagged[BEHIND][:3] == ["RMBC-2020-0206", "RMBC-2020-0296", "RMBC-2020-0392"]
    assert flagged[f"{NO_DELIVERY}; {BEHIND}"][:2] == ["RMBC-2020-0251", "RMBC-2022-0183"]
    quiet = tracker.set_index("Contract reference").loc["RMBC-2020-0310"]
    assert quiet["Last validated period"] == "2023-09-30"
    assert "none validated for periods after 30 Sep 2023" in quiet["Reason"]
    behind = tracker.set_index("Contract reference").loc["RMBC-2020-0296"]
    assert "54% of the contract's time has passed, 4% of its committed social value" in behind["Reason"]
    no_end = tracker[tracker["Contract end date"] == ""]
    assert len(no_end) and not no_end["Flag"].str.contains(BEHIND).any()  # time elapsed needs an end date


def test_the_workbook_is_filterable_frozen_and_safe(sample_run, tmp_path):
    stage, _ = sample_run
    book = openpyxl.load_workbook(stage.output_dir / TABLES / TRACKER_XLSX)
    assert book.sheetnames == ["Contracts", "Measures"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    contracts = book["Contracts"]
    assert contracts["A1"].value == "Contract reference" and contracts["F2"].number_format == "dd/mm/yyyy"

    frame = pd.DataFrame({"contract_reference": ["RMBC-1"], "contract_name": ["=HYPERLINK(\"http://x\")"],
                          "supplier_name": ["+44 Supplies"], "committed": [10.0]})
    measures = pd.DataFrame(columns=["contract_reference", "supplier_name", "measure_id", "units_committed",
                                     "value_committed", "units_delivered", "value_delivered", "delivered_share"])
    write_tracker(frame, measures, tmp_path, "test")
    sheet = openpyxl.load_workbook(tmp_path / TRACKER_XLSX)["Contracts"]
    assert sheet["B2"].value == "'=HYPERLINK(\"http://x\")" and sheet["C2"].value == "'+44 Supplies"
    assert sheet["B2"].data_type == "s"


def test_a_contract_with_nothing_validated_since_award_is_flagged_from_its_award(sample_run):
    from datetime import date

    from svreport.stages.counting import classify

    stage, _ = sample_run
    from svreport.stages.clean import CleanTables

    tables = CleanTables.read(stage.output_dir)
    outcomes = classify(tables, stage.config, stage.cutoff)
    contracts, _ = contract_tracker(tables, outcomes, date(2024, 11, 30))
    silent = contracts[contracts["last_validated_period"].isna()]
    old = silent[silent["award_date"] <= pd.Timestamp("2024-05-30")]
    assert len(old) and old["reason"].str.contains("none validated since award on").all()
    recent = silent[silent["award_date"] > pd.Timestamp("2024-06-01")]
    assert not recent["flag"].str.contains(NO_DELIVERY).any()  # under two quarters old: not yet
