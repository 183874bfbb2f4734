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

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import yaml

from .errors import InputError
from .paths import Project
from .pipeline import VARIABLES, publish
from .report_sources import GENERATED, write_report_sources
from .shortcodes import document_formats, expand, split_front_matter
from .yamlio import read_yaml

OUTPUT = Path("_output")
PACK_NAME = "cabinet-pack.pdf"


@dataclass
class RenderResult:
    renderer: str  # which path ran, with versions: for the terminal, the manifest and the auditors' page
    outputs: list[Path] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # documents unchanged since the last render
    timings: dict[str, float] = field(default_factory=dict)  # seconds per output format


def quarto_documents(project: Project) -> list[Path]:
    """The documents `_quarto.yml` renders, in order (the paper first, then the appendices)."""
    config_path = project.root / "_quarto.yml"
    config = read_yaml(config_path)
    try:
        names = config["project"]["render"]
    except (KeyError, TypeError):
        raise InputError(config_path, "no project.render list", expected="the report documents in order") from None
    return [project.root / name for name in names]


def source_date(project: Project, year: int) -> datetime:
    """The documents' date: SOURCE_DATE_EPOCH if set, else the meeting (or cut-off) date. Never 'now'."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=timezone.utc)
    entry = project.config.year(year)
    day: date = entry.meeting_date or entry.cutoff
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


# --- pandoc and Typst -------------------------------------------------------------------------
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.cache
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


@functools.cache
def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


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


def reference_docx(path: Path, header_text: str) -> Path:
    """Pandoc's default reference.docx made A4, with a running header and a 'Page x of y' footer."""
    raw = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True,
                         check=True).stdout
    source = path.with_suffix(".default.docx")
    source.write_bytes(raw)
    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    escaped = header_text.replace("&", "&amp;").replace("<", "&lt;")
    header = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr {ns}><w:p><w:pPr><w:jc w:val="right"/>'
              f'</w:pPr><w:r><w:rPr><w:sz w:val="17"/></w:rPr><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p></w:hdr>')

    def field_run(code: str) -> str:
        return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {code} '
                f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    footer = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {ns}><w:p><w:pPr><w:jc w:val="center"/>'
              f'</w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>{field_run("PAGE")}'
              f'<w:r><w:t xml:space="preserve"> of </w:t></w:r>{field_run("NUMPAGES")}</w:p></w:ftr>')
    section = ('<w:sectPr><w:headerReference w:type="default" r:id="rIdSvHeader"/>'
               '<w:footerReference w:type="default" r:id="rIdSvFooter"/>'
               '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1304" w:left="1247" '
               'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>')
    relations = ('<Relationship Id="rIdSvHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/header" Target="header1.xml"/><Relationship Id="rIdSvFooter" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" '
                 'Target="footer1.xml"/>')
    overrides = ('<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.wordprocessingml.footer+xml"/>')
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:sectPr\s*/>|<w:sectPr>.*?</w:sectPr>", section.encode(), data, flags=re.S)
                if b"rIdSvHeader" not in data:
                    data = data.replace(b"</w:body>", section.encode() + b"</w:body>")
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", relations.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            elif item.filename == "word/styles.xml":
                data = re.sub(rb'w:asciiTheme="minorHAnsi"[^/]*', b'w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial" ', data)
            zout.writestr(zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        for name, text in (("word/header1.xml", header), ("word/footer1.xml", footer)):
            zout.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    source.unlink()
    return path


def repeat_docx_header_rows(path: Path) -> None:
    """Mark each table's first row as a header row, so Word repeats it on every page."""
    with zipfile.ZipFile(path) as zin:
        items = [(item, zin.read(item.filename)) for item in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item, data in items:
            if item.filename == "word/document.xml":
                data = re.sub(rb"(<w:tbl>.*?<w:tr)(>)(?!<w:trPr><w:tblHeader)",
                              rb"\1\2<w:trPr><w:tblHeader/></w:trPr>", data, flags=re.S)
            zout.writestr(item, data)


CACHE = ".render-cache.json"


@dataclass
class RenderCache:
    """Per-document keys (SHA-256 of expanded sources, style, tools and code). A document whose key is
    unchanged since the last render is copied from the previous output instead of rendered again."""

    project: Project
    year: int
    variables: dict
    staging: Path
    epoch: datetime
    tools: tuple[str, ...]
    previous: Path | None = None  # the last published _output/, for unchanged documents
    keys: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    _bodies: dict[tuple[Path, str], tuple[dict, str]] = field(default_factory=dict)

    @property
    def report_dir(self) -> Path:
        return self.project.root / "report"

    def body(self, source: Path, target: str) -> tuple[dict, str]:
        """Front matter and the expanded body for one output format (expanded once, then reused)."""
        if (source, target) not in self._bodies:
            meta, body = split_front_matter(source.read_text(encoding="utf-8"), source)
            self._bodies[source, target] = meta, expand(body, source, self.variables, target)
        return self._bodies[source, target]

    def key(self, source: Path) -> str:
        style = self.report_dir / "style"
        parts = [self.year, str(self.epoch), document_formats(source), self.tools, _code_digest()]
        parts += [self.body(source, target) for target in ("html", "docx", "typst")]
        parts += [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(style.iterdir())]
        parts.append(hashlib.sha256((self.project.root / "_quarto.yml").read_bytes()).hexdigest())
        reference = self.report_dir / GENERATED.name / "reference.docx"
        parts.append(hashlib.sha256(reference.read_bytes()).hexdigest() if reference.exists() else "")
        parts += [(p.name, hashlib.sha256(p.read_bytes()).hexdigest())
                  for p in sorted((self.report_dir / GENERATED.name / "diagrams").glob("*"))]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def planned(self, source: Path) -> list[Path]:
        """The files one document renders to, in the staging folder."""
        out_dir = self.staging / source.parent.relative_to(self.project.root)
        return [out_dir / f"{source.stem}.{kind}" for kind in ("html", "docx", "pdf")
                if kind in document_formats(source)]

    def reuse(self, source: Path) -> bool:
        """Copy a document's outputs from the previous render when its key is unchanged."""
        name, files = source.stem, self.planned(source)
        self.keys[name] = self.key(source)
        if self.previous is None:
            return False
        cache_path = self.previous / CACHE
        old = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
        sources = [self.previous / f.relative_to(self.staging) for f in files]
        if old.get(name) != self.keys[name] or not all(p.exists() for p in sources):
            return False
        for previous, target in zip(sources, files, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(previous, target)
        self.reused.append(name)
        return True

    def write(self) -> None:
        (self.staging / CACHE).write_text(json.dumps(self.keys, indent=2, sort_keys=True) + "\n", encoding="utf-8")


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
        filters = ["--lua-filter", str(self.report_dir / "style" / "pandoc-filters.lua")]
        for kind, method in (("html", self._html), ("docx", self._docx), ("pdf", self._pdf)):
            if kind in formats:
                started = time.perf_counter()
                target = planned[0].parent / f"{source.stem}.{kind}"
                target.parent.mkdir(parents=True, exist_ok=True)
                method(source, target, filters)
                self._timed("pack pdf" if source.stem == PACK_NAME.removesuffix(".pdf") else kind, started)
        return planned

    def _html(self, source: Path, html: Path, filters: list[str]) -> Path:
        style = self.report_dir / "style"
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
        reference = self.report_dir / GENERATED.name / "reference.docx"
        _pandoc(["--to", "docx", "--reference-doc", str(reference), "--output", str(docx), *filters,
                 *self.metadata(meta, source, "docx")], body, self.report_dir, self.cache.epoch)
        repeat_docx_header_rows(docx)
        return docx

    def _pdf(self, source: Path, pdf: Path, filters: list[str]) -> Path:
        style = self.report_dir / "style"
        meta, body = self.cache.body(source, "typst")
        typ = self.report_dir / GENERATED.name / f"{source.stem}.typ"
        _pandoc(["--to", "typst", "--template", str(style / "pandoc.typ"), "--output", str(typ), *filters,
                 "-V", "lang-code=en", "-V", "region-code=GB", *self.metadata(meta, source, "typst")],
                body, self.report_dir, self.cache.epoch)
        compile_typst(typ, pdf, self.project.root, self.cache.epoch)
        return pdf


@functools.cache
def _code_digest() -> str:
    """The renderer's own code, so a change to it re-renders everything."""
    return hashlib.sha256(Path(__file__).read_bytes() + Path(__file__).with_name("report_sources.py").read_bytes()
                          + Path(__file__).with_name("shortcodes.py").read_bytes()).hexdigest()


def quarto_available() -> str | None:
    return shutil.which("quarto")


@functools.cache
def quarto_version() -> str:
    """Quarto's version; Quarto's pre-render step may run with Quarto itself not on PATH."""
    try:
        result = subprocess.run(["quarto", "--version"], capture_output=True, text=True)
    except OSError:
        return "(version not known: quarto is not on PATH)"
    return result.stdout.strip() or "(version not known)"


def renderer_statement(use_quarto: bool) -> str:
    """Which path rendered, with versions: for the terminal, the manifest and the auditors' page."""
    if use_quarto:
        return f"Rendered with Quarto {quarto_version()}."
    return (f"Rendered with pandoc {pandoc_version()} and Typst {typst_version()} "
            "(Quarto is not installed on this machine).")


QUARTO_CHECKS = ("check that `quarto check` passes, that the document keeps to the Quarto subset in "
                 "report/README.md, and that `svreport render --engine pandoc` renders it")


@dataclass
class QuartoRenderer:
    """Renders with the Quarto CLI into the staging folder: the whole project when every document
    changed, else `quarto render FILE` for each changed one. Quarto's own output is kept quiet and
    shown (its last lines) only when it fails."""

    cache: RenderCache
    timings: dict[str, float] = field(default_factory=dict)

    def _quarto(self, arguments: list[str], what: str) -> None:
        env = {**os.environ, "SVREPORT_YEAR": str(self.cache.year), "SVREPORT_PREPARED": "1",
               "SVREPORT_CONFIG": str(self.cache.project.config_path.resolve()),
               "SOURCE_DATE_EPOCH": str(int(self.cache.epoch.timestamp()))}
        command = ["quarto", "render", *arguments, "--output-dir", str(self.cache.staging)]
        started = time.perf_counter()
        tail: deque[str] = deque(maxlen=25)
        with subprocess.Popen(command, cwd=self.cache.project.root, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace") as process:
            assert process.stdout is not None
            for line in process.stdout:
                tail.append(line.rstrip())
        if process.returncode != 0:
            shown = "\n    ".join(line for line in tail if line.strip())
            raise InputError(what, f"Quarto stopped (exit {process.returncode}); the end of its output:\n    {shown}\n",
                             expected=f"a clean `{' '.join(command[:3])}`: {QUARTO_CHECKS}")
        self.timings["quarto"] = self.timings.get("quarto", 0.0) + time.perf_counter() - started
        print(f"  quarto render {what}  {time.perf_counter() - started:.1f} s", file=sys.stderr)

    def render_all(self, sources: list[Path]) -> list[Path]:
        changed = [source for source in sources if not self.cache.reuse(source)]
        if len(changed) == len(sources):
            self._quarto([], "_quarto.yml (every document)")
        else:
            for source in changed:
                relative = source.relative_to(self.cache.project.root).as_posix()
                self._quarto([relative], relative)
        planned = [path for source in sources for path in self.cache.planned(source)]
        missing = [path for path in planned if not path.exists()]
        if missing:
            raise InputError(missing[0].relative_to(self.cache.staging), "Quarto finished without writing this file",
                             expected=f"every format the document lists; {QUARTO_CHECKS}")
        keep = set(planned)
        for path in sorted(self.cache.staging.rglob("*"), reverse=True):  # Quarto's resource copies, not outputs
            if path.is_file() and path not in keep:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return planned


def prepare_sources(project: Project, year: int, statement: str) -> None:
    """report/_generated/ (generated content, diagrams, reference.docx) and the root _variables.yml."""
    generated = write_report_sources(project, year, statement, quarto_documents(project))
    reference_docx(generated / "reference.docx",
                   f"{project.config.council.name} – Social Value Annual Report {year}")


def record_renderer(project: Project, year: int, statement: str, use_quarto: bool) -> None:
    """Note in the year's manifest which path rendered the report, with its versions."""
    manifest = project.processed_dir / str(year) / "manifest.json"
    if not manifest.exists():
        return
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["render"] = {"renderer": "quarto" if use_quarto else "pandoc and typst", "statement": statement,
                      "quarto": quarto_version() if use_quarto else None, "pandoc": pandoc_version(),
                      "typst": typst_version()}
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def render_report(project: Project, year: int, engine: str = "auto", force: bool = False) -> RenderResult:
    """Render every document of the Quarto project for ``year``, the combined pack PDF among them."""
    use_quarto = engine == "quarto" or (engine == "auto" and quarto_available() is not None)
    if engine == "quarto" and not quarto_available():
        raise InputError("quarto", "Quarto is not on PATH", expected="Quarto installed, or --engine pandoc")
    started = time.perf_counter()
    statement = renderer_statement(use_quarto)
    prepare_sources(project, year, statement)
    prepared = time.perf_counter() - started
    variables = yaml.safe_load((project.root / VARIABLES).read_text(encoding="utf-8"))
    sources = quarto_documents(project)
    final = project.root / OUTPUT
    staging = project.root / f".{OUTPUT.name}-staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    previous = final if (final / CACHE).exists() and not force else None
    tools = ("quarto", quarto_version()) if use_quarto else ("pandoc", pandoc_version(), "typst", typst_version())
    cache = RenderCache(project, year, variables, staging, source_date(project, year), tools, previous)
    result = RenderResult(statement)
    try:
        if use_quarto:
            quarto = QuartoRenderer(cache)
            outputs = quarto.render_all(sources)
            timings = quarto.timings
        else:
            pandoc = PandocRenderer(cache, f"svreport with pandoc {pandoc_version()} and Typst {typst_version()}")
            outputs = [path for source in sources for path in pandoc.render(source)]
            timings = pandoc.timings
        cache.write()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, final)
    record_renderer(project, year, statement, use_quarto)
    result.outputs = [final / p.relative_to(staging) for p in outputs]
    result.reused = cache.reused
    result.timings = {"prepare sources": prepared, **timings}
    return result
