"""``svreport run``: execute the four notebooks with papermill, as an auditable run record.

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

from .errors import InputError
from .manifest import write_manifest
from .paths import Project
from .pipeline import LEDGER, publish

NOTEBOOKS = ("01_clean.ipynb", "02_validate.ipynb", "03_metrics.ipynb", "04_diagrams.ipynb")


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


class StageFailed(Exception):
    def __init__(self, notebook: str, message: str, record: Path | None):
        self.notebook, self.message, self.record = notebook, message, record
        super().__init__(f"{notebook} stopped: {message}")

    @property
    def stage(self) -> str:
        """'02_validate.ipynb' -> 'validate'."""
        return self.notebook.removesuffix(".ipynb").split("_", 1)[-1]


def _notebook_error(error: Exception) -> str:
    """The message a person can act on, not the traceback: our InputErrors' text as raised in the kernel."""
    value = getattr(error, "evalue", None)
    name = getattr(error, "ename", "")
    if value and name in ("InputError", "InputErrors"):
        return str(value)
    return f"{name}: {value}" if value else str(error)


IN_PROCESS_STAGES = (("clean", "run_clean"), ("validate", "run_validate"), ("metrics", "run_metrics"),
                     ("diagrams", "run_diagrams"))


def run_year(project: Project, year: int, say: Callable[[str], None] = print,
             notebooks_dir: Path | None = None, notebooks: bool = True) -> list[StageTiming]:
    """Run one report year's four stages; runs the comparator year first when its ledger is missing.

    With ``notebooks`` the stages are the notebooks, executed by papermill and kept as the run
    record; without, the same package functions run in this process (faster, no run record).
    Either way outputs are staged and moved into place only when every stage has passed.
    """
    entry = project.config.year(year, project.config_path)
    if entry.comparator is not None and not (project.processed_dir / str(entry.comparator) / LEDGER).exists():
        say(f"The {entry.comparator} ledger (comparator for {year}) is missing: running {entry.comparator} first.")
        run_year(project, entry.comparator, say, notebooks_dir, notebooks)
    notebooks_dir = notebooks_dir or project.root / "notebooks"
    final = project.processed_dir / str(year)
    staging = project.processed_dir / f".staging-{year}"
    failed = project.processed_dir / f".failed-{year}"
    for folder in (staging, failed):
        if folder.exists():
            shutil.rmtree(folder)
    staging.mkdir(parents=True)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    try:
        if notebooks:
            timings = _run_notebooks(project, year, staging, failed, notebooks_dir, say)
        else:
            timings = _run_in_process(project, year, staging, say)
    except BaseException:
        if staging.exists():
            shutil.rmtree(staging)
        raise
    root = str(project.root.resolve())
    recorded = {"report_year": year, "config_path": str(project.config_path.resolve()).replace(root + "/", ""),
                "output_dir": str(final).replace(root + "/", "")}
    runs = {name: {"parameters": recorded, "mode": "papermill" if notebooks else "in-process"}
            for name in NOTEBOOKS}
    write_manifest(project, year, staging, runs)
    publish(staging, final)
    return timings


def _run_notebooks(project: Project, year: int, staging: Path, failed: Path, notebooks_dir: Path,
                   say: Callable[[str], None]) -> list[StageTiming]:
    import papermill

    for name in NOTEBOOKS:
        if not (notebooks_dir / name).exists():
            raise InputError(notebooks_dir / name, "pipeline notebook not found")
    (staging / "notebooks").mkdir()
    logging.getLogger("papermill").setLevel(logging.WARNING)
    parameters = {"report_year": year, "config_path": str(project.config_path.resolve()), "output_dir": str(staging)}
    timings = []
    say(f"Report year {year}: running {len(NOTEBOOKS)} notebooks")
    for name in NOTEBOOKS:
        started = time.perf_counter()
        try:
            papermill.execute_notebook(str(notebooks_dir / name), str(staging / "notebooks" / name),
                                       parameters=parameters, cwd=str(notebooks_dir), progress_bar=False,
                                       log_output=False, kernel_manager_class=_kernel_manager_class())
        except Exception as error:  # papermill wraps the kernel's exception
            staging.rename(failed)
            raise StageFailed(name, _notebook_error(error), failed / "notebooks" / name) from None
        timings.append(StageTiming(name, time.perf_counter() - started))
        say(f"  {name:<20} {timings[-1].seconds:6.1f} s")
    return timings


def _run_in_process(project: Project, year: int, staging: Path, say: Callable[[str], None]) -> list[StageTiming]:
    from . import pipeline
    from .errors import InputErrors

    stage = pipeline.Stage(project, year, staging)
    timings = []
    say(f"Report year {year}: running {len(IN_PROCESS_STAGES)} stages in this process")
    for name, function in IN_PROCESS_STAGES:
        started = time.perf_counter()
        try:
            getattr(pipeline, function)(stage)
        except (InputError, InputErrors) as error:
            raise StageFailed(name, str(error), None) from None
        timings.append(StageTiming(name, time.perf_counter() - started))
        say(f"  {name:<20} {timings[-1].seconds:6.1f} s")
    return timings


def refresh_committed_notebooks(notebooks_dir: Path) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters (the outputs nbval checks).

    No timing metadata is recorded, so an unchanged result gives an unchanged file.
    """
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    written = []
    for name in NOTEBOOKS:
        path = notebooks_dir / name
        book = nbformat.read(path, as_version=4)
        NotebookClient(book, resources={"metadata": {"path": str(notebooks_dir)}}, record_timing=False,
                       kernel_manager_class=_kernel_manager_class()).execute()
        book.metadata.pop("widgets", None)
        nbformat.write(book, path)
        written.append(path)
    return written
