"""The input data contract (docs/data-contract.md) as code: files, columns, header rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

ColumnKind = Literal["text", "date", "money", "number"]


@dataclass(frozen=True)
class Column:
    name: str  # canonical snake_case name used in processed tables
    header: str  # the header as the contract writes it
    kind: ColumnKind
    required: bool = True  # an optional column may be absent: it is then blank in every row
    variants: tuple[str, ...] = ()  # other headers accepted for it (matched the same way)


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key_column: str  # blank or "Total..." here marks a footer row

    def with_headers(self, mapping: dict[str, list[str]]) -> TableSpec:
        """The contract with a council's own headers: for each field ``mapping`` names, its headers replace the
        contract's (the first one is how messages name the column); other fields keep the contract's."""
        columns = tuple(replace(c, header=mapping[c.name][0], variants=tuple(mapping[c.name][1:]))
                        if mapping.get(c.name) else c for c in self.columns)
        return replace(self, columns=columns)

    @property
    def headers(self) -> dict[str, str]:
        """Normalised header -> canonical column name."""
        return {normalise_header(header): c.name for c in self.columns for header in (c.header, *c.variants)}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def header_of(self, name: str) -> str | None:
        """The contract's header for a clean column, or None for a column the pipeline adds."""
        return next((c.header for c in self.columns if c.name == name), None)


COMMITMENTS = TableSpec(
    name="portal_commitments",
    key_column="contract_reference",
    columns=(
        Column("contract_reference", "Contract Reference", "text"),
        Column("contract_name", "Contract Name", "text"),
        Column("supplier_name", "Supplier Name", "text"),
        Column("category", "Category", "text"),
        Column("award_date", "Award Date", "date"),
        Column("contract_value", "Contract Value (£)", "money"),
        Column("measure_id", "Measure ID", "text"),
        Column("measure_description", "Measure Description", "text"),
        Column("units_committed", "Units Committed", "number"),
        Column("unit", "Unit", "text"),
        Column("value_committed", "Social Value Committed (£)", "money"),
        # Optional: the quarterly figure by service area and the contract tracker use them when present.
        Column("service_area", "Service Area", "text", required=False,
               variants=("Directorate", "Service", "Commissioning Service Area")),
        Column("contract_end_date", "Contract End Date", "date", required=False,
               variants=("End Date", "Contract End", "Expiry Date", "Contract Expiry Date")),
    ),
)

DELIVERY = TableSpec(
    name="portal_delivery",
    key_column="contract_reference",
    columns=(
        Column("contract_reference", "Contract Reference", "text"),
        Column("measure_id", "Measure ID", "text"),
        Column("period_end", "Reporting Period End", "date"),
        Column("units_delivered", "Units Delivered", "number"),
        Column("value_delivered", "Social Value Delivered (£)", "money"),
        Column("validation_status", "Validation Status", "text"),
    ),
)

# A Companies House number, in the payments or the supplier records: optional in both.
COMPANY_NUMBER = Column("company_number", "Company Number", "text", required=False,
                        variants=("Company Registration Number", "Companies House Number", "Company No"))

# Payments: the Transparency Code's fields. A council's files name them in their own way (config: spend.columns).
# Only the reference, date, supplier and amount are required; real files carry no postcode (local suppliers are
# found from the supplier records below) and many no supplier ID.
SPEND = TableSpec(
    name="supplier_spend",
    key_column="transaction_number",
    columns=(
        Column("transaction_number", "Transaction Number", "text"),
        Column("payment_date", "Payment Date", "date"),
        Column("supplier_id", "Supplier ID", "text", required=False),
        Column("supplier_name", "Supplier Name", "text"),
        Column("supplier_postcode", "Supplier Postcode", "text", required=False),
        COMPANY_NUMBER,
        Column("service_area", "Service Area", "text", required=False),
        Column("expense_type", "Expense Type", "text", required=False),
        Column("amount", "Amount (£)", "money"),
    ),
)

# The finance system's supplier records, beside the payments: where each supplier is.
SUPPLIERS = TableSpec(
    name="suppliers",
    key_column="supplier_name",
    columns=(
        Column("supplier_id", "Supplier ID", "text", required=False),
        Column("supplier_name", "Supplier Name", "text"),
        Column("supplier_postcode", "Supplier Postcode", "text", variants=("Postcode", "Post Code")),
        COMPANY_NUMBER,
    ),
)
# Where a field may be blank, these placeholders mean blank (never in a required field).
PLACEHOLDERS = frozenset({"-", "--", "\u2013", "\u2014", "n/a", "n.a.", "n/k", "not applicable"})

PORTAL_TABLES = (COMMITMENTS, DELIVERY)
CLEAN_TABLE_SPECS = {"commitments": COMMITMENTS, "delivery": DELIVERY, "spend": SPEND}  # clean table -> its export
VALIDATION_STATUSES = ("Validated", "Pending", "Rejected", "Awaiting Evidence")
SPEND_FILE_PATTERN = re.compile(r"^supplier_spend_(\d{4})-(\d{2})(\.csv|\.xlsx|)$", re.IGNORECASE)
SUPPLIERS_FILE_PATTERN = re.compile(r"^suppliers.*\.(csv|xlsx)$", re.IGNORECASE)
MAX_TITLE_ROWS = 10  # XLSX: up to 10 title/blank rows above the header

_TRAILING_POUND = re.compile(r"\s*(\(£\)|£)\s*$")
_TRAILING_MARK = re.compile(r"[\s:.]+$")


def normalise_header(header: object) -> str:
    """Case-insensitive; ignore outer and repeated spaces, a trailing '(£)' or '£' and a trailing ':' or '.'
    ('Name:  ', 'HBC Ref No.')."""
    text = " ".join(str(header).replace("\ufeff", "").split()).lower()
    return _TRAILING_MARK.sub("", _TRAILING_POUND.sub("", _TRAILING_MARK.sub("", text))).strip()
