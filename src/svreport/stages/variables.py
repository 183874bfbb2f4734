"""``_variables.yml`` for Quarto: every ledger figure in each of its house-style forms.

The report text uses ``{{< var committed.total.million >}}``; nothing in the report sources
is typed by hand. Besides the ledger tree, ``report`` holds dates and years from the config,
``local_spend.latest`` / ``local_spend.previous`` alias the two most recent financial years, and
``compare.<key>`` holds the phrases comparing a figure with the previous report (its direction,
verbs and change come from the numbers; see ``formatting.comparison``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from svreport.core import formatting
from svreport.core.config import CouncilConfig, Position
from svreport.core.vocabulary import RATIO
from svreport.stages.ledger import ledger_units, ledger_values


def _set(tree: dict, dotted: str, value: object) -> None:
    node = tree
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValueError(f"variable {dotted} collides with a value at {part}")
    node[leaf] = value


UNSET_MEETING_DATE = "date to be confirmed"  # the config has no meeting_date for the year yet


def _fy_label(fy: str) -> str:
    return fy.replace("-", "/")


def build_variables(ledger: pd.DataFrame, config: CouncilConfig, position: Position) -> dict:
    tree: dict = {}
    values = ledger_values(ledger)
    units = ledger_units(ledger)
    for key, value in values.items():
        _set(tree, key, formatting.styles_for(value, units[key]))
    for key in values:
        if key.startswith("change.") and key.endswith(".abs"):
            base = key.removesuffix(".abs")
            ratio = values.get(f"{base}.pct")
            unit = units[key]
            if unit != RATIO:
                _set(tree, f"{base}.phrase", formatting.change_phrase(values[key], ratio, unit))
                _set(tree, f"{base}.direction", "increase" if values[key] >= 0 else "decrease")

    # compare.<key>: phrases against the previous report that follow the data (formatting.comparison)
    for key in values:
        if key.startswith("previous.") and key.removeprefix("previous.") in values:
            current = key.removeprefix("previous.")
            _set(tree, f"compare.{current}", formatting.comparison(values[key], values[current], units[current]))

    years = sorted({k.split(".")[1] for k in values if k.startswith("local_spend.")})
    if years:
        _set(tree, "local_spend.latest", tree["local_spend"][years[-1]] | {"label": _fy_label(years[-1])})
        if len(years) > 1:
            _set(tree, "local_spend.previous", tree["local_spend"][years[-2]] | {"label": _fy_label(years[-2])})
            _set(tree, "change.local_spend.latest", tree["change"]["local_spend"][years[-1]])
            for part in ("local", "total", "share"):
                before, after = (values[f"local_spend.{fy}.{part}"] for fy in years[-2:])
                _set(tree, f"compare.local_spend.{part}",
                     formatting.comparison(before, after, units[f"local_spend.{years[-1]}.{part}"]))
    tree["report"] = _report_words(config, position)
    tree["council"] = {"name": config.council.name, "short_name": config.council.short_name,
                       "area": config.council.area, "local_postcodes": ", ".join(config.local_postcode_prefixes)}
    return tree


def _report_words(config: CouncilConfig, position: Position) -> dict[str, str]:
    """Dates, years and names from the config: a report year's, or an as-at run's (``as_at``, and ``year``
    the calendar year of its date)."""
    year = position.year or position.cutoff.year
    words = {
        "year": str(year),
        "cutoff": formatting.long_date(position.cutoff),
        "cutoff_month": f"{position.cutoff:%B %Y}",
        "policy_start": formatting.long_date(config.policy_start),
        "policy_start_month": f"{config.policy_start:%B %Y}",
        "committee": position.committee,
        "meeting_date": formatting.long_date(position.meeting_date) if position.meeting_date else UNSET_MEETING_DATE,
        "comparator_year": str(position.comparator) if position.comparator else "",
        "next_year": f"{year}/{(year + 1) % 100:02d}",
        "this_year": f"{year - 1}/{year % 100:02d}",
        "policy_start_year": str(config.policy_start.year),
        "narrative_folder": f"{config.paths.narrative.rstrip('/')}/{position.name}/",
    }
    if position.comparator:
        words["comparator_cutoff"] = formatting.long_date(config.year(position.comparator).cutoff)
    if not position.is_annual:
        words["as_at"] = formatting.long_date(position.cutoff)
        words["run"] = position.name
    return words


def write_variables(tree: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(tree, sort_keys=True, allow_unicode=True, default_flow_style=False, width=1000)
    path.write_text("# Generated by svreport from the figures ledger: do not edit.\n" + text, encoding="utf-8")
