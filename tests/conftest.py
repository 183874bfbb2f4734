from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("config", "data/raw", "data/reference", "expectations", "notebooks", "report/content",
                 "report/style", "_quarto.yml", *(f"report/{p.name}" for p in sorted((ROOT / "report").glob("*.qmd"))))


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
