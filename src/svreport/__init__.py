"""svreport: a reproducible pipeline for a UK council's Social Value Annual Report to Cabinet."""

__version__ = "0.1.0"
