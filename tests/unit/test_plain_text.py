"""Text from the config, an export or reference data printed through generated Markdown reads as itself."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pandas as pd
import pypandoc

from svreport.core.config import load_config
from svreport.report.sources import spend_method_md
from svreport.report.tables import plain_text

PIECES = ["*", "_", "`", "[", "]", "(", ")", "!", "<", ">", "{{<", "var x", ">}}", "@Play", "$x$", "Ca$h", "|", "#",
          "\\", "~", "^", "'", '"', "--", "...", "&amp;", "<img src=x onerror=alert(1)>", "https://x.y", "a", "b",
          " ", "1.", "-", "+", "=", "{", "}", ":", ";", "&", "\n", "[Pay](https://x.y)", "![l](p.csv)"]


def test_plain_text_prints_as_itself():
    """Property: 300 random strings of Markdown, shortcode, HTML, citation and maths constructs, once through
    pandoc's Markdown reader, are plain text equal to the string (spaces and line breaks as single spaces)."""
    rng = random.Random(23)
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 12)))
        printed = pypandoc.convert_text(plain_text(text), "plain", format="markdown", extra_args=["--wrap=none"])
        assert printed.strip() == " ".join(text.split()), text


def _project(root, **spend):
    config = load_config(root / "config" / "rotherham.yml")
    config = config.model_validate({**config.model_dump(), "spend": {**config.spend.model_dump(), **spend}})
    return SimpleNamespace(config=config)


def _coverage(folder, short: dict[str, int]):
    months = pd.period_range("2022-04", periods=12, freq="M").astype(str)
    rows = [{"financial_year": "2022-23", "month": m, "payments": short.get(m, 100), "amount": 1.0, "files": "f",
             "covered": m not in short} for m in months]
    pd.DataFrame(rows).to_csv(folder / "spend_coverage.csv", index=False)


def test_the_method_note_says_net_or_gross_and_the_months_an_accepted_year_lacks(root, tmp_path):
    _coverage(tmp_path, {})
    note = spend_method_md(_project(root), tmp_path)
    assert "(net amounts, before VAT)" in note and "not a full year" not in note
    assert "(gross amounts, including VAT)" in spend_method_md(_project(root, amounts="gross"), tmp_path)
    _coverage(tmp_path, {"2022-09": 6, "2023-02": 0})
    note = spend_method_md(_project(root, accept_incomplete={"2022-23": "card payments *only*"}), tmp_path)
    assert ("The figures for 2022/23 are not a full year: September 2022 and February 2023 have few or no "
            "payments in the Council's published files (card payments \\*only\\*).") in note
    _coverage(tmp_path, {"2022-09": 0})
    assert "September 2022 has no payments" in spend_method_md(_project(root), tmp_path)
