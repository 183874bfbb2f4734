"""The package's shape: layers that import only downwards, no import cycle, and cache keys that cover
every module by construction."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

from svreport.core import code
from svreport.core.code import LAYERS, code_digest, modules_of

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    """import-linter: each layer imports only from the layers below it; svreport never imports svreport_dev."""
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_no_module_imports_itself_through_others():
    """No import cycle between any two modules, however long, function-level imports included."""
    graph = grimp.build_graph("svreport")
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(graph.find_shortest_chain(importer=imported, imported=module) + (imported,))
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_the_cache_keys_layers_are_the_import_contracts_layers():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["type"] == "layers")["layers"]
    declared = [tuple(name.strip().removeprefix("svreport.") for name in entry.split("|")) for entry in layers]
    assert tuple(declared) == LAYERS


def test_every_module_belongs_to_a_layer():
    package = Path(code.__file__).resolve().parents[1]
    layered = set(modules_of("cli")) | {package / "__main__.py"}
    assert set(package.rglob("*.py")) == layered


@pytest.fixture
def package_copy(tmp_path):
    package = Path(code.__file__).resolve().parents[1]
    return Path(shutil.copytree(package, tmp_path / "svreport", ignore=shutil.ignore_patterns("__pycache__")))


@pytest.mark.parametrize("layer, changes", [("stages", {"pipeline": True, "report": True, "core": False}),
                                            ("report", {"pipeline": False, "report": True, "cli": True}),
                                            ("core", {"core": True, "pipeline": True, "report": True})])
def test_a_module_added_to_a_layer_changes_the_keys_of_the_layers_that_can_import_it(package_copy, layer, changes):
    before = {name: code_digest(name, package_copy) for name in changes}
    (package_copy / layer / "added_later.py").write_text("RULE = 1\n", encoding="utf-8")
    after = {name: code_digest(name, package_copy) for name in changes}
    assert {name: before[name] != after[name] for name in changes} == changes


def test_a_new_module_changes_every_pipeline_stage_key(package_copy, project_copy, monkeypatch):
    """End to end: the stage keys the runner compares see a module nobody listed."""
    from svreport.core.project import Project
    from svreport.pipeline.keys import stage_keys

    project = Project.load(project_copy / "config" / "rotherham.yml")
    monkeypatch.setattr(code, "PACKAGE", package_copy)
    before = stage_keys(project, project.config.position(2025), "in-process")
    (package_copy / "stages" / "added_later.py").write_text("RULE = 1\n", encoding="utf-8")
    after = stage_keys(project, project.config.position(2025), "in-process")
    assert all(before[name] != after[name] for name in before) and len(before) == 4
