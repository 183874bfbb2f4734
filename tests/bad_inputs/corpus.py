"""The bad-input corpus: broken copies of the sample and the exact message each one gives.

Each case in ``cases.yml`` names the edits that turn a copy of the project (with the 2024 and
2025 reports already published) into a broken input, the command to run, and the message the
user must see. ``test_bad_inputs.py`` runs every case; ``python tests/bad_inputs/corpus.py``
rewrites ``docs/bad-inputs.md`` from the same file, so the document cannot drift.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
from pathlib import Path

import openpyxl
import yaml

csv.field_size_limit(sys.maxsize)  # cases may hold very long cells
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = HERE / "cases.yml"
DOC = ROOT / "docs" / "bad-inputs.md"


def load_cases() -> list[dict]:
    """The cases, each with its command (the file's default unless it names one)."""
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [{"command": data["defaults"]["command"], **case} for case in data["cases"]]


def _norm(text: object) -> str:
    return " ".join(str(text).split()).lower()


def _read_csv(path: Path) -> tuple[list[list[str]], str, bool]:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252"), "cp1252"
    return list(csv.reader(io.StringIO(text, newline=""))), encoding, bom


def _write_csv(path: Path, rows: list[list[str]], encoding: str, bom: bool) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))


def _column_index(header: list[object], column: str) -> int:
    names = [_norm(h) for h in header]
    return next(i for i, name in enumerate(names) if name.startswith(_norm(column)))


def set_cell(project: Path, file: str, row: int, column: str, value: str, header_row: int = 1) -> None:
    """Set one cell, addressed as a spreadsheet shows it (row number and column header)."""
    path = project / file
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[header_row]]
        sheet.cell(row=row, column=_column_index(header, column) + 1).value = value
        book.save(path)
        return
    rows, encoding, bom = _read_csv(path)
    rows[row - 1][_column_index(rows[0], column)] = value
    _write_csv(path, rows, encoding, bom)


def apply(project: Path, edit: dict) -> None:
    """One edit of the vocabulary used in cases.yml."""
    kind, args = next(iter(edit.items()))
    if kind == "set_cell":
        set_cell(project, **args)
    elif kind == "delete_file":
        (project / args).unlink()
    elif kind == "write_text":
        (project / args["file"]).write_text(args["text"], encoding=args.get("encoding", "utf-8"))
    elif kind == "write_bytes_of":
        (project / args["file"]).write_bytes((project / args["from"]).read_bytes())
    elif kind == "rename_file":
        (project / args["from"]).rename(project / args["to"])
    elif kind == "replace_text":
        path = project / args["file"]
        raw = path.read_bytes()
        encoding = "cp1252" if b"\xa3" in raw and b"\xc2\xa3" not in raw else "utf-8"
        text = raw.decode(encoding)
        assert args["old"] in text, f"{args['old']!r} not in {path}"
        path.write_bytes(text.replace(args["old"], args["new"], args.get("count", 1)).encode(encoding))
    elif kind == "keep_rows":  # keep the header and the first N data rows
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        _write_csv(path, rows[: 1 + args["rows"]], encoding, bom)
    elif kind == "copy_row":  # repeat a row with one cell changed
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        copy = list(rows[args["row"] - 1])
        copy[_column_index(rows[0], args["column"])] = args["value"]
        rows.insert(args["row"], copy)
        _write_csv(path, rows, encoding, bom)
    elif kind == "drop_rows_matching":  # data rows whose cell in a column matches a regular expression
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        index = _column_index(rows[0], args["column"])
        pattern = re.compile(args["pattern"])
        _write_csv(path, [rows[0], *(r for r in rows[1:] if not (len(r) > index and pattern.search(r[index])))],
                   encoding, bom)
    elif kind == "drop_column":
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        index = _column_index(rows[0], args["column"])
        _write_csv(path, [row[:index] + row[index + 1:] for row in rows], encoding, bom)
    elif kind == "append_cells":
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        rows[args["row"] - 1] += args["cells"]
        _write_csv(path, rows, encoding, bom)
    elif kind == "truncate_bytes":
        path = project / args["file"]
        path.write_bytes(path.read_bytes()[: args["keep"]])
    elif kind == "to_utf16":
        path = project / args
        path.write_text(path.read_bytes().decode("utf-8-sig"), encoding="utf-16")
    elif kind == "xlsx_insert_rows":
        path = project / args["file"]
        book = openpyxl.load_workbook(path)
        book.worksheets[0].insert_rows(1, args["count"])
        book.save(path)
    elif kind == "xlsx_set_cell":
        path = project / args["file"]
        book = openpyxl.load_workbook(path)
        book.worksheets[0].cell(row=args["row"], column=args["column"]).value = args["value"]
        book.save(path)
    elif kind == "append_text":
        path = project / args["file"]
        path.write_text(path.read_text(encoding="utf-8") + args["text"], encoding="utf-8")
    elif kind == "copy_file":
        (project / args["to"]).write_bytes((project / args["from"]).read_bytes())
    elif kind == "write_bytes":  # raw bytes given as hex, with the rest of the file kept
        path = project / args["file"]
        path.write_bytes(bytes.fromhex(args["hex"]) + path.read_bytes())
    elif kind == "set_text_cell_size":  # one cell made very long (a pasted document, say)
        set_cell(project, args["file"], args["row"], args["column"], "x" * args["size"])
    elif kind == "replace_delimiter":  # the same table saved with another delimiter
        path = project / args["file"]
        rows, encoding, bom = _read_csv(path)
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=args["delimiter"], lineterminator="\r\n").writerows(rows)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))
    else:
        raise ValueError(f"unknown edit {kind}")


def run_cli(project: Path, argv: list[str], stdout: bool = False) -> tuple[int, str]:
    """Run ``svreport ARGV`` in-process from the project folder; returns (exit code, stderr), or with
    ``stdout`` (exit code, stdout and stderr)."""
    from svreport.cli import main

    errors, output = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(output):
            code = main(argv)
    finally:
        os.chdir(previous)
    return code, (output.getvalue() + errors.getvalue()) if stdout else errors.getvalue()


def write_doc() -> str:
    lines = ["# Bad inputs and the messages they give", "",
             "Generated from `tests/bad_inputs/cases.yml` by `python tests/bad_inputs/corpus.py`; the test",
             "suite runs every case and checks the message, so this page cannot drift from what the pipeline",
             "does. Every case stops with a non-zero exit before any figure is written, leaves the raw files",
             "untouched and the previously published outputs exactly as they were.",
             "Rows are numbered as a spreadsheet shows them: in a CSV the header is row 1; in an XLSX,",
             "Excel's own row numbers. The cases run the stages in-process (`--no-notebooks`) for speed;",
             "`svreport run` with the notebooks stops with the same messages.", ""]
    for number, case in enumerate(load_cases(), start=1):
        lines += [f"## {number}. {case['title']}", "", case["what"].strip(), "",
                  f"Command: `svreport {' '.join(case['command'])}`", "", "```text", case["message"].rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(write_doc(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
