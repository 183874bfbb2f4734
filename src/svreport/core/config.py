"""The council's configuration file: one per council, validated field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from svreport.core.errors import InputError
from svreport.core.formatting import PANEL_STYLES, long_date
from svreport.core.vocabulary import MEASURE_CODE_PATTERN
from svreport.core.yamlio import load_yaml

POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?( \d)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Council(_Strict):
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    area: str = Field(min_length=1, description="the borough as the narrative names it")


class Paths(_Strict):
    """Folders, relative to the project root (or absolute)."""

    raw: str = "data/raw"
    processed: str = "data/processed"
    reference: str = "data/reference"
    narrative: str = "report/narrative"  # the council's report folder: <narrative>/<year>/ per report


class ReportYear(_Strict):
    cutoff: date
    comparator: int | None = None
    committee: str = "Cabinet"
    meeting_date: date | None = None


AS_AT_PREFIX = "as-at-"  # an as-at run's folder under data/raw/ and data/processed/: as-at-2025-05-31


@dataclass(frozen=True)
class Position:
    """What one run of the pipeline counts: an annual report year at its configured cut-off, or the position
    at any date (an as-at run), counted by the same rules with that date as the cut-off.

    ``comparator`` is the report year the figures are compared with: the year's configured comparator, or for
    an as-at run the last annual report before the date. ``name`` is the run's folder under the raw exports
    and the processed outputs: ``2025``, or ``as-at-2025-05-31``.
    """

    cutoff: date
    year: int | None = None
    comparator: int | None = None
    committee: str = "Cabinet"
    meeting_date: date | None = None

    @property
    def is_annual(self) -> bool:
        return self.year is not None

    @property
    def name(self) -> str:
        return str(self.year) if self.year is not None else f"{AS_AT_PREFIX}{self.cutoff.isoformat()}"

    @property
    def bar_label(self) -> str:
        """How a diagram labels this run's bar: '2025 report', or '31 May 2025'."""
        return f"{self.year} report" if self.year is not None else long_date(self.cutoff)

    @property
    def label(self) -> str:
        """'2025 report', or 'position at 31 May 2025'."""
        return f"{self.year} report" if self.year is not None else f"position at {long_date(self.cutoff)}"

    @property
    def option(self) -> str:
        """The command-line option that names this run: '--year 2025', or '--as-at 2025-05-31'."""
        return f"--year {self.year}" if self.year is not None else f"--as-at {self.cutoff.isoformat()}"

    @property
    def in_words(self) -> str:
        """'in 2025', or 'at 31 May 2025'."""
        return f"in {self.year}" if self.year is not None else f"at {long_date(self.cutoff)}"


def parse_as_at(text: str) -> date | None:
    """The date of an as-at run's folder name (as-at-2025-05-31), or None for any other name."""
    if not text.startswith(AS_AT_PREFIX):
        return None
    try:
        return date.fromisoformat(text.removeprefix(AS_AT_PREFIX))
    except ValueError:
        return None


def key_part(name: str) -> str:
    """A name (a category, a service area) as a ledger key part: "Children's Services" -> children_s_services;
    a blank name is 'not_known'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "not_known"


class Category(_Strict):
    name: str = Field(pattern=r"^[A-Z][A-Za-z0-9 '&,-]*[A-Za-z0-9]$", description="as the report prints it")
    label: str
    covers: str = ""
    variants: list[str] = Field(default_factory=list, description="other spellings seen in exports")

    @property
    def key(self) -> str:
        """The name in ledger keys: 'Places' -> places, "Children's Services" -> children_s_services."""
        return key_part(self.name)


class ExcludedContract(_Strict):
    reference: str = Field(min_length=1)
    supplier: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class MeasureGroup(_Strict):
    label: str
    measures: list[Annotated[str, Field(pattern=MEASURE_CODE_PATTERN)]] = Field(min_length=1)


DIAGRAM_FIGURE = r"^(committed|delivered)\.(measure\.NT\d+[a-z]?|group\.[a-z][a-z0-9_]*)\.(units|value)$"
CONFIGURABLE_DIAGRAMS = (2, 3, 5, 6)  # 1 and 4 are always the total and the categories


class DiagramPanel(_Strict):
    label: str = Field(min_length=1)
    figure: str = Field(pattern=DIAGRAM_FIGURE, description="a ledger key, e.g. committed.measure.NT3.units")
    style: str | None = Field(default=None, pattern=f"^({'|'.join(PANEL_STYLES)})$",
                              description="how the bar's label prints; default: number for units, gbp_auto for £")


class DiagramDefinition(_Strict):
    title: str = Field(min_length=1)
    caption: str = Field(min_length=1)
    panels: list[DiagramPanel] = Field(min_length=1, max_length=6)


# The fields of a payments file and of the supplier records (io.contract's SPEND and SUPPLIERS: a unit test holds
# them equal), which a council maps to its own headers.
SPEND_FIELDS = ("transaction_number", "payment_date", "supplier_id", "supplier_name", "supplier_postcode",
                "company_number", "service_area", "expense_type", "amount")
SUPPLIER_FIELDS = ("supplier_id", "supplier_name", "supplier_postcode", "company_number")
FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
Headers = list[Annotated[str, Field(min_length=1)]]


def _known_fields(mapping: dict[str, Headers], fields: tuple[str, ...]) -> dict[str, Headers]:
    for name, headers in mapping.items():
        if name not in fields:
            raise ValueError(f"'{name}' is not a field of the file; the fields are {', '.join(fields)}")
        if not headers:
            raise ValueError(f"'{name}' lists no headers")
    return mapping


class Spend(_Strict):
    """How this council's finance exports are written (docs/data-contract.md, 'Payments')."""

    # field -> the headers this council's files use for it (any of them; the first names it in messages).
    columns: dict[str, Headers] = Field(default_factory=dict)
    supplier_columns: dict[str, Headers] = Field(default_factory=dict)
    # What the amounts are, as the council's transparency page says: said in the paper's method note.
    amounts: Literal["net", "gross"] = "net"
    # keep: identical lines are separate payments (real invoices repeat a line); remove: this export repeats rows.
    duplicate_lines: Literal["keep", "remove"] = "keep"
    # A year's files may hold payments dated up to this many days outside it (card statements paid a month or
    # two later); they count in the year the council published them for. 0: every payment dated inside the year.
    days_outside_year: int = Field(default=0, ge=0, le=92)
    # Financial years whose payments do not cover every month, accepted for the report with the reason.
    accept_incomplete: dict[Annotated[str, Field(pattern=FINANCIAL_YEAR)], Annotated[str, Field(min_length=1)]] = \
        Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _payment_fields(cls, mapping: dict[str, Headers]) -> dict[str, Headers]:
        return _known_fields(mapping, SPEND_FIELDS)

    @field_validator("supplier_columns")
    @classmethod
    def _supplier_fields(cls, mapping: dict[str, Headers]) -> dict[str, Headers]:
        return _known_fields(mapping, SUPPLIER_FIELDS)


class Tracker(_Strict):
    """What the contract tracker flags for the contract manager (docs/data-contract.md, 'The bridge')."""

    # A contract whose counted commitment (or validated delivery) moved by at least this share of what the
    # compared report counted, either way, or that is no longer counted, is flagged.
    revision_share: float = Field(default=0.2, gt=0, le=1)


class CouncilConfig(_Strict):
    council: Council
    paths: Paths = Paths()
    policy_start: date
    report_years: dict[int, ReportYear] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    local_postcode_prefixes: list[str] = Field(min_length=1)
    excluded_contracts: list[ExcludedContract] = Field(default_factory=list)
    measure_groups: dict[str, MeasureGroup] = Field(default_factory=dict)
    # The committee a mid-year update (an as-at run) goes to.
    scrutiny_committee: str = Field(default="Overview and Scrutiny Committee", min_length=1)
    # Diagrams 2, 3, 5 and 6: the council's choice of figures; a diagram not listed shows the largest
    # measures of the year by TOMs theme (see diagrams.py).
    diagrams: dict[int, DiagramDefinition] = Field(default_factory=dict)
    spend: Spend = Spend()
    tracker: Tracker = Tracker()

    @field_validator("local_postcode_prefixes")
    @classmethod
    def _prefixes_are_postcode_districts_or_sectors(cls, prefixes: list[str]) -> list[str]:
        normalised = [" ".join(p.upper().split()) for p in prefixes]
        for prefix in normalised:
            if not POSTCODE_PREFIX.match(prefix):
                raise ValueError(
                    f"'{prefix}' is not a postcode district (e.g. S60) or sector (e.g. S63 7)"
                )
        return normalised

    @model_validator(mode="after")
    def _years_are_consistent(self) -> CouncilConfig:
        for year, entry in self.report_years.items():
            if entry.cutoff <= self.policy_start:
                raise ValueError(
                    f"report_years.{year}.cutoff {entry.cutoff} is not after policy_start "
                    f"{self.policy_start}"
                )
            if entry.comparator is not None and entry.comparator not in self.report_years:
                raise ValueError(
                    f"report_years.{year}.comparator {entry.comparator} has no entry in report_years"
                )
            if entry.comparator is not None and entry.comparator >= year:
                raise ValueError(f"report_years.{year}.comparator must be an earlier year")
        for number, diagram in self.diagrams.items():
            if number not in CONFIGURABLE_DIAGRAMS:
                raise ValueError(f"diagrams.{number}: only diagrams {', '.join(map(str, CONFIGURABLE_DIAGRAMS))} are "
                                 "set in the config (1 and 4 show the total and each category)")
            for index, panel in enumerate(diagram.panels):
                group = panel.figure.split(".")[2] if ".group." in panel.figure else None
                if group is not None and group not in self.measure_groups:
                    raise ValueError(f"diagrams.{number}.panels.{index}.figure names measure group '{group}', which "
                                     "is not under measure_groups")
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError(f"categories: names must be unique, got {names}")
        keys = [c.key for c in self.categories]
        if len(set(keys)) != len(keys):
            raise ValueError(f"categories: names must differ in more than spacing and punctuation, got {names}")
        return self

    @field_validator("categories")
    @classmethod
    def _each_spelling_names_one_category(cls, categories: list[Category]) -> list[Category]:
        owner: dict[str, str] = {}
        for category in categories:
            for spelling in [category.name, category.label, *category.variants]:
                key = " ".join(spelling.split()).lower()
                if owner.setdefault(key, category.name) != category.name:
                    raise ValueError(f"'{spelling}' is listed under both {owner[key]} and {category.name}, so "
                                     "rows spelt that way could belong to either")
        return categories

    @field_validator("excluded_contracts")
    @classmethod
    def _each_contract_excluded_once(cls, contracts: list[ExcludedContract]) -> list[ExcludedContract]:
        seen: set[str] = set()
        for contract in contracts:
            if contract.reference in seen:
                raise ValueError(f"contract {contract.reference} is listed twice")
            seen.add(contract.reference)
        return contracts

    def year(self, year: int, source: str | Path = "config") -> ReportYear:
        if year not in self.report_years:
            known = ", ".join(str(y) for y in sorted(self.report_years))
            raise InputError(
                source,
                f"report year {year} has no entry under report_years",
                expected=f"one of {known}, or add {year} with its cut-off date",
            )
        return self.report_years[year]

    def position(self, year: int, source: str | Path = "config") -> Position:
        """An annual report year's run: its cut-off and comparator from ``report_years``."""
        entry = self.year(year, source)
        return Position(entry.cutoff, year, entry.comparator, entry.committee, entry.meeting_date)

    def as_at(self, day: date, source: str | Path = "config") -> Position:
        """The position at any date after the policy start, compared with the last annual report before it."""
        if day <= self.policy_start:
            raise InputError(source, f"--as-at {day.isoformat()} is not after policy_start {self.policy_start}",
                             expected="a date after the Social Value Policy took effect")
        earlier = [y for y, entry in self.report_years.items() if entry.cutoff < day]
        return Position(day, None, max(earlier, key=lambda y: self.report_years[y].cutoff, default=None),
                        self.scrutiny_committee)

    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def excluded_references(self) -> set[str]:
        return {c.reference for c in self.excluded_contracts}


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def load_config(path: str | Path) -> CouncilConfig:
    """Read and check a council config; any problem is an InputError naming the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "config file not found", expected="a YAML file such as config/rotherham.yml") from None
    raw = load_yaml(text, path, dates_as_text=True)
    if not isinstance(raw, dict):
        raise InputError(path, "config must be a YAML mapping of fields", expected="council:, policy_start:, ...")
    try:
        return CouncilConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = _field_path(error["loc"])
            value = error.get("input")
            shown = "" if isinstance(value, dict | list) or value is None else f", got {value!r}"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"field '{field}': {message}{shown}")
        raise InputError(path, "; ".join(problems)) from None
