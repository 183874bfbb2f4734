"""Starting a council or a report year: a config and the year's narrative folder.

- ``new_narrative``: a year's folder of narrative and author files, copied from the council's latest
  earlier year (for the author to edit), or the neutral starter (``report/starter/``) for its first;
- ``new_council``: a config for a council from its exports (categories as the exports spell them)
  and the facts only the council knows, then a starter narrative for each report year.

The starter narrative names no council, category or measure: it prints the data through generated
content and comparison phrases, so it renders unedited on any council's exports.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from svreport.core.config import POSTCODE_PREFIX, load_config
from svreport.core.errors import InputError
from svreport.core.layout import STARTER
from svreport.core.project import Project, project_root_of
from svreport.io.readers import propose_spend_columns, read_commitments, spend_files


def _starter_dir(root: Path) -> Path:
    folder = root / STARTER
    if not folder.is_dir():
        raise InputError(STARTER, "the starter narrative is missing", expected="report/starter/ from the project")
    return folder


def new_narrative(project: Project, year: int) -> tuple[Path, str]:
    """Write ``<narrative>/<year>/``: a copy of the latest earlier year's folder, or the starter. Returns the
    folder and where its files came from. An existing folder is never overwritten."""
    project.config.year(year, project.config_path)
    target = project.narrative_root / str(year)
    if target.exists():
        raise InputError(project.shown(target), f"the {year} narrative folder already exists",
                         expected="a year without one; edit the files that are there")
    earlier = project.latest_narrative_before(year)
    source = project.narrative_root / str(earlier) if earlier else _starter_dir(project.root)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("README.md"))
    return target, (f"a copy of {earlier}'s narrative" if earlier else "the starter narrative")


@dataclass(frozen=True)
class CouncilDetails:
    """What only the council knows; the rest of a config comes from its exports."""

    name: str
    short_name: str
    area: str
    policy_start: date
    cutoffs: dict[int, date]  # report year -> cut-off
    local_postcode_prefixes: list[str]
    raw: str = "data/raw"  # relative to the project root


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def categories_from_exports(raw_dir: Path, years: list[int], area: str) -> list[tuple[str, str, list[str]]]:
    """(name, label, other spellings) for each category the years' commitments exports use. Spellings that
    differ only in case and spacing, or by the area's name in front ("Rotherham Places"), are one
    category; its label is the most frequent spelling, and its name that label without the area's name."""
    counts: Counter[str] = Counter()
    for year in years:
        if (raw_dir / str(year)).is_dir():
            column = read_commitments(raw_dir / str(year)).data["category"]
            counts.update(" ".join(text.split()) for text in column.dropna().astype(str) if text.strip())
    if not counts:
        raise InputError(raw_dir, "no commitments export with categories was found for the report years",
                         expected=f"data/raw/<year>/portal_commitments.csv or .xlsx for {', '.join(map(str, years))}")
    groups: dict[str, list[str]] = {}
    for spelling, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        words = spelling.split()
        if len(words) > 1 and words[0].lower() == area.lower():
            words = words[1:]
        groups.setdefault(" ".join(words).lower(), []).append(spelling)
    categories = []
    for spellings in groups.values():
        label = spellings[0]
        name = " ".join(w for w in label.split() if len(label.split()) == 1 or w.lower() != area.lower())
        name = name.title() if name.isupper() or name.islower() else name[0].upper() + name[1:]
        others = [s for s in spellings[1:] if " ".join(s.split()).lower() not in (label.lower(), name.lower())]
        categories.append((name, label, others))
    return sorted(categories)


def spend_columns_from_exports(raw_dir: Path, years: list[int]) -> dict[str, list[str]]:
    """The headers the years' payment files use for each field: a proposal for the config's ``spend.columns``."""
    entries = [entry for year in years if (raw_dir / str(year)).is_dir() for entry in spend_files(raw_dir / str(year))]
    return propose_spend_columns(entries) if entries else {}


def config_text(details: CouncilDetails, categories: list[tuple[str, str, list[str]]], narrative: str,
                spend_columns: dict[str, list[str]] | None = None) -> str:
    years = sorted(details.cutoffs)
    lines = [
        f"# Council configuration for the Social Value Annual Report: {details.name}.",
        "# Written by `svreport new-council`; check every value. docs/data-contract.md explains each field.",
        "",
        "council:",
        f"  name: {_yaml_text(details.name)}",
        f"  short_name: {_yaml_text(details.short_name)}",
        f"  area: {_yaml_text(details.area)}",
        "",
        "paths:",
        f"  raw: {details.raw}",
        "  processed: data/processed",
        "  reference: data/reference",
        f"  narrative: {narrative}   # <year>/ holds that year's narrative and author files",
        "",
        "# Contracts awarded on or after this date carry social value commitments.",
        f"policy_start: {details.policy_start.isoformat()}",
        "",
        "# Each report counts commitments awarded, and delivery validated, up to its cut-off.",
        "report_years:",
    ]
    for index, year in enumerate(years):
        lines += [f"  {year}:", f"    cutoff: {details.cutoffs[year].isoformat()}"]
        if index:
            lines.append(f"    comparator: {years[index - 1]}")
        lines += ["    committee: Cabinet", "    # meeting_date: YYYY-MM-DD"]
    lines += ["", "# Procurement categories, as the commitments export spells them. Add `covers:` (what each",
              "# category buys) and `variants:` (other spellings in the exports).", "categories:"]
    for name, label, others in categories:
        lines += [f"  - name: {_yaml_text(name)}", f"    label: {_yaml_text(label)}", '    covers: ""']
        if others:
            lines.append(f"    variants: [{', '.join(_yaml_text(o) for o in others)}]")
    lines += ["", "# A payment is local when the supplier's postcode starts with one of these districts or sectors.",
              f"local_postcode_prefixes: [{', '.join(details.local_postcode_prefixes)}]", "",
              "# Contracts left out of every headline figure (reference, supplier, reason).",
              "excluded_contracts: []", "",
              "# Measures the narrative prints as one figure, e.g.",
              "# local_employment: {label: local direct employees hired or retained (FTE),",
              "#                    measures: [NT1, NT1a, NT1c]}",
              "measure_groups: {}", ""]
    lines += ["# The council's payment files: the headers they use for each field, as `new-council` found them in",
              "# the files (check each one; docs/data-contract.md, 'Payments'), whether the amounts are net or gross,",
              "# and the supplier records' headers (suppliers.csv) if they differ from the contract's.", "spend:"]
    if spend_columns:
        lines.append("  columns:")
        lines += [f"    {name}: [{', '.join(_yaml_text(h) for h in headers)}]"
                  for name, headers in spend_columns.items()]
    lines += ["  amounts: net   # or gross", ""]
    return "\n".join(lines)


def new_council(config_path: Path, details: CouncilDetails | None) -> tuple[Path | None, list[tuple[Path, str]]]:
    """Write the config (unless it exists; then ``details`` may be None) and a starter narrative for every
    report year that has no narrative folder yet. Returns the config written (or None) and the folders."""
    written_config = None
    if not config_path.exists():
        if details is None:
            raise InputError(config_path, "config file not found", expected="--name, --area, --policy-start, "
                             "--year and --local-postcodes to write one")
        root = project_root_of(config_path)
        categories = categories_from_exports(root / details.raw, sorted(details.cutoffs), details.area)
        spend_columns = spend_columns_from_exports(root / details.raw, sorted(details.cutoffs))
        narrative = f"report/councils/{slug(details.area)}"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_text(config_text(details, categories, narrative, spend_columns), encoding="utf-8")
        try:
            load_config(config_path)  # what was written must load
        except InputError:
            config_path.unlink()  # never leave a config behind that the next command would refuse
            raise
        written_config = config_path
    elif details is not None:
        raise InputError(config_path, "the config already exists", expected="--config naming a new file, or no "
                         "council details (then only the missing narrative folders are written)")
    project = Project.load(config_path)
    folders = [new_narrative(project, year) for year in sorted(project.config.report_years)
               if not (project.narrative_root / str(year)).exists()]
    return written_config, folders


def parse_postcodes(text: str) -> list[str]:
    prefixes = [" ".join(p.upper().split()) for p in re.split(r"[,;]", text) if p.strip()]
    if len(prefixes) == 1 and " " in prefixes[0] and not POSTCODE_PREFIX.match(prefixes[0]):
        prefixes = prefixes[0].split()  # "S60 S61 S62"
    return prefixes
