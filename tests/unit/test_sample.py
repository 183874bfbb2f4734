"""The sample generator is deterministic, reproduces the committed files, and scales."""

from __future__ import annotations

import csv
import re

import pytest

from svreport_dev.sample import SampleDesign, split_int, write_sample


def test_generator_reproduces_the_committed_sample_byte_for_byte(root, tmp_path):
    written = write_sample(tmp_path, root / "data" / "reference")
    assert len(written) == 15  # five files for each of 2024, 2025 and the mid-year update (as-at-2025-05-31)
    for path in written:
        committed = root / "data" / "raw" / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), f"{committed} differs from the generator's output"


def test_sample_carries_the_mess_real_exports_have(root):
    raw = root / "data" / "raw"
    commitments_2024 = (raw / "2024" / "portal_commitments.csv").read_bytes()
    assert b"\xa3" in commitments_2024  # Windows-1252 pound sign
    commitments_2024.decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        commitments_2024.decode("utf-8")
    text = commitments_2024.decode("cp1252")
    for variant in ("Rotherham Places", ",places,", " PEOPLE ", "nt ", "NT18 "):
        assert variant in text, variant
    assert "@" in text  # contact e-mail column (the readers drop it)
    delivery = (raw / "2025" / "portal_delivery.csv").read_text(encoding="utf-8-sig")
    lines = delivery.splitlines()
    assert len(lines) != len(set(lines))  # an exact duplicate row
    assert lines[-1].startswith("Total,")
    for status in ("Pending", "Rejected", "Awaiting Evidence"):
        assert f",{status}," in delivery
    assert "RMBC-2017-0012" in delivery  # the excluded pre-policy repairs contract
    assert re.search(r",31/12/2024,|,2024-12-31,", delivery)  # a period after the cut-off
    spend = list(csv.reader((raw / "2025" / "supplier_spend_2023-24.csv").open(encoding="utf-8")))
    amounts = [row[-1] for row in spend[1:]]
    assert any(a.startswith("(") for a in amounts) and any(a.startswith("-") for a in amounts)
    assert "Supplier Postcode" not in spend[0]  # as in real payment files: the supplier records locate them
    records = list(csv.reader((raw / "2025" / "suppliers.csv").open(encoding="utf-8")))
    assert any(row[3] == "" for row in records[1:])  # suppliers without a postcode
    assert any(row[3] != row[3].upper() or " " not in row[3].strip() for row in records[1:] if row[3])
    assert any(row[3] == "REDACTED PERSONAL DATA" for row in spend)


def test_sample_contact_details_are_fictional(root):
    text = (root / "data" / "raw" / "2024" / "portal_commitments.csv").read_text(encoding="cp1252")
    emails = set(re.findall(r"[\w.]+@[\w.]+", text))
    assert emails and all(e.endswith(".example.com") for e in emails)
    phones = set(re.findall(r"0\d{4} \d{6}", text))
    assert phones and all(p.startswith("01632 960") for p in phones)  # Ofcom's drama range


def test_about_150_contracts_awarded_dec_2019_to_nov_2024(root):
    design = SampleDesign(root / "data" / "reference")
    counted = [c for c in design.contracts if c.group in ("old", "new")]
    assert 140 <= len(counted) <= 160
    assert min(c.award for c in counted).isoformat() >= "2019-12-01"
    assert max(c.award for c in counted).isoformat() <= "2024-11-30"
    assert {c.category for c in counted} == {"Places", "People", "Corporate"}


def test_scaled_sample_repeats_contracts(root, tmp_path):
    from svreport.io.readers import read_year

    write_sample(tmp_path / "three", root / "data" / "reference", scale=3)
    base, scaled = read_year(root / "data" / "raw" / "2025"), read_year(tmp_path / "three" / "2025")
    assert scaled.commitments.path.suffix == ".csv"  # scaled exports are all CSV
    # every row three times (the XLSX's Total footer is not written to the CSV)
    assert len(scaled.commitments.data) == 3 * (len(base.commitments.data) - 1)
    assert len(scaled.spend["2023-24"][0].data) == len(base.spend["2023-24"][0].data)  # payments are not contracts
    references = scaled.delivery.data["contract_reference"]
    assert references.str.endswith("-R0002").any()
    assert not references.str.startswith("RMBC-2017-0012-R").any()  # the excluded contract is not repeated


@pytest.mark.parametrize("total, weights, step", [(100, [1, 1, 1], 1), (1850_10, [0.3, 1.7, 1.1, 0.9], 10),
                                                  (0, [1, 2], 1)])
def test_split_int_is_exact(total, weights, step):
    parts = split_int(total, weights, step)
    assert sum(parts) == total and all(p % step == 0 for p in parts)
    assert len(parts) == len(weights)
