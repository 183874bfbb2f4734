"""The pipeline's stages as the notebooks call them: clean, validate, metrics, diagrams (``layout.STAGES``).

Each stage reads what the previous one wrote in the year's output folder, so every notebook can be
rerun on its own. ``ReportYear`` carries the parameters a notebook receives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from svreport.core import formatting
from svreport.core.config import CouncilConfig
from svreport.core.errors import InputError
from svreport.core.layout import (
    DIAGRAMS,
    EXPECTATIONS,
    LEDGER,
    LINEAGE,
    ROW_OUTCOMES,
    SERIES,
    STAGES,
    TABLES,
    VALIDATION_DOCS,
    VALIDATION_SUMMARY,
    VARIABLES,
    year_dir,
)
from svreport.core.project import Project
from svreport.io.reference import load_measures
from svreport.stages.appendix1 import appendix1, write_appendix1
from svreport.stages.author_figures import author_figures
from svreport.stages.clean import CleanTables, clean_year
from svreport.stages.counting import KeySpec, RecordedLineage, write_lineage
from svreport.stages.diagrams import write_diagrams
from svreport.stages.ledger import read_ledger, write_ledger
from svreport.stages.metrics import compute_ledger
from svreport.stages.series import quarterly_series
from svreport.stages.tracker import contract_tracker, write_tracker
from svreport.stages.validate import ValidationReport, run_validation
from svreport.stages.variables import build_variables, write_variables

BuildYear = Callable[[Project, int], None]  # runs a report year's stages and publishes its outputs


@dataclass
class ReportYear:
    """One report year's run: where its stages read and write.

    ``build_missing`` builds an earlier year whose ledger this year compares with, when it has not been
    run (the runner passes its own ``run_year``); without it a missing comparator stops with the command
    to run.
    """

    project: Project
    year: int
    output_dir: Path
    build_missing: BuildYear | None = None

    @classmethod
    def create(cls, config_path: str | Path, year: int, output_dir: str | Path | None = None,
               build_missing: BuildYear | None = None) -> ReportYear:
        project = Project.load(config_path)
        project.config.year(year, project.config_path)
        folder = Path(output_dir) if output_dir else year_dir(project.processed_dir, year)
        return cls(project, year, folder, build_missing)

    @property
    def config(self) -> CouncilConfig:
        return self.project.config

    @property
    def comparator(self) -> int | None:
        return self.config.year(self.year).comparator

    def measures(self) -> pd.DataFrame:
        return load_measures(self.project.reference_dir)

    @property
    def expectations_dir(self) -> Path:
        return self.project.root / EXPECTATIONS

    def comparator_ledger(self) -> pd.DataFrame | None:
        """The previous report's ledger, built first (``build_missing``) if that year has not been run."""
        if self.comparator is None:
            return None
        path = year_dir(self.project.processed_dir, self.comparator) / LEDGER
        if not path.exists() and self.build_missing is not None:
            self.build_missing(self.project, self.comparator)
        if not path.exists():
            raise InputError(self.project.shown(path), f"the {self.comparator} ledger this report compares with "
                             "is missing", expected=f"`svreport{self.project.config_option} run --year "
                             f"{self.comparator}` first")
        return read_ledger(path)


def run_clean(year: ReportYear) -> CleanTables:
    cutoff = year.config.year(year.year).cutoff
    tables = clean_year(year.project.raw_year_dir(year.year), year.config, cutoff)
    tables.write(year.output_dir)
    return tables


def run_validate(year: ReportYear, docs: bool = True) -> ValidationReport:
    """Validate the clean tables; stops (InputErrors) on any critical failure, after writing the summary."""
    tables = CleanTables.read(year.output_dir)
    docs_dir = year.output_dir / VALIDATION_DOCS if docs else None
    report = run_validation(tables, year.config, year.year, year.measures(), year.expectations_dir, docs_dir)
    report.summary.to_csv(year.output_dir / VALIDATION_SUMMARY, index=False, lineterminator="\n")
    report.raise_if_failed()
    return report


def _require_validated(year: ReportYear) -> None:
    path = year.output_dir / VALIDATION_SUMMARY
    if not path.exists():
        raise InputError(path, "the data has not been validated", expected="the validate stage to run first")
    summary = pd.read_csv(path)
    failed = summary[(summary["severity"] == "critical") & ~summary["passed"]]
    if not failed.empty:
        raise InputError(path, f"{len(failed)} critical validation checks failed", expected="valid data")


def run_metrics(year: ReportYear) -> pd.DataFrame:
    """The ledger with its lineage (how each figure was made, each row's outcome), ``_variables.yml`` and
    the Appendix 1 table."""
    _require_validated(year)
    tables = CleanTables.read(year.output_dir)
    measures = year.measures()
    figures = compute_ledger(tables, year.config, year.year, measures, year.comparator_ledger())
    author_file = year.project.author_figures_file(year.year)
    authored = author_figures(author_file)
    ledger = pd.concat([figures.ledger, authored], ignore_index=True)
    write_ledger(ledger, year.output_dir / LEDGER)
    entered = f"Entered by the report author in {year.project.shown(author_file).as_posix()}"
    write_lineage([*figures.lineage, *(KeySpec(key, "author", entered) for key in authored["key"])],
                  year.output_dir / LINEAGE)
    figures.outcomes.frame(tables).to_parquet(year.output_dir / ROW_OUTCOMES, index=False)
    cutoff = year.config.year(year.year).cutoff
    contracts, by_measure = contract_tracker(tables, figures.outcomes, cutoff)
    write_tracker(contracts, by_measure, year.output_dir / TABLES,
                  f"Contract tracker, {year.config.council.name}, as at {formatting.long_date(cutoff)}")
    series = quarterly_series(tables, figures.outcomes, year.config, cutoff)
    series.write(year.output_dir / SERIES)
    for note in series.notes:
        print(note)
    write_variables(build_variables(ledger, year.config, year.year), year.output_dir / VARIABLES)
    title = f"Appendix 1: social value commitments and delivery, {year.config.council.name}, {year.year} report"
    write_appendix1(appendix1(ledger, measures), year.output_dir / TABLES, title)
    return ledger


def counting_steps(year: ReportYear) -> pd.DataFrame:
    """The headline figures counted from the rows, rule by rule: rows left and their subtotal after each
    step (from the lineage the metrics stage recorded), ending at the ledger's figure. For the metrics
    notebook; ``svreport trace`` lists the rows themselves."""
    ledger = read_ledger(year.output_dir / LEDGER).set_index("key")
    recorded = RecordedLineage(year.output_dir)
    specs = recorded.specs
    spend_years = sorted(k.split(".")[1] for k in ledger.index if k.startswith("local_spend.") and k.endswith(".local"))
    keys = ["committed.total", "delivered.total", "delivered.pending.value", "excluded.delivered.total",
            *(f"local_spend.{spend_years[-1]}.{part}" for part in ("local", "total") if spend_years)]
    rows = []
    for key in [k for k in keys if k in specs]:
        unit = str(ledger.loc[key, "unit"])
        steps = recorded.funnel(key).steps
        for number, step in enumerate(steps.itertuples(index=False)):
            rows.append({"figure": key if number == 0 else "", "step": step.step, "rows": step.rows,
                         "subtotal": formatting.exact(step.subtotal, unit)})
        rows.append({"figure": "", "step": "= the ledger's figure", "rows": None,
                     "subtotal": formatting.exact(float(ledger.loc[key, "value"]), unit)})
    return pd.DataFrame(rows).astype({"rows": "Int64"})


def run_diagrams(year: ReportYear) -> list[Path]:
    ledger = read_ledger(year.output_dir / LEDGER)
    series_path = year.output_dir / SERIES
    series = pd.read_csv(series_path) if series_path.exists() else None
    return write_diagrams(ledger, year.year, year.comparator, year.output_dir / DIAGRAMS, year.config,
                          year.measures(), series)


# Each stage of ``layout.STAGES`` run in this process: ``run_<name>``.
STEPS: dict[str, Callable[[ReportYear], object]] = {spec.name: globals()[f"run_{spec.name}"] for spec in STAGES}
