"""The run manifest: SHA-256 of every input and output, notebook parameters and software versions.

Written to ``data/processed/<year>/manifest.json`` by every ``svreport run``. Executed notebooks
and Great Expectations Data Docs are listed but not hashed: they carry run times and ids by
design. Everything else is byte-identical on a rerun of the same inputs, which the audit checks.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from svreport.core.config import Position
from svreport.core.layout import MANIFEST, RUN_RECORDS
from svreport.core.project import Project
from svreport.core.tools import installed_quarto_version, pandoc_version

KEY_PACKAGES = ("svreport", "pandas", "numpy", "pyarrow", "great-expectations", "papermill", "nbclient",
                "ipykernel", "matplotlib", "python-calamine", "xlsxwriter", "pydantic", "pypandoc-binary", "typst")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(project: Project, position: Position) -> list[Path]:
    """Every file the run reads, in one list (see ``Project.input_groups``)."""
    return [path for _, files in project.input_groups(position).values() for path in files]


def _relative(path: Path, root: Path) -> str:
    path = path.resolve() if not path.is_symlink() else path.absolute()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def hash_inputs(project: Project, position: Position) -> dict[str, str]:
    """SHA-256 of every input, keyed by its path relative to the project (absolute when outside it)."""
    root = project.root.resolve()
    return {_relative(p, root): sha256(p) for p in input_files(project, position) if p.exists()}


def hash_input_groups(project: Project, position: Position) -> dict[str, dict[str, str]]:
    """SHA-256 of every input by kind, keyed by its path inside its group's folder: the same keys however
    the config writes the folder (relative, ./, absolute) and wherever a symlinked file points."""
    out: dict[str, dict[str, str]] = {}
    for kind, (folder, files) in project.input_groups(position).items():
        out[kind] = {(p.relative_to(folder).as_posix() if p.is_relative_to(folder) else p.name): sha256(p)
                     for p in files if p.exists()}
    return out


def hash_outputs(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST:
            continue
        out[relative] = "not hashed (run record)" if relative.split("/")[0] in RUN_RECORDS else sha256(path)
    return out


def software_versions() -> dict[str, object]:
    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"python": platform.python_version(), "packages": packages,
            "renderer": {"quarto": installed_quarto_version(), "pandoc": pandoc_version(),
                         "typst": packages["typst"]}}


def write_manifest(project: Project, position: Position, output_dir: Path, notebooks: dict[str, dict],
                   stage_keys: dict[str, str] | None = None) -> Path:
    manifest = {
        "stage_keys": stage_keys or {},
        "report_year": position.year,
        **({} if position.is_annual else {"as_at": position.cutoff.isoformat()}),
        "config": _relative(project.config_path, project.root.resolve()),
        "inputs": hash_inputs(project, position),
        "outputs": hash_outputs(output_dir),
        "notebook_runs": notebooks,
        "software": software_versions(),
    }
    path = output_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
