"""Figures the report author supplies (event attendance, the Living Wage rate...), as ledger rows."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from svreport.core.errors import InputError
from svreport.core.vocabulary import COUNT, MONEY
from svreport.core.yamlio import load_yaml
from svreport.stages.ledger import LEDGER_COLUMNS

AUTHOR_UNITS = (COUNT, MONEY)
AUTHOR_FIELDS = ("value", "unit", "description")
AUTHOR_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def author_figures(path: Path) -> pd.DataFrame:
    """Figures the report author supplies (event attendance, the Living Wage rate...), as ledger rows.

    Checked like an export: each figure is ``name: {value: 12, unit: count, description: ...}``; a
    value must be a finite number, not negative, and a count a whole number. Errors name the line."""
    if not path.exists():
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    text = path.read_text(encoding="utf-8")
    entries = load_yaml(text, path) or {}
    example = "{value: 12, unit: count, description: ...}"
    if not isinstance(entries, dict):
        raise InputError(path, f"the file holds a {type(entries).__name__}, not named figures",
                         expected=f"one figure per line, name: {example}")
    lines = text.splitlines()
    rows = []
    for name, entry in entries.items():
        line = next((i for i, row in enumerate(lines, start=1) if row.startswith(f"{name}:")), None)

        def fail(problem: str, expected: str = example, line: int | None = line, name: object = name) -> None:
            raise InputError(path, f"figure '{name}' {problem}", row=line, expected=expected)

        if not isinstance(name, str) or not AUTHOR_NAME.match(name):
            fail("has a name that cannot be a ledger key", "a name of lower-case letters, digits and _")
        if not isinstance(entry, dict):
            fail(f"is {entry!r}, not a value with its unit and description")
        unexpected = [str(k) for k in entry if k not in AUTHOR_FIELDS]
        if unexpected:
            hint = (" (a comma inside a number splits it: write 8591, not 8,591)"
                    if any(k.isdigit() for k in unexpected) else "")
            fail(f"has unexpected field(s) {', '.join(repr(k) for k in unexpected)}{hint}",
                 "the fields value, unit and description")
        value, unit = entry.get("value"), entry.get("unit")
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            fail(f"has value {value!r}, which is not a number")
        if unit not in AUTHOR_UNITS:
            fail(f"has unit {unit!r}", "unit: count or unit: GBP")
        if value < 0:
            fail(f"has value {value!r}, which is negative", "a figure of 0 or more")
        if unit == "count" and not float(value).is_integer():
            fail(f"is a count of {value!r}, which is not a whole number", "a whole number for unit: count")
        rows.append({"key": f"author.{name}", "value": float(value), "unit": unit,
                     "description": str(entry.get("description", "")), "source": f"author: {path.name}"})
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


