"""The external tools the renderer drives, and their versions (for the manifest and the report)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from importlib.metadata import version


def pandoc_path() -> str:
    """The pandoc binary shipped with pypandoc-binary."""
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.cache
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


@functools.cache
def typst_version() -> str:
    return version("typst")


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


def installed_quarto_version() -> str | None:
    """Quarto's version when it is on PATH, else None (for the manifest)."""
    if quarto_available() is None:
        return None
    result = subprocess.run(["quarto", "--version"], capture_output=True, text=True)
    return result.stdout.strip().splitlines()[0] if result.returncode == 0 and result.stdout.strip() else None
