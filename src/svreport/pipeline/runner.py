"""``svreport run``: execute the four notebooks (papermill parameters, one kernel), as an auditable run record.

The executed copies go to ``data/processed/<year>/notebooks/``. Everything is written to a
staging folder first and moved into place only when every stage has passed, so a failed
run leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from svreport.core.config import Position
from svreport.core.errors import InputError, InputErrors
from svreport.core.formatting import long_date
from svreport.core.layout import (
    DROPPED_ROWS,
    MANIFEST,
    NOTEBOOKS,
    RUN_RECORD,
    STAGES,
    UNMATCHED_SUPPLIERS,
    VALIDATION_WARNINGS,
    publish,
    year_dir,
)
from svreport.core.project import Project
from svreport.pipeline.keys import stage_keys
from svreport.pipeline.manifest import read_manifest, write_manifest

if TYPE_CHECKING:
    from svreport.pipeline.steps import PipelineRun

NOTEBOOK_NAMES = tuple(spec.notebook for spec in STAGES)


def _kernel_manager_class():
    """Kernels talk over local IPC sockets: nothing listens on the network, and no TCP warning."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:  # absolute socket path: kernel and client may have different cwds
            return str(Path(tempfile.mkdtemp(prefix="svreport-kernel-")) / "kernel")

        async def cleanup_resources(self, restart: bool = False) -> None:
            await super().cleanup_resources(restart)
            if not restart:
                shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    return IPCKernelManager


@dataclass
class StageTiming:
    notebook: str
    seconds: float
    year: int = 0


class StageFailed(Exception):
    """A stage stopped; ``record`` is the failed run's notebook, kept for inspection."""

    def __init__(self, stage: str, message: str, record: Path | None):
        self.stage, self.message, self.record = stage, message, record
        super().__init__(f"the {stage} stage stopped: {message}")


def _notebook_error(error: Exception) -> str:
    """The message a person can act on, not the traceback: our InputErrors' text as raised in the kernel."""
    value = getattr(error, "evalue", None)
    name = getattr(error, "ename", "")
    if value and name in ("InputError", "InputErrors"):
        return str(value)
    return f"{name}: {value}" if value else str(error)


def run_year(project: Project, year: int, say: Callable[[str], None] = print, notebooks: bool = True,
             force: bool = False, record: list[StageTiming] | None = None) -> list[StageTiming]:
    """Run one report year's four stages, after bringing its comparator year up to date (``run``)."""
    return run(project, project.config.position(year, project.config_path), say, notebooks, force, record)


def run(project: Project, position: Position, say: Callable[[str], None] = print, notebooks: bool = True,
        force: bool = False, record: list[StageTiming] | None = None) -> list[StageTiming]:
    """Run the four stages for a report year or an as-at date, after bringing the report year it compares
    with up to date.

    With ``notebooks`` the stages are the notebooks, executed by papermill and kept as the run
    record; without, the same package functions run in this process (faster, no run record).
    A stage whose inputs, parameters and code are unchanged since the last run (by hash) is not
    re-executed (``force`` re-runs every stage of this run). Outputs are staged and moved into place only
    when every stage has passed. ``record`` collects the timings of every run, comparator included.
    """
    if position.comparator is not None:
        run_year(project, position.comparator, say, notebooks, False, record)
    raw = project.raw_run_dir(position)
    if not position.is_annual and not raw.is_dir():
        raise InputError(project.shown(raw), f"no exports for the position at {long_date(position.cutoff)}",
                         expected=f"the portal exports downloaded after {long_date(position.cutoff)} (and the "
                                  "supplier spend files for the last two complete financial years) saved in "
                                  f"{project.shown(raw).as_posix()}/, named as for a report year")
    final = year_dir(project.processed_dir, position.name)
    staging = project.processed_dir / f".staging-{position.name}"
    failed = project.processed_dir / f".failed-{position.name}"
    mode = "papermill" if notebooks else "in-process"
    keys = stage_keys(project, position, mode)
    previous = read_manifest(final).get("stage_keys", {}) if (final / MANIFEST).exists() and not force else {}
    first = next((i for i, name in enumerate(NOTEBOOK_NAMES) if previous.get(name) != keys[name]), len(STAGES))
    title = run_title(position)
    if first == len(STAGES):
        say(f"{title}: up to date (inputs, parameters and code unchanged), nothing re-run")
        return []
    for folder in (staging, failed):
        if folder.exists():
            shutil.rmtree(folder)
    if first > 0:  # earlier stages are unchanged: start from their outputs
        shutil.copytree(final, staging)
    staging.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    try:
        if notebooks:
            timings = _run_notebooks(project, position, staging, failed, say, first)
        else:
            timings = _run_in_process(project, position, staging, say, first)
    except BaseException:
        if staging.exists():
            shutil.rmtree(staging)
        raise
    root = str(project.root.resolve())
    recorded = {**notebook_parameters(position), "config_path": str(project.config_path.resolve()).replace(
        root + "/", ""), "output_dir": str(final).replace(root + "/", "")}
    runs = {name: {"parameters": recorded, "mode": mode} for name in NOTEBOOK_NAMES}
    write_manifest(project, position, staging, runs, keys)
    publish(staging, final)
    _say_warnings(final / VALIDATION_WARNINGS, title, say)
    _say_rows_left_out(final, title, say)
    for timing in timings:
        timing.year = position.year or 0
    if record is not None:
        record.extend(timings)
    return timings


def _say_warnings(path: Path, title: str, say: Callable[[str], None]) -> None:
    """The validation warnings: checks that failed without stopping the run, for the author to look into."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if lines:
        say(f"{title}: validation warnings (checks that do not stop the run; the figures are written):")
        for line in lines:
            say(f"  warning: {line}")


def _say_rows_left_out(folder: Path, title: str, say: Callable[[str], None]) -> None:
    """Every row the cleaning dropped, by file and reason with its £, and the payees no postcode was found for:
    no money leaves the figures without the run saying so."""
    import pandas as pd

    from svreport.core.formatting import gbp_pence
    from svreport.stages.clean import dropped_summary, rows_and_pounds

    dropped_path, unmatched_path = folder / DROPPED_ROWS, folder / UNMATCHED_SUPPLIERS
    summary = dropped_summary(pd.read_csv(dropped_path)) if dropped_path.exists() else pd.DataFrame()
    if not summary.empty:
        say(f"{title}: rows not counted in any figure (each in {DROPPED_ROWS}, with its £):")
        for _, row in summary.iterrows():
            say(f"  {row['file']}: {rows_and_pounds(row['rows'], row['amount'])}: {row['reason']}")
    unmatched = pd.read_csv(unmatched_path, keep_default_na=False) if unmatched_path.exists() else pd.DataFrame()
    if not unmatched.empty:
        payees = len(unmatched)
        say(f"{title}: {payees} {'payee has' if payees == 1 else 'payees have'} no supplier postcode "
            f"({int(unmatched['payments'].sum()):,} payments, {gbp_pence(float(unmatched['amount'].sum()))}), counted "
            f"as not local; add their postcodes from {UNMATCHED_SUPPLIERS} to the supplier records")


def run_title(position: Position) -> str:
    return f"Report year {position.year}" if position.is_annual else f"Position at {long_date(position.cutoff)}"


def notebook_parameters(position: Position) -> dict[str, object]:
    """The notebooks' run parameters besides the config and output folder: a report year, or an as-at date."""
    if position.is_annual:
        return {"report_year": position.year}
    return {"report_year": None, "as_at": position.cutoff.isoformat()}


def _run_notebooks(project: Project, position: Position, staging: Path, failed: Path, say: Callable[[str], None],
                   first: int = 0) -> list[StageTiming]:
    """Parameterise each notebook with papermill and execute it, all four in one Jupyter kernel.

    One kernel saves a kernel start and the imports per notebook (about 5 s on the sample); each
    notebook still builds everything it uses from its parameters, so it can be rerun on its own.
    """
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebooks_dir = project.root / NOTEBOOKS
    for name in NOTEBOOK_NAMES:
        if not (notebooks_dir / name).exists():
            raise InputError(notebooks_dir / name, "pipeline notebook not found")
    (staging / RUN_RECORD).mkdir(exist_ok=True)
    logging.getLogger("papermill").setLevel(logging.WARNING)
    parameters = {**notebook_parameters(position), "config_path": str(project.config_path.resolve()),
                  "output_dir": str(staging)}
    timings = []
    say(f"{run_title(position)}: running {len(STAGES) - first} notebooks"
        + (f" ({', '.join(NOTEBOOK_NAMES[:first])} unchanged)" if first else ""))
    kernel = _kernel_manager_class()(kernel_name="python3")
    try:
        for spec in STAGES[first:]:
            name = spec.notebook
            started = time.perf_counter()
            notebook = parameterize_notebook(load_notebook_node(str(notebooks_dir / name)), parameters,
                                             report_mode=False)
            record = staging / RUN_RECORD / name
            try:
                NotebookClient(notebook, km=kernel, resources={"metadata": {"path": str(notebooks_dir)}}).execute()
            except Exception as error:  # nbclient re-raises the kernel's exception with its name and value
                nbformat.write(notebook, record)
                staging.rename(failed)
                raise StageFailed(spec.name, _notebook_error(error), failed / RUN_RECORD / name) from None
            nbformat.write(notebook, record)
            timings.append(StageTiming(name, time.perf_counter() - started))
            say(f"  {name:<20} {timings[-1].seconds:6.1f} s")
    finally:
        if kernel.has_kernel:
            run_sync(kernel.shutdown_kernel)(now=True)
            run_sync(kernel.cleanup_resources)()
    return timings


def _run_in_process(project: Project, position: Position, staging: Path, say: Callable[[str], None],
                   first: int = 0) -> list[StageTiming]:
    from svreport.pipeline.steps import STEPS, PipelineRun  # pandas and matplotlib: only when a stage runs

    context = PipelineRun(project, position, staging, build_missing=build_in_process)
    timings = []
    say(f"{run_title(position)}: running {len(STAGES) - first} stages in this process"
        + (f" ({', '.join(spec.name for spec in STAGES[:first])} unchanged)" if first else ""))
    for spec in STAGES[first:]:
        started = time.perf_counter()
        try:
            STEPS[spec.name](context)
        except (InputError, InputErrors) as error:
            raise StageFailed(spec.name, str(error), None) from None
        timings.append(StageTiming(spec.name, time.perf_counter() - started))
        say(f"  {spec.name:<20} {timings[-1].seconds:6.1f} s")
    return timings


def build_in_process(project: Project, year: int) -> None:
    """Run a year's stages without notebooks (for a missing comparator); outputs appear only if all pass."""
    run_year(project, year, say=lambda _line: None, notebooks=False)


def open_year(config_path: str | Path, year: int | None, output_dir: str | Path | None = None,
              as_at: str = "") -> PipelineRun:
    """A run as a notebook receives it (a report year, or an ``as_at`` ISO date): a report year it compares
    with is built first if missing."""
    from svreport.pipeline.steps import PipelineRun

    return PipelineRun.create(config_path, year, output_dir, as_at, build_missing=build_in_process)


def refresh_committed_notebooks(notebooks_dir: Path) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters (the outputs nbval checks).

    No timing metadata is recorded, so an unchanged result gives an unchanged file.
    """
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    written = []
    for name in NOTEBOOK_NAMES:
        path = notebooks_dir / name
        book = nbformat.read(path, as_version=4)
        NotebookClient(book, resources={"metadata": {"path": str(notebooks_dir)}}, record_timing=False,
                       kernel_manager_class=_kernel_manager_class()).execute()
        book.metadata.pop("widgets", None)
        nbformat.write(book, path)
        written.append(path)
    return written
