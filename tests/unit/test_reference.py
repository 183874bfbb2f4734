"""Reference data: the TOMs catalogue and the 2024 mapping say only what Rotherham's 2025 report supports."""

from __future__ import annotations

import pytest

from svreport.core.vocabulary import normalise_measure_code
from svreport.io.reference import load_mapping, load_measures


@pytest.mark.parametrize("raw, code", [("NT1", "NT1"), ("nt 3", "NT3"), ("NT18 ", "NT18"), ("Nt1C", "NT1c"),
                                       (" nt01a ", "NT1a"), ("X12", None), ("NT", None), (None, None)])
def test_measure_codes_normalise(raw, code):
    assert normalise_measure_code(raw) == code


def test_catalogue_covers_the_measures_the_report_prints(root):
    measures = load_measures(root / "data" / "reference")
    for code in ["NT1", "NT1a", "NT1c", "NT3", "NT7", "NT9", "NT10", "NT11", "NT15", "NT16", "NT18", "NT28", "NT31"]:
        assert code in measures.index
    assert set(measures["theme"]) <= {"Jobs", "Growth", "Social", "Environment", "Innovation"}
    assert measures["proxy_source"].str.len().min() > 0


def test_only_illustrative_or_trivial_proxies_are_given(root):
    measures = load_measures(root / "data" / "reference")
    known = measures[measures["proxy_gbp_per_unit"].notna()]
    assert set(known.index) == {"NT7", "NT11", "NT16", "NT28", "NT31"}
    implied = known[known["proxy_source"].str.startswith("illustrative")]
    assert set(implied.index) == {"NT7", "NT11", "NT31"}
    # the implied proxies reproduce the published figures they were derived from
    assert round(22_364.5 * implied.loc["NT7", "proxy_gbp_per_unit"] / 1e6, 2) == 2.44
    assert round(1_093.7 * implied.loc["NT31", "proxy_gbp_per_unit"], -3) == 245_000


def test_mapping_records_the_two_exceptions_and_marks_the_unknown(root):
    mapping = load_mapping(root / "data" / "reference")
    nt31 = mapping[mapping["old_code"] == "NT31"].iloc[0]
    assert nt31["new_code"] == "removed"
    assert set(mapping.loc[mapping["old_code"] == "NT12", "new_code"]) == {"NT12", "NT100"}
    others = mapping[~mapping["old_code"].isin(["NT12", "NT31"])]
    assert (others["new_code"] == "not known").all()
    catalogue = load_measures(root / "data" / "reference")
    assert set(mapping["old_code"]) == set(catalogue.index)
