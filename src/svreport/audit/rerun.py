"""``svreport audit``: re-run a report year (or an as-at run) from its inputs in a clean folder and compare.

1. Every input's SHA-256 against the run's manifest (a changed input is named).
2. Re-execute every notebook with papermill in a temporary copy of the inputs (raw data,
   reference data, config, expectations, notebooks, the author's figures); no Quarto needed.
3. Every ledger figure of the re-run against the published ledger, and every hashed output
   (ledger, variables, diagrams, tables, clean tables) against the manifest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from svreport.core.config import Position
from svreport.core.errors import InputError
from svreport.core.layout import LEDGER, MANIFEST, year_dir
from svreport.core.project import Project
from svreport.pipeline.manifest import hash_inputs, read_manifest
from svreport.pipeline.runner import run
from svreport.stages.ledger import format_value, read_ledger


@dataclass
class AuditResult:
    position: Position
    figures: pd.DataFrame  # figure, published, re-run, match
    changed_inputs: list[str] = field(default_factory=list)
    changed_outputs: list[str] = field(default_factory=list)

    @property
    def moved(self) -> pd.DataFrame:
        return self.figures[~self.figures["match"]]

    @property
    def passed(self) -> bool:
        return self.moved.empty and not self.changed_inputs and not self.changed_outputs

    def verdict(self) -> str:
        if self.passed:
            return (f"PASS: all {len(self.figures)} figures of the {self.position.label}'s ledger were reproduced "
                    "from inputs matching the manifest, and every output is byte-identical.")
        parts = []
        if self.changed_inputs:
            parts.append(f"{len(self.changed_inputs)} input(s) differ from the manifest")
        if not self.moved.empty:
            parts.append(f"{len(self.moved)} of {len(self.figures)} figures differ from the published ledger")
        if self.changed_outputs:
            parts.append(f"{len(self.changed_outputs)} output file(s) are not byte-identical")
        return "FAIL: " + "; ".join(parts) + "."


def _runs_needed(project: Project, position: Position) -> list[Position]:
    """The run and the report years it compares with, back to the first."""
    runs = [position]
    while runs[-1].comparator is not None:
        runs.append(project.config.position(runs[-1].comparator))
    return runs


def compare_ledgers(published: pd.DataFrame, rerun: pd.DataFrame) -> pd.DataFrame:
    left = published.set_index("key")["value"].map(lambda v: format_value(float(v)))
    right = rerun.set_index("key")["value"].map(lambda v: format_value(float(v)))
    keys = list(left.index) + [k for k in right.index if k not in left.index]
    rows = [{"figure": key, "published": left.get(key, "(missing)"), "re-run": right.get(key, "(missing)")}
            for key in keys]
    table = pd.DataFrame(rows)
    table["match"] = table["published"] == table["re-run"]
    return table


def _hashed(outputs: dict[str, str]) -> dict[str, str]:
    """Outputs with a hash (run records such as executed notebooks carry times and are not compared)."""
    return {name: digest for name, digest in outputs.items() if not digest.startswith("not hashed")}


def audit(project: Project, position: Position, say=print, workdir: Path | None = None) -> AuditResult:
    published_dir = year_dir(project.processed_dir, position.name)
    if not (published_dir / MANIFEST).exists():
        raise InputError(project.shown(published_dir / MANIFEST), f"no manifest for the {position.label}",
                         expected=f"`svreport{project.config_option} run {position.option}` to have produced the "
                                  "published outputs")
    manifest = read_manifest(published_dir)
    published = read_ledger(published_dir / LEDGER)
    current = hash_inputs(project, position)
    recorded = manifest["inputs"]
    changed = sorted(k for k in set(current) | set(recorded) if current.get(k) != recorded.get(k))
    for name in changed:
        state = "missing now" if name not in current else "not in the manifest" if name not in recorded else \
            "SHA-256 differs from the manifest"
        say(f"input changed: {name} ({state})")

    with tempfile.TemporaryDirectory(prefix=f"svreport-audit-{position.name}-", dir=workdir) as scratch:
        clean = project.copy_inputs(Path(scratch), _runs_needed(project, position), report=False)
        say(f"Re-running the {position.label} from its inputs in a clean folder...")
        run(clean, position, say=lambda line: say("  " + line))
        rerun_dir = year_dir(clean.processed_dir, position.name)
        rerun = read_ledger(rerun_dir / LEDGER)
        rerun_outputs = read_manifest(rerun_dir)["outputs"]
    figures = compare_ledgers(published, rerun)
    outputs = _hashed(manifest["outputs"])
    rerun_outputs = _hashed(rerun_outputs)
    changed_outputs = sorted(k for k in set(outputs) | set(rerun_outputs) if outputs.get(k) != rerun_outputs.get(k))
    return AuditResult(position, figures, changed, changed_outputs)
