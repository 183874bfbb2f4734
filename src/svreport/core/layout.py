"""Every file and folder name the pipeline and the renderer write or read, in one place, and ``publish``.

A report year's outputs (``data/processed/<year>/``; an as-at run's in ``data/processed/as-at-<date>/``)::

    commitments|delivery|spend.parquet, cleaning_log.csv   the clean tables (clean stage)
    validation_summary.csv      every check and its result (validate stage)
    validation/                 Great Expectations Data Docs (validate stage; a run record)
    dropped_rows.csv            every input row the cleaning dropped, why, and its £ (clean stage)
    spend_coverage.csv          each financial year's payments month by month, and the files they came from
    unmatched_suppliers.csv     payees no postcode was found for, to complete and add to the supplier records
    figures.csv                 the figures ledger (metrics stage)
    lineage.csv                 how each ledger figure was made: rows and filters, or other keys (metrics stage)
    row_outcomes.parquet        each clean row's outcome under the counting rules (metrics stage)
    series.csv                  the quarterly series since the policy began (metrics stage)
    _variables.yml              every figure in its printed forms (metrics stage)
    tables/appendix1.csv|xlsx   Appendix 1 (metrics stage)
    tables/contract_tracker.csv|xlsx   the contract tracker (metrics stage)
    diagrams/                   diagram_N.svg|png|alt.txt and diagrams.json (diagrams stage)
    notebooks/                  the executed notebooks (a run record)
    manifest.json               hashes of every input and output, parameters, versions

The project's report sources are in ``report/``; the renderer writes ``report/_generated/`` and
``_output/report/``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

# --- a report year's outputs, inside data/processed/<year>/
LEDGER = "figures.csv"
LINEAGE = "lineage.csv"
SERIES = "series.csv"
ROW_OUTCOMES = "row_outcomes.parquet"
BRIDGE = "bridge.parquet"  # each contract's change since the compared report (stages/bridge.py)
BRIDGE_CSV = "bridge.csv"  # in tables/: the same, for contract managers and auditors
DROPPED_ROWS = "dropped_rows.csv"
SPEND_COVERAGE = "spend_coverage.csv"
UNMATCHED_SUPPLIERS = "unmatched_suppliers.csv"
VARIABLES = "_variables.yml"
VALIDATION_SUMMARY = "validation_summary.csv"
VALIDATION_WARNINGS = "validation_warnings.txt"  # one line per warning (the run goes on); printed by run
VALIDATION_DOCS = "validation"
TABLES = "tables"
APPENDIX1_CSV = "appendix1.csv"
APPENDIX1_XLSX = "appendix1.xlsx"
TRACKER_CSV = "contract_tracker.csv"  # in tables/: one row per contract
TRACKER_MEASURES_CSV = "contract_tracker_measures.csv"  # in tables/: one row per contract and measure
TRACKER_XLSX = "contract_tracker.xlsx"  # in tables/: Contracts and Measures sheets
TRACKER_FILES = (TRACKER_XLSX, TRACKER_CSV, TRACKER_MEASURES_CSV)
DIAGRAMS = "diagrams"
DIAGRAMS_INDEX = "diagrams.json"
CLEAN_TABLES = ("commitments", "delivery", "spend")  # <name>.parquet
CLEANING_LOG = "cleaning_log.csv"
RUN_RECORD = "notebooks"  # the executed notebooks
MANIFEST = "manifest.json"
RUN_RECORDS = (RUN_RECORD, VALIDATION_DOCS)  # carry run times and ids: listed in the manifest, not hashed

# --- the project's own folders and files, relative to its root
CONFIG_DIR = "config"
DEFAULT_CONFIG = Path(CONFIG_DIR) / "rotherham.yml"
EXPECTATIONS = "expectations"
NOTEBOOKS = "notebooks"
REPORT = "report"  # the Quarto project's documents, style and prerender script
QUARTO_CONFIG = "_quarto.yml"
QUARTO_UPDATE_PROFILE = "_quarto-update.yml"  # the `update` profile: the mid-year update's render list
STARTER = Path(REPORT) / "starter"  # the neutral narrative a new council or year starts from
STYLE = Path(REPORT) / "style"
GENERATED_NAME = "_generated"  # generated content beside the documents that insert it
GENERATED = Path(REPORT) / GENERATED_NAME
REFERENCE_DOCX = "reference.docx"  # in _generated/: pandoc's reference document, A4 with header and footer
OUTPUT = Path("_output")
RENDER_CACHE = ".render-cache.json"  # per-document keys of the last render, inside _output/
PACK_NAME = "cabinet-pack.pdf"
FIGURE_ROWS = "figure-rows"  # in _generated/ and beside the auditors' page: <key>.csv, the rows behind a figure
LOCK_FILE = ".svreport.lock"
AUTHOR_FIGURES = "author-figures.yml"  # in the council's report folder, per year
UPDATE_NARRATIVE = "mid-year-update.md"  # in the council's report folder, as-at-<date>/ (else the starter's)
# The documents an as-at run renders (`svreport render --as-at`), not in _quarto.yml's list: the mid-year
# update and the contract tracker's page. Outputs go to _output/as-at-<date>/.
UPDATE_DOCUMENTS = (Path(REPORT) / "mid-year-update.qmd", Path(REPORT) / "contract-tracker.qmd")
PUBLISHED_FIGURES = "published"  # data/reference/published/<year>.csv: figures as a report printed them


@dataclass(frozen=True)
class StageSpec:
    """One pipeline stage: its notebook (in ``notebooks/``) and the kinds of project input its cache key
    covers besides the previous stage's key (see ``Project.input_groups``)."""

    name: str
    notebook: str
    inputs: tuple[str, ...]


# The pipeline's stages, in order. Each runs as its notebook (papermill) or in-process as
# ``svreport.pipeline.steps.run_<name>``.
STAGES = (
    StageSpec("clean", "01_clean.ipynb", ("raw", "reference")),
    StageSpec("validate", "02_validate.ipynb", ("expectations",)),
    StageSpec("metrics", "03_metrics.ipynb", ("comparator", "author")),
    StageSpec("diagrams", "04_diagrams.ipynb", ()),
)


def stage(name: str) -> StageSpec:
    return next(spec for spec in STAGES if spec.name == name)


# The Quarto project a render reads besides the pipeline's inputs (``Project.copy_inputs``), and what
# a copy of a project never takes.
REPORT_PARTS = (REPORT, QUARTO_CONFIG, QUARTO_UPDATE_PROFILE)
NOT_COPIED = (GENERATED_NAME, "node_modules", ".ipynb_checkpoints", "kernel-*")


def year_dir(processed: Path, name: int | str) -> Path:
    """A run's output folder: ``<processed>/2025``, or ``<processed>/as-at-2025-05-31`` (``Position.name``)."""
    return processed / str(name)


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
