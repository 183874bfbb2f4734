"""The bundled sample, summed by the data contract's rules, gives the 2025 report's figures.

This test reads the raw files with its own minimal code (csv module and openpyxl), written
independently of the pipeline, so that a mistake in the sample or in the pipeline shows up
as a disagreement. The expected values are the published figures in
shared/spec/seed-figures.md, at the report's own rounding.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
POLICY_START = date(2019, 12, 1)
CUTOFF = {2024: date(2023, 11, 30), 2025: date(2024, 11, 30)}
EXCLUDED = {"RMBC-2017-0012", "RMBC-2018-0031"}
LOCAL = ("S25", "S26", "S60", "S61", "S62", "S63 7", "S65", "S66")


def _key(header: str) -> str:
    return re.sub(r"\s*(\(£\)|£)$", "", " ".join(header.split()).lower())


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text))
    header = [_key(h) for h in next(reader)]
    return [dict(zip(header, row, strict=False)) for row in reader]


def _xlsx_rows(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if any(_key(str(c)) == "contract reference" for c in r if c))
    header = [_key(str(c)) if c is not None else "" for c in rows[start]]
    return [dict(zip(header, r, strict=False)) for r in rows[start + 1:]]


def _rows(folder: Path, stem: str) -> list[dict]:
    return _csv_rows(folder / f"{stem}.csv") if (folder / f"{stem}.csv").exists() else _xlsx_rows(folder / f"{stem}.xlsx")


def _num(cell: object) -> Decimal:
    if isinstance(cell, int | float):
        return Decimal(str(cell))
    text = str(cell).replace("£", "").replace(",", "").replace(" ", "")
    if text.startswith("(") and text.endswith(")"):
        return -Decimal(text[1:-1])
    return Decimal(text)


def _date(cell: object) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    text = str(cell).strip()
    return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d/%m/%Y").date()


def _code(cell: object) -> str:
    match = re.fullmatch(r"nt\s*(\d+)\s*([a-z]?)", str(cell).strip(), re.IGNORECASE)
    assert match, cell
    return f"NT{int(match.group(1))}{match.group(2).lower()}"


def _category(cell: object) -> str:
    return str(cell).strip().lower().removeprefix("rotherham ").capitalize()


def _is_footer(reference: object) -> bool:
    return reference is None or not str(reference).strip() or str(reference).strip().lower().startswith("total")


def sums(year: int) -> dict[str, Decimal]:
    folder = RAW / str(year)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for row in _rows(folder, "portal_commitments"):
        if _is_footer(row["contract reference"]) or not (POLICY_START <= _date(row["award date"]) <= CUTOFF[year]):
            continue
        code, value = _code(row["measure id"]), _num(row["social value committed"])
        out["committed.total"] += value
        out[f"committed.{_category(row['category'])}"] += value
        out[f"committed.{code}.units"] += _num(row["units committed"])
        out[f"committed.{code}.value"] += value
    seen = set()
    for row in _rows(folder, "portal_delivery"):
        identity = tuple(row.values())
        if _is_footer(row["contract reference"]) or identity in seen:
            continue
        seen.add(identity)
        if row["validation status"].strip().lower() != "validated" or _date(row["reporting period end"]) > CUTOFF[year]:
            continue
        code, value, units = _code(row["measure id"]), _num(row["social value delivered"]), _num(row["units delivered"])
        prefix = "excluded" if row["contract reference"] in EXCLUDED else "delivered"
        out[f"{prefix}.total"] += value
        out[f"{prefix}.{code}.units"] += units
        out[f"{prefix}.{code}.value"] += value
    return out


def delivered_by_category(year: int) -> dict[str, Decimal]:
    folder = RAW / str(year)
    categories = {r["contract reference"]: _category(r["category"]) for r in _rows(folder, "portal_commitments")
                  if not _is_footer(r["contract reference"])}
    out: dict[str, Decimal] = defaultdict(Decimal)
    seen = set()
    for row in _rows(folder, "portal_delivery"):
        identity = tuple(row.values())
        if _is_footer(row["contract reference"]) or identity in seen or row["contract reference"] in EXCLUDED:
            continue
        seen.add(identity)
        if row["validation status"].strip().lower() == "validated" and _date(row["reporting period end"]) <= CUTOFF[year]:
            out[categories[row["contract reference"]]] += _num(row["social value delivered"])
    return out


def spend(financial_year: str) -> tuple[Decimal, Decimal]:
    local = total = Decimal(0)
    # the payments carry no postcode: each supplier's is in the supplier records, found by supplier ID
    where = {row["supplier id"]: row["postcode"] for row in _csv_rows(RAW / "2025" / "suppliers.csv")}
    for row in _csv_rows(RAW / "2025" / f"supplier_spend_{financial_year}.csv"):
        if _is_footer(row["transaction number"]):
            continue
        amount = _num(row["amount"])
        total += amount
        postcode = "".join(where.get(row["supplier id"], "").split()).upper()
        outward, inward = postcode[:-3], postcode[-3:]
        if postcode and any(outward == p if " " not in p else (outward == p.split()[0] and inward[0] == p.split()[1])
                            for p in LOCAL):
            local += amount
    return local, total


def r(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def pct(new: Decimal, old: Decimal, places: int = 0) -> Decimal:
    return r((new - old) / old * 100, places)


@pytest.fixture(scope="module")
def figures():
    return {year: sums(year) for year in (2024, 2025)}


MILLION = Decimal(1_000_000)


def test_commitments(figures):
    old, new = figures[2024], figures[2025]
    assert r(old["committed.total"] / MILLION, 1) == Decimal("27.8")
    assert r(new["committed.total"] / MILLION, 1) == Decimal("32.0")
    assert r((new["committed.total"] - old["committed.total"]) / MILLION, 1) == Decimal("4.2")
    assert pct(new["committed.total"], old["committed.total"]) == 15
    for category, before, after, change, percent, places in [
        ("Places", "16.9", "18.3", "1.4", "8.3", 1), ("People", "8.9", "10.6", "1.7", "19", 0),
        ("Corporate", "1.9", "3.1", "1.2", "63", 0),
    ]:
        o, n = old[f"committed.{category}"], new[f"committed.{category}"]
        assert (r(o / MILLION, 1), r(n / MILLION, 1)) == (Decimal(before), Decimal(after)), category
        assert r((n - o) / MILLION, 1) == Decimal(change), category
        assert pct(n, o, places) == Decimal(percent), category


def test_committed_measures(figures):
    old, new = figures[2024], figures[2025]
    assert (old["committed.NT3.units"], new["committed.NT3.units"]) == (19, Decimal("21.84"))
    assert pct(new["committed.NT3.units"], old["committed.NT3.units"]) == 15
    assert (old["committed.NT9.units"], new["committed.NT9.units"]) == (1526, Decimal("1850.1"))
    assert r(new["committed.NT9.units"] - old["committed.NT9.units"], 0) == 324
    assert pct(new["committed.NT9.units"], old["committed.NT9.units"]) == 21
    hours = new["committed.NT7.units"] + new["committed.NT11.units"]
    assert hours == Decimal("22364.5")
    value_old = old["committed.NT7.value"] + old["committed.NT11.value"]
    value_new = new["committed.NT7.value"] + new["committed.NT11.value"]
    assert (r(value_old / MILLION, 1), r(value_new / MILLION, 2)) == (Decimal("1.7"), Decimal("2.44"))
    assert r((value_new - value_old) / 1000, 0) == 743
    assert pct(value_new, value_old) == 44
    assert (old["committed.NT31.units"], new["committed.NT31.units"]) == (4369, 4601)
    assert pct(new["committed.NT31.units"], old["committed.NT31.units"], 1) == Decimal("5.3")
    assert (r(old["committed.NT16.value"], -2), r(new["committed.NT16.value"], -2)) == (121200, 178400)
    assert pct(new["committed.NT16.value"], old["committed.NT16.value"]) == 47
    assert (r(old["committed.NT18.value"] / MILLION, 1), r(new["committed.NT18.value"] / MILLION, 1)) == (
        Decimal("10.9"), Decimal("19.3"))
    assert r((new["committed.NT18.value"] - old["committed.NT18.value"]) / MILLION, 1) == Decimal("8.4")
    assert pct(new["committed.NT18.value"], old["committed.NT18.value"]) == 77
    assert r(new["committed.NT28.value"], -3) == 14000


def test_delivery(figures):
    old, new = figures[2024], figures[2025]
    assert (r(old["delivered.total"] / MILLION, 1), r(new["delivered.total"] / MILLION, 1)) == (8, Decimal("12.3"))
    assert r((new["delivered.total"] - old["delivered.total"]) / MILLION, 1) == Decimal("4.3")
    assert pct(new["delivered.total"], old["delivered.total"]) == 54
    by_old, by_new = delivered_by_category(2024), delivered_by_category(2025)
    assert sum(by_new.values()) == new["delivered.total"]
    for category, before, after, change, percent in [("People", "4.4", "6.1", "1.7", 38),
                                                      ("Places", "3.5", "5.5", "2.0", 57)]:
        o, n = by_old[category], by_new[category]
        assert (r(o / MILLION, 1), r(n / MILLION, 1), r((n - o) / MILLION, 1)) == (
            Decimal(before), Decimal(after), Decimal(change)), category
        assert pct(n, o) == percent, category
    o, n = by_old["Corporate"], by_new["Corporate"]
    assert (r(o, -3), r(n, -3), r(n - o, -3), pct(n, o)) == (82000, 794000, 712000, 868)
    assert new["delivered.NT1.units"] + new["delivered.NT1a.units"] + new["delivered.NT1c.units"] == Decimal("308.22")
    assert (old["delivered.NT10.units"], new["delivered.NT10.units"], pct(new["delivered.NT10.units"],
                                                                         old["delivered.NT10.units"])) == (487, 695, 43)
    support_old = old["delivered.NT7.value"] + old["delivered.NT11.value"]
    support_new = new["delivered.NT7.value"] + new["delivered.NT11.value"]
    assert (r(support_old, -3), r(support_new, 0), r(support_new, -3)) == (247000, 479684, 480000)
    assert (r(support_new - support_old, -3), pct(support_new, support_old)) == (233000, 94)
    assert (new["delivered.NT31.units"], r(new["delivered.NT31.units"], 0)) == (Decimal("1093.7"), 1094)
    assert r(new["delivered.NT31.value"], -3) == 245000
    assert r(new["delivered.NT18.value"], 0) == 2676073


def test_the_two_published_slips_have_their_true_values(figures):
    old, new = figures[2024], figures[2025]
    assert (r(old["delivered.NT16.value"], 0), r(new["delivered.NT16.value"], 0)) == (26500, 82000)
    assert (new["delivered.NT16.value"] - old["delivered.NT16.value"], pct(new["delivered.NT16.value"],
                                                                          old["delivered.NT16.value"])) == (55500, 209)
    assert (old["delivered.NT15.units"], new["delivered.NT15.units"]) == (56, 234)
    assert pct(new["delivered.NT15.units"], old["delivered.NT15.units"]) == 318


def test_excluded_contract(figures):
    new = figures[2025]
    assert r(new["excluded.total"] / MILLION, 1) == Decimal("3.1")
    expected = {"NT10": "447", "NT9": "13.4", "NT8": "38.5", "NT12": "15.4", "NT11": "129.5", "NT1": "105.89"}
    assert {m: new[f"excluded.{m}.units"] for m in expected} == {m: Decimal(v) for m, v in expected.items()}


def test_local_spend():
    local_22, total_22 = spend("2022-23")
    local_23, total_23 = spend("2023-24")
    assert (r(local_22 / MILLION, 1), r(local_23 / MILLION, 1)) == (Decimal("77.2"), Decimal("105.5"))
    assert (r(local_22 / total_22 * 100, 1), r(local_23 / total_23 * 100, 1)) == (Decimal("27.9"), Decimal("24.0"))
    assert r((local_23 - local_22) / MILLION, 1) == Decimal("28.3")
    assert pct(local_23, local_22, 1) == Decimal("36.7")
