"""``svreport reconcile``: check figures as a report printed them against the ledger.

The published file is a CSV with ``key,printed,where`` (``where`` names the paragraph). Each
printed figure is read back to a number and the precision it was printed at ("£4.2 million"
is tenths of a million, "£57,200" hundreds, "8.3%" tenths of a percent, "1,850.1" tenths), and
the ledger value, rounded half-up to that precision, must equal it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from svreport.core.errors import InputError
from svreport.stages.ledger import ledger_values

NUMBER = re.compile(r"^(?P<sign>[+-])?(?P<pound>£)?(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<suffix>m|million|%)?$")


@dataclass(frozen=True)
class Printed:
    value: Decimal  # in the ledger's terms (pounds, units, or percent for ratios)
    step: Decimal  # the precision it was printed at
    is_percent: bool


def read_printed(text: str) -> Printed:
    match = NUMBER.match(text.strip().replace("−", "-"))
    if not match:
        raise ValueError(f"'{text}' is not a printed figure this tool can read")
    digits = match.group("number").replace(",", "")
    number = Decimal(digits)
    suffix = match.group("suffix")
    if "." in digits:
        step = Decimal(1).scaleb(-len(digits.split(".")[1]))
    elif match.group("pound") and suffix is None:
        # whole pounds: "£743,000" is to the nearest thousand, "£57,200" to the hundred (at most thousands)
        zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
        step = Decimal(10) ** min(zeros, 3)
    else:
        step = Decimal(1)
    scale = Decimal(1_000_000) if suffix in ("m", "million") else Decimal(1)
    value = number * scale * (-1 if match.group("sign") == "-" else 1)
    return Printed(value, step * scale, suffix == "%")


def ledger_at(value: float, printed: Printed) -> Decimal:
    amount = Decimal(repr(abs(value) * 100 if printed.is_percent else abs(value)))
    return (amount / printed.step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * printed.step


def reconcile(ledger: pd.DataFrame, published_path: Path) -> pd.DataFrame:
    """One row per printed figure: where, key, printed, ledger (unrounded), ledger at printed precision, match."""
    if not published_path.exists():
        raise InputError(published_path, "published figures file not found", expected="a CSV with key,printed,where")
    published = pd.read_csv(published_path, dtype=str, keep_default_na=False)
    missing = {"key", "printed", "where"} - set(published.columns)
    if missing:
        raise InputError(published_path, f"missing columns {sorted(missing)}", row=1, expected="key,printed,where")
    values = ledger_values(ledger)
    rows = []
    for index, entry in published.iterrows():
        row_number = int(index) + 2
        if entry["key"] not in values:
            raise InputError(published_path, f"'{entry['key']}' is not a key in the ledger", row=row_number,
                             column="key", expected="a key of data/processed/<year>/figures.csv")
        try:
            printed = read_printed(entry["printed"])
        except ValueError as exc:
            raise InputError(published_path, str(exc), row=row_number, column="printed") from None
        value = values[entry["key"]]
        at_precision = ledger_at(value, printed)
        rows.append({"where": entry["where"], "key": entry["key"], "printed": entry["printed"],
                     "ledger": value, "ledger at printed precision": f"{at_precision.normalize():f}",
                     "match": at_precision == abs(printed.value)})
    return pd.DataFrame(rows)
