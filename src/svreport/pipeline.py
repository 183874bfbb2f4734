"""The four pipeline stages the notebooks call: clean, validate, metrics, diagrams.

Each stage reads what the previous one wrote in the year's output folder, so every notebook
can be rerun on its own. ``Stage`` carries the parameters a notebook receives.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .clean import CleanTables, clean_year
from .config import CouncilConfig
from .errors import InputError
from .metrics import author_figures, compute_ledger, ledger_values, read_ledger, write_ledger
from .paths import Project
from .reference import load_measures

LEDGER = "figures.csv"
VARIABLES = "_variables.yml"
VALIDATION_SUMMARY = "validation_summary.csv"


@dataclass
class Stage:
    """Where one report year's stage reads and writes."""

    project: Project
    year: int
    output_dir: Path

    @classmethod
    def create(cls, config_path: str | Path, year: int, output_dir: str | Path | None = None) -> Stage:
        project = Project.load(config_path)
        project.config.year(year, project.config_path)
        folder = Path(output_dir) if output_dir else project.processed_dir / str(year)
        return cls(project, year, folder)

    @property
    def config(self):
        return self.project.config

    @property
    def comparator(self) -> int | None:
        return self.config.year(self.year).comparator

    def measures(self) -> pd.DataFrame:
        return load_measures(self.project.reference_dir)

    @property
    def expectations_dir(self) -> Path:
        return self.project.root / "expectations"


def run_clean(stage: Stage) -> CleanTables:
    cutoff = stage.config.year(stage.year).cutoff
    tables = clean_year(stage.project.raw_year_dir(stage.year), stage.config, cutoff)
    tables.write(stage.output_dir)
    return tables


def run_validate(stage: Stage, docs: bool = True):
    """Validate the clean tables; stops (InputErrors) on any critical failure, after writing the summary."""
    from .validate import run_validation

    tables = CleanTables.read(stage.output_dir)
    docs_dir = stage.output_dir / "validation" if docs else None
    report = run_validation(tables, stage.config, stage.year, stage.measures(), stage.expectations_dir, docs_dir)
    report.summary.to_csv(stage.output_dir / VALIDATION_SUMMARY, index=False, lineterminator="\n")
    report.raise_if_failed()
    return report


def _require_validated(stage: Stage) -> None:
    path = stage.output_dir / VALIDATION_SUMMARY
    if not path.exists():
        raise InputError(path, "the data has not been validated", expected="the validate stage to run first")
    summary = pd.read_csv(path)
    failed = summary[(summary["severity"] == "critical") & ~summary["passed"]]
    if not failed.empty:
        raise InputError(path, f"{len(failed)} critical validation checks failed", expected="valid data")


def comparator_ledger(stage: Stage) -> pd.DataFrame | None:
    """The previous report's ledger; computed in-process (clean, validate, metrics) if missing."""
    if stage.comparator is None:
        return None
    path = stage.project.processed_dir / str(stage.comparator) / LEDGER
    if not path.exists():
        build_ledger_in_process(stage.project, stage.comparator)
    return read_ledger(path)


def build_ledger_in_process(project: Project, year: int) -> Path:
    """Run a year's stages without notebooks (for a missing comparator); outputs appear only if all pass."""
    from .runner import run_year

    run_year(project, year, say=lambda _line: None, notebooks=False)
    return project.processed_dir / str(year) / LEDGER


def run_metrics(stage: Stage) -> pd.DataFrame:
    """The ledger, ``_variables.yml`` and the Appendix 1 table."""
    from .tables import appendix1, write_appendix1
    from .variables import build_variables, write_variables

    _require_validated(stage)
    tables = CleanTables.read(stage.output_dir)
    measures = stage.measures()
    ledger = compute_ledger(tables, stage.config, stage.year, measures, comparator_ledger(stage))
    ledger = pd.concat([ledger, author_figures(stage.project.author_figures_file(stage.year))],
                       ignore_index=True)
    write_ledger(ledger, stage.output_dir / LEDGER)
    write_variables(build_variables(ledger, stage.config, stage.year), stage.output_dir / VARIABLES)
    title = f"Appendix 1: social value commitments and delivery, {stage.config.council.name}, {stage.year} report"
    write_appendix1(appendix1(ledger, measures), stage.output_dir / "tables", title)
    return ledger


def run_diagrams(stage: Stage) -> list[Path]:
    from .diagrams import write_diagrams

    ledger = read_ledger(stage.output_dir / LEDGER)
    return write_diagrams(ledger, stage.year, stage.comparator, stage.output_dir / "diagrams",
                          stage.config, stage.measures())


def publish(staged: Path, final: Path) -> None:
    """Move a fully built output folder into place, replacing the old one only at the last step."""
    old = final.with_name(f".old-{final.name}")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    staged.rename(final)
    if old.exists():
        shutil.rmtree(old)


def headlines(config: CouncilConfig) -> list[tuple[str, str, str]]:
    """(label, ledger key, printed form) of the figures an auditor checks first, for the config's categories."""
    committed = [(f"Committed: {c.name}", f"committed.category.{c.key}", "auto") for c in config.categories]
    delivered = [(f"Delivered: {c.name}", f"delivered.category.{c.key}", "auto") for c in config.categories]
    return [("Social value committed", "committed.total", "auto"), *committed,
            ("Validated social value delivered", "delivered.total", "auto"), *delivered,
            ("Delivery not yet validated (by the cut-off)", "delivered.pending.value", "auto"),
            ("Excluded pre-policy contracts: validated delivery", "excluded.delivered.total", "auto"),
            ("Contracts with commitments", "committed.contracts", "n")]


def headline_table(ledger: pd.DataFrame, config: CouncilConfig) -> pd.DataFrame:
    """The figures an auditor checks first: previous report, this report, change, all as printed."""
    from . import formatting

    values = ledger_values(ledger)
    units = dict(zip(ledger["key"], ledger["unit"], strict=True))
    rows = []
    for label, key, style in headlines(config):
        if key not in values:
            continue  # e.g. no excluded contracts in the config
        now = formatting.styles_for(values[key], units[key])[style]
        before = values.get(f"previous.{key}")
        change = values.get(f"change.{key}.abs")
        rows.append({"figure": label, "ledger key": key,
                     "previous report": "" if before is None else formatting.styles_for(before, units[key])[style],
                     "this report": now,
                     "change": "" if change is None else formatting.change_phrase(
                         change, values.get(f"change.{key}.pct"), units[key])})
    return pd.DataFrame(rows)


def row_counts(tables: CleanTables) -> pd.DataFrame:
    return pd.DataFrame([{"table": name, "rows": len(getattr(tables, name)),
                          "files": ", ".join(sorted(getattr(tables, name)["source_file"].unique()))}
                         for name in CleanTables.TABLES])
