"""Deterministic generator of the bundled sample data (fictional contracts and suppliers).

The sample is designed so that, summed by the data contract's rules, it gives every figure
printed in the 2025 Social Value Annual Report (and the 2024 report as comparator), while
carrying the mess real exports have. The design targets below are the *sample's* inputs;
the pipeline never reads them. All amounts are integers: money in pence, units in hundredths.

Files written (``svreport-dev sample``):

- every folder: the payments without supplier postcodes, as real spend files are, and ``suppliers.csv``, the
  finance system's supplier records (ID, name, address, postcode, company number) that locate them
- ``<raw>/2024/``: commitments as Windows-1252 CSV; delivery as UTF-8 CSV; spend 2021-22, 2022-23
- ``<raw>/2025/``: commitments as XLSX with title rows; delivery as UTF-8 CSV with BOM;
  spend 2022-23, 2023-24
- ``<raw>/as-at-2025-05-31/``: the exports as downloaded in June 2025 for the mid-year update: the 2025
  rows (some pending delivery since validated), six contracts awarded since the 2025 report's cut-off, and
  delivery for the quarter to March 2025; spend 2023-24, 2024-25. Their own random streams: no cell of
  the 2024 or 2025 exports changes.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from svreport.io.reference import load_measures

SEED = "svreport-sample-v1"
CATEGORIES = ("Places", "People", "Corporate")
OLD, NEW = "old", "new"  # contracts counted in the 2024 report / new in the 2025 report
AS_AT = "as-at-2025-05-31"  # the mid-year update's exports (the as-at run's folder name)
Export = int | str  # a report year, or AS_AT
EXPORT_DATE: dict[Export, date] = {2024: date(2024, 1, 15), 2025: date(2025, 1, 20), AS_AT: date(2025, 6, 16)}
CUTOFF = {2024: date(2023, 11, 30), 2025: date(2024, 11, 30)}
LAST_QUARTER = {2024: date(2023, 9, 30), 2025: date(2024, 9, 30)}  # last period end <= cut-off
POLICY_START = date(2019, 12, 1)

M = 100  # one unit or one pound, in hundredths


def gbp(pounds: float) -> int:
    return round(pounds * M)


# Sample-only proxies (pence per unit) for measures whose TOMs proxy the reference data does
# not know. Illustrative, never used by the pipeline.
SAMPLE_PROXY = {
    "NT1": 27_000, "NT1a": 27_000, "NT1c": 27_000, "NT3": 20_000, "NT4": 15_000, "NT4a": 16_000,
    "NT5": 22_000, "NT6": 16_000, "NT8": 15, "NT9": 350, "NT10": 200, "NT12": 180, "NT13": 250,
    "NT15": 95, "NT18": 0.64,
}
UNIT_STEP = {"no. people FTE": 1, "no. weeks": 10, "no. hrs": 10, "tCO2e": 10, "£": 1}

# --- design targets -------------------------------------------------------------------------
# Fixed measures: (basis, total, {category: share}); basis "units" fixes units, "value" fixes £.
Fixed = dict[str, tuple[str, int, dict[str, float]]]

_SPLIT_COMMIT = {
    "NT3": {"Places": 0.45, "People": 0.45, "Corporate": 0.10},
    "NT9": {"Places": 0.50, "People": 0.35, "Corporate": 0.15},
    "NT7": {"Places": 0.40, "People": 0.50, "Corporate": 0.10},
    "NT11": {"Places": 0.50, "People": 0.40, "Corporate": 0.10},
    "NT31": {"Places": 0.75, "People": 0.20, "Corporate": 0.05},
    "NT16": {"Places": 0.40, "People": 0.50, "Corporate": 0.10},
    "NT18": {"Places": 0.60, "People": 0.32, "Corporate": 0.08},
    "NT28": {"Places": 0.45, "People": 0.45, "Corporate": 0.10},
}

COMMITTED_CATEGORY = {
    2024: {"Places": gbp(16_940_000), "People": gbp(8_930_000), "Corporate": gbp(1_896_000)},
    2025: {"Places": gbp(18_341_000), "People": gbp(10_587_000), "Corporate": gbp(3_083_000)},
}
COMMITTED_FIXED: dict[int, Fixed] = {
    2024: {
        "NT3": ("units", 19_00, _SPLIT_COMMIT["NT3"]),
        "NT9": ("units", 1526_00, _SPLIT_COMMIT["NT9"]),
        "NT7": ("units", 8600_00, _SPLIT_COMMIT["NT7"]),
        "NT11": ("units", 6954_20, _SPLIT_COMMIT["NT11"]),
        "NT31": ("units", 4369_00, _SPLIT_COMMIT["NT31"]),
        "NT16": ("value", gbp(121_200), _SPLIT_COMMIT["NT16"]),
        "NT18": ("value", gbp(10_920_000), _SPLIT_COMMIT["NT18"]),
        "NT28": ("value", gbp(9_000), _SPLIT_COMMIT["NT28"]),
    },
    2025: {
        "NT3": ("units", 21_84, _SPLIT_COMMIT["NT3"]),
        "NT9": ("units", 1850_10, _SPLIT_COMMIT["NT9"]),
        "NT7": ("units", 12300_00, _SPLIT_COMMIT["NT7"]),
        "NT11": ("units", 10064_50, _SPLIT_COMMIT["NT11"]),
        "NT31": ("units", 4601_00, _SPLIT_COMMIT["NT31"]),
        "NT16": ("value", gbp(178_400), _SPLIT_COMMIT["NT16"]),
        "NT18": ("value", gbp(19_330_000), _SPLIT_COMMIT["NT18"]),
        "NT28": ("value", gbp(14_000), _SPLIT_COMMIT["NT28"]),
    },
}
# The rest of each category's commitment, spread over these measures by weight.
COMMITTED_FREE = {"NT1": 5.0, "NT1a": 1.5, "NT1c": 1.0, "NT4": 0.6, "NT4a": 0.3, "NT5": 0.2,
                  "NT6": 0.5, "NT8": 0.05, "NT10": 1.2, "NT12": 0.3, "NT13": 0.4, "NT15": 0.1}
# Between the two exports most contracts the 2024 report counted are unchanged; a few are revised, as real
# portals record them: (category, position in the category's older contracts, why, what share of each of its
# commitments the 2025 export keeps, the end date the 2025 export gives an early termination). The 2024 export
# gives these contracts a larger share of their category's commitments (``REVISED_WEIGHT``): they are the large
# frameworks whose revisions move the totals, and the printed totals of both reports still hold.
REVISED_CONTRACTS = (
    ("Places", 4, "early termination", 0.25, date(2024, 6, 30)),
    ("Places", 13, "correction of a commitment entered in error", 0.45, None),
    ("Places", 26, "contract variation", 0.5, None),
    ("Places", 37, "contract variation", 0.6, None),
    ("People", 7, "early termination", 0.2, date(2024, 3, 31)),
    ("People", 21, "contract variation", 0.4, None),
    ("People", 30, "contract variation", 0.5, None),
    ("Places", 44, "contract variation", 0.5, None),
    ("Places", 20, "award withdrawn before the contract started", 0.0, None),
    ("Corporate", 9, "contract variation", 1.2, None),
)
REVISED_WEIGHT = {"Places": 14.0, "People": 16.0, "Corporate": 2.0}

DELIVERED_CATEGORY = {
    2024: {"Places": gbp(3_484_000), "People": gbp(4_400_000), "Corporate": gbp(82_000)},
    2025: {"Places": gbp(5_455_000), "People": gbp(6_055_000), "Corporate": gbp(794_000)},
}
DELIVERED_FIXED: dict[int, Fixed] = {
    2024: {
        "NT1": ("units", 184_00, {"Places": 0.385, "People": 0.61, "Corporate": 0.005}),
        "NT1a": ("units", 25_00, {"Places": 0.40, "People": 0.60, "Corporate": 0.0}),
        "NT1c": ("units", 10_00, {"Places": 0.50, "People": 0.50, "Corporate": 0.0}),
        "NT10": ("units", 487_00, {"Places": 0.68, "People": 0.30, "Corporate": 0.02}),
        "NT7": ("value", gbp(136_000), {"Places": 0.40, "People": 0.58, "Corporate": 0.02}),
        "NT11": ("value", gbp(110_800), {"Places": 0.60, "People": 0.38, "Corporate": 0.02}),
        "NT31": ("units", 700_00, {"Places": 0.79, "People": 0.20, "Corporate": 0.01}),
        "NT18": ("value", gbp(1_300_000), {"Places": 0.58, "People": 0.40, "Corporate": 0.02}),
        "NT16": ("value", gbp(26_500), {"Places": 0.45, "People": 0.45, "Corporate": 0.10}),
        "NT15": ("units", 56_00, {"Places": 0.40, "People": 0.40, "Corporate": 0.20}),
    },
    2025: {
        "NT1": ("units", 250_00, {"Places": 0.385, "People": 0.555, "Corporate": 0.06}),
        "NT1a": ("units", 38_50, {"Places": 0.385, "People": 0.555, "Corporate": 0.06}),
        "NT1c": ("units", 19_72, {"Places": 0.385, "People": 0.555, "Corporate": 0.06}),
        "NT10": ("units", 695_00, {"Places": 0.64, "People": 0.30, "Corporate": 0.06}),
        "NT7": ("value", gbp(263_826.20), {"Places": 0.40, "People": 0.54, "Corporate": 0.06}),
        "NT11": ("value", gbp(215_857.80), {"Places": 0.50, "People": 0.44, "Corporate": 0.06}),
        "NT31": ("units", 1093_70, {"Places": 0.77, "People": 0.20, "Corporate": 0.03}),
        "NT18": ("value", gbp(2_676_073), {"Places": 0.60, "People": 0.35, "Corporate": 0.05}),
        "NT16": ("value", gbp(82_000), {"Places": 0.45, "People": 0.50, "Corporate": 0.05}),
        "NT15": ("units", 234_00, {"Places": 0.50, "People": 0.40, "Corporate": 0.10}),
    },
}
DELIVERED_FREE = {"NT3": 2.0, "NT4": 1.0, "NT4a": 0.4, "NT5": 0.3, "NT6": 0.8, "NT8": 0.05,
                  "NT9": 1.0, "NT12": 0.5, "NT13": 0.6, "NT28": 0.3}

# The excluded pre-policy repairs contract: validated delivery by each report's cut-off.
EXCLUDED_WITH_DELIVERY = "RMBC-2017-0012"
EXCLUDED_PENDING_ONLY = "RMBC-2018-0031"
EXCLUDED_DELIVERY = {
    2024: {"NT10": ("units", 301_00), "NT9": ("units", 9_00), "NT8": ("units", 24_50),
           "NT12": ("units", 10_00), "NT11": ("units", 85_00), "NT1": ("units", 71_20),
           "NT18": ("value", gbp(82_000))},
    2025: {"NT10": ("units", 447_00), "NT9": ("units", 13_40), "NT8": ("units", 38_50),
           "NT12": ("units", 15_40), "NT11": ("units", 129_50), "NT1": ("units", 105_89),
           "NT18": ("value", gbp(130_000))},
}

# Finance system: (local, total) payments per financial year, in pence.
SPEND_TARGETS = {
    "2021-22": (gbp(70_400_000), gbp(250_100_000)),
    "2022-23": (gbp(77_200_000), gbp(276_700_000)),
    "2023-24": (gbp(105_500_000), gbp(439_600_000)),
    "2024-25": (gbp(112_300_000), gbp(452_800_000)),
}
SPEND_FILES: dict[Export, tuple[str, str]] = {2024: ("2021-22", "2022-23"), 2025: ("2022-23", "2023-24"),
                                              AS_AT: ("2023-24", "2024-25")}
SPEND_ROWS_PER_YEAR = 1800
# Contracts awarded after the 2025 cut-off (the mid-year update): whole units committed per measure.
AS_AT_COMMITMENT_RANGE = {"NT1": (1, 6), "NT9": (5, 60), "NT10": (20, 200), "NT18": (20_000, 400_000),
                          "NT28": (500, 10_000), "NT31": (5, 120)}

CONTRACTS_PER_GROUP = {("Places", OLD): 48, ("Places", NEW): 12, ("People", OLD): 41,
                       ("People", NEW): 11, ("Corporate", OLD): 30, ("Corporate", NEW): 8}

# --- fictional names ------------------------------------------------------------------------
_CONTRACT_NAMES = {
    "Places": ["Highway resurfacing programme", "Street lighting maintenance", "School kitchen refurbishment",
               "Grounds maintenance", "Refuse collection vehicles", "Flood alleviation works",
               "Town centre public realm", "Bus shelter replacement", "Leisure centre roofing",
               "Bridge inspection and repair", "Cemetery extension works", "Winter gritting services",
               "Depot electrical upgrade", "Library building works", "Footway reconstruction",
               "Traffic signal maintenance"],
    "People": ["Home care services", "Supported living framework", "Young carers support",
               "Substance misuse recovery service", "Domestic abuse refuge", "Short breaks for disabled children",
               "Residential care beds", "Healthy weight service", "Advocacy services", "Day opportunities",
               "Stop smoking service", "Sexual health service", "Early help family support",
               "Independent fostering placements"],
    "Corporate": ["Managed print service", "Temporary agency staff", "PPE supply", "Corporate training framework",
                  "Cloud hosting", "Insurance brokerage", "Legal case management system", "Fleet vehicle leasing",
                  "Cleaning consumables", "Payroll software", "Telephony contract", "Office furniture",
                  "Translation services", "Occupational health service"],
}
_NAME_FIRST = ["Ashvale", "Brackenholt", "Corrowby", "Dunmere", "Elmsworth", "Fallowfield", "Greysted",
               "Hollinbrook", "Ivybridge", "Jessamine", "Kestlow", "Larkmoor", "Mistlethorpe", "Nettleford",
               "Orchardine", "Pemberdale", "Quillby", "Rushmere", "Saltergate", "Thornacre", "Umberleigh",
               "Vinecombe", "Wyndholt", "Yarrowby"]
_NAME_TRADE = {
    "Places": ["Civils", "Highways", "Groundworks", "Construction", "Building Services", "Electrical",
               "Landscapes", "Engineering"],
    "People": ["Care", "Support Services", "Community Trust", "Health Partnership", "Family Services",
               "Homecare", "Wellbeing CIC"],
    "Corporate": ["Digital", "IT Solutions", "Workforce", "Supplies", "Training", "Consulting", "Office Services"],
}
_SUFFIX = ["Ltd", "Ltd", "Limited", "LLP", "Group Ltd"]
_PEOPLE = ["Alex Marlowe", "Sam Pennick", "Jordan Ashby", "Priya Vantan", "Chris Doley", "Morgan Tillet",
           "Jamie Okoro", "Robin Hesketh", "Taylor Brannigan", "Casey Lindqvist"]


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


def split_int(total: int, weights: Sequence[float], step: int = 1) -> list[int]:
    """Split ``total`` into multiples of ``step`` proportional to ``weights``, summing exactly.

    Largest-remainder method; ``total`` must be a multiple of ``step``.
    """
    if total < 0:
        raise ValueError(f"sample design: negative amount {total} to split")
    if total % step:
        raise ValueError(f"{total} is not a multiple of {step}")
    units, weight_sum = total // step, sum(weights)
    raw = [units * w / weight_sum for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return [p * step for p in parts]


@dataclass
class Contract:
    reference: str
    name: str
    supplier: str
    category: str
    award: date
    group: str
    value: int | None  # pence; None = blank in the export
    contact: str
    kept: float = 1.0  # the share of its 2024 commitments the 2025 exports keep (REVISED_CONTRACTS)
    ended: date | None = None  # an early termination's end date in the 2025 exports

    @property
    def service_area(self) -> str:
        """The commissioning service area (optional export column; its own random stream, so adding it
        changed no other cell of the sample)."""
        return _rng("service-area", self.reference).choice(SERVICE_AREAS[self.category])

    @property
    def end_date(self) -> date | None:
        """The contract's end date (optional export column): five to eight years after award, or not known."""
        rng = _rng("end-date", self.reference)
        years, known = rng.choice((5, 6, 7, 8)), rng.random() >= 0.15
        return date(self.award.year + years, self.award.month, min(self.award.day, 28)) if known else None

    def end_date_in(self, export: Export) -> date | None:
        """The end date an export gives: the 2025 exports (and later) give an early termination's."""
        return self.ended if self.ended is not None and export != 2024 else self.end_date


@dataclass
class Row:
    """One portal row: units in hundredths, value in pence."""

    contract: Contract
    measure: str
    units: int
    value: int
    period: date | None = None
    status: str = "Validated"
    status_by_year: dict[Export, str] = field(default_factory=dict)


class SampleDesign:
    """Builds contracts and rows for both report years from the design targets."""

    def __init__(self, reference_dir: Path):
        measures = load_measures(reference_dir)
        self.units = measures["unit"].to_dict()
        self.titles = measures["title"].to_dict()
        self.proxy: dict[str, float] = {}
        for code, known in measures["proxy_gbp_per_unit"].items():
            self.proxy[code] = float(known) if known == known else SAMPLE_PROXY[code]
        self.contracts = self._make_contracts()
        self._mark_revised()
        self.commitments: dict[Export, list[Row]] = {year: self._commitments(year) for year in (2024, 2025)}
        self.delivery = self._delivery()
        self._add_as_at()

    # -- contracts --------------------------------------------------------------------------
    def _make_contracts(self) -> list[Contract]:
        rng = _rng("contracts")
        contracts: list[Contract] = []
        used_suppliers: set[str] = set()
        serial = 100
        for (category, group), count in CONTRACTS_PER_GROUP.items():
            start, end = ((date(2019, 12, 2), date(2023, 11, 24)) if group == OLD
                          else (date(2023, 12, 5), date(2024, 11, 22)))
            for index in range(count):
                award = start + timedelta(days=rng.randrange((end - start).days + 1))
                if group == NEW and index == 0:
                    award = date(2023, 12, 5)  # in the 2024 export, but after its cut-off
                serial += rng.randrange(1, 9)
                base = _CONTRACT_NAMES[category][index % len(_CONTRACT_NAMES[category])]
                name = f"{base} lot {index // len(_CONTRACT_NAMES[category]) + 1}" if index >= len(
                    _CONTRACT_NAMES[category]) else base
                supplier = self._supplier_name(rng, category, used_suppliers)
                value = None if rng.random() < 0.08 else rng.randrange(120_000, 9_000_000) * M
                contracts.append(Contract(f"RMBC-{award.year}-{serial:04d}", name, supplier, category,
                                          award, group, value, rng.choice(_PEOPLE)))
        # Awarded after the 2025 cut-off: in the 2025 export, counted in no figure.
        contracts.append(Contract("RMBC-2024-0911", "Playground equipment renewal", "Wyndholt Landscapes Ltd",
                                  "Places", date(2024, 12, 10), "late", 450_000 * M, "Jamie Okoro"))
        return sorted(contracts, key=lambda c: (c.award, c.reference))

    def _mark_revised(self) -> None:
        """The contracts ``REVISED_CONTRACTS`` names: from its position on, the first that commits to NT1 and has a
        known end date (an early termination brings a known end date forward)."""
        for category, position, _, kept, ended in REVISED_CONTRACTS:
            pool = self.pool(category, OLD)
            employers = set(map(id, self.holders("NT1", category, OLD)))
            contract = next(c for c in pool[position:] + pool[:position]
                            if id(c) in employers and c.end_date is not None and c.kept == 1.0)
            contract.kept, contract.ended = kept, ended

    @staticmethod
    def _supplier_name(rng: random.Random, category: str, used: set[str]) -> str:
        while True:
            name = f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_TRADE[category])} {rng.choice(_SUFFIX)}"
            if name not in used:
                used.add(name)
                return name

    def pool(self, category: str, group: str) -> list[Contract]:
        return [c for c in self.contracts if c.category == category and c.group == group]

    def holders(self, measure: str, category: str, group: str, for_delivery: bool = False) -> list[Contract]:
        """Contracts of a group that commit to a measure: a fixed random subset."""
        pool = self.pool(category, group)
        density = 0.85 if measure == "NT18" else 0.6 if measure == "NT1" else 0.3
        k = max(1, round(len(pool) * density))
        chosen = _rng("holders", measure, category, group).sample(pool, k)
        if measure in COMMITTED_FREE:  # the revised frameworks commit to every measure of their category
            chosen += [c for c in pool if c.kept != 1.0 and c not in chosen]
        if for_delivery:  # a withdrawn award delivers nothing
            chosen = [c for c in chosen if c.kept != 0.0]
        return sorted(chosen, key=lambda c: c.reference)

    # -- cells ------------------------------------------------------------------------------
    def cell_total(self, measure: str, basis: str, amount: int) -> tuple[int, int]:
        """(units, value) of a cell fixed by units or by value, consistent with the proxy."""
        step = UNIT_STEP[self.units[measure]]
        proxy = self.proxy[measure]
        if basis == "units":
            return amount, round(amount * proxy)
        units = round(amount / proxy / step) * step
        return units, amount

    def rows_for_cell(self, measure: str, units: int, value: int, slots: list[tuple[Contract, date | None]],
                      tag: str) -> list[Row]:
        """Split a cell over slots: units by weight, value = units x proxy with the rounding
        difference put on the largest row, so both cell totals are exact."""
        step = UNIT_STEP[self.units[measure]]
        rng = _rng("weights", measure, tag)
        boost = measure in COMMITTED_FREE and not tag.startswith("d")  # the revised frameworks' commitments
        weights = [rng.uniform(0.3, 1.7) * (REVISED_WEIGHT[c.category] if boost and c.kept != 1.0 else 1.0)
                   for c, _ in slots]
        unit_parts = split_int(units, weights, step)
        values = [round(u * self.proxy[measure]) for u in unit_parts]
        largest = max(range(len(values)), key=lambda i: (values[i], -i))
        values[largest] += value - sum(values)
        return [Row(contract, measure, u, v, period) for (contract, period), u, v in
                zip(slots, unit_parts, values, strict=True)]

    def _fixed_cells(self, fixed: Fixed) -> dict[tuple[str, str], tuple[int, int]]:
        cells = {}
        for measure, (basis, amount, shares) in fixed.items():
            step = UNIT_STEP[self.units[measure]] if basis == "units" else 1
            parts = split_int(amount, [shares[c] for c in CATEGORIES], step)
            for category, part in zip(CATEGORIES, parts, strict=True):
                cells[(measure, category)] = self.cell_total(measure, basis, part)
        return cells

    def _free_cells(self, residual: int, weights: dict[str, float],
                    category: str) -> dict[tuple[str, str], tuple[int, int]]:
        if residual < 0:
            raise ValueError(f"sample design: fixed measures exceed the {category} target by {-residual}")
        cells = {}
        for measure, part in zip(weights, split_int(residual, list(weights.values())), strict=True):
            cells[(measure, category)] = self.cell_total(measure, "value", part)
        return cells

    def committed_cells(self, year: int) -> dict[tuple[str, str], tuple[int, int]]:
        cells = self._fixed_cells(COMMITTED_FIXED[year])
        for category in CATEGORIES:
            used = sum(v for (m, c), (_, v) in cells.items() if c == category)
            cells |= self._free_cells(COMMITTED_CATEGORY[year][category] - used, COMMITTED_FREE, category)
        return cells

    def _commitments(self, year: int) -> list[Row]:
        """The 2024 export's rows; for 2025, the same rows for the older contracts (a revised contract's scaled
        by the share it keeps) and the new contracts' rows making up each printed total: a fixed measure's cell
        less what the older contracts keep, and the rest of each category over the free measures."""
        cells24 = self.committed_cells(2024)
        old_rows = {cell: self.rows_for_cell(cell[0], units, value, [(c, None) for c in self.holders(*cell, OLD)],
                                             f"c-{cell[1]}-old") for cell, (units, value) in sorted(cells24.items())}
        if year == 2024:
            return [row for cell in sorted(old_rows) for row in old_rows[cell]]
        kept = {cell: [self._revised(row) for row in rows] for cell, rows in old_rows.items()}
        fixed = self._fixed_cells(COMMITTED_FIXED[year])
        new_cells = {cell: (units - sum(r.units for r in kept[cell]), value - sum(r.value for r in kept[cell]))
                     for cell, (units, value) in fixed.items()}
        for category in CATEGORIES:
            taken = sum(v for (_, c), (_, v) in fixed.items() if c == category) + sum(
                r.value for (m, c), rows in kept.items() if c == category and m not in COMMITTED_FIXED[year]
                for r in rows)
            new_cells |= self._free_cells(COMMITTED_CATEGORY[year][category] - taken, COMMITTED_FREE, category)
        rows: list[Row] = []
        for cell in sorted(new_cells):
            measure, category = cell
            units, value = new_cells[cell]
            if units < 0 or value < 0:
                raise ValueError(f"sample design: the older contracts keep more {measure} ({category}) than 2025's")
            rows += [r for r in kept.get(cell, []) if r.units or r.value]
            rows += self.rows_for_cell(measure, units, value, [(c, None) for c in self.holders(*cell, NEW)],
                                       f"c{year}-{category}-new")
        if year == 2025:  # the contract awarded after the cut-off
            late = next(c for c in self.contracts if c.group == "late")
            rows += [Row(late, "NT18", 60_000 * M, round(60_000 * M * self.proxy["NT18"])),
                     Row(late, "NT10", 52_00, 52_00 * 200)]
        return rows

    def _revised(self, row: Row) -> Row:
        """A 2024 commitment row as the 2025 exports give it: as it was, or scaled by its contract's ``kept``."""
        if row.contract.kept == 1.0:
            return row
        step = UNIT_STEP[self.units[row.measure]]
        units = round(row.units * row.contract.kept / step) * step
        return Row(row.contract, row.measure, units, round(units * self.proxy[row.measure]))

    # -- delivery ---------------------------------------------------------------------------
    def delivered_cells(self, year: int) -> dict[tuple[str, str], tuple[int, int]]:
        cells = self._fixed_cells(DELIVERED_FIXED[year])
        for category in CATEGORIES:
            used = sum(v for (m, c), (_, v) in cells.items() if c == category)
            cells |= self._free_cells(DELIVERED_CATEGORY[year][category] - used, DELIVERED_FREE, category)
        return cells

    @staticmethod
    def quarters(after: date, until: date) -> list[date]:
        ends = []
        for year in range(after.year, until.year + 1):
            for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
                end = date(year, month, day)
                if after < end <= until:
                    ends.append(end)
        return ends

    def _slots(self, contracts: list[Contract], start: date, until: date, rng: random.Random,
               used: set[tuple[str, str, date]], measure: str, limit: int) -> list[tuple[Contract, date]]:
        candidates = [(c, q) for c in contracts for q in self.quarters(max(start, c.award + timedelta(days=60)), until)
                      if (c.reference, measure, q) not in used]
        chosen = sorted(rng.sample(candidates, min(limit, len(candidates))), key=lambda s: (s[0].reference, s[1]))
        used.update((c.reference, measure, q) for c, q in chosen)
        return chosen

    def _delivery(self) -> list[Row]:
        """All delivery rows of both exports; ``status_by_year`` says how each export shows a row."""
        cells24, cells25 = self.delivered_cells(2024), self.delivered_cells(2025)
        used: set[tuple[str, str, date]] = set()
        rows: list[Row] = []
        for (measure, category) in sorted(cells25):
            rng = _rng("delivery", measure, category)
            old = self.holders(measure, category, OLD, for_delivery=True)
            both = sorted(old + self.holders(measure, category, NEW, for_delivery=True), key=lambda c: c.reference)
            units24, value24 = cells24.get((measure, category), (0, 0))
            units25, value25 = cells25[(measure, category)]
            if value24 or units24:
                slots = self._slots(old, POLICY_START, LAST_QUARTER[2024], rng, used, measure, 10)
                for row in self.rows_for_cell(measure, units24, value24, slots, f"d24-{category}"):
                    row.status_by_year = {2024: "Validated", 2025: "Validated"}
                    rows.append(row)
            # Increment: mostly new periods, plus two older periods validated late.
            late = self._slots(old, POLICY_START, LAST_QUARTER[2024], rng, used, measure, 2)
            fresh = self._slots(both, LAST_QUARTER[2024], LAST_QUARTER[2025], rng, used, measure, 10)
            for row in self.rows_for_cell(measure, units25 - units24, value25 - value24, late + fresh,
                                          f"d25-{category}"):
                assert row.period is not None
                if row.period <= CUTOFF[2024]:
                    row.status_by_year = {2024: rng.choice(["Pending", "Awaiting Evidence"]), 2025: "Validated"}
                elif row.period <= EXPORT_DATE[2024]:
                    row.status_by_year = {2024: "Pending", 2025: "Validated"}
                else:
                    row.status_by_year = {2025: "Validated"}
                rows.append(row)
            # Never validated, and periods after the 2025 cut-off. Pending and awaiting evidence (still to be
            # validated) sum to the 2025 report's "£1.2 million awaiting validation"; rejected rows are apart.
            for status in ("Rejected", "Pending", "Awaiting Evidence"):
                for contract, period in self._slots(both, LAST_QUARTER[2024], LAST_QUARTER[2025], rng, used,
                                                    measure, 1 if status != "Pending" else 2):
                    share = 40 if status == "Rejected" else 30
                    units = max(UNIT_STEP[self.units[measure]], units25 // share // 10 * 10)
                    row = Row(contract, measure, units, round(units * self.proxy[measure]), period)
                    row.status_by_year = {2025: status}
                    rows.append(row)
            for contract, period in self._slots(both, LAST_QUARTER[2025], date(2024, 12, 31), rng, used, measure, 2):
                units = max(UNIT_STEP[self.units[measure]], units25 // 30 // 10 * 10)
                row = Row(contract, measure, units, round(units * self.proxy[measure]), period)
                row.status_by_year = {2025: rng.choice(["Validated", "Pending"])}
                rows.append(row)
        rows += self._excluded_delivery(used)
        return rows

    # -- the mid-year update's exports ---------------------------------------------------------
    def _add_as_at(self) -> None:
        """The exports of June 2025: every 2025 row (pending delivery to December 2024 mostly validated since),
        six contracts awarded after the 2025 cut-off, and delivery for the quarter to March 2025."""
        rng = _rng("as-at")
        for row in self.delivery:
            status = row.status_by_year.get(2025)
            if status is None:
                continue
            late = status in ("Pending", "Awaiting Evidence") and rng.random() < 0.6
            row.status_by_year[AS_AT] = "Validated" if late else status
        used = {c.supplier for c in self.contracts}
        serial = 950
        added: list[Contract] = []
        for index, category in enumerate(CATEGORIES * 2):
            award = date(2024, 12, 16) + timedelta(days=rng.randrange(0, 150))
            serial += rng.randrange(1, 9)
            name = f"{_CONTRACT_NAMES[category][(index * 5) % len(_CONTRACT_NAMES[category])]} (2025)"
            added.append(Contract(f"RMBC-{award.year}-{serial:04d}", name, self._supplier_name(rng, category, used),
                                  category, award, "as-at", rng.randrange(200_000, 3_000_000) * M,
                                  rng.choice(_PEOPLE)))
        self.contracts = sorted([*self.contracts, *added], key=lambda c: (c.award, c.reference))
        rows = list(self.commitments[2025])
        for contract in added:
            for measure in sorted(rng.sample(sorted(AS_AT_COMMITMENT_RANGE), rng.randrange(2, 5))):
                low, high = AS_AT_COMMITMENT_RANGE[measure]
                units = rng.randrange(low, high) * M
                rows.append(Row(contract, measure, units, round(units * self.proxy[measure])))
        self.commitments[AS_AT] = rows
        quarter = date(2025, 3, 31)
        for commitment in sorted(rows, key=lambda r: (r.contract.reference, r.measure)):
            contract = commitment.contract
            if contract.group in ("excluded", "as-at") or rng.random() >= 0.3:
                continue
            step = UNIT_STEP[self.units[commitment.measure]]
            units = max(step, round(commitment.units * rng.uniform(0.04, 0.15) / step) * step)
            row = Row(contract, commitment.measure, units, round(units * self.proxy[commitment.measure]), quarter)
            roll = rng.random()
            row.status_by_year = {AS_AT: "Validated" if roll < 0.75 else "Pending" if roll < 0.95 else
                                  "Awaiting Evidence"}
            self.delivery.append(row)

    def _excluded_delivery(self, used: set[tuple[str, str, date]]) -> list[Row]:
        repairs = Contract(EXCLUDED_WITH_DELIVERY, "Housing repairs and maintenance", "Ashcombe Property Repairs Ltd",
                           "Places", date(2017, 4, 1), "excluded", None, "Robin Hesketh")
        other = Contract(EXCLUDED_PENDING_ONLY, "Housing repairs (south area)", "Millrace Building Services Ltd",
                         "Places", date(2018, 4, 1), "excluded", None, "Casey Lindqvist")
        rows: list[Row] = []
        for measure in EXCLUDED_DELIVERY[2025]:
            rng = _rng("excluded", measure)
            units24, value24 = self.cell_total(measure, *EXCLUDED_DELIVERY[2024][measure])
            units25, value25 = self.cell_total(measure, *EXCLUDED_DELIVERY[2025][measure])
            first = self._slots([repairs], POLICY_START, LAST_QUARTER[2024], rng, used, measure, 4)
            for row in self.rows_for_cell(measure, units24, value24, first, "x24"):
                row.status_by_year = {2024: "Validated", 2025: "Validated"}
                rows.append(row)
            second = self._slots([repairs], LAST_QUARTER[2024], LAST_QUARTER[2025], rng, used, measure, 3)
            for row in self.rows_for_cell(measure, units25 - units24, value25 - value24, second, "x25"):
                row.status_by_year = {2025: "Validated"}
                rows.append(row)
            for contract, period in self._slots([other], POLICY_START, LAST_QUARTER[2025], rng, used, measure, 2):
                units = max(UNIT_STEP[self.units[measure]], units25 // 8 // 10 * 10)
                row = Row(contract, measure, units, round(units * self.proxy[measure]), period)
                row.status_by_year = {2024: "Pending", 2025: "Pending"} if period <= CUTOFF[2024] else {2025: "Pending"}
                rows.append(row)
        return rows


# --- formatting helpers for the messy exports ---------------------------------------------
def _number(hundredths: int, decimals: int, thousands: bool = False) -> str:
    text = f"{hundredths / M:,.{decimals}f}" if thousands else f"{hundredths / M:.{decimals}f}"
    return text


def _units_text(units: int, unit: str, rng: random.Random) -> str:
    decimals = 2 if UNIT_STEP[unit] == 1 else 1
    text = _number(units, decimals, thousands=rng.random() < 0.5)
    if decimals == 1 and text.endswith(".0") and rng.random() < 0.5:
        text = text[:-2]
    return text


def _money_text(pence: int, rng: random.Random, pound_sign: bool) -> str:
    text = _number(pence, 2, thousands=rng.random() < 0.6)
    return ("£" + text) if pound_sign and rng.random() < 0.7 else text


def _date_text(day: date, rng: random.Random) -> str:
    return day.isoformat() if rng.random() < 0.25 else day.strftime("%d/%m/%Y")


def _category_text(category: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return f"Rotherham {category}"
    if roll < 0.15:
        return category.lower()
    if roll < 0.18:
        return f" {category.upper()} "
    return category


def _code_text(code: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return f"nt {code[2:]}"
    if roll < 0.10:
        return f"{code} "
    if roll < 0.13:
        return code.upper() if code[-1].isalpha() else code.lower()
    return code


def _email(name: str, supplier: str) -> str:
    domain = "".join(ch for ch in supplier.split()[0].lower() if ch.isalpha())
    return f"{name.split()[0].lower()}.{name.split()[1].lower()}@{domain}.example.com"


def _csv_bytes(rows: list[list[str]], encoding: str, line_end: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerows(rows)
    text = buffer.getvalue()
    return (b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"") + text.encode(
        "cp1252" if encoding == "cp1252" else "utf-8")


COMMIT_HEADERS = ["Contract Reference", "Contract Name", "Supplier Name", "Supplier Contact Name",
                  "Supplier Contact Email", "Supplier Contact Phone", "Category", "Award Date",
                  "Contract Value (£)", "Measure ID", "Measure Description", "Units Committed", "Unit",
                  "Social Value Committed (£)", "Service Area", "Contract End Date"]
SERVICE_AREAS = {"Places": ("Regeneration and Environment", "Housing"),
                 "People": ("Children and Young People's Services", "Adult Care, Housing and Public Health"),
                 "Corporate": ("Finance and Customer Services", "Assistant Chief Executive's Directorate")}


def _replica_reference(reference: str, replica: int) -> str:
    return reference if replica == 0 else f"{reference}-R{replica:04d}"


def commitments_table(design: SampleDesign, year: Export, replicas: int = 1) -> list[list[object]]:
    """Rows of the commitments export as at the year's export date (cells as text or native)."""
    rng = _rng("commit-text", year)
    out: list[list[object]] = []
    rows = [r for r in design.commitments[year] if r.contract.award <= EXPORT_DATE[year]]
    if year == 2024:  # contracts awarded between the cut-off and the export date are in the file too
        rows += [r for r in design.commitments[2025]
                 if r.contract.group == NEW and r.contract.award <= EXPORT_DATE[year]]
    for replica, row in ((k, r) for k in range(replicas)
                         for r in sorted(rows, key=lambda r: (r.contract.reference, r.measure))):
        c = row.contract
        phone = f"01632 960{int(c.reference[-3:]):03d}"
        out.append([_replica_reference(c.reference, replica), c.name, c.supplier, c.contact,
                    _email(c.contact, c.supplier), phone, _category_text(c.category, rng), c.award, c.value,
                    _code_text(row.measure, rng), design.titles[row.measure], row.units, design.units[row.measure],
                    row.value, c.service_area, c.end_date_in(year)])
    return out


def write_commitments_csv(design: SampleDesign, year: Export, path: Path, replicas: int = 1) -> None:
    rng = _rng("commit-csv", year)
    lines: list[list[str]] = [COMMIT_HEADERS]
    for cells in commitments_table(design, year, replicas):
        ref, name, supplier, contact, email, phone, category, award, value, code, title, units, unit, sv = cells[:14]
        area, end = cells[14:]
        lines.append([ref, name, supplier, contact, email, phone, category, _date_text(award, rng),
                      "" if value is None else _money_text(value, rng, pound_sign=True), code, title,
                      _units_text(units, unit, rng), unit, _money_text(sv, rng, pound_sign=True), area,
                      "" if end is None else f"{end:%d/%m/%Y}"])
    path.write_bytes(_csv_bytes(lines, "cp1252" if replicas == 1 else "utf-8"))


def write_commitments_xlsx(design: SampleDesign, year: int, path: Path) -> None:
    """XLSX with three title rows, Excel dates and numbers, odd header spacing and a Total row."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"title": "Social Value Portal export", "created": datetime(2025, 1, 20)})
    sheet = workbook.add_worksheet("Commitments")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    money_format = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write(0, 0, "Social Value Portal - Contract commitments export")
    sheet.write(1, 0, f"Rotherham Metropolitan Borough Council - exported {EXPORT_DATE[year]:%d %B %Y}")
    headers = [h.replace("Units Committed", "Units  Committed").replace("Contract Reference", "contract reference")
               .replace("Social Value Committed (£)", "Social Value Committed £")
               .replace("Contract End Date", "End Date") for h in COMMIT_HEADERS]  # a variant the contract accepts
    header_row = 3
    sheet.write_row(header_row, 0, headers)
    table = commitments_table(design, year)
    for offset, cells in enumerate(table, start=1):
        r = header_row + offset
        ref, name, supplier, contact, email, phone, category, award, value, code, title, units, unit, sv = cells[:14]
        area, end = cells[14:]
        sheet.write_row(r, 0, [ref, name, supplier, contact, email, phone, category])
        sheet.write_datetime(r, 7, datetime.combine(award, datetime.min.time()), date_format)
        if value is not None:
            sheet.write_number(r, 8, value / M, money_format)
        sheet.write_row(r, 9, [code, title])
        sheet.write_number(r, 11, units / M)
        sheet.write(r, 12, unit)
        sheet.write_number(r, 13, sv / M, money_format)
        sheet.write(r, 14, area)
        if end is not None:
            sheet.write_datetime(r, 15, datetime.combine(end, datetime.min.time()), date_format)
    total_row = header_row + len(table) + 1
    sheet.write(total_row, 0, "Total")
    sheet.write_number(total_row, 13, sum(c[13] for c in table) / M, money_format)
    workbook.close()


DELIVERY_HEADERS = ["Contract Reference", "Measure ID", "Reporting Period End", "Units Delivered",
                    "Social Value Delivered (£)", "Validation Status", "Submitted By"]


def write_delivery_csv(design: SampleDesign, year: Export, path: Path, replicas: int = 1) -> None:
    rng = _rng("delivery-csv", year)
    headers = list(DELIVERY_HEADERS)
    if year == 2025:
        headers[1], headers[4] = " Measure ID ", "Social Value Delivered"
    lines: list[list[str]] = [headers]
    rows = [r for r in design.delivery if year in r.status_by_year]
    total_units = total_value = 0
    ordered = sorted(rows, key=lambda r: (r.contract.reference, r.measure, r.period))
    for replica, row in ((k, r) for k in range(replicas) for r in ordered
                         if k == 0 or r.contract.group != "excluded"):
        assert row.period is not None
        status = row.status_by_year[year]
        status = status.upper() if rng.random() < 0.05 else status.lower() if rng.random() < 0.05 else status
        lines.append([_replica_reference(row.contract.reference, replica), _code_text(row.measure, rng),
                      _date_text(row.period, rng),
                      _units_text(row.units, design.units[row.measure], rng),
                      _money_text(row.value, rng, pound_sign=False), status, _email(row.contract.contact,
                                                                                    row.contract.supplier)])
        total_units += row.units
        total_value += row.value
    if year == 2025:
        duplicate = next(i for i, line in enumerate(lines) if i > 40 and line[5] == "Validated")
        lines.insert(duplicate + 1, list(lines[duplicate]))  # an exact duplicate row
    lines.append([""] * len(headers))
    lines.append(["Total", "", "", _number(total_units, 2), _number(total_value, 2), "", ""])
    path.write_bytes(_csv_bytes(lines, "utf-8-sig" if year == 2025 else "utf-8"))


# --- supplier spend --------------------------------------------------------------------------
_LOCAL_POSTCODES = ["S60 1AE", "S60 2DH", "S61 3JW", "S62 6LA", "S63 7PQ", "S65 1HX", "S66 8RT", "S25 2AB",
                    "S26 4WD", "S60 5TN"]
_OTHER_POSTCODES = ["S6 3AB", "S6 2LU", "S1 2HE", "S63 9DL", "S35 2PH", "DN1 3BD", "LS1 4DY", "M1 1AE",
                    "B3 2DJ", "NG1 5FS", "S70 2TA", "S10 5BG", "WF1 2SR", "HD1 1XE", "S81 0JG"]
_SERVICE_AREAS = ["Adult Care", "Children's Services", "Regeneration and Environment", "Finance and Customer Services",
                  "Housing", "Public Health", "Assistant Chief Executive"]
_EXPENSE_TYPES = ["Contracted services", "Building repairs", "Equipment purchase", "Agency staff",
                  "Software licences", "Care placements", "Vehicle costs", "Professional fees"]


def _postcode_text(postcode: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return postcode.lower()
    if roll < 0.3:
        return postcode.replace(" ", "")
    if roll < 0.35:
        return f" {postcode.replace(' ', '  ')} "
    return postcode


@dataclass
class Supplier:
    supplier_id: str
    name: str
    postcode: str  # "" = blank
    local: bool


def _suppliers() -> list[Supplier]:
    rng = _rng("suppliers")
    names: set[str] = set()
    out = []
    for index in range(320):
        local = index % 3 == 0
        category = CATEGORIES[index % 3]
        name = SampleDesign._supplier_name(rng, category, names)
        postcode = rng.choice(_LOCAL_POSTCODES if local else _OTHER_POSTCODES)
        if not local and rng.random() < 0.05:
            postcode = ""
        out.append(Supplier(f"SUP{10000 + index * 7}", name, postcode, local))
    for index in range(12):  # individuals (e.g. carers): name redacted, no postcode, not local
        out.append(Supplier(f"IND{20000 + index * 3}", "REDACTED PERSONAL DATA", "", False))
    return out


def _amounts(total: int, count: int, rng: random.Random) -> list[int]:
    """``count`` payments summing exactly to ``total`` pence, about 3% of them credit notes."""
    credits = [-rng.randrange(5_000, 400_000) * M // 100 for _ in range(max(1, count * 3 // 100))]
    positives = count - len(credits)
    weights = [rng.lognormvariate(0, 1.4) for _ in range(positives)]
    return split_int(total - sum(credits), weights) + credits


def write_spend_csv(financial_year: str, path: Path) -> None:
    rng = _rng("spend", financial_year)
    local_total, all_total = SPEND_TARGETS[financial_year]
    suppliers = _suppliers()
    local = [s for s in suppliers if s.local]
    other = [s for s in suppliers if not s.local]
    n_local = SPEND_ROWS_PER_YEAR * 35 // 100
    payments = [(s, a) for s, a in zip((rng.choice(local) for _ in range(n_local)),
                                       _amounts(local_total, n_local, rng), strict=True)]
    n_other = SPEND_ROWS_PER_YEAR - n_local
    payments += [(s, a) for s, a in zip((rng.choice(other) for _ in range(n_other)),
                                        _amounts(all_total - local_total, n_other, rng), strict=True)]
    rng.shuffle(payments)
    start = date(int(financial_year[:4]), 4, 1)
    days = (date(start.year + 1, 3, 31) - start).days
    dated = sorted(((start + timedelta(days=rng.randrange(days + 1)), s, a) for s, a in payments),
                   key=lambda p: p[0])
    # As real payment files are: no supplier postcode (the supplier records beside them hold it).
    lines = [["Transaction Number", "Payment Date", "Supplier ID", "Supplier Name", "Cost Centre", "Service Area",
              "Expense Type", "Amount (£)"]]
    for index, (day, supplier, amount) in enumerate(dated):
        if amount < 0 and rng.random() < 0.5:
            money = f"({-amount / M:,.2f})"
        else:
            money = _money_text(amount, rng, pound_sign=True)
        if supplier.postcode:
            _postcode_text(supplier.postcode, rng)  # drawn as before, so every other cell keeps its value
        lines.append([f"TX{start.year % 100:02d}{index + 1:06d}", day.strftime("%d/%m/%Y"), supplier.supplier_id,
                      supplier.name, f"CC{rng.randrange(1000, 9999)}", rng.choice(_SERVICE_AREAS),
                      rng.choice(_EXPENSE_TYPES), money])
    lines.append(["TOTAL", "", "", "", "", "", "", _number(all_total, 2)])
    path.write_bytes(_csv_bytes(lines, "utf-8"))


def write_suppliers_csv(path: Path) -> None:
    """The finance system's supplier records: each supplier's ID, name, postcode (as keyed in: any case and
    spacing) and, for most companies, its Companies House number. Individuals' records carry no postcode."""
    rng = _rng("supplier-records")
    lines = [["Supplier ID", "Supplier Name", "Address Line 1", "Postcode", "Company Number"]]
    for supplier in _suppliers():
        company = (f"{rng.randrange(1, 16_000_000):08d}" if supplier.supplier_id.startswith("SUP")
                   and rng.random() < 0.8 else "")
        postcode = _postcode_text(supplier.postcode, rng) if supplier.postcode else ""
        street = "" if not supplier.postcode else f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}"
        lines.append([supplier.supplier_id, supplier.name, street, postcode, company])
    path.write_bytes(_csv_bytes(lines, "utf-8"))


_STREETS = ["Main Street", "Church Lane", "Station Road", "Mill Lane", "Park Road", "High Street", "Canal Side",
            "Bridge Street", "Forge Lane", "Market Place"]


def write_sample(raw_dir: Path, reference_dir: Path, scale: int = 1) -> list[Path]:
    """Write the sample for report years 2024 and 2025 and the mid-year update, and return the files written.

    ``scale`` > 1 repeats every contract (with new references) that many times, all as CSV, for
    benchmarks; the excluded contract is not repeated. Supplier payments are not contracts and
    keep their size, so the benchmark measures how the cost grows with the portal exports.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    design = SampleDesign(reference_dir)
    written: list[Path] = []
    for year in (2024, 2025, AS_AT):
        folder = raw_dir / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in [*folder.glob("portal_*"), *folder.glob("supplier_spend_*"), *folder.glob("suppliers*")]:
            stale.unlink()
        if year == 2025 and scale == 1:
            write_commitments_xlsx(design, year, folder / "portal_commitments.xlsx")
            written.append(folder / "portal_commitments.xlsx")
        else:
            write_commitments_csv(design, year, folder / "portal_commitments.csv", scale)
            written.append(folder / "portal_commitments.csv")
        write_delivery_csv(design, year, folder / "portal_delivery.csv", scale)
        written.append(folder / "portal_delivery.csv")
        for financial_year in SPEND_FILES[year]:
            path = folder / f"supplier_spend_{financial_year}.csv"
            write_spend_csv(financial_year, path)
            written.append(path)
        write_suppliers_csv(folder / "suppliers.csv")
        written.append(folder / "suppliers.csv")
    return written
