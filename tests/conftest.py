from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("config", "data/raw", "data/reference", "expectations", "notebooks", "report/councils", "report/starter",
                 "report/style", "report/prerender.ts", "_quarto.yml", *(f"report/{p.name}" for p in sorted((ROOT / "report").glob("*.qmd"))))


def pytest_collection_modifyitems(config, items):
    """Tests marked `quarto` run Quarto itself; without it on PATH they are skipped, saying why."""
    if shutil.which("quarto"):
        return
    skip = pytest.mark.skip(reason="Quarto is not on PATH (it cannot be installed on the machines that build "
                                   "this project); a reviewer with Quarto 1.10 runs these")
    for item in items:
        if "quarto" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def root() -> Path:
    return ROOT


def copy_project(target: Path) -> Path:
    """A throwaway copy of the project's inputs, so tests never touch data/processed/."""
    for part in PROJECT_PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / part, target / part)
    (target / "data" / "processed").mkdir(parents=True)
    return target


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The in-process pipeline (clean, validate, metrics, diagrams) for 2025 on a copy of the sample."""
    from svreport import pipeline
    from svreport.paths import Project

    target = copy_project(tmp_path_factory.mktemp("sample") / "project")
    project = Project.load(target / "config" / "rotherham.yml")
    stage = pipeline.Stage(project, 2025, project.processed_dir / "2025")
    pipeline.run_clean(stage)
    pipeline.run_validate(stage, docs=False)
    ledger = pipeline.run_metrics(stage)
    pipeline.run_diagrams(stage)
    return stage, ledger


@pytest.fixture(scope="session")
def published_project(tmp_path_factory):
    """A project copy with the 2024 and 2025 reports published (stages in-process) and rendered."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
    import corpus

    project = copy_project(tmp_path_factory.mktemp("published") / "project")
    raw_before = {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
    for argv in (["run", "--year", "2025", "--no-notebooks"], ["render", "--year", "2025"]):
        code, stderr = corpus.run_cli(project, argv)
        assert code == 0, stderr
    raw_after = {p: p.read_bytes() for p in (project / "data" / "raw").rglob("*") if p.is_file()}
    assert raw_after == raw_before, "a successful run changed the raw input files"
    return project


@pytest.fixture(scope="session")
def rendered(sample_run):
    """The sample's 2025 report rendered by the pandoc/Typst path: (output folder, RenderResult)."""
    from svreport.render import render_report

    stage, _ = sample_run
    result = render_report(stage.project, 2025, engine="pandoc")
    return stage.project.root / "_output" / "report", result
