"""The paper reads right for other data: falling figures, no comparator, one spend year, zeros.

Each variation renders the whole paper and reads its text: no negative "increase", no "£-",
"nan" or "None", and every "rose/up from A to B" has A < B (and "fell/down" A > B).
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402

AMOUNT = r"(£?-?[\d,.]+(?: million|m)?%?)"
MOVE = re.compile(rf"\b(rose|risen|up|fell|fallen|down) from {AMOUNT} to {AMOUNT}")


def _number(text: str) -> float:
    scale = 1_000_000 if text.endswith(("million", "m")) else 1
    return float(re.sub(r" ?million$|m$|[£,%]", "", text)) * scale


def paper_text(project: Path) -> str:
    raw = (project / "_output" / "report" / "cabinet-report.html").read_text(encoding="utf-8")
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", raw)).split()))


def check_reads_right(text: str) -> list[str]:
    """Every problem a reader would see in the paper's text."""
    problems = [f"'{bad}' printed" for bad in ("increase of -", "decrease of -", "£-", "?var:", "{{<",
                                               "in the  report") if bad in text]
    problems += [f"'{word}' printed" for word in ("nan", "None", "NaN") if re.search(rf"\b{word}\b", text)]
    for match in MOVE.finditer(text):
        verb, before, after = match.group(1), _number(match.group(2)), _number(match.group(3))
        if (verb in ("rose", "risen", "up")) != (after > before):
            problems.append(f"'{match.group(0)}' says {verb} but the figure went from {before} to {after}")
    return problems


def _render(project: Path, year: int) -> str:
    for argv in (["run", "--year", str(year), "--no-notebooks"], ["render", "--year", str(year)]):
        code, stderr = corpus.run_cli(project, argv)
        assert code == 0, stderr
    return paper_text(project)


@pytest.fixture
def project(published_project, tmp_path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(published_project, target, symlinks=True)
    return target


def test_the_sample_paper_reads_right(published_project):
    text = paper_text(published_project)
    assert check_reads_right(text) == []
    assert len(MOVE.findall(text)) >= 20  # the checks above had comparisons to read


def test_the_reader_catches_a_false_direction():
    assert check_reads_right("spending rose from £7.7 million to £7.5 million, an increase of -£0.1m or £-3") == [
        "'increase of -' printed", "'£-' printed",
        "'rose from £7.7 million to £7.5 million' says rose but the figure went from 7700000.0 to 7500000.0"]


def test_a_year_with_no_comparator_renders_a_complete_paper(project):
    """The sample's full 2025 narrative, used for a first report: its .unless-data alternatives stand in for
    every comparison."""
    council = project / "report" / "councils" / "rotherham"
    shutil.rmtree(council / "2024")
    shutil.copytree(council / "2025", council / "2024")
    text = _render(project, 2024)
    assert check_reads_right(text) == []
    assert "stands at £27.8 million in this report" in text
    assert "Since the" not in text and "annual report it" not in text
    assert "2.3.13 Validated social value delivered stands at £8 million" in text
    assert "2.4.1 Between 2021/22 and 2022/23" in text  # two spend years, so spend still compares


def test_falling_unchanged_and_zero_previous_figures_read_right(project):
    ledger_path = project / "data" / "processed" / "2024" / "figures.csv"
    ledger = pd.read_csv(ledger_path, dtype={"value": str})
    values = ledger["value"].astype(float)
    falling = values * 2  # every 2025 figure now falls against 2024
    falling[ledger["key"] == "committed.category.places"] = 18341000.0  # unchanged
    falling[ledger["key"] == "committed.measure.NT16.value"] = 0.0  # from nothing
    ledger["value"] = [f"{v:.8f}".rstrip("0").rstrip(".") for v in falling]
    ledger.to_csv(ledger_path, index=False, lineterminator="\n")
    text = _render(project, 2025)
    assert check_reads_right(text) == []
    assert "Since the 2024 annual report it has fallen from £55.5 million to £32 million, a net decrease of " \
           "£23.5 million or 42%" in text
    assert "commitments on Places contracts was unchanged at £18.3 million;" in text
    assert "Equipment and resources committed rose from £0 to £178,000, a net increase of £178,000." in text


def test_one_spend_year_renders_the_local_spend_paragraph_without_a_comparison(project):
    (project / "data" / "raw" / "2025" / "supplier_spend_2022-23.csv").unlink()
    text = _render(project, 2025)
    assert check_reads_right(text) == []
    assert re.search(r"2\.4\.1 In 2023/24 the Council spent £105\.5 million with local suppliers, [\d.]+% of its "
                     r"spending with all suppliers\.", text)


def test_every_comparison_in_the_variables_goes_the_way_the_ledger_went(published_project):
    import yaml

    variables = yaml.safe_load((published_project / "data" / "processed" / "2025" / "_variables.yml").read_text())
    ledger = pd.read_csv(published_project / "data" / "processed" / "2025" / "figures.csv")
    values = dict(zip(ledger["key"], ledger["value"], strict=True))
    checked = 0

    def walk(node, path):
        nonlocal checked
        if "direction" in node:
            key = ".".join(path)
            if f"previous.{key}" in values:
                delta = values[key] - values[f"previous.{key}"]
                expected = "increase" if delta > 0 else "decrease" if delta < 0 else "unchanged"
                assert node["direction"] == expected or node["direction"] == "unchanged", key
                checked += 1
            return
        for name, child in node.items():
            walk(child, [*path, name])

    walk(variables["compare"], [])
    assert checked > 50


def test_renamed_categories_reach_the_diagrams_and_headlines(project):
    """Another council's category names: nothing in the code names Places, People or Corporate."""
    import json

    import yaml

    from svreport.core.project import Project
    from svreport.stages.ledger import read_ledger
    from svreport.stages.metrics import headline_table

    config = project / "config" / "rotherham.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  - name: Places\n    label: Rotherham Places\n", "  - name: Neighbourhoods\n"
                        "    label: Neighbourhoods and Places\n").replace("variants: [Rotherham Places]",
                                                                       "variants: [Rotherham Places, Places]")
    config.write_text(text, encoding="utf-8")
    code, stderr = corpus.run_cli(project, ["run", "--year", "2025", "--no-notebooks", "--force"])
    assert code == 0, stderr
    diagrams = json.loads((project / "data" / "processed" / "2025" / "diagrams" / "diagrams.json").read_text())
    assert [p["label"] for p in diagrams[0]["panels"]] == ["All contracts", "Neighbourhoods", "People", "Corporate"]
    loaded = Project.load(config)
    ledger = read_ledger(project / "data" / "processed" / "2025" / "figures.csv")
    table = headline_table(ledger, loaded.config)
    assert "Committed: Neighbourhoods" in set(table["figure"])
    assert table.loc[table["figure"] == "Committed: Neighbourhoods", "this report"].item() == "£18.3 million"
    assert yaml.safe_load(config.read_text())["categories"][0]["name"] == "Neighbourhoods"
