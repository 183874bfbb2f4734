"""The render cache: a document whose sources, style, tools and code are unchanged since the last render
is copied from it instead of rendered again, on either render path."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from svreport.core.code import code_digest
from svreport.core.layout import (
    DIAGRAMS,
    GENERATED,
    QUARTO_CONFIG,
    QUARTO_UPDATE_PROFILE,
    REFERENCE_DOCX,
    RENDER_CACHE,
    REPORT,
    STYLE,
)
from svreport.core.project import Project
from svreport.report.shortcodes import document_formats, expand, split_front_matter


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
        return self.project.root / REPORT

    def body(self, source: Path, target: str) -> tuple[dict, str]:
        """Front matter and the expanded body for one output format (expanded once, then reused)."""
        if (source, target) not in self._bodies:
            meta, body = split_front_matter(source.read_text(encoding="utf-8"), source)
            self._bodies[source, target] = meta, expand(body, source, self.variables, target)
        return self._bodies[source, target]

    @functools.cached_property
    def _code(self) -> str:
        """The renderer's code: every module of the report layer and below (read once per render)."""
        return code_digest("report")

    @functools.cached_property
    def _shared_files(self) -> list[object]:
        """What every document's look depends on: style, _quarto.yml, reference.docx, diagrams (read once)."""
        root = self.project.root
        parts: list[object] = [(p.name, hashlib.sha256(p.read_bytes()).hexdigest())
                               for p in sorted((root / STYLE).iterdir())]
        parts += [hashlib.sha256((root / name).read_bytes()).hexdigest()
                  for name in (QUARTO_CONFIG, QUARTO_UPDATE_PROFILE) if (root / name).exists()]
        reference = root / GENERATED / REFERENCE_DOCX
        parts.append(hashlib.sha256(reference.read_bytes()).hexdigest() if reference.exists() else "")
        parts += [(p.name, hashlib.sha256(p.read_bytes()).hexdigest())
                  for p in sorted((root / GENERATED / DIAGRAMS).glob("*"))]
        return parts

    def key(self, source: Path) -> str:
        parts = [self.year, str(self.epoch), document_formats(source), self.tools, self._code]
        parts += [self.body(source, target) for target in ("html", "docx", "typst")]
        parts += self._shared_files
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
        cache_path = self.previous / RENDER_CACHE
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
        (self.staging / RENDER_CACHE).write_text(json.dumps(self.keys, indent=2, sort_keys=True) + "\n",
                                                 encoding="utf-8")
