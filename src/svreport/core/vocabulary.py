"""The words the exports, the ledger and the report share: units and TOMs measure codes.

The measure catalogue writes units as the TOMs do ("no. weeks"); the ledger writes each figure's unit
as a short code ("weeks", "GBP", "ratio", "count"); the report prints them as words ("324 weeks").
"""

from __future__ import annotations

import re

MONEY = "GBP"
RATIO = "ratio"
COUNT = "count"

# The catalogue's units -> the ledger's unit codes (any other catalogue unit is kept as written).
CATALOGUE_UNITS = {"no. people FTE": "FTE", "no. weeks": "weeks", "no. hrs": "hours", "tCO2e": "tCO2e", "£": MONEY}
# Ledger unit codes as words: (singular, plural).
UNIT_WORDS = {"FTE": ("FTE", "FTE"), "weeks": ("week", "weeks"), "hours": ("hour", "hours"),
              "tCO2e": ("tonne", "tonnes"), COUNT: ("", "")}


def ledger_unit(catalogue_unit: str) -> str:
    """'no. weeks' -> 'weeks'; '£' -> 'GBP'."""
    return CATALOGUE_UNITS.get(catalogue_unit, catalogue_unit)


def is_money(unit: str) -> bool:
    """A ledger unit code or the catalogue's unit for pounds."""
    return unit in (MONEY, "£")


def unit_words(unit: str) -> tuple[str, str]:
    """(singular, plural) for a ledger unit code; an unknown unit is its own word."""
    return UNIT_WORDS.get(unit, (unit, unit))


def unit_symbol(catalogue_unit: str) -> str:
    """How a table column prints the unit: 'weeks', 'FTE', '£'."""
    return "£" if is_money(ledger_unit(catalogue_unit)) else ledger_unit(catalogue_unit)


# TOMs measure codes: the normal form ("NT1c"), and any spelling the exports use ("nt 1C ").
MEASURE_CODE_PATTERN = r"^NT\d+[a-z]?$"
MEASURE_CODE_AS_EXPORTED = re.compile(r"^\s*nt\s*(\d+)\s*([a-z]?)\s*$", re.IGNORECASE)


def normalise_measure_code(code: object) -> str | None:
    """'nt 3', 'NT18 ', 'Nt1C' -> 'NT3', 'NT18', 'NT1c'; None if it is not a TOMs code."""
    match = MEASURE_CODE_AS_EXPORTED.match(str(code)) if code is not None else None
    if not match:
        return None
    return f"NT{int(match.group(1))}{match.group(2).lower()}"
