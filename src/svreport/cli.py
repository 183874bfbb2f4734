"""The ``svreport`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from svreport.core.config import Position
from svreport.core.errors import InputError, InputErrors
from svreport.core.layout import (
    DEFAULT_CONFIG,
    LEDGER,
    NOTEBOOKS,
    PUBLISHED_FIGURES,
    RUN_RECORD,
    SERIES,
    TABLES,
    TRACKER_CSV,
    TRACKER_MEASURES_CSV,
    TRACKER_XLSX,
    VARIABLES,
    year_dir,
)
from svreport.core.project import Project


def report_year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(f"'{text}' is not a report year such as 2025")
    return int(text)


def cmd_inspect(args: argparse.Namespace) -> int:
    """Read one year's inputs and say, file by file, how they would be read: before any run."""
    from svreport.core.formatting import gbp_pence
    from svreport.io.readers import read_year
    from svreport.stages.clean import summarise

    project = Project.load(args.config)
    config = project.config
    inputs = read_year(project.raw_year_dir(args.year), None, config.spend.columns, config.spend.supplier_columns)
    print(f"Report year {args.year}: {inputs.year_dir}")
    tables = [inputs.commitments, inputs.delivery, *(t for ts in inputs.spend.values() for t in ts),
              *inputs.suppliers]
    for table in tables:
        summary = summarise(table, config)
        amount = "" if summary.amount is None else f", {gbp_pence(summary.amount)}"
        print(f"\n{summary.name}: {summary.file_format}, header on row {summary.header_row}, "
              f"{summary.rows:,} data rows{amount}")
        if summary.months:
            print(f"  payments dated {summary.months}")
        mapped = ", ".join(f"{field} <- '{header}'" for field, header in summary.mapping.items())
        print(f"  columns read: {mapped}")
        if summary.dropped_columns:
            print(f"  columns not read (not in the contract): {', '.join(summary.dropped_columns)}")
        if summary.absent_optional:
            print(f"  optional columns not in the file (left blank): {', '.join(summary.absent_optional)}")
        for line in summary.left_out:
            print(f"  would not count: {line}")
        for line in summary.problems:
            print(f"  problem: {line}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the notebook pipeline for a report year, or for the position at any date, with papermill."""
    from svreport.pipeline.runner import StageFailed, run

    project = Project.load(args.config)
    position = project.position(args.year, args.as_at)
    project.check_folders()
    started = time.perf_counter()
    record: list = []
    try:
        with project.exclusive():
            run(project, position, notebooks=not args.no_notebooks, force=args.force, record=record)
    except StageFailed as failure:
        print(f"error: the {failure.stage} stage stopped; no figures were written.\n{failure.message}",
              file=sys.stderr)
        if failure.record:
            print(f"The failed run's notebook is kept for inspection: {show(failure.record)}", file=sys.stderr)
        return 2
    total = time.perf_counter() - started
    if args.timings:
        write_json(args.timings, {"stages": [vars(t) for t in record], "total": total})
    output = year_dir(project.processed_dir, position.name)
    print(f"  {'total':<20} {total:6.1f} s ({sum(t.seconds for t in record):.1f} s in the stages)")
    if not position.is_annual:
        compared = f"the {position.comparator} report" if position.comparator else "no report: none before this date"
        print(f"Exports read: {show(project.raw_run_dir(position))}/ (compared with {compared})")
    print(f"Figures ledger: {show(output / LEDGER)}")
    print(f"Report variables: {show(output / VARIABLES)}")
    print(f"Quarterly series: {show(output / SERIES)}")
    print(f"Contract tracker: {show(output / TABLES / TRACKER_XLSX)} (and {TRACKER_CSV}, {TRACKER_MEASURES_CSV})")
    if not args.no_notebooks:
        print(f"Run record (executed notebooks): {show(output / RUN_RECORD)}")
    return 0


def _default_year(project: Project) -> int:
    return max(project.config.report_years)


def _chosen_run(project: Project, args: argparse.Namespace) -> Position:
    """The run ``--year`` or ``--as-at`` names; with neither, the latest report year in the config."""
    return project.position(None if args.as_at else (args.year or _default_year(project)), args.as_at)


def cmd_prepare_report(args: argparse.Namespace) -> int:
    """Quarto's pre-render step (report/prerender.ts): run the pipeline, then write report/_generated/
    and _variables.yml for the documents Quarto is about to render."""
    from svreport.pipeline.runner import run
    from svreport.report.render import prepare_sources, prepare_update_sources, renderer_statement

    project = Project.load(args.config)
    position = _chosen_run(project, args)
    with project.exclusive():
        run(project, position)
        if position.is_annual:
            prepare_sources(project, position.year, renderer_statement(use_quarto=True))
        else:
            prepare_update_sources(project, position)
    what = f"Report sources for {position.year}" if position.is_annual else f"Mid-year update sources for {args.as_at}"
    print(f"{what} written to report/_generated/; Quarto renders them next.")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """Render the report (HTML, PDF, DOCX and the pack) from the year's pipeline outputs, or with --as-at the
    mid-year update and the contract tracker's page from that run's."""
    from svreport.report.render import render_report, render_update

    project = Project.load(args.config)
    started = time.perf_counter()
    position = _chosen_run(project, args)
    with project.exclusive():
        if position.is_annual:
            result = render_report(project, position.year, engine=args.engine, force=args.force)
        else:
            result = render_update(project, position, engine=args.engine, force=args.force)
    if args.timings:
        write_json(args.timings, {"formats": result.timings, "total": time.perf_counter() - started})
    print(result.renderer)
    reused = f" ({len(result.reused)} unchanged documents reused)" if result.reused else ""
    print(f"Rendered in {time.perf_counter() - started:.1f} s{reused}:")
    for path in result.outputs:
        print(f"  {show(path)}")
    if result.figure_rows:
        print(f"The rows behind each figure, linked from the auditors' page: {show(result.figure_rows)}/")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Re-run a year from its inputs in a clean folder; compare input hashes, figures and outputs."""
    from svreport.audit.rerun import audit

    project = Project.load(args.config)
    result = audit(project, project.position(args.year, args.as_at))
    table = result.figures if args.all else result.moved
    if not table.empty:
        print(table.to_string(index=False, formatters={"match": lambda m: "yes" if m else "NO"}))
    elif not args.all:
        print(f"All {len(result.figures)} figures match (use --all to list them).")
    for name in result.changed_outputs:
        print(f"output not byte-identical: {name}")
    print(result.verdict())
    return 0 if result.passed else 1


def cmd_trace(args: argparse.Namespace) -> int:
    """A figure back to its source rows, or a source row forward to the figures it feeds."""
    from svreport.audit.trace import (
        TraceRun,
        format_key_trace,
        format_row_trace,
        parse_row_reference,
        trace_key,
        trace_row,
    )

    project = Project.load(args.config)
    position = _chosen_run(project, args)
    if bool(args.key) == bool(args.row):
        raise InputError("svreport trace", "give either a ledger KEY or --row FILE:ROW",
                         expected="e.g. `svreport trace --year 2025 delivered.total` or "
                                  "`svreport trace --year 2025 --row portal_delivery.csv:117`")
    traced = TraceRun(project, position)
    if args.row:
        print(format_row_trace(trace_row(traced, *parse_row_reference(args.row)), traced))
        return 0
    trace = trace_key(traced, args.key)
    print(format_key_trace(trace, traced))
    if args.csv and trace.funnel is not None:
        trace.funnel.rows.to_csv(args.csv, index=False, lineterminator="\n")
        print(f"Wrote the {len(trace.funnel.rows):,} contributing rows to {args.csv}")
    elif args.csv:
        print(f"{args.key} is not made from rows directly, so no CSV was written; trace the keys it is made from.")
    return 0 if trace.matches else 1


def cmd_reconcile(args: argparse.Namespace) -> int:
    """Compare a report's printed figures with the ledger at the printed precision."""
    from svreport.audit.reconcile import reconcile
    from svreport.stages.ledger import read_ledger

    project = Project.load(args.config)
    project.config.year(args.year, project.config_path)
    published = (Path(args.published) if args.published
                 else project.reference_dir / PUBLISHED_FIGURES / f"{args.year}.csv")
    table = reconcile(read_ledger(year_dir(project.processed_dir, args.year) / LEDGER), published)
    mismatched = table[~table["match"]]
    shown = table if args.all else mismatched
    if not shown.empty:
        print(shown.to_string(index=False, formatters={"match": lambda m: "yes" if m else "NO",
                                                        "ledger": lambda v: f"{v:,.6g}"}))
    if mismatched.empty:
        print(f"All {len(table)} printed figures match the ledger.")
        return 0
    print(f"{len(mismatched)} of {len(table)} printed figures, in {mismatched['where'].nunique()} statements, "
          "do not match the ledger.")
    return 1


def cmd_refresh_notebooks(args: argparse.Namespace) -> int:
    """Re-execute the committed notebooks in place (their outputs are what nbval checks)."""
    from svreport.pipeline.runner import refresh_committed_notebooks

    project = Project.load(args.config)
    for path in refresh_committed_notebooks(project.root / NOTEBOOKS):
        print(show(path))
    return 0


def cmd_new_narrative(args: argparse.Namespace) -> int:
    """Start a report year's narrative folder from the latest earlier year's, or the starter."""
    from svreport.report.starter import new_narrative

    project = Project.load(args.config)
    folder, source = new_narrative(project, args.year)
    print(f"Wrote {show(folder)}/ ({source}): edit its files, then run `make report YEAR={args.year}`.")
    return 0


def _cutoff(text: str) -> tuple[int, date]:
    year, _, cutoff = text.partition(":")
    try:
        return report_year(year), date.fromisoformat(cutoff)
    except (argparse.ArgumentTypeError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is not YEAR:CUT-OFF such as 2025:2024-11-30") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date such as 2019-12-01") from None


def cmd_new_council(args: argparse.Namespace) -> int:
    """Write a council's config from its exports (unless it exists) and a starter narrative per report year."""
    from svreport.report.starter import CouncilDetails, new_council, parse_postcodes

    wanted = [args.name, args.area, args.policy_start, args.year, args.local_postcodes]
    details = None
    if any(wanted):
        missing = [flag for flag, value in zip(("--name", "--area", "--policy-start", "--year", "--local-postcodes"),
                                               wanted, strict=True) if not value]
        if missing:
            raise InputError(args.config, f"a new config needs {', '.join(missing)} as well",
                             expected="all of --name, --area, --policy-start, --year and --local-postcodes")
        details = CouncilDetails(args.name, args.short_name or f"{args.area} Council", args.area, args.policy_start,
                                 dict(args.year), parse_postcodes(args.local_postcodes), args.raw)
    config, folders = new_council(Path(args.config), details)
    if config:
        print(f"Wrote {show(config.resolve())}: check every value (categories come from the exports).")
    for folder, source in folders:
        print(f"Wrote {show(folder)}/ ({source}).")
    if not config and not folders:
        print("Every report year in the config already has a narrative folder; nothing written.")
    years = sorted(Project.load(args.config).config.report_years)
    print(f"Next: make report CONFIG={args.config} YEAR={years[0]}")
    return 0


def write_json(path: str, data: object) -> None:
    import json

    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def show(path: Path) -> str:
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svreport", description="Social Value Annual Report pipeline")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="council config (default: %(default)s)")
    common = argparse.ArgumentParser(add_help=False)  # --config also accepted after the subcommand
    common.add_argument("--config", default=argparse.SUPPRESS, help="council config")
    commands = parser.add_subparsers(dest="command", required=True)
    _add = commands.add_parser

    def add_parser(name: str, **kwargs):
        return _add(name, parents=[common], **kwargs)

    commands.add_parser = add_parser  # type: ignore[method-assign]

    run = commands.add_parser("run", help="run the notebook pipeline (clean, validate, metrics, diagrams)",
                              description="Run the pipeline for a report year (its exports in data/raw/<year>/, "
                              "counted to its configured cut-off), or for the position at any date (--as-at: the "
                              "exports in data/raw/as-at-<date>/, counted to that date, compared with the last "
                              "report before it; outputs in data/processed/as-at-<date>/).")
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("--year", type=report_year)
    which.add_argument("--as-at", type=_date, metavar="YYYY-MM-DD",
                       help="the position at this date, by the same rules with the date as the cut-off")
    run.add_argument("--force", action="store_true", help="re-run every stage even if nothing changed")
    run.add_argument("--timings", help=argparse.SUPPRESS)  # JSON of stage timings, for `svreport bench`
    run.add_argument("--no-notebooks", action="store_true",
                     help="run the same stages in this process, without papermill (faster; no run record)")
    run.set_defaults(handler=cmd_run)

    render = commands.add_parser("render", help="render the report with Quarto, or pandoc and Typst without it")
    target = render.add_mutually_exclusive_group()
    target.add_argument("--year", type=report_year, help="report year (default: the latest in the config)")
    target.add_argument("--as-at", type=_date, metavar="YYYY-MM-DD",
                        help="the mid-year update and contract tracker page of `svreport run --as-at` (to "
                             "_output/as-at-<date>/)")
    render.add_argument("--engine", choices=("auto", "quarto", "pandoc"), default="auto",
                        help="auto: Quarto when it is on PATH, otherwise pandoc and Typst")
    render.add_argument("--force", action="store_true", help="re-render documents even if unchanged")
    render.add_argument("--timings", help=argparse.SUPPRESS)
    render.set_defaults(handler=cmd_render)

    prepare = commands.add_parser("prepare-report", help="Quarto pre-render: run the pipeline, write report sources")
    chosen = prepare.add_mutually_exclusive_group()
    chosen.add_argument("--year", type=report_year)
    chosen.add_argument("--as-at", type=_date, metavar="YYYY-MM-DD", help="the mid-year update's sources")
    prepare.set_defaults(handler=cmd_prepare_report)

    audit = commands.add_parser("audit", help="re-run a report year (or an as-at run) from its inputs and compare "
                                "with what was published")
    audited = audit.add_mutually_exclusive_group(required=True)
    audited.add_argument("--year", type=report_year)
    audited.add_argument("--as-at", type=_date, metavar="YYYY-MM-DD", help="an as-at run (`svreport run --as-at`)")
    audit.add_argument("--all", action="store_true", help="list every figure, not only those that differ")
    audit.set_defaults(handler=cmd_audit)

    reconcile = commands.add_parser("reconcile", help="check a report's printed figures against the ledger")
    reconcile.add_argument("--year", type=report_year, required=True)
    reconcile.add_argument("--published",
                           help="CSV of key,printed,where (default: data/reference/published/<year>.csv)")
    reconcile.add_argument("--all", action="store_true", help="list every printed figure")
    reconcile.set_defaults(handler=cmd_reconcile)

    trace = commands.add_parser("trace", help="trace a figure to the source rows that make it, or a source row to "
                                "the figures it feeds")
    trace.add_argument("key", nargs="?", help="a ledger key, e.g. delivered.total")
    traced = trace.add_mutually_exclusive_group()
    traced.add_argument("--year", type=report_year, help="report year (default: the latest in the config)")
    traced.add_argument("--as-at", type=_date, metavar="YYYY-MM-DD", help="an as-at run (`svreport run --as-at`)")
    trace.add_argument("--row", help="FILE:ROW, a source row as a spreadsheet numbers it, e.g. portal_delivery.csv:117")
    trace.add_argument("--csv", help="write the contributing rows to this CSV file")
    trace.set_defaults(handler=cmd_trace)

    refresh = commands.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place")
    refresh.set_defaults(handler=cmd_refresh_notebooks)

    narrative = commands.add_parser("new-narrative", help="start a report year's narrative folder (a copy of the "
                                    "latest earlier year's, or the starter)")
    narrative.add_argument("--year", type=report_year, required=True)
    narrative.set_defaults(handler=cmd_new_narrative)

    council = commands.add_parser(
        "new-council", help="write a council's config from its exports and a starter narrative for each year",
        description="With --config naming a config that exists: write the starter narrative for each report "
                    "year that has none. Otherwise write the config first, from the options below and the "
                    "categories in the exports (data/raw/<year>/).")
    council.add_argument("--name", help='full name, e.g. "Barnsley Metropolitan Borough Council"')
    council.add_argument("--short-name", help='e.g. "Barnsley Council" (default: AREA Council)')
    council.add_argument("--area", help="the borough as the narrative names it, e.g. Barnsley")
    council.add_argument("--policy-start", type=_date, help="date the Social Value Policy took effect (YYYY-MM-DD)")
    council.add_argument("--year", type=_cutoff, action="append",
                         help="a report year and its cut-off, YEAR:YYYY-MM-DD (repeat for each year)")
    council.add_argument("--local-postcodes",
                         help='postcode districts or sectors counted as local, e.g. "S70, S71, S75 1"')
    council.add_argument("--raw", default="data/raw",
                         help="the exports folder, relative to the project (default: %(default)s)")
    council.set_defaults(handler=cmd_new_council)

    inspect = commands.add_parser("inspect", help="read a year's input files and summarise them")
    inspect.add_argument("--year", type=report_year, required=True)
    inspect.set_defaults(handler=cmd_inspect)
    return parser


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse and run one command; a problem in the inputs prints as one message, with exit code 2."""
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (InputError, InputErrors) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
