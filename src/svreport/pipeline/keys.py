"""Cache keys for the pipeline's stages: a stage whose key is unchanged since the last run is not re-run.

A stage's key is a digest of the bytes of its inputs (``Project.input_groups``, by the kinds the stage
names in ``layout.STAGES``), the run's parameters, the code (every module the pipeline can import, found
on disk: ``core.code``) and the notebooks (an input group too), chained so that a change re-runs every
stage after it.
"""

from __future__ import annotations

import hashlib
import json

from svreport.core.code import code_digest
from svreport.core.config import Position
from svreport.core.layout import NOTEBOOKS, STAGES
from svreport.core.project import Project
from svreport.pipeline.manifest import hash_input_groups


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def stage_keys(project: Project, position: Position, mode: str) -> dict[str, str]:
    """One key per stage (by notebook name), chained from the first, which covers the code the stages run:
    every module of the pipeline layer and below, and the notebooks."""
    inputs = hash_input_groups(project, position)
    keys: dict[str, str] = {}
    run = position.year if position.is_annual else position.name
    previous = digest(run, mode, code_digest("pipeline"), inputs[NOTEBOOKS], project.config.model_dump(mode="json"))
    for spec in STAGES:
        previous = digest(spec.name, previous, *(inputs.get(kind, {}) for kind in spec.inputs))
        keys[spec.notebook] = previous
    return keys
