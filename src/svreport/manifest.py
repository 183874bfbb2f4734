"""The run manifest: SHA-256 of every input and output, notebook parameters and software versions.

Written to ``data/processed/<year>/manifest.json`` by every ``svreport run``. Executed notebooks
and Great Expectations Data Docs are listed but not hashed: they carry run times and ids by
design. Everything else is byte-identical on a rerun of the same inputs, which the audit checks.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .paths import Project

MANIFEST = "manifest.json"
KEY_PACKAGES = ("svreport", "pandas", "numpy", "pyarrow", "great-expectations", "papermill", "nbclient",
                "ipykernel", "matplotlib", "python-calamine", "xlsxwriter", "pydantic", "pypandoc-binary", "typst")
NOT_HASHED = ("notebooks", "validation")  # run records with times and ids


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_groups(project: Project, year: int) -> dict[str, tuple[Path, list[Path]]]:
    """Every file the run for ``year`` reads, by kind: kind -> (its folder, its files).

    Raw files may be symlinks to files elsewhere: they are listed as found and hashed by the bytes
    they point to. The comparator year's ledger is an input of this year's metrics.
    """
    root = project.root
    raw = project.raw_year_dir(year)
    groups = {
        "config": (project.config_path.resolve().parent, [project.config_path.resolve()]),
        "raw": (raw, sorted(p for p in raw.rglob("*") if p.is_file()) if raw.is_dir() else []),
        "reference": (project.reference_dir, sorted(p for p in project.reference_dir.rglob("*")
                                                    if p.is_file() and "published" not in p.parts)),
        "expectations": (root / "expectations", sorted((root / "expectations").glob("*.json"))),
        "notebooks": (root / "notebooks", sorted((root / "notebooks").glob("*.ipynb"))),
    }
    author = project.author_figures_file(year)
    groups["author"] = (author.parent, [author] if author.exists() else [])
    comparator = project.config.year(year).comparator
    if comparator is not None:
        folder = project.processed_dir / str(comparator)
        groups["comparator"] = (folder, [folder / "figures.csv"])
    return groups


def input_files(project: Project, year: int) -> list[Path]:
    """Every file the run for ``year`` reads, in one list (see ``input_groups``)."""
    return [path for _, files in input_groups(project, year).values() for path in files]


def _relative(path: Path, root: Path) -> str:
    path = path.resolve() if not path.is_symlink() else path.absolute()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def hash_inputs(project: Project, year: int) -> dict[str, str]:
    """SHA-256 of every input, keyed by its path relative to the project (absolute when outside it)."""
    root = project.root.resolve()
    return {_relative(p, root): sha256(p) for p in input_files(project, year) if p.exists()}


def hash_input_groups(project: Project, year: int) -> dict[str, dict[str, str]]:
    """SHA-256 of every input by kind, keyed by its path inside its group's folder: the same keys however
    the config writes the folder (relative, ./, absolute) and wherever a symlinked file points."""
    out: dict[str, dict[str, str]] = {}
    for kind, (folder, files) in input_groups(project, year).items():
        out[kind] = {(p.relative_to(folder).as_posix() if p.is_relative_to(folder) else p.name): sha256(p)
                     for p in files if p.exists()}
    return out


def hash_outputs(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST:
            continue
        out[relative] = "not hashed (run record)" if relative.split("/")[0] in NOT_HASHED else sha256(path)
    return out


def _command_version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    result = subprocess.run(command, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[0] if result.returncode == 0 and result.stdout.strip() else None


def software_versions() -> dict[str, object]:
    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    from .render import pandoc_version

    return {"python": platform.python_version(), "packages": packages,
            "renderer": {"quarto": _command_version(["quarto", "--version"]), "pandoc": pandoc_version(),
                         "typst": packages["typst"]}}


def write_manifest(project: Project, year: int, output_dir: Path, notebooks: dict[str, dict],
                   stage_keys: dict[str, str] | None = None) -> Path:
    manifest = {
        "stage_keys": stage_keys or {},
        "report_year": year,
        "config": _relative(project.config_path, project.root.resolve()),
        "inputs": hash_inputs(project, year),
        "outputs": hash_outputs(output_dir),
        "notebook_runs": notebooks,
        "software": software_versions(),
    }
    path = output_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
