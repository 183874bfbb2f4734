"""Reference data: the TOMs measure catalogue and the 2024 TOMs mapping."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .errors import InputError

MEASURE_CODE = re.compile(r"^\s*nt\s*(\d+)\s*([a-z]?)\s*$", re.IGNORECASE)


def normalise_measure_code(code: object) -> str | None:
    """'nt 3', 'NT18 ', 'Nt1C' -> 'NT3', 'NT18', 'NT1c'; None if it is not a TOMs code."""
    match = MEASURE_CODE.match(str(code)) if code is not None else None
    if not match:
        return None
    return f"NT{int(match.group(1))}{match.group(2).lower()}"


def load_measures(reference_dir: str | Path) -> pd.DataFrame:
    """The measure catalogue indexed by code; proxy is NaN where not known."""
    path = Path(reference_dir) / "toms_measures.csv"
    if not path.exists():
        raise InputError(path, "TOMs measure catalogue not found", expected="data/reference/toms_measures.csv")
    measures = pd.read_csv(path, dtype={"code": str}, keep_default_na=False, na_values={"proxy_gbp_per_unit": [""]})
    bad = [c for c in measures["code"] if normalise_measure_code(c) != c]
    if bad:
        raise InputError(path, f"measure codes not in normal form: {bad}", column="code", expected="e.g. NT1, NT1c")
    return measures.set_index("code")


def load_mapping(reference_dir: str | Path) -> pd.DataFrame:
    return pd.read_csv(Path(reference_dir) / "toms_2024_mapping.csv", dtype=str, keep_default_na=False)
