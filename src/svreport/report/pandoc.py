"""The render path without Quarto: pandoc (HTML, DOCX, Typst source) and Typst (PDF/UA-1), the engines
Quarto itself drives, with the project's filters and templates in ``report/style/``."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from svreport.core.errors import InputError
from svreport.core.layout import GENERATED, PACK_NAME, REFERENCE_DOCX, STYLE
from svreport.core.project import Project
from svreport.core.tools import pandoc_path
from svreport.report.cache import RenderCache
from svreport.report.docx import repeat_docx_header_rows
from svreport.report.shortcodes import document_formats, expand


def _pandoc(args: list[str], text: str, cwd: Path, epoch: datetime) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(epoch.timestamp()))}
    result = subprocess.run([pandoc_path(), "--from", "markdown", *args], input=text, capture_output=True, text=True,
                            cwd=cwd, env=env)
    if result.returncode != 0:
        raise InputError("pandoc", result.stderr.strip() or f"pandoc failed ({result.returncode})")
    return result.stdout


def _fonts() -> list[str]:
    """DejaVu Sans as shipped with matplotlib, and no system fonts: the same PDF bytes on every machine."""
    import matplotlib

    return [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")]


def compile_typst(source: Path, output: Path, root: Path, epoch: datetime) -> None:
    """Typst to a tagged PDF/UA-1; ``root`` is the project folder, as when Quarto runs Typst."""
    import typst

    try:
        typst.compile(str(source), output=str(output), root=str(root), font_paths=_fonts(), ignore_system_fonts=True,
                      pdf_standards=["ua-1"], timestamp=int(epoch.timestamp()))
    except Exception as exc:  # typst raises its own error types with the diagnostics in the message
        raise InputError(source, f"Typst could not build the PDF: {exc}") from None


@dataclass
class PandocRenderer:
    """Renders each document with pandoc (HTML, DOCX, Typst source) and Typst (PDF)."""

    cache: RenderCache
    generator: str  # the HTML's <meta name="generator">, as Quarto writes its own
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def project(self) -> Project:
        return self.cache.project

    @property
    def report_dir(self) -> Path:
        return self.cache.report_dir

    def _timed(self, kind: str, started: float) -> None:
        self.timings[kind] = self.timings.get(kind, 0.0) + time.perf_counter() - started

    def metadata(self, meta: dict, source: Path, target: str) -> list[str]:
        doc_dir = source.parent.relative_to(self.project.root).as_posix()
        args = ["-M", "lang=en-GB", "-M", f"council={self.project.config.council.name}",
                "-M", f"svreport-doc-dir={doc_dir}", "-M", f"generator={self.generator}"]
        for key in ("title", "subtitle"):
            if key in meta:
                args += ["-M", f"{key}={expand(str(meta[key]), source, self.cache.variables, target)}"]
        if target == "typst" and meta.get("toc"):
            args += ["--toc", f"--toc-depth={int(meta.get('toc-depth', 3))}"]
            if meta.get("toc-title"):
                args += ["-M", f"toc-title={meta['toc-title']}"]
        return args

    def render(self, source: Path) -> list[Path]:
        planned = self.cache.planned(source)
        if self.cache.reuse(source):
            return planned
        formats = document_formats(source)
        filters = ["--lua-filter", str(self.project.root / STYLE / "pandoc-filters.lua")]
        for kind, method in (("html", self._html), ("docx", self._docx), ("pdf", self._pdf)):
            if kind in formats:
                started = time.perf_counter()
                target = planned[0].parent / f"{source.stem}.{kind}"
                target.parent.mkdir(parents=True, exist_ok=True)
                method(source, target, filters)
                self._timed("pack pdf" if source.stem == PACK_NAME.removesuffix(".pdf") else kind, started)
        return planned

    def _html(self, source: Path, html: Path, filters: list[str]) -> Path:
        style = self.project.root / STYLE
        meta, body = self.cache.body(source, "html")
        # "Other formats" links, as Quarto's `format-links` gives them (see _quarto.yml)
        others = [kind for kind in ("pdf", "docx") if kind in document_formats(source)]
        links = [arg for kind in others for arg in ("-V", f"{kind}-link={source.stem}.{kind}")]
        links += ["-V", "other-formats=true"] if others else []
        _pandoc(["--to", "html5", "--standalone", "--embed-resources", "--template", str(style / "template.html"),
                 "--css", str(style / "report.css"), "--toc", "--toc-depth=2", "--output", str(html), *filters,
                 *links, *self.metadata(meta, source, "html")], body, self.report_dir, self.cache.epoch)
        return html

    def _docx(self, source: Path, docx: Path, filters: list[str]) -> Path:
        meta, body = self.cache.body(source, "docx")
        reference = self.project.root / GENERATED / REFERENCE_DOCX
        _pandoc(["--to", "docx", "--reference-doc", str(reference), "--output", str(docx), *filters,
                 *self.metadata(meta, source, "docx")], body, self.report_dir, self.cache.epoch)
        repeat_docx_header_rows(docx)
        return docx

    def _pdf(self, source: Path, pdf: Path, filters: list[str]) -> Path:
        style = self.project.root / STYLE
        meta, body = self.cache.body(source, "typst")
        typ = self.project.root / GENERATED / f"{source.stem}.typ"
        _pandoc(["--to", "typst", "--template", str(style / "pandoc.typ"), "--output", str(typ), *filters,
                 "-V", "lang-code=en", "-V", "region-code=GB", *self.metadata(meta, source, "typst")],
                body, self.report_dir, self.cache.epoch)
        compile_typst(typ, pdf, self.project.root, self.cache.epoch)
        return pdf
