"""The package's layers, and the digest of the code a layer can run (for cache keys).

Top first: a module imports only from its own layer and those below it. The import-linter contract in
``pyproject.toml`` enforces this order (``tests/unit/test_architecture.py`` checks both agree), so the
modules of a layer and of every layer below it are all the code that layer can run. Cache keys digest
exactly those files, found on disk: a module added later is covered without anyone listing it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
LAYERS: tuple[tuple[str, ...], ...] = (("cli",), ("audit", "report"), ("pipeline",), ("stages",), ("io",), ("core",))


def layer_and_below(layer: str) -> list[str]:
    """'pipeline' -> ['pipeline', 'stages', 'io', 'core']."""
    level = next(i for i, names in enumerate(LAYERS) if layer in names)
    return [layer, *(name for names in LAYERS[level + 1:] for name in names)]


def modules_of(layer: str, package: Path | None = None) -> list[Path]:
    """Every module of ``layer`` and the layers below it, and the package's own ``__init__.py``."""
    package = package or PACKAGE
    files = [package / "__init__.py"]
    for name in layer_and_below(layer):
        files += sorted((package / name).rglob("*.py")) if (package / name).is_dir() else [package / f"{name}.py"]
    return files


def code_digest(layer: str, package: Path | None = None) -> str:
    """SHA-256 over the path and bytes of every module ``layer`` can import."""
    package = package or PACKAGE
    digest = hashlib.sha256()
    for path in modules_of(layer, package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
