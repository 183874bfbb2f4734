from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# Each folder of tests/ is one kind of test, marked so that `pytest -m KIND` selects it.
KIND_OF_FOLDER = {"unit": "unit", "pipeline": "pipeline", "report": "render"}


def pytest_collection_modifyitems(config, items):
    """Mark each test with its kind (its folder; the notebooks are `notebooks`). Tests marked `quarto` run
    Quarto itself; without it on PATH they are skipped, saying why."""
    skip = pytest.mark.skip(reason="Quarto is not on PATH: install Quarto 1.10 (conda-forge or quarto.org), or "
                                   "build it from source with ../shared/tools/build_quarto.sh, to run these")
    for item in items:
        path = Path(str(item.path))
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebooks)
        elif path.is_relative_to(ROOT / "tests") and len(path.relative_to(ROOT / "tests").parts) > 1:
            kind = KIND_OF_FOLDER.get(path.relative_to(ROOT / "tests").parts[0])
            if kind:
                item.add_marker(getattr(pytest.mark, kind))
        if "quarto" in item.keywords and not shutil.which("quarto"):
            item.add_marker(skip)


@pytest.fixture
def root() -> Path:
    return ROOT


def copy_project(target: Path) -> Path:
    """A throwaway copy of the project's inputs (``Project.copy_inputs``), so tests never touch data/processed/."""
    from svreport.core.layout import DEFAULT_CONFIG
    from svreport.core.project import Project

    return Project.load(ROOT / DEFAULT_CONFIG).copy_inputs(target).root


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The in-process pipeline (clean, validate, metrics, diagrams) for 2025 on a copy of the sample."""
    from svreport.core.project import Project
    from svreport.pipeline import runner, steps

    target = copy_project(tmp_path_factory.mktemp("sample") / "project")
    project = Project.load(target / "config" / "rotherham.yml")
    stage = steps.PipelineRun(project, project.config.position(2025), project.processed_dir / "2025", build_missing=runner.build_in_process)
    steps.run_clean(stage)
    steps.run_validate(stage, docs=False)
    ledger = steps.run_metrics(stage)
    steps.run_diagrams(stage)
    return stage, ledger


@pytest.fixture(scope="session")
def published_project(tmp_path_factory):
    """A project copy with the 2024 and 2025 reports published (stages in-process) and rendered by the
    pandoc/Typst path (whether or not Quarto is on PATH: the golden hashes record that path)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    import corpus

    project = copy_project(tmp_path_factory.mktemp("published") / "project")
    raw_before = {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
    for argv in (["run", "--year", "2025", "--no-notebooks"], ["render", "--year", "2025", "--engine", "pandoc"]):
        code, stderr = corpus.run_cli(project, argv)
        assert code == 0, stderr
    raw_after = {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
    assert raw_after == raw_before, "a successful run changed the raw input files"
    return project


@pytest.fixture(scope="session")
def rendered(sample_run):
    """The sample's 2025 report rendered by the pandoc/Typst path: (output folder, RenderResult)."""
    from svreport.report.render import render_report

    stage, _ = sample_run
    result = render_report(stage.project, 2025, engine="pandoc")
    return stage.project.root / "_output" / "report", result
