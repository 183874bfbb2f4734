"""Reference data: the TOMs measure catalogue and the 2024 TOMs mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from svreport.core.errors import InputError
from svreport.core.vocabulary import normalise_measure_code


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
