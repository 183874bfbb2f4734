"""Errors a report author can act on: each names the file, spreadsheet row and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """A problem in an input file, config or narrative that a person must fix.

    ``row`` is the row number a spreadsheet shows (in a CSV the header is row 1).
    """

    file: str | Path
    problem: str
    expected: str = ""
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [_display_path(self.file)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        message = f"{', '.join(where)}: {self.problem}"
        if self.expected:
            message += f" (expected {self.expected})"
        return message


def _display_path(file: str | Path) -> str:
    """Paths inside the current folder are shown relative to it, as the user typed them."""
    path = Path(file)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(file)


class InputErrors(Exception):
    """Several input problems found in one pass, reported together."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
