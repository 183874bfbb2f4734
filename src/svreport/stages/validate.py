"""Validation with Great Expectations: suites stored as JSON in ``expectations/``.

Critical failures stop the run before any figure is written; each failing value is reported
with its file, spreadsheet row and column. Warnings (severity "warning" in the suite) are
reported and the run goes on. Data Docs HTML is written for the record.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd

from svreport.core.config import CouncilConfig, Position
from svreport.core.errors import InputError, InputErrors
from svreport.io.contract import CLEAN_TABLE_SPECS, VALIDATION_STATUSES, TableSpec
from svreport.io.readers import SOURCE_ROW
from svreport.stages.clean import SOURCE_FILE, CleanTables
from svreport.stages.datadocs import make_offline

EARLIEST_DATE = pd.Timestamp("2000-01-01")
LATEST_AFTER_CUTOFF = timedelta(days=731)
MAX_ROWS_PER_FAILURE = 10
DERIVED_HEADERS = {"proxy_check_ratio": None, "fy_start": None, "fy_end": None, "financial_year": None,
                   "is_local": None, SOURCE_FILE: None, SOURCE_ROW: None}


@dataclass
class Failure:
    table: str
    expectation: str
    column: str
    severity: str
    problem: str
    expected: str
    unexpected_count: int
    rows: list[dict[str, object]] = field(default_factory=list)

    def errors(self, spec: TableSpec) -> list[InputError]:
        columns = self.column.split(",")
        header = " + ".join(_header(spec, c) for c in columns)
        if not self.rows:
            return [InputError(spec.name, f"{header or 'table'}: {self.problem}", expected=self.expected)]
        out = []
        for row in self.rows[:MAX_ROWS_PER_FAILURE]:
            shown = " + ".join(_shown(row.get(c)) for c in columns)
            text = "the cell is blank" if shown == "blank" and self.problem == "is blank" else f"{shown} {self.problem}"
            out.append(InputError(str(row.get(SOURCE_FILE, spec.name)), text, expected=self.expected,
                                  row=_int(row.get(SOURCE_ROW)), column=header))
        if self.unexpected_count > MAX_ROWS_PER_FAILURE:
            out.append(InputError(spec.name, f"... and {self.unexpected_count - MAX_ROWS_PER_FAILURE} more rows where "
                                  f"{header} {self.problem}", column=header))
        return out


@dataclass
class ValidationReport:
    summary: pd.DataFrame  # one row per expectation: table, expectation, column, severity, passed, failing rows
    failures: list[Failure]
    docs_index: Path | None

    @property
    def critical(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity != "critical"]

    def raise_if_failed(self) -> None:
        errors = [error for failure in self.critical for error in failure.errors(CLEAN_TABLE_SPECS[failure.table])]
        if errors:
            raise InputErrors(errors)

    def warning_messages(self) -> list[str]:
        return [str(e) for failure in self.warnings for e in failure.errors(CLEAN_TABLE_SPECS[failure.table])]


def _header(spec: TableSpec, column: str) -> str:
    if column in DERIVED_HEADERS:
        return DERIVED_HEADERS[column] or column
    return spec.header_of(column) or column


def _shown(value: object) -> str:
    return "blank" if value is None or value == "" or value != value else f"'{_plain(value)}'"


def _plain(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def load_suite_json(expectations_dir: Path, name: str) -> dict:
    path = expectations_dir / f"{name}.json"
    if not path.exists():
        raise InputError(path, "expectation suite not found", expected=f"expectations/{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _with_proxy_check(frame: pd.DataFrame, units: str, value: str, proxies: pd.Series) -> pd.DataFrame:
    """Add value / (units x proxy) where the catalogue knows a proxy (NaN elsewhere: not checked)."""
    proxy = frame["measure_id"].map(proxies)
    expected = frame[units] * proxy
    ratio = (frame[value] / expected).where(expected > 0)
    return frame.assign(proxy_check_ratio=ratio.astype("float64"))


def validation_inputs(tables: CleanTables, config: CouncilConfig, position: Position,
                      measures: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """The frames to validate (with derived check columns) and the suites' parameters."""
    proxies = measures["proxy_gbp_per_unit"].dropna()
    frames = {
        "commitments": _with_proxy_check(tables.commitments, "units_committed", "value_committed", proxies),
        "delivery": _with_proxy_check(tables.delivery, "units_delivered", "value_delivered", proxies),
        "spend": tables.spend,
    }
    cutoff = pd.Timestamp(position.cutoff)
    parameters: dict[str, object] = {
        "measure_codes": sorted(measures.index),
        "categories": config.category_names(),
        "statuses": list(VALIDATION_STATUSES),
        "known_contracts": sorted(set(tables.commitments["contract_reference"]) | config.excluded_references()),
        "earliest_date": EARLIEST_DATE,
        "latest_date": cutoff + LATEST_AFTER_CUTOFF,
    }
    return frames, parameters


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


def run_validation(tables: CleanTables, config: CouncilConfig, position: Position, measures: pd.DataFrame,
                   expectations_dir: Path, docs_dir: Path | None = None) -> ValidationReport:
    """Validate the three clean tables against their suites; returns every failure."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if docs_dir is not None:
        context.add_data_docs_site(site_name="validation", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    source = context.data_sources.add_pandas("svreport")
    frames, parameters = validation_inputs(tables, config, position, measures)
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [SOURCE_FILE, SOURCE_ROW]}

    summary_rows, failures = [], []
    for name, frame in frames.items():
        suite_json = load_suite_json(expectations_dir, name)
        suite = context.suites.add(gx.ExpectationSuite(name=suite_json["name"], expectations=suite_json["expectations"],
                                                       meta=suite_json.get("meta", {})))
        batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        run_name = f"{name}-{position.name}"
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=run_name, data=batch_definition, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs")] if docs_dir is not None else []
        checkpoint = context.checkpoints.add(gx.Checkpoint(name=run_name, validation_definitions=[definition],
                                                           actions=actions, result_format=result_format))
        run = checkpoint.run(batch_parameters={"dataframe": frame},
                             expectation_parameters={**parameters, "columns": list(frame.columns)})
        for validation in run.run_results.values():
            for result in validation.results:
                config_ = result.expectation_config
                kwargs = config_.kwargs
                pair = [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c]
                # a pair check is reported against its contract column (payment_date, not fy_end)
                column = kwargs.get("column") or next((c for c in pair if c not in DERIVED_HEADERS), None) \
                    or ",".join(kwargs.get("column_list", []))
                count = int(result.result.get("unexpected_count") or (0 if result.success else 1))
                severity = str(getattr(config_.severity, "value", config_.severity) or "critical")
                summary_rows.append({"table": name, "expectation": config_.type, "column": column,
                                     "severity": severity, "passed": bool(result.success), "failing_rows": count})
                if not result.success:
                    failures.append(Failure(name, config_.type, column, severity, config_.meta.get("problem", ""),
                                            config_.meta.get("expected", ""), count,
                                            list(result.result.get("unexpected_index_list") or [])))
    if docs_dir is not None:
        make_offline(docs_dir)
    docs_index = docs_dir / "index.html" if docs_dir is not None else None
    return ValidationReport(pd.DataFrame(summary_rows), failures, docs_index)
