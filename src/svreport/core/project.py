"""The project: its config and root, the folders the config names, and what the project's inputs are."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from svreport.core.config import AS_AT_PREFIX, CouncilConfig, Position, load_config
from svreport.core.errors import InputError
from svreport.core.layout import (
    AUTHOR_FIGURES,
    CONFIG_DIR,
    DEFAULT_CONFIG,
    EXPECTATIONS,
    LEDGER,
    LOCK_FILE,
    NOT_COPIED,
    NOTEBOOKS,
    OUTPUT,
    PUBLISHED_FIGURES,
    REPORT,
    REPORT_PARTS,
    year_dir,
)

InputGroup = tuple[Path, list[Path]]  # a folder and the files read in it


def project_root_of(config_path: Path) -> Path:
    """The folder holding ``config/``: config paths are relative to it."""
    config_path = config_path.resolve()
    return config_path.parent.parent if config_path.parent.name == CONFIG_DIR else config_path.parent


@dataclass(frozen=True)
class Project:
    config_path: Path
    config: CouncilConfig
    root: Path

    @classmethod
    def load(cls, config_path: str | Path = DEFAULT_CONFIG) -> Project:
        path = Path(config_path)
        return cls(path, load_config(path), project_root_of(path))

    def folder(self, relative: str, field: str, must_exist: bool = True) -> Path:
        """A folder named in the config: relative paths must stay inside the project; absolute ones are explicit."""
        folder = (self.root / relative).resolve()
        if not Path(relative).is_absolute() and not folder.is_relative_to(self.root.resolve()):
            raise InputError(self.config_path, f"field 'paths.{field}' ('{relative}') points outside the project",
                             expected="a folder inside the project, or an absolute path")
        if must_exist and not folder.is_dir():
            raise InputError(self.config_path, f"field 'paths.{field}' names folder '{relative}', which does not exist",
                             expected="a folder relative to the project root")
        return folder

    @property
    def raw_dir(self) -> Path:
        return self.folder(self.config.paths.raw, "raw")

    @property
    def reference_dir(self) -> Path:
        return self.folder(self.config.paths.reference, "reference")

    @property
    def processed_dir(self) -> Path:
        folder = self.folder(self.config.paths.processed, "processed", must_exist=False)
        self._check_apart_from_inputs(folder)
        return folder

    def input_folders(self) -> dict[str, Path]:
        """Every folder the pipeline or the renderer reads, or that the renderer replaces."""
        paths = self.config.paths
        return {"the raw input folder": self.folder(paths.raw, "raw", must_exist=False),
                "the reference data folder": self.folder(paths.reference, "reference", must_exist=False),
                "the narrative folder": self.narrative_root,
                "the report folder": (self.root / REPORT).resolve(),
                "the rendered report folder": (self.root / OUTPUT).resolve(),
                "the config folder": self.config_path.resolve().parent,
                "the expectations folder": (self.root / EXPECTATIONS).resolve(),
                "the notebooks folder": (self.root / NOTEBOOKS).resolve()}

    def _check_apart_from_inputs(self, output: Path) -> None:
        """The output folder is replaced run by run, so it may not be, hold or sit inside anything read."""
        output = output.resolve()
        for what, folder in self.input_folders().items():
            if output == folder or output.is_relative_to(folder) or folder.is_relative_to(output):
                relation = ("is" if output == folder else "is inside" if output.is_relative_to(folder)
                            else "contains")
                raise InputError(self.config_path, f"field 'paths.processed' ('{self.config.paths.processed}') "
                                 f"{relation} {what} ({self.shown(folder).as_posix()}); a run replaces what is in its "
                                 "output folder, so that folder must be apart from every input",
                                 expected="an output folder of its own, apart from every input, such as "
                                          "data/processed")

    @property
    def narrative_root(self) -> Path:
        """The council's report folder: one folder of narrative and author files per report year. It may not
        exist yet: running needs none, rendering needs the year's (``narrative_dir``)."""
        return self.folder(self.config.paths.narrative, "narrative", must_exist=False)

    def latest_narrative_before(self, year: int) -> int | None:
        """The latest earlier report year with a narrative folder, if any."""
        root = self.narrative_root
        earlier = [int(p.name) for p in root.glob("[0-9][0-9][0-9][0-9]") if p.is_dir() and int(p.name) < year]
        return max(earlier, default=None)

    def narrative_dir(self, year: int) -> Path:
        """The year's narrative and author files (``<narrative>/<year>/``)."""
        folder = self.narrative_root / str(year)
        if not folder.is_dir():
            earlier = self.latest_narrative_before(year)
            start = f"svreport{self.config_option} new-narrative --year {year}` " + (
                f"(it copies {earlier}'s folder for you to edit)" if earlier else "(it writes the starter narrative)")
            raise InputError(self.shown(folder), f"the {year} report has no narrative folder",
                             expected=f"a folder of the year's narrative and author files: run `{start}")
        return folder

    @property
    def config_option(self) -> str:
        """' --config FILE' for commands suggested in messages, or nothing for the default config."""
        return "" if self.config_path == DEFAULT_CONFIG else f" --config {self.config_path.as_posix()}"

    def author_figures_file(self, year: int) -> Path:
        """The year's author figures (optional: a run before the narrative is written has none)."""
        return self.narrative_root / str(year) / AUTHOR_FIGURES

    def check_folders(self) -> None:
        """Fail early, naming the config field, if a configured folder is missing or outside the project."""
        _ = self.raw_dir, self.reference_dir, self.narrative_root  # the year's narrative is checked on render
        self.processed_dir  # noqa: B018 - checks it stays inside the project

    def shown(self, path: Path) -> Path:
        """A path as messages show it: relative to the project when inside it."""
        return path.relative_to(self.root) if path.is_relative_to(self.root) else path

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the project's lock while a command writes outputs: a second command on the same project
        stops at once with a message instead of both writing one staging folder. The operating system
        releases the lock if the process dies."""
        from filelock import FileLock, Timeout

        lock = FileLock(self.root / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise InputError(LOCK_FILE, "another svreport command (run, render or prepare-report) is already "
                             "working on this project", expected="that command to finish; then run this one "
                             "again") from None
        try:
            yield
        finally:
            lock.release()

    def raw_year_dir(self, year: int) -> Path:
        self.config.year(year, self.config_path)
        return self.raw_dir / str(year)

    def raw_run_dir(self, position: Position) -> Path:
        """The exports a run reads: ``data/raw/<year>/``, or ``data/raw/as-at-<date>/`` for an as-at run."""
        return self.raw_dir / position.name

    def position(self, year: int | None = None, as_at: date | None = None) -> Position:
        """A report year's run, or the position at ``as_at`` (exactly one of the two)."""
        if (year is None) == (as_at is None):
            raise InputError(self.config_path, "a run is either a report year or an as-at date",
                             expected="--year YEAR or --as-at YYYY-MM-DD, not both")
        return self.config.as_at(as_at, self.config_path) if as_at else self.config.position(year, self.config_path)

    # --- the project's inputs: the one statement of what a run reads and what a copy of the project takes
    def input_groups(self, position: Position) -> dict[str, InputGroup]:
        """Every file the run reads, by kind: kind -> (its folder, its files).

        Raw files may be symlinks to files elsewhere: they are listed as found (and hashed by the bytes they
        point to). The comparator year's ledger is an input of this year's metrics. The kinds are those the
        stages' cache keys name (``layout.STAGES``), plus the config and the notebooks.
        """
        raw = self.raw_run_dir(position)
        reference = self.reference_dir
        groups: dict[str, InputGroup] = {
            "config": (self.config_path.resolve().parent, [self.config_path.resolve()]),
            "raw": (raw, sorted(p for p in raw.rglob("*") if p.is_file()) if raw.is_dir() else []),
            "reference": (reference, sorted(p for p in reference.rglob("*")
                                            if p.is_file() and PUBLISHED_FIGURES not in p.parts)),
            EXPECTATIONS: (self.root / EXPECTATIONS, sorted((self.root / EXPECTATIONS).glob("*.json"))),
            NOTEBOOKS: (self.root / NOTEBOOKS, sorted((self.root / NOTEBOOKS).glob("*.ipynb"))),
        }
        if position.year is not None:  # an as-at run has no author figures
            author = self.author_figures_file(position.year)
            groups["author"] = (author.parent, [author] if author.exists() else [])
        comparator = position.comparator
        if comparator is not None:
            folder = year_dir(self.processed_dir, comparator)
            groups["comparator"] = (folder, [folder / LEDGER])
        return groups

    def copy_inputs(self, target: Path, runs: list[Position] | None = None, report: bool = True) -> Project:
        """A new project in ``target`` with this one's inputs and no outputs: the config's folder, the raw
        exports (of ``runs``, default every report year and as-at run), reference data, expectations, notebooks,
        the council's report folder (those runs'), and with ``report`` the Quarto project (``report/``,
        ``_quarto.yml``). Folders the config names by an absolute path are shared, not copied."""
        ignore = shutil.ignore_patterns(*NOT_COPIED)

        def copy(source: Path, relative: str | Path) -> None:
            if Path(relative).is_absolute() or not source.exists():
                return
            destination = target / relative
            if source.is_dir():
                shutil.copytree(source, destination, ignore=ignore, dirs_exist_ok=True)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)

        paths = self.config.paths
        config = self.config_path.resolve().relative_to(self.root.resolve())  # config/<council>.yml
        copy(self.root / config.parent, config.parent)  # the config folder: other councils' configs too
        copied_config = target / config
        if runs is None:
            as_at_runs = self.folder(paths.raw, "raw", must_exist=False).glob(f"{AS_AT_PREFIX}*")
            names = [str(year) for year in sorted(self.config.report_years)] + sorted(f.name for f in as_at_runs)
        else:
            names = [run.name for run in runs]
        for name in names:  # the exports, and the narrative (or mid-year update) folder
            copy(self.raw_dir / name, Path(paths.raw) / name)
            copy(self.narrative_root / name, Path(paths.narrative) / name)
        copy(self.reference_dir, paths.reference)
        for part in (EXPECTATIONS, NOTEBOOKS, *(REPORT_PARTS if report else ())):
            copy(self.root / part, part)
        project = Project.load(copied_config)
        project.processed_dir.mkdir(parents=True, exist_ok=True)
        return project
