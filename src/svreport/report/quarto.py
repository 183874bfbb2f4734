"""The render path with the Quarto CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from svreport.core.errors import InputError
from svreport.core.layout import QUARTO_CONFIG
from svreport.report.cache import RenderCache

UPDATE_PROFILE = "update"  # _quarto-update.yml: the update's documents in a render list

QUARTO_CHECKS = ("check that `quarto check` passes, that the document keeps to the Quarto subset in "
                 "report/README.md, and that `svreport render --engine pandoc` renders it")


@dataclass
class QuartoRenderer:
    """Renders with the Quarto CLI into the staging folder: the whole project when every document
    changed, else `quarto render FILE` for each changed one. Quarto's own output is kept quiet and
    shown (its last lines) only when it fails."""

    cache: RenderCache
    timings: dict[str, float] = field(default_factory=dict)

    def _quarto(self, arguments: list[str], what: str, in_project: bool = True) -> None:
        """``quarto render`` into the staging folder. A document outside _quarto.yml's render list (the mid-year
        update's) is rendered with the ``update`` profile, whose render list holds it: Quarto applies the
        project's settings, and takes --output-dir, only for documents in a render list."""
        env = {**os.environ, "SVREPORT_YEAR": str(self.cache.year), "SVREPORT_PREPARED": "1",
               "SVREPORT_CONFIG": str(self.cache.project.config_path.resolve()),
               "SOURCE_DATE_EPOCH": str(int(self.cache.epoch.timestamp()))}
        command = ["quarto", "render", *arguments, *([] if in_project else ["--profile", UPDATE_PROFILE]),
                   "--output-dir", str(self.cache.staging)]
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

    def render_all(self, sources: list[Path], whole_project: bool = True) -> list[Path]:
        """``sources`` are _quarto.yml's documents (``whole_project``: one `quarto render` when all changed), or
        documents outside its list (each rendered by name)."""
        changed = [source for source in sources if not self.cache.reuse(source)]
        if whole_project and len(changed) == len(sources):
            self._quarto([], f"{QUARTO_CONFIG} (every document)")
        else:
            for source in changed:
                relative = source.relative_to(self.cache.project.root).as_posix()
                self._quarto([relative], relative, in_project=whole_project)
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
