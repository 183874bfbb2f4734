"""House style: the forms the 2025 report prints, and how it rounds."""

from __future__ import annotations

import pytest

from svreport.core import formatting as f


@pytest.mark.parametrize("value, places, expected", [
    (0.0825, 3, "0.083"),  # half-up on the decimal form, not banker's rounding
    (0.0835, 3, "0.084"),
    (2.675, 2, "2.68"),  # binary 2.67499999... still rounds as a spreadsheet shows it
    (-1.25, 1, "-1.3"),
])
def test_round_half_up(value, places, expected):
    assert str(f.round_half_up(value, places)) == expected


@pytest.mark.parametrize("value, expected", [
    (32_011_000, "£32m"), (27_766_000, "£27.8m"), (18_341_000, "£18.3m"), (3_083_000, "£3.1m"),
    (2_000_000, "£2m"), (-1_400_000, "-£1.4m"),
])
def test_millions(value, expected):
    assert f.gbp_millions(value) == expected


def test_millions_in_words_and_two_decimals():
    assert f.gbp_millions(12_304_000, word=True) == "£12.3 million"
    assert f.gbp_millions(7_966_000, word=True) == "£8 million"
    assert f.gbp_millions(2_439_966.95, 2) == "£2.44m"
    assert f.gbp_millions(1_696_963.22, 1) == "£1.7m"


@pytest.mark.parametrize("value, step, expected", [
    (743_003.73, 1000, "£743,000"), (178_400, 100, "£178,400"), (121_249.99, 100, "£121,200"),
    (82_000, 1000, "£82,000"), (245_000.0, 1000, "£245,000"), (232_884, 1000, "£233,000"),
])
def test_nearest(value, step, expected):
    assert f.gbp_nearest(value, step) == expected


def test_exact_pounds():
    assert f.gbp(479_684.0000001) == "£479,684"
    assert f.gbp(2_676_073) == "£2,676,073"


@pytest.mark.parametrize("value, expected", [
    (4_245_000, "£4.2 million"), (1_401_000, "£1.4 million"), (743_003.73, "£743,000"), (57_200, "£57,200"),
    (712_000, "£712,000"), (55_500, "£55,500"), (28_300_000, "£28.3 million"), (1_971_000, "£2 million"),
])
def test_money_changes_as_the_report_words_them(value, expected):
    assert f.gbp_auto(value) == expected


@pytest.mark.parametrize("ratio, expected", [
    (0.15288, "15%"), (0.08270, "8.3%"), (0.18556, "19%"), (0.62605, "63%"), (0.05310, "5.3%"),
    (8.68293, "868%"), (2.09434, "209%"), (3.17857, "318%"), (0.0995, "10%"), (0.09949, "9.9%"),
])
def test_change_percent_house_rule(ratio, expected):
    assert f.percent(ratio) == expected


@pytest.mark.parametrize("ratio, expected", [(0.27900253, "27.9%"), (0.2399909, "24%"), (0.36658031, "36.7%")])
def test_shares_to_one_decimal(ratio, expected):
    assert f.percent(ratio, 1) == expected


@pytest.mark.parametrize("value, expected", [(1850.1, "1,850.1"), (21.84, "21.84"), (19.0, "19"), (1526, "1,526"),
                                             (22_364.5, "22,364.5"), (308.22, "308.22"), (1093.7, "1,093.7")])
def test_units(value, expected):
    assert f.number(value) == expected


def test_units_plain_and_rounded():
    assert f.number_plain(1850.1) == "1850.1"
    assert f.number(1850.1, 0) == "1,850"
    assert f.number(1093.7, 0) == "1,094"


@pytest.mark.parametrize("absolute, ratio, unit, expected", [
    (4_245_000, 0.15288, "GBP", "a net increase of £4.2 million or 15%"),
    (324.1, 0.2124, "weeks", "a net increase of 324 weeks or 21%"),
    (2.84, 0.1495, "FTE", "a net increase of 2.84 FTE or 15%"),
    (232, 0.0531, "tCO2e", "a net increase of 232 tonnes or 5.3%"),
    (-1_000, -0.5, "GBP", "a net decrease of £1,000 or 50%"),
    (1, None, "hours", "a net increase of 1 hour"),
])
def test_change_phrase(absolute, ratio, unit, expected):
    assert f.change_phrase(absolute, ratio, unit) == expected


def test_styles_cover_each_unit():
    assert set(f.styles_for(1.0, "GBP")) == {"gbp", "p", "m", "m2", "million", "k", "h", "auto"}
    assert f.styles_for(12.6, "GBP")["p"] == "£12.60"
    assert f.styles_for(0.279, "ratio")["pct1"] == "27.9%"
    assert f.styles_for(8591, "count") == {"n": "8,591", "ordinal": "8591st"}
    assert [f.ordinal(n) for n in (3, 10, 11, 12, 22, 113)] == ["third", "tenth", "11th", "12th", "22nd", "113th"]
    assert f.styles_for(1850.1, "weeks")["words"] == "1,850 weeks"


@pytest.mark.parametrize(("previous", "current", "unit", "rose_by"), [
    (27766000, 32011000, "GBP", "rose from £27.8 million to £32 million, a net increase of £4.2 million or 15%"),
    (7700000, 7580000, "GBP", "fell from £7.7 million to £7.6 million, a net decrease of £120,000 or 1.6%"),
    (7740000, 7660000, "GBP", "fell from £7.74 million to £7.66 million, a net decrease of £80,000 or 1%"),
    (1604.4, 2257.6, "FTE", "rose from 1,604 to 2,258 FTE, a net increase of 654 FTE or 41%"),
    (27140000, 28060000, "GBP", "rose from £27.1 million to £28.1 million, a net increase of £1 million or 3.4%"),
    (0.2794, 0.2406, "ratio", "fell from 27.9% to 24.1%, a net decrease of 3.8 percentage points"),
    (121200, 178400, "GBP", "rose from £121,000 to £178,000, a net increase of £57,000 or 47%"),
    (26500, 82000, "GBP", "rose from £26,500 to £82,000, a net increase of £55,500 or 209%"),
    (0, 14000, "GBP", "rose from £0 to £14,000, a net increase of £14,000"),
    (19, 21.84, "FTE", "rose from 19 to 21.84 FTE, a net increase of 2.84 FTE or 15%"),
    (1, 2, "weeks", "rose from 1 to 2 weeks, a net increase of 1 week or 100%"),
    (4369, 4369, "tCO2e", "was unchanged at 4,369 tonnes"),
    (0.279, 0.24, "ratio", "fell from 27.9% to 24%, a net decrease of 3.9 percentage points"),
])
def test_comparison_phrases_follow_the_numbers(previous, current, unit, rose_by):
    forms = f.comparison(previous, current, unit)
    assert forms["rose_by"] == rose_by, forms
    assert forms["rose_by"] == rose_by
    assert forms["up_by"].split(" ", 1)[1] == rose_by.split(" ", 1)[1] or forms["direction"] == "unchanged"
    assert forms["direction"] == ("unchanged" if previous == current else
                                  "increase" if current > previous else "decrease")


def _amount(text: str) -> float:
    number = float(text.replace("£", "").replace(",", "").split()[0])
    return number * 1_000_000 if "million" in text else number


@pytest.mark.parametrize("seed", range(30))
def test_a_printed_change_agrees_with_the_printed_figures(seed):
    """Property: whatever the two values and their unit, 'from X to Y, a net increase of Z' has Z equal to Y - X
    at the figures' precision (the change may be more precise: '£1.7 million to £2.4 million ... £743,000')."""
    import random
    import re

    rng = random.Random(seed)
    for _ in range(50):
        unit = rng.choice(["GBP", "FTE", "weeks"])
        scale = rng.choice([50, 900, 90_000, 900_000, 40_000_000])
        previous, current = (round(rng.uniform(1, scale), 2) for _ in range(2))
        forms = f.comparison(previous, current, unit)
        if forms["direction"] == "unchanged":
            continue
        found = re.fullmatch(r"(?:rose|fell) from (.+?) to (.+?), a net (?:increase|decrease) of (.+?)(?: or .+)?",
                             forms["rose_by"])
        assert found, forms["rose_by"]
        before, after, change = (_amount(g) for g in found.groups())
        size = max(previous, current)
        step = (100_000 if f.money_step(size) is None else f.money_step(size)) if unit == "GBP" else (
            1 if size >= 100 else 0.01)
        # at the figures' precision (finer where the pair's style would print two different figures alike)
        assert any(abs(round(change / s) * s - abs(after - before)) < s / 100 for s in (step, step / 10, step / 100)
                   ), forms["rose_by"]
        assert found.group(1) != found.group(2), forms["rose_by"]
