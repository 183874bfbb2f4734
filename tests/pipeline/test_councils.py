"""Any council, any year: each year's paper from its own narrative, and another council started with
`svreport new-council` whose starter narrative renders, unedited, on its own exports.

The other councils' exports are the sample's, rewritten: categories renamed, merged or split (two and
four categories with other names) and measures taken out of one year or both.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from svreport.core.vocabulary import normalise_measure_code
from svreport.io.contract import COMMITMENTS, DELIVERY
from svreport.io.readers import read_table

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402
from test_variations import check_reads_right, paper_text  # noqa: E402

SAMPLE_CATEGORY = {"places": "Places", "rotherham places": "Places", "people": "People",
                   "rotherham people": "People", "corporate": "Corporate", "rotherham corporate": "Corporate"}


def _rewrite(path: Path, spec, rows) -> Path:
    """Write rows of contract columns as a plain CSV export named as the contract says."""
    target = path.with_suffix(".csv")
    path.unlink()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in spec.columns])
        writer.writerows([[row[c.name] for c in spec.columns] for row in rows])
    return target


def rewrite_exports(raw: Path, category_of, drop: dict[int, set[str]]) -> None:
    """Each year's commitments with new category names, and the measures in ``drop[year]`` taken out of
    both the commitments and the delivery exports."""
    for as_at in raw.glob("as-at-*"):  # this council has annual exports only
        shutil.rmtree(as_at)
    for year_dir in sorted(p for p in raw.iterdir() if p.is_dir()):
        dropped = drop.get(int(year_dir.name), set())
        commitments = next(year_dir.glob("portal_commitments.*"))
        table = read_table(commitments, COMMITMENTS).data.fillna("")
        rows = []
        for row in table.to_dict("records"):
            if normalise_measure_code(str(row["measure_id"])) in dropped:
                continue
            sample = SAMPLE_CATEGORY.get(" ".join(str(row["category"]).split()).lower())
            if sample:
                row["category"] = category_of(sample, row["contract_reference"])
            rows.append(row)
        _rewrite(commitments, COMMITMENTS, rows)
        contracts = {row["contract_reference"] for row in rows}
        delivery = next(year_dir.glob("portal_delivery.*"))
        table = read_table(delivery, DELIVERY).data.fillna("")
        # this council excludes no contract: delivery on the sample's excluded ones is not in its export
        _rewrite(delivery, DELIVERY, [r for r in table.to_dict("records") if r["contract_reference"] in contracts
                                      and normalise_measure_code(str(r["measure_id"])) not in dropped])


def _two(sample: str, reference: str) -> str:
    return "Capital Works" if sample == "Places" else "Services to Residents"


def _four(sample: str, reference: str) -> str:
    if sample == "Places":
        return "Housing" if int(re.sub(r"\D", "", reference) or 0) % 2 else "Highways and Transport"
    return {"People": "Adult and Children's Care", "Corporate": "Corporate Services"}[sample]


VARIANTS = {
    # two categories; NT16 delivered in the first year and not the second, NT28 in neither
    "two categories, a measure missing": (_two, {2024: {"NT28"}, 2025: {"NT16", "NT28"}},
                                          ["Capital Works", "Services to Residents"]),
    "four categories": (_four, {}, ["Housing", "Highways and Transport", "Adult and Children's Care",
                                    "Corporate Services"]),
}


def _cli(project: Path, *argv: str) -> None:
    code, stderr = corpus.run_cli(project, list(argv))
    assert code == 0, stderr


@pytest.fixture(scope="module", params=list(VARIANTS))
def other_council(request, tmp_path_factory):
    """Another council: rewritten exports, a config and narrative from `svreport new-council`, both years
    run and rendered. Returns (project, category names, {year: paper text})."""
    from conftest import copy_project

    category_of, drop, names = VARIANTS[request.param]
    project = copy_project(tmp_path_factory.mktemp("council") / "project")
    shutil.rmtree(project / "report" / "councils")
    (project / "config" / "rotherham.yml").unlink()
    rewrite_exports(project / "data" / "raw", category_of, drop)
    config = "config/elmshire.yml"
    _cli(project, "new-council", "--config", config, "--name", "Elmshire District Council", "--area", "Elmshire",
         "--policy-start", "2019-12-01", "--year", "2024:2023-11-30", "--year", "2025:2024-11-30",
         "--local-postcodes", "S60, S61, S62, S63 7")
    texts = {}
    for year in ("2024", "2025"):
        _cli(project, "--config", config, "run", "--year", year, "--no-notebooks")
        _cli(project, "--config", config, "render", "--year", year)
        texts[int(year)] = paper_text(project).replace("\u2019", "'")  # pandoc's curly apostrophes
    return project, names, texts


def test_new_council_writes_a_config_from_the_exports(other_council):
    project, names, _ = other_council
    config = yaml.safe_load((project / "config" / "elmshire.yml").read_text(encoding="utf-8"))
    assert sorted(c["name"] for c in config["categories"]) == sorted(names)
    assert config["report_years"][2025]["comparator"] == 2024 and "comparator" not in config["report_years"][2024]
    assert config["paths"]["narrative"] == "report/councils/elmshire"
    # the payment files' headers, as found in them (the sample uses the contract's own)
    assert config["spend"]["columns"]["amount"] == ["Amount (£)"]
    assert config["spend"]["columns"]["payment_date"] == ["Payment Date"]
    assert sorted(p.name for p in (project / "report" / "councils" / "elmshire").iterdir()) == ["2024", "2025"]


def test_the_starter_paper_reads_right_for_a_first_and_a_following_year(other_council):
    _, names, texts = other_council
    for year, text in texts.items():
        assert check_reads_right(text) == [], year
        for name in names:  # the council's own categories, and none of the sample's
            assert f"{name}:" in text, (year, name)
        assert not re.search(r"\b(Rotherham|Places|People)\b", text), year
    assert "This report has no earlier report to compare with." in texts[2024]
    assert re.search(r"2\.1 Since the 2024 annual report, the total social value committed has (risen|fallen) from "
                     r"£27\.8 million to £[\d.]+ million, a net (increase|decrease) of", texts[2025])
    for year, text in texts.items():  # no meeting date in the config: said, not left blank
        assert "Committee and date of meeting Cabinet – date to be confirmed" in text, year
    assert "excluded" not in texts[2025]  # this council excludes no contract
    assert "no earlier report" not in texts[2025]


def test_a_measure_missing_from_a_year_reads_sensibly(other_council):
    project, names, texts = other_council
    if "Capital Works" not in names:
        pytest.skip("the four-category variant keeps every measure")
    assert "(NT28)" not in texts[2024] + texts[2025]  # in neither year: not printed at all
    assert "Equipment or resources given to voluntary and community groups (NT16): " in texts[2024]
    # committed in 2025 still (earlier contracts), delivered no longer: the delivered list leaves it out
    delivered_2025 = texts[2025].split("3.3 Delivery by measure")[1].split("4 Local spend")[0]
    assert "(NT16)" not in delivered_2025


def test_diagrams_follow_the_council_and_its_data(other_council):
    import json

    project, names, _ = other_council
    diagrams = json.loads((project / "data" / "processed" / "2025" / "diagrams" / "diagrams.json").read_text())
    numbers = [d["number"] for d in diagrams]
    assert numbers == [1, 2, 3, 4, 5, 6, 7]  # 7: the trend since the policy began
    config = yaml.safe_load((project / "config" / "elmshire.yml").read_text(encoding="utf-8"))
    assert [p["label"] for p in diagrams[0]["panels"]] == ["All contracts", *(c["name"] for c in config["categories"])]
    assert sorted(p["label"] for p in diagrams[0]["panels"][1:]) == sorted(names)
    assert diagrams[1]["caption"].startswith("Diagram 2: The largest commitments under the Jobs theme")
    assert 1 <= len(diagrams[1]["panels"]) <= 4 and all("(NT" in p["label"] for p in diagrams[1]["panels"])
    assert not any("NT28" in p["label"] for d in diagrams for p in d.get("panels", []))  # 7 is a line chart


def test_each_year_renders_with_its_own_narrative(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    _cli(project, "render", "--year", "2024")
    first = paper_text(project)
    assert check_reads_right(first) == []
    assert "5 Key actions for 2024/25" in first and "Report to Cabinet, 18 March 2024" in first
    assert "Social value event" not in first  # 2025's words stay in 2025's paper
    _cli(project, "render", "--year", "2025")
    second = paper_text(project)
    assert "2.7 Social value event 2024/25" in second and "5 Key actions for 2024/25" not in second


def test_a_year_without_a_narrative_folder_says_how_to_start_one(published_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, symlinks=True)
    shutil.rmtree(project / "report" / "councils" / "rotherham" / "2025")
    code, stderr = corpus.run_cli(project, ["render", "--year", "2025"])
    assert code == 2
    assert stderr.startswith("error: report/councils/rotherham/2025: the 2025 report has no narrative folder "
                             "(expected a folder of the year's narrative and author files: run `svreport "
                             "new-narrative --year 2025` (it copies 2024's folder for you to edit))")
    _cli(project, "new-narrative", "--year", "2025")
    copied = project / "report" / "councils" / "rotherham" / "2025" / "cabinet-report.md"
    assert copied.read_text() == (project / "report" / "councils" / "rotherham" / "2024" / "cabinet-report.md"
                                  ).read_text()
    _cli(project, "render", "--year", "2025")
    assert check_reads_right(paper_text(project)) == []


def test_a_missing_narrative_names_the_command_with_the_council_s_config(tmp_path):
    from svreport.core.errors import InputError
    from svreport.core.project import Project

    config = tmp_path / "config" / "other.yml"
    config.parent.mkdir()
    shutil.copyfile(Path(__file__).parents[2] / "config" / "rotherham.yml", config)
    with pytest.raises(InputError) as error:
        Project.load(config).narrative_dir(2025)
    assert str(error.value).endswith(f"run `svreport --config {config.as_posix()} new-narrative --year 2025` (it "
                                     "writes the starter narrative))")
