"""``svreport-dev``: the developers' commands, apart from the runtime package: write the sample data
(``sample``) and measure speed and memory (``bench``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from svreport.cli import report_year, run_command, show
from svreport.core.errors import InputError
from svreport.core.layout import DEFAULT_CONFIG
from svreport.core.project import Project
from svreport_dev.bench import report_markdown, run_benchmarks
from svreport_dev.sample import write_sample


def _scale(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def cmd_sample(args: argparse.Namespace) -> int:
    project = Project.load(args.config)
    if args.scale > 1 and args.out is None:
        raise InputError("--out", "a scaled sample needs its own folder", expected="--out DIR, e.g. build/scale-40")
    target = Path(args.out) if args.out else project.raw_dir
    with project.exclusive():
        written = write_sample(target, project.reference_dir, scale=args.scale)
    for path in written:
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Time the default run, the floor, a narrative-only change and larger exports; write the table."""
    project = Project.load(args.config)
    scales = tuple(int(s) for s in args.scales.split(",")) if args.scales else ()
    results = run_benchmarks(project, args.year, scales, say=lambda line: print(f"... {line}", flush=True))
    text = report_markdown(results)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {show(output.resolve())}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svreport-dev", description="Developer commands: sample data, benchmarks")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="council config (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write the bundled sample data (fictional)")
    sample.add_argument("--scale", type=_scale, default=1, help="repeat every contract N times (benchmarks)")
    sample.add_argument("--out", help="folder to write to (default: the config's raw folder)")
    sample.set_defaults(handler=cmd_sample)

    bench = commands.add_parser("bench", help="benchmark the pipeline and write docs/benchmarks.md")
    bench.add_argument("--year", type=report_year, default=2025)
    bench.add_argument("--scales", default="4,37,366",
                       help="sample scales for the scale runs (default: about 10k, 100k and 1M portal rows)")
    bench.add_argument("--output", default="docs/benchmarks.md")
    bench.set_defaults(handler=cmd_bench)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
