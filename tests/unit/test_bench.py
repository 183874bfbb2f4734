"""The benchmark report's arithmetic and verdicts (no timing here: timings are not unit-tested)."""

from __future__ import annotations

from svreport_dev.bench import Measured, report_markdown


def _series_tracker(series: float, tracker: float, contracts: int, before: float, after: float) -> dict:
    return {"series": series, "tracker": tracker, "contracts": contracts, "rss_before_mb": before, "rss_after_mb": after}


def _results(forced_run: float) -> dict:
    stages = [{"notebook": n, "seconds": 1.0, "year": y} for y in (2024, 2025)
              for n in ("01_clean.ipynb", "02_validate.ipynb", "03_metrics.ipynb", "04_diagrams.ipynb")]
    render = {"formats": {"prepare sources": 0.2, "html": 0.4, "docx": 0.4, "pdf": 0.5, "pack pdf": 0.3}}
    return {
        "year": 2025,
        "cold_run": Measured(12.0, 0, {"stages": stages}), "cold_render": Measured(2.0, 0, render),
        "warm_run": Measured(0.5, 0), "warm_render": Measured(0.6, 0, render),
        "forced_run": Measured(forced_run, 0, {"stages": stages[4:]}), "forced_render": Measured(2.0, 0, render),
        "floor": Measured(8.0, 0), "kernel_start": 2.0,
        "narrative_run": Measured(0.5, 0), "narrative_render": Measured(1.0, 0, render),
        "traces": {"a figure to its rows": Measured(0.9, 0), "a row to its figures": Measured(2.4, 0)},
        "series_tracker": _series_tracker(0.1, 0.2, 157, 200.0, 204.0),
        "monthly_files": {"payments": 39_622, "one_file": 0.40, "twelve_files": 0.64},
        "scales": [{"scale": 4, "portal_rows": 10_000, "clean": 0.2, "validate": 4.0, "metrics": 0.2, "diagrams": 1,
                    "process_seconds": 6, "peak_rss_mb": 400.0, "series_tracker": _series_tracker(0.2, 0.3, 600, 300, 310)},
                   {"scale": 366, "portal_rows": 1_000_000, "clean": 8.0, "validate": 50.0, "metrics": 4.0,
                    "diagrams": 1, "process_seconds": 70, "peak_rss_mb": 2500.0,
                    "series_tracker": _series_tracker(2.0, 9.0, 57_000, 1000.0, 1250.0)}],
    }


def test_targets_met_and_missed_are_reported():
    text = report_markdown(_results(forced_run=6.0))
    assert "| 0.40 s | 0.64 s | 1.60x | **missed** |" in text  # twelve monthly files: within 1.5x of one
    assert "| warm `make report`, nothing changed, <= 15 s | 1.1 s | met |" in text
    assert "| forced, <= 2x the floor (8.0 s: same stages in one process, then pandoc/Typst) | 1.00x | met |" in text
    assert "| narrative-only change then `make report`, <= 3 s | 1.5 s | met |" in text
    assert "| `svreport trace`, a figure to its rows (`delivered.total`), <= 2 s | 0.9 s | met |" in text
    assert "a row to its figures (`--row portal_delivery.csv:66`), <= 2 s | 2.4 s | **missed** |" in text
    assert "| x366 | 1,000,000 | 8.0 s | 50.0 s | 4.0 s | 62.0 s | 6.20 s | 2,500 MB |" in text
    assert "62.0 s against a target of 60 s (**missed**), peak 2.50 GB against 2 GB (**missed**)" in text
    assert "| sample | 157 | 0.1 s | 0.2 s | 0.3 s | 200 MB | 204 MB | +2% | met |" in text
    # 11 s is over the 10 s target, and 25% more memory over the 20% allowed
    assert "| x366 (1,000,000 portal rows) | 57,000 | 2.0 s | 9.0 s | 11.0 s | 1,000 MB | 1,250 MB | +25% | **missed** |" \
        in text
    slow = report_markdown(_results(forced_run=20.0))
    assert "every stage forced to re-run, <= 15 s | 22.0 s | **missed** |" in slow
    assert "| 2.75x | **missed** |" in slow
