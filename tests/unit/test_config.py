"""The council config loads, and every wrong or missing field is named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from svreport.core.config import load_config
from svreport.core.errors import InputError
from svreport.core.project import Project


def test_rotherham_config_loads(root):
    config = load_config(root / "config" / "rotherham.yml")
    assert config.year(2025).cutoff == date(2024, 11, 30)
    assert config.year(2024).cutoff == date(2023, 11, 30)
    assert config.year(2025).comparator == 2024
    assert config.policy_start == date(2019, 12, 1)
    assert config.category_names() == ["Places", "People", "Corporate"]
    assert "S63 7" in config.local_postcode_prefixes
    assert config.measure_groups["support_into_work"].measures == ["NT7", "NT11"]
    assert config.measure_groups["local_employment"].measures == ["NT1", "NT1a", "NT1c"]
    assert all(c.reason for c in config.excluded_contracts)


def _broken(root: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (root / "config" / "rotherham.yml").read_text()
    assert old in text
    path = tmp_path / "config" / "broken.yml"
    path.parent.mkdir()
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, message", [
    ("    cutoff: 2024-11-30", "    cutoff: 2024-11-31", "field 'report_years.2025.cutoff'"),
    ("    cutoff: 2024-11-30", "    cutoff: 30/11/2024", "field 'report_years.2025.cutoff'"),
    ("policy_start: 2019-12-01", "policy_start: 2025-12-01", "not after policy_start"),
    ("  area: Rotherham\n", "", "field 'council.area': Field required"),
    ("S63 7,", "S6-3,", "field 'local_postcode_prefixes'"),
    ("    comparator: 2024", "    comparator: 2023", "comparator 2023 has no entry"),
    ("    measures: [NT7, NT11]", "    measures: [NT7, X11]", "field 'measure_groups.support_into_work.measures.1'"),
    ("  - name: Places", "  - nme: Places", "field 'categories.0.nme': Extra inputs are not permitted"),
    ("council:\n", "council: [\n", "not valid YAML"),
])
def test_bad_config_names_the_field(root, tmp_path, old, new, message):
    with pytest.raises(InputError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_config(_broken(root, tmp_path, old, new))


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError, match="config file not found"):
        load_config(tmp_path / "nope.yml")


def test_year_without_entry_is_refused(root):
    with pytest.raises(InputError, match="report year 2031 has no entry"):
        load_config(root / "config" / "rotherham.yml").year(2031)


def test_config_naming_a_missing_folder(root, tmp_path):
    path = _broken(root, tmp_path, "  raw: data/raw", "  raw: data/nowhere")
    with pytest.raises(InputError, match="field 'paths.raw' names folder 'data/nowhere'"):
        _ = Project.load(path).raw_dir


def test_a_copy_of_the_project_takes_its_inputs_and_no_outputs(project_copy, tmp_path):
    """``Project.copy_inputs``, which the audit, the benchmark and the tests use: inputs only (of the years
    asked for), never outputs."""
    (project_copy / "data" / "processed" / "2025").mkdir()
    (project_copy / "data" / "processed" / "2025" / "figures.csv").write_text("key,value\n", encoding="utf-8")
    project = Project.load(project_copy / "config" / "rotherham.yml")
    copy = project.copy_inputs(tmp_path / "copy", runs=[project.config.position(2025)], report=False)
    copied = {p.relative_to(copy.root).as_posix() for p in copy.root.rglob("*") if p.is_file()}
    assert "config/rotherham.yml" in copied and "data/raw/2025/portal_delivery.csv" in copied
    assert "report/councils/rotherham/2025/author-figures.yml" in copied
    assert "notebooks/03_metrics.ipynb" in copied and "expectations/delivery.json" in copied
    assert not any(name.startswith(("data/raw/2024/", "data/processed/", "report/cabinet", "project/"))
                   for name in copied)
