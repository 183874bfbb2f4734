"""The pipeline's stages as the notebooks call them: clean, validate, metrics, diagrams (``layout.STAGES``).

Each stage reads what the previous one wrote in the run's output folder, so every notebook can be
rerun on its own. ``PipelineRun`` carries the parameters a notebook receives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from svreport.core import formatting
from svreport.core.config import CouncilConfig, Position
from svreport.core.errors import InputError
from svreport.core.layout import (
    BRIDGE,
    BRIDGE_CSV,
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
    VALIDATION_WARNINGS,
    VARIABLES,
    year_dir,
)
from svreport.core.project import Project
from svreport.io.reference import load_measures
from svreport.stages import counting
from svreport.stages.appendix1 import appendix1, write_appendix1
from svreport.stages.author_figures import author_figures
from svreport.stages.bridge import PARTS, PreviousRows, write_bridge
from svreport.stages.bridge import STAGES as STAGES_OF_BRIDGE
from svreport.stages.clean import CleanTables, clean_year
from svreport.stages.counting import KeySpec, RecordedLineage, write_lineage
from svreport.stages.diagrams import write_diagrams
from svreport.stages.ledger import read_ledger, write_ledger
from svreport.stages.metrics import compute_ledger
from svreport.stages.tracker import write_tracker
from svreport.stages.validate import ValidationReport, run_validation
from svreport.stages.variables import build_variables, write_variables

BuildYear = Callable[[Project, int], None]  # runs a report year's stages and publishes its outputs


@dataclass
class PipelineRun:
    """One run of the stages, for a report year or an as-at date (``position``): where its stages read and
    write.

    ``build_missing`` builds the report year this run compares with, when it has not been run (the runner
    passes its own); without it a missing comparator stops with the command to run.
    """

    project: Project
    position: Position
    output_dir: Path
    build_missing: BuildYear | None = None

    @classmethod
    def create(cls, config_path: str | Path, year: int | None, output_dir: str | Path | None = None,
               as_at: str = "", build_missing: BuildYear | None = None) -> PipelineRun:
        project = Project.load(config_path)
        day = _as_at_date(as_at, project) if as_at else None
        position = project.position(None if day else year, day)
        folder = Path(output_dir) if output_dir else year_dir(project.processed_dir, position.name)
        return cls(project, position, folder, build_missing)

    @property
    def config(self) -> CouncilConfig:
        return self.project.config

    @property
    def year(self) -> int | None:
        """The report year, or None for an as-at run."""
        return self.position.year

    @property
    def cutoff(self) -> date:
        return self.position.cutoff

    @property
    def comparator(self) -> int | None:
        return self.position.comparator

    def measures(self) -> pd.DataFrame:
        return load_measures(self.project.reference_dir)

    @property
    def expectations_dir(self) -> Path:
        return self.project.root / EXPECTATIONS

    def comparator_ledger(self) -> pd.DataFrame | None:
        """The compared report's ledger, built first (``build_missing``) if that year has not been run."""
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

    def previous_rows(self) -> PreviousRows | None:
        """The rows the compared report counted (its recorded clean tables and row outcomes), for the bridge;
        None without a compared report, or when only its ledger is kept."""
        if self.comparator is None:
            return None
        folder = year_dir(self.project.processed_dir, self.comparator)
        if not all((folder / name).exists() for name in (ROW_OUTCOMES, "commitments.parquet", "delivery.parquet")):
            return None
        recorded = RecordedLineage(folder)
        try:
            commitments, delivery = recorded.frame("commitments"), recorded.frame("delivery")
        except ValueError as error:  # the recorded outcomes do not match its clean tables
            raise InputError(self.project.shown(folder), str(error), expected=f"`svreport{self.project.config_option}"
                             f" run --year {self.comparator}` to be re-run") from None
        return PreviousRows(self.comparator, self.config.year(self.comparator).cutoff,
                            commitments[commitments[counting.OUTCOME] == counting.COUNTED],
                            delivery[delivery[counting.OUTCOME] == counting.VALIDATED])


def _as_at_date(text: str, project: Project) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(project.config_path, f"as_at '{text}' is not a date",
                         expected="an ISO date such as 2025-05-31") from None


def run_clean(run: PipelineRun) -> CleanTables:
    tables = clean_year(run.project.raw_run_dir(run.position), run.config, run.cutoff)
    tables.write(run.output_dir)
    return tables


def run_validate(run: PipelineRun, docs: bool = True) -> ValidationReport:
    """Validate the clean tables; stops (InputErrors) on any critical failure, after writing the summary and the
    warnings (checks whose failure does not stop the run)."""
    tables = CleanTables.read(run.output_dir)
    docs_dir = run.output_dir / VALIDATION_DOCS if docs else None
    report = run_validation(tables, run.config, run.position, run.measures(), run.expectations_dir, docs_dir)
    report.summary.to_csv(run.output_dir / VALIDATION_SUMMARY, index=False, lineterminator="\n")
    (run.output_dir / VALIDATION_WARNINGS).write_text("".join(f"{line}\n" for line in report.warning_messages()),
                                                      encoding="utf-8")
    report.raise_if_failed()
    return report


def _require_validated(run: PipelineRun) -> None:
    path = run.output_dir / VALIDATION_SUMMARY
    if not path.exists():
        raise InputError(path, "the data has not been validated", expected="the validate stage to run first")
    summary = pd.read_csv(path)
    failed = summary[(summary["severity"] == "critical") & ~summary["passed"]]
    if not failed.empty:
        raise InputError(path, f"{len(failed)} critical validation checks failed", expected="valid data")


def run_metrics(run: PipelineRun) -> pd.DataFrame:
    """The ledger with its lineage (how each figure was made, each row's outcome), ``_variables.yml``, the
    Appendix 1 table, the contract tracker and the quarterly series."""
    _require_validated(run)
    tables = CleanTables.read(run.output_dir)
    measures = run.measures()
    comparator = run.comparator_ledger()
    figures = compute_ledger(tables, run.config, run.position, measures, comparator,
                             run.previous_rows() if comparator is not None else None)
    ledger, lineage = figures.ledger, list(figures.lineage)
    if run.year is not None:  # author figures belong to a report year's narrative
        author_file = run.project.author_figures_file(run.year)
        authored = author_figures(author_file)
        ledger = pd.concat([ledger, authored], ignore_index=True)
        entered = f"Entered by the report author in {run.project.shown(author_file).as_posix()}"
        lineage += [KeySpec(key, "author", entered) for key in authored["key"]]
    write_ledger(ledger, run.output_dir / LEDGER)
    write_lineage(lineage, run.output_dir / LINEAGE)
    figures.outcomes.frame(tables).to_parquet(run.output_dir / ROW_OUTCOMES, index=False)
    write_tracker(*figures.tracker, run.output_dir / TABLES,
                  f"Contract tracker, {run.config.council.name}, as at {formatting.long_date(run.cutoff)}")
    write_bridge(figures.bridge, run.output_dir / BRIDGE, run.output_dir / TABLES / BRIDGE_CSV)
    figures.series.write(run.output_dir / SERIES)
    for note in [*figures.series.notes, *figures.notes]:
        print(note)
    write_variables(build_variables(ledger, run.config, run.position), run.output_dir / VARIABLES)
    title = f"Appendix 1: social value commitments and delivery, {run.config.council.name}, " + (
        f"{run.year} report" if run.year is not None else f"as at {formatting.long_date(run.cutoff)}")
    write_appendix1(appendix1(ledger, measures), run.output_dir / TABLES, title)
    return ledger


def counting_steps(run: PipelineRun) -> pd.DataFrame:
    """The headline figures counted from the rows, rule by rule: rows left and their subtotal after each
    step (from the lineage the metrics stage recorded), ending at the ledger's figure. For the metrics
    notebook; ``svreport trace`` lists the rows themselves."""
    ledger = read_ledger(run.output_dir / LEDGER).set_index("key")
    recorded = RecordedLineage(run.output_dir)
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


def bridge_steps(run: PipelineRun) -> pd.DataFrame:
    """From the compared report's totals to this report's, part by part (the ledger's ``bridge.*``): contracts
    and £ for each part that has any, the position at that report's cut-off as these exports record it, and
    this report's total. Empty without a compared report. For the metrics notebook; ``tables/bridge.csv``
    lists the contracts."""
    values = read_ledger(run.output_dir / LEDGER).set_index("key")["value"]
    rows = []
    if run.comparator is None or "bridge.committed.previous.value" not in values:
        return pd.DataFrame(rows, columns=["figure", "part", "contracts", "£"])
    last = run.config.year(run.comparator).cutoff.isoformat()
    for stage in STAGES_OF_BRIDGE:
        key = f"bridge.{stage}"
        lines = [(f"the {run.comparator} report", f"{key}.previous")]
        lines += [(part.replace("_", " "), f"{key}.{part}") for part in PARTS
                  if part != "new" and values.get(f"{key}.{part}.contracts", 0)]
        lines += [(f"= at {last}, as these exports record it", f"trend.{last}.{stage}"),
                  ("new since then", f"{key}.new"), ("= this report", f"{stage}.total")]
        for number, (part, figure) in enumerate(lines):
            value = values[figure] if figure in values else values[f"{figure}.value"]
            contracts = values.get(f"{figure}.contracts")
            rows.append({"figure": stage if number == 0 else "", "part": part,
                         "contracts": None if contracts is None else int(contracts),
                         "£": formatting.exact(float(value), "GBP")})
    return pd.DataFrame(rows).astype({"contracts": "Int64"})


def run_diagrams(run: PipelineRun) -> list[Path]:
    ledger = read_ledger(run.output_dir / LEDGER)
    series_path = run.output_dir / SERIES
    series = pd.read_csv(series_path) if series_path.exists() else None
    return write_diagrams(ledger, run.position, run.output_dir / DIAGRAMS, run.config, run.measures(), series)


# Each stage of ``layout.STAGES`` run in this process: ``run_<name>``.
STEPS: dict[str, Callable[[PipelineRun], object]] = {spec.name: globals()[f"run_{spec.name}"] for spec in STAGES}
