"""The figures ledger as a file: one row per figure, ``key, value, unit, description, source``, values
unrounded. Every module that reads or writes a ledger goes through here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from svreport.core.errors import InputError
from svreport.core.vocabulary import MONEY

LEDGER_COLUMNS = ["key", "value", "unit", "description", "source"]


def format_value(value: float) -> str:
    """Ledger values: unrounded, but without binary floating-point noise."""
    text = f"{round(value, 8):.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_ledger(ledger: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = ledger.assign(value=ledger["value"].map(format_value))
    out.to_csv(path, index=False, lineterminator="\n")


def read_ledger(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(path, "figures ledger not found", expected="run `svreport run` for that year first")
    return pd.read_csv(path, dtype={"key": str, "unit": str}, keep_default_na=False)


def ledger_values(ledger: pd.DataFrame) -> dict[str, float]:
    """key -> value."""
    return dict(zip(ledger["key"], ledger["value"].astype(float), strict=True))


def ledger_units(ledger: pd.DataFrame) -> dict[str, str]:
    """key -> unit code."""
    return dict(zip(ledger["key"], ledger["unit"], strict=True))


@dataclass(frozen=True)
class MeasureFigure:
    """One measure's figure in a stage of the ledger, as the report prints it."""

    code: str
    measure: pd.Series  # its row of the TOMs catalogue (theme, title, unit)
    value: float  # proxy value in £
    key: str  # the figure in the measure's own units: <stage>.measure.<code>.units, or .value for £ measures


def measures_with_figures(ledger: pd.DataFrame, measures: pd.DataFrame, stage: str) -> list[MeasureFigure]:
    """The catalogue's measures with a figure (units or £) in ``stage`` (committed or delivered), in
    catalogue order."""
    values = ledger_values(ledger)
    units = ledger_units(ledger)
    found = []
    for code, measure in measures.iterrows():
        base = f"{stage}.measure.{code}"
        value = values.get(f"{base}.value", 0.0)
        if not (value or values.get(f"{base}.units", 0.0)):
            continue
        key = f"{base}.value" if units.get(f"{base}.units") == MONEY else f"{base}.units"
        found.append(MeasureFigure(str(code), measure, value, key))
    return found
