"""The Quarto render path.

Everything that can be checked without Quarto runs everywhere: includes a clean checkout can
resolve, the shortcode and partials `_quarto.yml` names, the Lua shortcode producing what the
pandoc path produces, the Deno pre-render script finding the project's Python, and how `svreport
render` drives the Quarto CLI (with a stand-in CLI). The tests marked `quarto` run Quarto itself,
end to end from a fresh clone; they are skipped where `quarto` is not on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import yaml

from helpers import run_axe, struct_elements
from svreport.core.errors import InputError
from svreport.core.layout import UPDATE_DOCUMENTS, UPDATE_NARRATIVE
from svreport.report.render import render_report
from svreport.report.shortcodes import SHORTCODE, expand

ROOT = Path(__file__).resolve().parents[2]
SHIM = Path(__file__).parents[1] / "quarto_shim"
DENO = Path(__file__).parents[1] / "deno" / "node_modules" / ".bin" / "deno"
DOCUMENTS = ["cabinet-report", "appendix-1", "appendix-2", "appendix-3", "appendix-4", "appendix-5"]
ALL_OUTPUTS = {f"{d}.{ext}" for d in DOCUMENTS for ext in ("html", "pdf", "docx")} | {"cabinet-pack.pdf",
                                                                                      "auditors.html", "figure-rows",
                                                                                      "appendix1.xlsx"}
QUARTO = pytest.mark.quarto


def _tracked_files() -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


# --- checked everywhere -----------------------------------------------------------------------
def test_shared_documents_use_generated_content_not_includes():
    """Quarto expands includes before the pre-render step, so the shared documents include nothing: the
    year's narrative and author files reach them as generated content."""
    sources = sorted((ROOT / "report").glob("*.qmd"))
    assert len(sources) == 10  # the paper, five appendices, the pack, the auditors' page; the update and tracker
    kinds = {match.group(1) for source in sources for match in SHORTCODE.finditer(source.read_text(encoding="utf-8"))}
    assert kinds == {"var", "generated"}
    paper = (ROOT / "report" / "cabinet-report.qmd").read_text(encoding="utf-8")
    assert "{{< generated paper >}}" in paper


def test_including_generated_content_is_refused_with_the_shortcode_to_use(sample_run):
    stage, _ = sample_run
    paper = stage.project.root / "report" / "appendix-2.qmd"
    with pytest.raises(InputError, match=r"appendix-2.qmd, row 3: '_generated/toms-mapping.md' is generated content, "
                                         r"which Quarto cannot include \(expected \{\{< generated toms-mapping >\}\}"):
        expand("\n\n{{< include _generated/toms-mapping.md >}}\n", paper, {}, "html")


def test_quarto_config_names_files_that_exist():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    project = config["project"]
    assert project["pre-render"] == "report/prerender.ts"  # Deno: needs no Python on PATH
    named = [project["pre-render"], *project["render"], *config["shortcodes"],
             *config["format"]["html"]["template-partials"], config["format"]["html"]["css"],
             *config["format"]["typst"]["template-partials"]]
    assert [name for name in named if not (ROOT / name).is_file()] == []
    assert config["lang"] == "en-GB" and config["format"]["typst"]["pdf-standard"] == "ua-1"
    links = config["format"]["html"]["format-links"]
    assert [link["text"] for link in links if isinstance(link, dict)] == ["PDF", "Word"]
    assert any(isinstance(link, str) for link in links)  # a named format stops Quarto adding "Typst", "MS Word"


def test_every_generated_shortcode_names_content_the_pipeline_writes(rendered):
    folder, _ = rendered
    generated = folder.parents[1] / "report" / "_generated"
    update = {ROOT / d for d in UPDATE_DOCUMENTS}  # the mid-year update's: tests/report/test_update.py
    sources = [*(p for p in (ROOT / "report").glob("*.qmd") if p not in update),
               *(p for p in [*(ROOT / "report" / "councils").rglob("*.md"), *(ROOT / "report" / "starter").glob("*.md")]
                 if p.name != UPDATE_NARRATIVE)]
    names = {m.group(2) for source in sources
             for m in SHORTCODE.finditer(source.read_text(encoding="utf-8")) if m.group(1) == "generated"}
    assert {"appendix1-table", "diagram-1", "cabinet-pack", "auditors-table", "renderer", "paper",
            "committed-measures"} <= names
    assert sorted(n for n in names if not (generated / f"{n}.md").is_file()) == []
    # figures are filled in before Quarto sees the file: its shortcode inserts plain Markdown
    assert not [p.name for p in generated.glob("*.md") if "{{<" in p.read_text(encoding="utf-8")]


def test_documents_do_not_carry_the_renderer_statement(rendered):
    """Which tools rendered is for auditors (metadata, manifest, auditors' page), not for Cabinet."""
    folder, result = rendered
    for name in DOCUMENTS:
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert "Rendered with" not in html and "Quarto is not installed" not in html, name
    paper = (folder / "cabinet-report.html").read_text(encoding="utf-8")
    assert '<meta name="generator" content="svreport with pandoc 3.9 and Typst 0.15.2" />' in " ".join(paper.split())
    assert result.renderer in " ".join((folder / "auditors.html").read_text(encoding="utf-8").split())


def test_the_manifest_records_which_path_rendered(published_project):
    manifest = json.loads((published_project / "data" / "processed" / "2025" / "manifest.json").read_text())
    assert manifest["render"]["renderer"] == "pandoc and typst" and manifest["render"]["quarto"] is None
    assert manifest["render"]["pandoc"] == "3.9" and manifest["render"]["statement"].startswith("Rendered with pandoc")


def _run_pandoc(args: list[str], text: str, cwd: Path) -> bytes:
    out = subprocess.run([_pandoc(), "--from", "markdown", *args], input=text.encode(), capture_output=True,
                         cwd=cwd, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout


@pytest.mark.parametrize("target", ["html5", "typst", "docx"])
def test_quarto_shortcode_gives_what_the_pandoc_path_gives(rendered, tmp_path, target):
    """report/style/generated.lua, called as Quarto calls a shortcode, yields the same document as the
    pandoc path's expansion, for every piece of generated content: tables, lists and figures with
    their alt text (raw Typst for the PDF, the PNG twin for DOCX)."""
    folder, _ = rendered
    project = folder.parents[1]
    report = project / "report"
    source = report / "appendix-1.qmd"
    names = sorted(p.stem for p in (report / "_generated").glob("*.md"))
    assert len(names) >= 15
    pandoc_target = {"html5": "html", "typst": "typst", "docx": "docx"}[target]
    docx = tmp_path / "out.docx"
    output = ["--to", target] + (["--output", str(docx)] if target == "docx" else [])
    texts = []
    for name in names:
        document = "{{< generated " + name + " >}}\n"
        quarto_like = _run_pandoc([*output, "--lua-filter", str(SHIM / "shortcode-harness.lua"),
                                   "-M", f"harness-input-file={source}", "-M", f"harness-project-dir={project}",
                                   "-M", f"harness-shortcodes={report / 'style' / 'generated.lua'}"], document, report)
        if target == "docx":
            quarto_like = zipfile.ZipFile(docx).read("word/document.xml")
        ours = _run_pandoc([*output, "--lua-filter", str(report / "style" / "pandoc-filters.lua"),
                            "-M", "svreport-doc-dir=report"], expand(document, source, {}, pandoc_target), report)
        if target == "docx":
            ours = zipfile.ZipFile(docx).read("word/document.xml")
        assert quarto_like == ours, name
        texts.append(ours.decode())
    text = "".join(texts)
    assert "{{<" not in text
    if target == "typst":
        assert text.count('#figure(image("/report/_generated/diagrams/diagram_') >= 12  # the paper's and the pack's
        assert ', alt: "Bar chart. Social value committed has reached £32m' in text
    elif target == "html5":
        assert 'alt="Bar chart. Social value committed has reached £32m' in text
    else:
        assert 'descr="Bar chart. Social value committed has reached £32m' in text


@pytest.fixture(scope="module")
def deno() -> Path:
    if not DENO.exists():
        pytest.fail("the pre-render test needs Deno: `make test` installs it into tests/deno")
    return DENO


def _prerender(deno: Path, project: Path, **env: str) -> subprocess.CompletedProcess:
    """report/prerender.ts as Quarto runs it (`deno run --allow-all`), with no Python on PATH."""
    return subprocess.run([str(deno), "run", "--allow-all", str(project / "report" / "prerender.ts")],
                          cwd=project, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **env})


def test_prerender_finds_the_project_venv_without_python_on_path(published_project, tmp_path, deno):
    project = tmp_path / "project"
    shutil.copytree(published_project, project, ignore=shutil.ignore_patterns("_output", "_generated"))
    (project / ".venv").symlink_to(Path(sys.prefix))  # as `make install` leaves it
    result = _prerender(deno, project, SVREPORT_YEAR="2025")
    assert result.returncode == 0, result.stderr
    assert f"{project}/.venv/bin/python -m svreport prepare-report --year 2025" in result.stderr
    generated = project / "report" / "_generated"
    assert (generated / "appendix1-table.md").is_file() and (generated / "cabinet-pack.md").is_file()
    assert (project / "_variables.yml").is_file()
    assert (generated / "renderer.md").read_text(encoding="utf-8").startswith("Rendered with Quarto")


def test_prerender_without_svreport_says_what_to_do(tmp_path, deno):
    project = tmp_path / "project"
    (project / "report").mkdir(parents=True)
    shutil.copyfile(ROOT / "report" / "prerender.ts", project / "report" / "prerender.ts")
    result = _prerender(deno, project, SVREPORT_PYTHON="/usr/bin/false")
    assert result.returncode == 1
    assert "found no Python with the svreport package installed" in result.stderr
    assert f"{project}/.venv/bin/python (not found)" in result.stderr
    assert "make install" in result.stderr and "SVREPORT_PYTHON" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("output_dir", ["_output", "ABSOLUTE"])
def test_postrender_puts_the_figure_rows_beside_the_auditors_page(tmp_path, deno, output_dir):
    project = tmp_path / "project"
    rows = project / "report" / "_generated" / "figure-rows"
    rows.mkdir(parents=True)
    (rows / "delivered.total.csv").write_text("source_file,source_row\nportal_delivery.csv,66\n", encoding="utf-8")
    (rows.parent / "appendix1.xlsx").write_bytes(b"the spreadsheet")
    shutil.copyfile(ROOT / "report" / "postrender.ts", project / "report" / "postrender.ts")
    target = tmp_path / "staging" if output_dir == "ABSOLUTE" else project / output_dir
    stale = target / "report" / "figure-rows" / "a-key-no-longer-printed.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    result = subprocess.run([str(deno), "run", "--allow-all", str(project / "report" / "postrender.ts")], cwd=project,
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
                                 "QUARTO_PROJECT_OUTPUT_DIR": str(target) if output_dir == "ABSOLUTE" else output_dir})
    assert result.returncode == 0, result.stderr
    copied = target / "report" / "figure-rows"
    assert sorted(p.name for p in copied.iterdir()) == ["delivered.total.csv"]
    assert (copied / "delivered.total.csv").read_text(encoding="utf-8") == (rows / "delivered.total.csv").read_text()
    assert (target / "report" / "appendix1.xlsx").read_bytes() == b"the spreadsheet"  # beside Appendix 1


def test_prerender_does_nothing_when_svreport_prepared_it(tmp_path, deno):
    project = tmp_path / "project"
    (project / "report").mkdir(parents=True)
    shutil.copyfile(ROOT / "report" / "prerender.ts", project / "report" / "prerender.ts")
    result = _prerender(deno, project, SVREPORT_PREPARED="1", SVREPORT_PYTHON="/usr/bin/false")
    assert result.returncode == 0 and result.stderr == ""


# --- how `svreport render` drives Quarto, with a stand-in CLI -----------------------------------
@pytest.fixture
def fake_quarto(published_project, tmp_path, monkeypatch):
    """A copy of the published project, with a stand-in `quarto` on PATH that logs its calls."""
    project = tmp_path / "project"
    shutil.copytree(published_project, project)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text(f"#!{sys.executable}\n" + (SHIM / "quarto").read_text(encoding="utf-8"), encoding="utf-8")
    quarto.chmod(0o755)
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.chdir(project)
    from svreport.core.project import Project
    from svreport.core.tools import quarto_version

    quarto_version.cache_clear()
    yield Project.load(project / "config" / "rotherham.yml"), log
    quarto_version.cache_clear()


def _calls(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_quarto_renders_everything_once_then_only_what_changed(fake_quarto):
    project, log = fake_quarto
    result = render_report(project, 2025, force=True)
    assert result.renderer == "Rendered with Quarto 1.10.18."
    staging = re.escape(str(project.root / "._output-staging"))
    assert len(_calls(log)) == 1 and re.fullmatch(f"render --output-dir {staging}", _calls(log)[0])
    folder = project.root / "_output" / "report"
    assert {p.name for p in folder.iterdir()} == ALL_OUTPUTS  # Quarto's resource copies are not published
    assert (folder / "cabinet-pack.pdf").read_text() == "typst of report/cabinet-pack.qmd\n"  # the pack by Quarto

    appendix = project.root / "report" / "appendix-2.qmd"
    appendix.write_text(appendix.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
    log.unlink()
    result = render_report(project, 2025)
    assert sorted(c.split()[1] for c in _calls(log)) == ["report/appendix-2.qmd", "report/cabinet-pack.qmd"]
    assert sorted(set(DOCUMENTS) - {"appendix-2"} | {"auditors"}) == sorted(result.reused)
    assert {p.name for p in folder.iterdir()} == ALL_OUTPUTS
    manifest = json.loads((project.processed_dir / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["render"]["renderer"] == "quarto" and manifest["render"]["quarto"] == "1.10.18"


def test_the_update_is_rendered_with_its_profile_and_published_apart(fake_quarto):
    """Quarto applies the project's settings, and takes --output-dir, only for documents in a render list: the
    update and the tracker's page are rendered with the `update` profile, whose list holds them, into their own
    folder, leaving the annual report's folder as it was."""
    from svreport.core.config import Position
    from svreport.pipeline import runner
    from svreport.report.render import render_update

    project, log = fake_quarto
    position: Position = project.position(None, date(2025, 5, 31))
    runner.run(project, position, say=lambda _: None, notebooks=False)
    annual = project.root / "_output" / "report"
    before = {p.name: p.read_bytes() for p in annual.iterdir() if p.is_file()}
    render_update(project, position, engine="quarto", force=True)
    calls = _calls(log)
    assert calls and all(" --profile update --output-dir " in call for call in calls), calls
    assert {c.split()[1] for c in calls} == {"report/mid-year-update.qmd", "report/contract-tracker.qmd"}
    folder = project.root / "_output" / "as-at-2025-05-31" / "report"
    assert {"mid-year-update.html", "mid-year-update.pdf", "mid-year-update.docx",
            "contract-tracker.html"} <= {p.name for p in folder.iterdir()}
    assert {p.name: p.read_bytes() for p in annual.iterdir() if p.is_file()} == before


def test_a_failed_quarto_run_is_a_clear_error_and_keeps_the_last_output(fake_quarto, monkeypatch, capsys):
    project, log = fake_quarto
    from svreport.cli import main

    folder = project.root / "_output"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    code = main(["render", "--year", "2025", "--force"])
    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.startswith("error: _quarto.yml (every document): Quarto stopped (exit 1); the end of its output:")
    assert "ERROR: error: unexpected argument in typst-show.typ" in stderr and "pandoc line 39" in stderr
    assert "pandoc line 10" not in stderr  # the tail, not all of it
    assert "quarto check" in stderr and "--engine pandoc" in stderr and "Traceback" not in stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert not (project.root / "._output-staging").exists()


def test_quarto_that_skips_an_output_is_an_error(fake_quarto, monkeypatch):
    project, _ = fake_quarto
    folder = project.root / "_output"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    monkeypatch.setenv("FAKE_QUARTO_SKIP", "report/cabinet-report.pdf")
    with pytest.raises(InputError, match=r"^report/cabinet-report.pdf: Quarto finished without writing this file"):
        render_report(project, 2025, force=True)
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


# --- Quarto itself: a reviewer with Quarto on PATH runs these ------------------------------------
def _git_clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def _run(command: list[str], cwd: Path, env: dict | None = None, timeout: int = 1800):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _without_venv_on_path() -> dict:
    path = [p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(sys.prefix)]
    return {"PATH": os.pathsep.join(path), "VIRTUAL_ENV": ""}


@pytest.fixture(scope="module")
def quarto_clone(tmp_path_factory) -> Path:
    """A fresh clone where `make report` ran with Quarto on PATH."""
    clone = _git_clone(tmp_path_factory.mktemp("quarto") / "clone")
    result = _run(["make", "report"], clone, _without_venv_on_path())
    assert "Rendered with Quarto" in result.stdout
    return clone


@QUARTO
def test_make_report_on_a_fresh_clone_renders_with_quarto(quarto_clone):
    folder = quarto_clone / "_output" / "report"
    assert {p.name for p in folder.iterdir() if not p.name.startswith(".")} == ALL_OUTPUTS


@QUARTO
@pytest.mark.parametrize("activated", [False, True], ids=["venv-not-activated", "venv-activated"])
def test_bare_quarto_render_after_make_install_on_a_fresh_clone(tmp_path, activated):
    clone = _git_clone(tmp_path / "clone")
    _run(["make", "install"], clone, _without_venv_on_path())
    env = _without_venv_on_path()
    if activated:
        env = {"PATH": f"{clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(clone / ".venv")}
    _run(["quarto", "render"], clone, env)
    folder = clone / "_output" / "report"
    assert ALL_OUTPUTS <= {p.name for p in folder.iterdir()}
    linked = set(re.findall(r'href="(figure-rows/[^"]+\.csv)"', (folder / "auditors.html").read_text(encoding="utf-8")))
    assert linked and not [link for link in linked if not (folder / link).is_file()]  # the post-render step


@QUARTO
@pytest.mark.a11y
def test_quarto_html_is_axe_clean_with_council_name_and_pdf_word_links(quarto_clone):
    folder = quarto_clone / "_output" / "report"
    results = run_axe(*(folder / f"{d}.html" for d in [*DOCUMENTS, "auditors"]))
    assert {f: r["violations"] for f, r in results.items() if r["violations"]} == {}
    paper = (folder / "cabinet-report.html").read_text(encoding="utf-8")
    assert '<p class="council">Rotherham Metropolitan Borough Council</p>' in paper
    # the other formats in the title block (a landmark), not in the margin, which is none
    links = re.findall(r'<nav class="quarto-other-formats-target" aria-label="Other formats">(.*?)</nav>', paper,
                       re.S)[0]
    assert re.findall(r"</i>\s*([^<]+?)\s*</a>", links) == ["PDF", "Word"]
    assert "Rendered with" not in paper


@QUARTO
@pytest.mark.parametrize("name", [*DOCUMENTS, "cabinet-pack"])
def test_quarto_pdfs_are_tagged_pdf_ua_with_alt_text(quarto_clone, name):
    with pikepdf.open(quarto_clone / "_output" / "report" / f"{name}.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True and pdf.Root.Lang == "en-GB"
        assert str(pdf.docinfo["/Title"]).startswith(("Social Value Annual Report", "Appendix"))
        assert 'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes().decode() or \
            "<pdfuaid:part>1</pdfuaid:part>" in pdf.Root.Metadata.read_bytes().decode()
        figures = [e for e in struct_elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
        if name in ("cabinet-report", "cabinet-pack"):
            assert len(figures) == 7 and all(str(f.get("/Alt", "")).startswith(("Bar chart", "Line chart"))
                                             for f in figures)


@QUARTO
@pytest.mark.a11y
def test_the_mid_year_update_renders_with_quarto_by_command_and_bare(quarto_clone):
    svreport = str(quarto_clone / ".venv" / "bin" / "svreport")
    _run([svreport, "run", "--as-at", "2025-05-31"], quarto_clone)
    result = _run([svreport, "render", "--as-at", "2025-05-31", "--engine", "quarto"], quarto_clone)
    assert "quarto render report/mid-year-update.qmd" in result.stderr
    assert "quarto render report/cabinet-report.qmd" not in result.stderr  # the annual documents are not redone
    folder = quarto_clone / "_output" / "as-at-2025-05-31" / "report"
    assert {p.name for p in folder.iterdir()} >= {"mid-year-update.html", "mid-year-update.pdf",
                                                   "mid-year-update.docx", "contract-tracker.html",
                                                   "contract_tracker.xlsx"}
    assert (quarto_clone / "_output" / "report" / "cabinet-report.pdf").exists()
    with pikepdf.open(folder / "mid-year-update.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True and pdf.Root.Lang == "en-GB"
        figures = [e for e in struct_elements(pdf.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
        assert len(figures) == 1 and str(figures[0].get("/Alt", "")).startswith("Line chart")
    results = run_axe(folder / "mid-year-update.html", folder / "contract-tracker.html")
    assert {f: r["violations"] for f, r in results.items() if r["violations"]} == {}
    # a bare render of the update: the pre-render step prepares it from SVREPORT_AS_AT
    _run(["quarto", "render", "report/mid-year-update.qmd", "--profile", "update"], quarto_clone,
         {"SVREPORT_AS_AT": "2025-05-31"})
    assert "the position at 31 May 2025" in (quarto_clone / "_output" / "report" / "mid-year-update.html").read_text(
        encoding="utf-8")


@QUARTO
def test_quarto_rerenders_only_the_changed_document(quarto_clone):
    appendix = quarto_clone / "report" / "appendix-2.qmd"
    original = appendix.read_text(encoding="utf-8")
    try:
        appendix.write_text(original + "\nA new closing sentence.\n", encoding="utf-8")
        result = _run([str(quarto_clone / ".venv" / "bin" / "svreport"), "render", "--year", "2025"], quarto_clone)
        assert "quarto render report/appendix-2.qmd" in result.stderr
        assert "quarto render report/cabinet-report.qmd" not in result.stderr
        assert "(7 unchanged documents reused)" in result.stdout or "unchanged documents reused" in result.stdout
    finally:
        appendix.write_text(original, encoding="utf-8")


@QUARTO
def test_a_quarto_failure_keeps_the_last_output(quarto_clone):
    partial = quarto_clone / "report" / "style" / "typst-show.typ"
    original = partial.read_text(encoding="utf-8")
    folder = quarto_clone / "_output"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    try:
        partial.write_text(original + "\n#let broken = (\n", encoding="utf-8")
        result = subprocess.run([str(quarto_clone / ".venv" / "bin" / "svreport"), "render", "--year", "2025"],
                                cwd=quarto_clone, capture_output=True, text=True, timeout=1800)
        assert result.returncode == 2
        assert "Quarto stopped" in result.stderr and "Traceback" not in result.stderr
    finally:
        partial.write_text(original, encoding="utf-8")
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("file", "text", "message"), [
    ("report/councils/rotherham/2025/case-studies.md", "\nSee [x](javascript:alert(1)).\n", "the link address 'javascript:alert(1)'"),
    ("report/appendix-3.qmd", "\n```{=typst}\n#place(center)[DRAFT]\n```\n", "raw typst content '#place(center)[DRAFT]'"),
    ("report/appendix-3.qmd", "\n{{< include /etc/hostname >}}\n", "the include '/etc/hostname' reaches outside"),
])
def test_unsafe_narrative_is_refused_before_quarto_runs(fake_quarto, file, text, message):
    """The Quarto path checks the author's text too, before Quarto sees it, and publishes nothing."""
    project, log = fake_quarto
    path = project.root / file
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    folder = project.root / "_output"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(InputError, match=re.escape(message)):
        render_report(project, 2025, force=True)
    assert _calls(log) == []
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


CONDITIONAL = """::: {.when-data has="compare.committed.total"}
Shown with a comparator.
:::

::: {.unless-data has="compare.committed.total"}
Shown without one.
:::

::: {.when-data has="committed.total no.such.figure"}
Never shown: one variable is missing.
:::

::: {.unless-data has="no.such.figure"}
Always shown.

::: {.when-data has="committed.total"}
Nested and shown.
:::
:::
"""


def test_conditional_text_follows_the_variables():
    """.when-data / .unless-data are resolved in the narrative before either render path sees it."""
    from svreport.report.shortcodes import apply_conditions

    variables = {"committed": {"total": {"m": "£32m"}}, "compare": {"committed": {"total": {"rose": "rose"}}}}
    for label, tree in (("with a comparator", variables), ("first year", {"committed": variables["committed"]})):
        ours = subprocess.run([_pandoc(), "--to", "html"], input=apply_conditions(CONDITIONAL, Path("x.md"), tree),
                              capture_output=True, text=True, check=True).stdout
        assert ("comparator" in ours) == (label == "with a comparator") and ("without one" in ours) != (
            label == "with a comparator")
        assert "Never shown" not in ours and "Always shown" in ours and "Nested and shown" in ours
        assert "when-data" not in ours and "unless-data" not in ours
