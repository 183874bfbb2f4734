"""The bridge from the compared report's total to this report's, on constructed data: each contract's part,
the identity the paper prints (previous + revisions = the position at its cut-off; + new = this total), the
flag for the contract manager, and the sentence and table that read right with or without revisions."""

from __future__ import annotations

import random
import re
from datetime import date

import pandas as pd
import pytest

from svreport.core.config import CouncilConfig
from svreport.report.shortcodes import fill_variables
from svreport.report.sources import commitment_bridge_md, delivery_bridge_md
from svreport.stages.bridge import PARTS, contract_bridge
from svreport.stages.variables import build_variables

LAST = date(2023, 11, 30)
NOW = date(2024, 11, 30)


def commitments(rows: list[tuple[str, str, float, str | None]]) -> pd.DataFrame:
    """(reference, award date, £, end date) per contract: one commitment row each."""
    return pd.DataFrame({
        "contract_reference": [r[0] for r in rows],
        "award_date": pd.to_datetime([r[1] for r in rows]),
        "value_committed": [float(r[2]) for r in rows],
        "contract_end_date": pd.to_datetime([r[3] for r in rows]),
        "supplier_name": [f"Supplier of {r[0]}" for r in rows],
        "category": "Places",
        "source_file": "portal_commitments.csv",
        "source_row": range(2, len(rows) + 2),
    })


def bridge_of(before, after, share=0.2, stage="committed"):
    previous, current = commitments(before), commitments(after)
    if stage == "delivered":
        previous = previous.rename(columns={"award_date": "period_end", "value_committed": "value_delivered"})
        current = current.rename(columns={"award_date": "period_end", "value_committed": "value_delivered"})
        return contract_bridge(stage, previous, current, commitments(before), commitments(after), 2024, "2025",
                               LAST, share)
    return contract_bridge(stage, previous, current, previous, current, 2024, "2025", LAST, share)


BEFORE = [("A", "2021-01-01", 100, "2027-01-01"), ("B", "2021-01-01", 200, "2027-01-01"),
          ("C", "2022-01-01", 300, "2028-01-01"), ("D", "2022-06-01", 50, "2030-01-01"),
          ("E", "2023-01-01", 40, None)]
AFTER = [("A", "2021-01-01", 100, "2027-01-01"), ("B", "2021-01-01", 250, "2027-01-01"),
         ("C", "2022-01-01", 120, "2028-01-01"), ("D", "2022-06-01", 20, "2024-06-30"),
         ("F", "2023-05-01", 30, None), ("G", "2024-03-01", 500, None)]


def test_each_contract_is_one_part_and_the_parts_add_up():
    rows = bridge_of(BEFORE, AFTER).set_index("contract_reference")
    assert rows["outcome"].to_dict() == {"A": "unchanged", "B": "revised_up", "C": "revised_down",
                                         "D": "ended_early", "E": "withdrawn", "F": "first_recorded", "G": "new"}
    assert rows.loc["C", "change"] == -180 and rows.loc["E", "change"] == -40 and rows.loc["G", "change"] == 500
    assert rows.loc["E", "recorded_in"] == "2024" and rows.loc["F", "recorded_in"] == "2025"
    old = rows[rows["outcome"] != "new"]
    assert old["previous"].sum() == 690  # what the compared report counted
    assert 690 + old["change"].sum() == 520  # the position at its cut-off, as this export records it
    assert 520 + rows.loc["G", "change"] == 1020  # this report's total


def test_a_contract_awarded_by_the_cut_off_and_after_it_is_two_rows():
    """An award date corrected to after the last cut-off: no longer counted there, new here."""
    rows = bridge_of([("A", "2023-11-01", 100, None)], [("A", "2023-12-15", 100, None)])
    assert sorted(rows["outcome"]) == ["new", "withdrawn"] and rows["change"].sum() == 0


def test_a_change_below_a_penny_is_no_change():
    rows = bridge_of([("A", "2021-01-01", 0.1 + 0.2, None)], [("A", "2021-01-01", 0.3, None)])
    assert rows["outcome"].tolist() == ["unchanged"] and not rows["flagged"].any()


def test_the_flag_follows_the_share_the_config_sets():
    flagged = bridge_of(BEFORE, AFTER, share=0.2).set_index("contract_reference")["flagged"]
    assert flagged.to_dict() == {"A": False, "B": True, "C": True, "D": True, "E": True, "F": False, "G": False}
    assert not bridge_of(BEFORE, AFTER, share=0.3).set_index("contract_reference").loc["B", "flagged"]  # +25%
    assert bridge_of(BEFORE, AFTER, share=0.25).set_index("contract_reference").loc["B", "flagged"]  # at the share


def test_delivery_is_never_ended_early():
    rows = bridge_of(BEFORE, AFTER, stage="delivered").set_index("contract_reference")
    assert rows.loc["D", "outcome"] == "revised_down"


def test_parts_are_in_the_papers_order():
    rows = bridge_of(BEFORE, AFTER)
    order = [list(PARTS).index(part) for part in rows["outcome"]]
    assert order == sorted(order)


# --- the paper's sentence and table, from a ledger


def config() -> CouncilConfig:
    return CouncilConfig.model_validate({
        "council": {"name": "Anytown Council", "short_name": "Anytown", "area": "Anytown"},
        "policy_start": "2019-12-01", "local_postcode_prefixes": ["S60"],
        "report_years": {2024: {"cutoff": LAST.isoformat()},
                         2025: {"cutoff": NOW.isoformat(), "comparator": 2024}},
        "categories": [{"name": "Places", "label": "Anytown Places", "covers": "building works"}],
    })


class FakeProject:
    def __init__(self):
        self.config = config()


def ledger_of(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"key": list(values), "value": list(values.values()),
                         "unit": ["count" if k.endswith(".contracts") else "GBP" for k in values],
                         "description": "", "source": ""})


def bridge_ledger(changes: dict[str, tuple[int, float]], previous: float, new: tuple[int, float]) -> dict:
    """A ledger's bridge keys: ``changes`` part -> (contracts, change); unchanged contracts take the rest of 10."""
    values = {"bridge.committed.previous.value": previous}
    counted = 10
    for part in ("revised_up", "revised_down", "ended_early", "withdrawn", "first_recorded"):
        contracts, change = changes.get(part, (0, 0.0))
        values[f"bridge.committed.{part}.value"], values[f"bridge.committed.{part}.contracts"] = change, contracts
        if part in ("revised_down", "ended_early", "withdrawn"):
            values[f"bridge.committed.{part}.reduction"] = -change
    revised = sum(c for p, (c, _) in changes.items() if p != "first_recorded")
    values["bridge.committed.previous.contracts"] = counted
    values["bridge.committed.unchanged.contracts"] = counted - revised
    values["bridge.committed.unchanged.value"] = 0.0
    revisions = sum(change for _, change in changes.values())
    values["bridge.committed.revisions.value"] = revisions
    values["bridge.committed.new.contracts"], values["bridge.committed.new.value"] = new
    values[f"trend.{LAST.isoformat()}.committed"] = previous + revisions
    values["committed.total"] = previous + revisions + new[1]
    values["committed.contracts"] = counted - changes.get("withdrawn", (0, 0))[0] + new[0]
    return values


def printed(values: dict) -> str:
    ledger = ledger_of(values)
    position = config().position(2025, None)
    text = commitment_bridge_md(FakeProject(), ledger, 2025)
    return fill_variables(text, "commitment-bridge.md", build_variables(ledger, config(), position))


def test_no_revisions_is_said_in_a_sentence_without_a_table():
    text = printed(bridge_ledger({}, 1_000_000, (1, 250_000)))
    assert "Each of the 10 contracts the 2024 report counted is as that report counted it" in text
    assert "(1 contract)" in text and "|" not in text


def test_the_sentence_follows_the_counts():
    text = printed(bridge_ledger({"revised_down": (1, -100_000), "withdrawn": (2, -50_000)}, 1_000_000, (3, 400_000)))
    assert "1 was revised down by £100,000 in all" in text and "2 are no longer counted (£50,000)" in text
    assert "the other 7 are as that report counted them" in text and "(3 contracts)" in text
    assert "Revised up" not in text and "Ended early" not in text  # no rows for parts nobody is in


def test_no_comparator_no_bridge():
    values = bridge_ledger({}, 1_000_000, (1, 1))
    assert commitment_bridge_md(FakeProject(), ledger_of(values), 2024) == ""
    assert delivery_bridge_md(ledger_of({"delivered.total": 5.0})) == ""


def _money(cell: str) -> int:
    return int(cell.replace("£", "").replace(",", "").replace("−", "-"))


@pytest.mark.parametrize("seed", range(40))
def test_printed_table_adds_up_or_says_it_is_rounded(seed):
    """Property: with any revisions, the table's printed parts add up to its printed subtotals, or a rounding
    note says they may not; every part printed has its contracts."""
    rng = random.Random(seed)
    changes = {}
    for part, sign in (("revised_up", 1), ("revised_down", -1), ("ended_early", -1), ("withdrawn", -1),
                       ("first_recorded", 1)):
        if rng.random() < 0.6:
            changes[part] = (rng.randint(1, 2), sign * round(rng.uniform(100, 900_000), 2))
    changes = changes or {"revised_down": (1, -1234.5)}
    previous = round(rng.uniform(2_000_000, 40_000_000), 2)
    awarded = rng.randint(0, 5)
    text = printed(bridge_ledger(changes, previous, (awarded, round(rng.uniform(1, 9_000_000), 2) if awarded else 0.0)))
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()
             if line.startswith("| ") and "Contracts" not in line]
    money = {row[0]: _money(row[2]) for row in cells if row[2].startswith(("£", "-£"))}
    start = next(v for k, v in money.items() if k.startswith("The 2024 report"))
    middle = next(v for k, v in money.items() if k.startswith("Awarded by") and "record" in k and "since" not in k)
    parts = [v for k, v in money.items() if k in ("Revised up", "Revised down", "Ended early", "No longer counted")
             or k.endswith("recorded since")]
    adds_up = start + sum(parts) == middle
    new = next((v for k, v in money.items() if k.startswith("Awarded after")), 0)
    end = next(v for k, v in money.items() if k.startswith("This report"))
    adds_up &= middle + new == end
    assert adds_up or "may not add up exactly" in text
    assert len(parts) == len(changes)
    assert re.search(r"come to £[\d.,]+( million)? \(the 2024 point of the trend diagram\)", text)


def test_with_no_new_awards_the_change_is_the_revisions():
    text = printed(bridge_ledger({"revised_down": (1, -100_000)}, 1_000_000, (0, 0.0)))
    assert text.startswith("No contract has been awarded since the 2024 report's cut-off (30 November 2023), so "
                           "the change since that report is revisions")
    assert "The rest of the change" not in text and "Awarded after" not in text


def delivery_ledger(previous: float, new: float, revisions: float) -> pd.DataFrame:
    values = {"previous.delivered.total": previous, "delivered.total": previous + new + revisions,
              "bridge.delivered.previous.value": previous, "bridge.delivered.new.value": new,
              "bridge.delivered.revisions.value": revisions, "bridge.delivered.revisions.reduction": -revisions}
    return ledger_of(values)


@pytest.mark.parametrize(("previous", "new", "revisions", "note"), [
    (7_966_000, 3_556_928, 781_072, True),  # £3.6m + £781,000 printed beside a £4.3m change
    (7_966_000, 3_600_000, 700_000, False),  # £3.6m + £700,000 = £4.3m
    (7_966_000, 3_600_000, 0.0, False),  # one part: nothing to add up
])
def test_the_delivery_sentence_says_when_its_rounded_parts_do_not_add_up(previous, new, revisions, note):
    text = delivery_bridge_md(delivery_ledger(previous, new, revisions))
    assert ("do not add up exactly" in text) is note
    assert text.count("{{< var bridge.delivered.") == (2 if revisions else 0)
