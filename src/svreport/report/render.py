"""Render the Quarto project in ``report/``: with Quarto when it is installed, otherwise with
pandoc and Typst (the engines Quarto drives) honouring the same documented subset:

- YAML front matter ``title``, ``subtitle`` and ``format``;
- the shortcodes ``{{< var key >}}``, ``{{< include file >}}``, ``{{< generated name >}}`` and
  ``{{< pagebreak >}}``;
- Markdown headings, lists, emphasis and pipe tables (with ``: caption``);
- figures ``![caption](file.svg){fig-alt="..."}``, whose alt text reaches HTML, DOCX and the
  tagged PDF (pandoc's Typst writer drops it, so ``report/style/figures.lua`` puts it back).

Outputs go to ``_output/report/``: each document as HTML (self-contained), PDF (Typst, PDF/UA-1)
and DOCX, and ``cabinet-pack.pdf`` (itself a document of the project) with the paper and every
appendix in order. They are built in a staging folder and moved into place only when every
document has rendered. A document whose sources are unchanged since the last render is copied
from it, on either path.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from svreport.core import formatting
from svreport.core.config import AS_AT_PREFIX, Position
from svreport.core.errors import InputError
from svreport.core.layout import (
    APPENDIX1_XLSX,
    FIGURE_ROWS,
    GENERATED,
    MANIFEST,
    OUTPUT,
    QUARTO_CONFIG,
    REFERENCE_DOCX,
    RENDER_CACHE,
    REPORT,
    TABLES,
    TRACKER_FILES,
    UPDATE_DOCUMENTS,
    VARIABLES,
    publish,
    year_dir,
)
from svreport.core.project import Project
from svreport.core.tools import pandoc_version, quarto_available, quarto_version, typst_version
from svreport.core.yamlio import read_generated_yaml, read_yaml
from svreport.report.cache import RenderCache
from svreport.report.docx import reference_docx
from svreport.report.pandoc import PandocRenderer
from svreport.report.quarto import QuartoRenderer
from svreport.report.sources import write_report_sources
from svreport.report.update import write_update_sources


@dataclass
class RenderResult:
    renderer: str  # which path ran, with versions: for the terminal, the manifest and the auditors' page
    outputs: list[Path] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # documents unchanged since the last render
    timings: dict[str, float] = field(default_factory=dict)  # seconds per output format
    figure_rows: Path | None = None  # <key>.csv: the rows behind each printed figure, for the auditors' page


def quarto_documents(project: Project) -> list[Path]:
    """The documents `_quarto.yml` renders, in order (the paper first, then the appendices)."""
    config_path = project.root / QUARTO_CONFIG
    config = read_yaml(config_path)
    try:
        names = config["project"]["render"]
    except (KeyError, TypeError):
        raise InputError(config_path, "no project.render list", expected="the report documents in order") from None
    return [project.root / name for name in names]


def position_date(position: Position) -> datetime:
    """The documents' date: SOURCE_DATE_EPOCH if set, else the meeting date, else the cut-off (or as-at) date.
    Never 'now'."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=UTC)
    day: date = position.meeting_date or position.cutoff
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def renderer_statement(use_quarto: bool) -> str:
    """Which path rendered, with versions: for the terminal, the manifest and the auditors' page."""
    if use_quarto:
        return f"Rendered with Quarto {quarto_version()}."
    return (f"Rendered with pandoc {pandoc_version()} and Typst {typst_version()} "
            "(Quarto is not installed on this machine).")


def prepare_sources(project: Project, year: int, statement: str) -> None:
    """report/_generated/ (generated content, diagrams, reference.docx) and the root _variables.yml."""
    generated = write_report_sources(project, year, statement, quarto_documents(project))
    reference_docx(generated / REFERENCE_DOCX,
                   f"{project.config.council.name} – Social Value Annual Report {year}")


def record_renderer(project: Project, year: int, statement: str, use_quarto: bool) -> None:
    """Note in the year's manifest which path rendered the report, with its versions."""
    manifest = year_dir(project.processed_dir, year) / MANIFEST
    if not manifest.exists():
        return
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["render"] = {"renderer": "quarto" if use_quarto else "pandoc and typst", "statement": statement,
                      "quarto": quarto_version() if use_quarto else None, "pandoc": pandoc_version(),
                      "typst": typst_version()}
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def render_report(project: Project, year: int, engine: str = "auto", force: bool = False) -> RenderResult:
    """Render every document of the Quarto project for ``year``, the combined pack PDF among them."""

    def figure_rows(staging: Path) -> list[Path]:  # beside the auditors' page that links to them (both paths)
        shutil.copytree(project.root / GENERATED / FIGURE_ROWS, staging / REPORT / FIGURE_ROWS,
                        ignore=shutil.ignore_patterns(".*"))
        spreadsheet = staging / REPORT / APPENDIX1_XLSX  # Appendix 1 as a spreadsheet, beside the appendix
        shutil.copyfile(project.root / GENERATED / APPENDIX1_XLSX, spreadsheet)
        return [spreadsheet]

    use_quarto = choose_quarto(engine)
    result = _render(project, project.config.position(year), use_quarto, force, quarto_documents(project),
                     project.root / OUTPUT, lambda statement: prepare_sources(project, year, statement), figure_rows,
                     archive=str(year))
    record_renderer(project, year, result.renderer, use_quarto)
    result.figure_rows = project.root / OUTPUT / REPORT / FIGURE_ROWS
    return result


def choose_quarto(engine: str) -> bool:
    """Whether to render with Quarto: ``quarto`` (it must be on PATH), ``pandoc``, or ``auto`` (Quarto if found)."""
    if engine == "quarto" and not quarto_available():
        raise InputError("quarto", "Quarto is not on PATH", expected="Quarto installed, or --engine pandoc")
    return engine == "quarto" or (engine == "auto" and quarto_available() is not None)


def _render(project: Project, position: Position, use_quarto: bool, force: bool, sources: list[Path], final: Path,
            prepare: Callable[[str], None], beside: Callable[[Path], list[Path]],
            whole_project: bool = True, archive: str | None = None) -> RenderResult:
    """Prepare the sources (``prepare`` with the renderer statement), render ``sources`` with Quarto or pandoc and
    Typst into a staging folder, add what goes ``beside`` them, and publish it as ``final``. A document whose
    sources are unchanged is reused from the last render. With ``archive`` (a report year: ``final`` is the
    output folder), the mid-year updates and other years' folders inside ``final`` are kept, and this year's
    documents are also published under ``final/<archive>/``."""
    started = time.perf_counter()
    statement = renderer_statement(use_quarto)
    prepare(statement)
    prepared = time.perf_counter() - started
    variables = read_generated_yaml(project.root / VARIABLES)
    staging = project.root / f".{final.relative_to(project.root).as_posix().replace('/', '-')}-staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    previous = final if (final / RENDER_CACHE).exists() and not force else None
    tools = ("quarto", quarto_version()) if use_quarto else ("pandoc", pandoc_version(), "typst", typst_version())
    cache = RenderCache(project, position.year or position.name, variables, staging, position_date(position), tools,
                        previous)
    result = RenderResult(statement)
    try:
        if use_quarto:
            quarto = QuartoRenderer(cache)
            outputs = quarto.render_all(sources, whole_project)
            timings = quarto.timings
        else:
            pandoc = PandocRenderer(cache, f"svreport with pandoc {pandoc_version()} and Typst {typst_version()}")
            outputs = [path for source in sources for path in pandoc.render(source)]
            timings = pandoc.timings
        outputs += beside(staging)
        cache.write()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kept = [p for p in sorted(final.iterdir()) if p.is_dir() and (p.name.startswith(AS_AT_PREFIX) or (
        p.name.isdigit() and p.name != archive))] if final.exists() and archive else []
    for folder in kept:
        folder.rename(staging / folder.name)  # the mid-year updates and the other years rendered before are kept
    if archive:  # this year's documents also under _output/<year>/, so rendering another year keeps them
        shutil.copytree(staging / REPORT, staging / archive / REPORT)
    final.parent.mkdir(exist_ok=True)
    publish(staging, final)
    result.outputs = [final / p.relative_to(staging) for p in outputs]
    result.reused = cache.reused
    result.timings = {"prepare sources": prepared, **timings}
    return result


def prepare_update_sources(project: Project, position: Position) -> None:
    """report/_generated/ (the update's content, Diagram 7, reference.docx) and the root _variables.yml."""
    generated = write_update_sources(project, position)
    reference_docx(generated / REFERENCE_DOCX, f"{project.config.council.name} – Social Value mid-year update, "
                   f"{formatting.long_date(position.cutoff)}")


def render_update(project: Project, position: Position, engine: str = "auto", force: bool = False) -> RenderResult:
    """Render the mid-year update (HTML, PDF, DOCX) and the contract tracker's page (HTML) for an as-at run,
    into ``_output/as-at-<date>/`` with the tracker's spreadsheet beside them. The annual outputs are untouched."""

    def tracker(staging: Path) -> list[Path]:  # the tracker as a spreadsheet, beside its page
        tables = year_dir(project.processed_dir, position.name) / TABLES
        for name in TRACKER_FILES:
            shutil.copyfile(tables / name, staging / REPORT / name)
        return [staging / REPORT / name for name in TRACKER_FILES]

    return _render(project, position, choose_quarto(engine), force,
                   [project.root / document for document in UPDATE_DOCUMENTS], project.root / OUTPUT / position.name,
                   lambda _statement: prepare_update_sources(project, position), tracker,
                   whole_project=False)
