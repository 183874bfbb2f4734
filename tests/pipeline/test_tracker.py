"""The contract tracker: its totals are the ledger's, and which sample contracts it flags, and why."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from svreport.core.layout import LEDGER, TABLES, TRACKER_CSV, TRACKER_MEASURES_CSV, TRACKER_XLSX
from svreport.stages.ledger import ledger_values, read_ledger
from svreport.stages.tracker import BEHIND, NO_DELIVERY, REVISED, contract_tracker, write_tracker


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


def test_the_sample_flags_these_contracts_for_each_reason(sample_run, tracker):
    flagged = {flag: sorted(tracker.loc[tracker["Flag"] == flag, "Contract reference"])
               for flag in set(tracker["Flag"]) - {""}}
    assert {flag: len(refs) for flag, refs in flagged.items()} == {
        NO_DELIVERY: 15, BEHIND: 20, f"{NO_DELIVERY}; {BEHIND}": 4, REVISED: 6, f"{BEHIND}; {REVISED}": 3}
    assert flagged[NO_DELIVERY][:3] == ["RMBC-2019-0290", "RMBC-2020-0410", "RMBC-2020-0549"]
    assert flagged[BEHIND][:3] == ["RMBC-2020-0206", "RMBC-2020-0296", "RMBC-2020-0392"]
    assert flagged[f"{NO_DELIVERY}; {BEHIND}"][:2] == ["RMBC-2020-0251", "RMBC-2022-0176"]
    quiet = tracker.set_index("Contract reference").loc["RMBC-2020-0410"]
    assert quiet["Last validated period"] == "2024-03-31"
    assert "none validated for periods after 31 Mar 2024" in quiet["Reason"]
    behind = tracker.set_index("Contract reference").loc["RMBC-2020-0296"]
    assert "54% of the contract's time has passed, 4% of its committed social value" in behind["Reason"]
    # revised: every contract the bridge flagged that is still counted, with its change in words
    stage, _ = sample_run
    bridge = pd.read_csv(stage.output_dir / TABLES / "bridge.csv")
    still = bridge[(bridge["Figure"] == "committed") & bridge["Flagged"] & (bridge["Part"] != "withdrawn")]
    revised = tracker[tracker["Flag"].str.contains(REVISED)]
    assert sorted(revised["Contract reference"]) == sorted(still["Contract reference"])
    both = tracker.set_index("Contract reference").loc["RMBC-2021-0474"]
    assert both["Reason"].endswith(f"; {REVISED}: revised down from £813,429 to £325,133 (-60%)")
    assert float(both["Committed at the last report (£)"]) == 813429.36
    assert float(both["Change since the last report (£)"]) == -488296.01
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
    measures = pd.read_csv(stage.output_dir / TABLES / TRACKER_MEASURES_CSV)
    text = pd.read_csv(stage.output_dir / TABLES / TRACKER_MEASURES_CSV, dtype=str)
    assert text["Committed (£)"].str.fullmatch(r"\d+\.\d\d").all()  # money to the penny
    assert not text["Units delivered"].str.contains(r"\.\d{7}").any()  # no float noise (9.129999999999999)
    shares = measures["Delivered share of commitment"].dropna()
    assert (shares.round(6) == shares).all() and (shares.round(2) != shares).any()  # not cut to 2 places
    assert book["Measures"].max_row == len(measures) + 1
    assert [c.value for c in book["Measures"][1]] == list(measures.columns)
    assert round(measures["Committed (£)"].sum(), 2) == round(
        pd.read_csv(stage.output_dir / TABLES / TRACKER_CSV)["Committed (£)"].sum(), 2)

    frame = pd.DataFrame({"contract_reference": ["RMBC-1"], "contract_name": ["=HYPERLINK(\"http://x\")"],
                          "supplier_name": ["+44 Supplies"], "committed": [10.0]})
    measures = pd.DataFrame(columns=["contract_reference", "supplier_name", "measure_id", "units_committed",
                                     "value_committed", "units_delivered", "value_delivered", "delivered_share"])
    write_tracker(frame, measures, tmp_path, "test")
    sheet = openpyxl.load_workbook(tmp_path / TRACKER_XLSX)["Contracts"]
    assert sheet["B2"].value == "'=HYPERLINK(\"http://x\")" and sheet["C2"].value == "'+44 Supplies"
    assert sheet["B2"].data_type == "s"


def test_a_tracker_with_very_many_measure_rows_keeps_them_in_the_csv_and_says_so_in_the_workbook(
        sample_run, tmp_path, monkeypatch):
    from svreport.stages import tracker
    from svreport.stages.clean import CleanTables
    from svreport.stages.counting import classify

    stage, _ = sample_run
    tables = CleanTables.read(stage.output_dir)
    contracts, measures = contract_tracker(tables, classify(tables, stage.config, stage.cutoff), stage.cutoff)
    monkeypatch.setattr(tracker, "MEASURES_SHEET_ROWS", len(measures) - 1)
    write_tracker(contracts, measures, tmp_path, "test")
    assert len(pd.read_csv(tmp_path / TRACKER_MEASURES_CSV)) == len(measures)
    sheet = openpyxl.load_workbook(tmp_path / TRACKER_XLSX)["Measures"]
    assert sheet.max_row == 1 and sheet["A1"].value.startswith(f"{len(measures):,} rows, one per contract and measure")
    assert TRACKER_MEASURES_CSV in sheet["A1"].value


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


def test_an_end_date_before_the_award_date_warns_and_the_tracker_does_not_judge_that_contracts_time(
        published_project, tmp_path):
    import shutil
    import sys
    from datetime import timedelta
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
    import corpus

    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    figures = project / "data" / "processed" / "2025" / LEDGER
    before = pd.read_csv(figures)
    path = project / "data" / "raw" / "2025" / "portal_commitments.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[4]]
    award, end = header.index("Award Date") + 1, header.index("End Date") + 1
    edited = [row[0].row for row in sheet.iter_rows(min_row=5) if row[0].value == "RMBC-2020-0296"]
    for row in edited:
        sheet.cell(row=row, column=end).value = sheet.cell(row=row, column=award).value - timedelta(days=1)
    book.save(path)

    code, output = corpus.run_cli(project, ["run", "--year", "2025", "--no-notebooks"], stdout=True)
    assert code == 0, output
    assert "Report year 2025: validation warnings (checks that do not stop the run" in output
    warning = next(line for line in output.splitlines() if line.startswith("  warning: "))
    award_day = sheet.cell(row=edited[0], column=end).value
    assert warning == (f"  warning: portal_commitments.xlsx, row {edited[0]}, column 'Contract End Date': "
                       f"'{award_day:%d/%m/%Y}' is before the contract's Award Date (expected an end date on or after "
                       "the award date; until it is corrected the contract tracker does not judge this contract's "
                       "delivery against its time elapsed)")
    assert sum(line.startswith("  warning: ") for line in output.splitlines()) == len(edited)
    after = pd.read_csv(figures).set_index("key")["value"]
    before = before.set_index("key")["value"]
    tracked = after.index.str.startswith("tracker.flagged.")
    assert after[~tracked].tolist() == before[~tracked].tolist()  # only the tracker's counts use end dates
    assert after["tracker.flagged.behind"] == before["tracker.flagged.behind"] - 1
    tracker = pd.read_csv(project / "data" / "processed" / "2025" / TABLES / TRACKER_CSV, keep_default_na=False)
    contract = tracker.set_index("Contract reference").loc["RMBC-2020-0296"]
    assert contract["Share of contract time elapsed"] == "" and BEHIND not in contract["Flag"]
