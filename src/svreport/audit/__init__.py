"""For auditors: ``rerun`` re-runs a year from its inputs and compares with what was published;
``reconcile`` checks a report's printed figures against the ledger."""
