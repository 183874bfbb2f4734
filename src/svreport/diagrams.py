"""Diagrams 1-6 of the Cabinet paper, drawn from the ledger with matplotlib.

Each diagram compares this report with the previous one, carries a headline title and
direct labels (no legend hunting), uses the Okabe-Ito colour-blind-safe palette, and comes
with alt text generated from the same figures. SVG output is byte-identical on rerun
(fixed hash salt, no date metadata).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import formatting  # noqa: E402
from .config import CouncilConfig  # noqa: E402
from .metrics import ledger_values  # noqa: E402

CURRENT_COLOUR = "#0072B2"  # Okabe-Ito blue
PREVIOUS_COLOUR = "#E69F00"  # Okabe-Ito orange
TEXT_COLOUR = "#1a1a1a"
STYLE = {
    "svg.hashsalt": "svreport",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": "#555555",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
}

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Panel:
    label: str
    previous: float | None
    current: float
    formatter_name: str

    @property
    def measured_in(self) -> str:
        """What the bar measures, for deciding whether panels can share a scale: money, or a count of units."""
        return "money" if self.formatter_name.startswith("gbp") else f"units: {self.label}"


@dataclass(frozen=True)
class Diagram:
    number: int
    title: str  # the headline
    caption: str  # the report's caption ("Diagram 1: ...")
    panels: tuple[Panel, ...]
    alt: str = ""

    @property
    def shared_scale(self) -> bool:
        """Panels of one kind (all money) share one scale, so bar lengths compare across panels; panels
        of different units each have their own, and the chart says so."""
        return len({panel.measured_in for panel in self.panels}) == 1


OWN_SCALES_NOTE = "Each panel has its own scale: compare the bars within a panel, not across panels."


FORMATTERS: dict[str, Formatter] = {
    "gbp_m": lambda v: formatting.gbp_millions(v),
    "gbp_auto": formatting.gbp_auto,  # as the text prints the same figure
    "gbp": formatting.gbp,
    "number": formatting.number,
}


def _panel(values: dict[str, float], label: str, key: str, formatter: str) -> Panel | None:
    """A panel for one ledger figure, or None when this year's data has no such figure."""
    if key not in values:
        return None
    return Panel(label, values.get(f"previous.{key}"), values[key], formatter)


def define_diagrams(ledger, year: int, comparator_year: int | None, config: CouncilConfig) -> list[Diagram]:
    """Diagrams 1-6. Diagrams 1 and 4 have a panel per category of the config; a measure panel whose
    figure the data lacks is left out, and a diagram left with no panel is not drawn."""
    v = ledger_values(ledger)
    m = formatting.gbp_millions
    categories = [(c.name, c.name.lower()) for c in config.categories]
    diagrams = [
        Diagram(1, f"Social value committed has reached {m(v['committed.total'])}",
                "Diagram 1: Total value of social value commitments",
                (_panel(v, "All contracts", "committed.total", "gbp_auto"),
                 *(_panel(v, name, f"committed.category.{c}", "gbp_auto") for name, c in categories))),
        Diagram(2, "Commitments to local skills, employment and the environment",
                "Diagram 2: Outputs on local skills and employment, and environmental protection",
                (_panel(v, "Long-term unemployed hired (FTE, NT3)", "committed.measure.NT3.units", "number"),
                 _panel(v, "Training weeks (NT9)", "committed.measure.NT9.units", "number"),
                 _panel(v, "Hours supporting people into work (NT7/NT11)", "committed.group.support_into_work.units",
                        "number"),
                 _panel(v, "Tonnes CO2e to be saved (NT31)", "committed.measure.NT31.units", "number"))),
        Diagram(3, "Commitments to voluntary groups and the local supply chain",
                "Diagram 3: Support to local VCS groups and local spend on supply chain contracts",
                (_panel(v, "Equipment and resources for VCSEs (NT16)", "committed.measure.NT16.value", "gbp_auto"),
                 _panel(v, "Monetary donations (NT28)", "committed.measure.NT28.value", "gbp_auto"),
                 _panel(v, "Local supply chain spend (NT18)", "committed.measure.NT18.value", "gbp_auto"))),
        Diagram(4, f"Validated social value delivered has reached {m(v['delivered.total'])}",
                "Diagram 4: Social value commitments delivered",
                (_panel(v, "All contracts", "delivered.total", "gbp_auto"),
                 *(_panel(v, name, f"delivered.category.{c}", "gbp_auto") for name, c in categories))),
        Diagram(5, "Local skills, employment and environmental outcomes delivered",
                "Diagram 5: Local skills and employment, and environmental protection units delivered",
                (_panel(v, "Local employees hired or retained (FTE, NT1/a/c)", "delivered.group.local_employment.units",
                        "number"),
                 _panel(v, "Apprenticeship weeks (NT10)", "delivered.measure.NT10.units", "number"),
                 _panel(v, "Support into work, £ (NT7/NT11)", "delivered.group.support_into_work.value", "gbp"),
                 _panel(v, "Tonnes CO2e saved (NT31)", "delivered.measure.NT31.units", "number"))),
        Diagram(6, "Support for voluntary groups and local spend delivered",
                "Diagram 6: Support for VCSE and community groups delivered, with local spend",
                (_panel(v, "Equipment and resources donated (NT16)", "delivered.measure.NT16.value", "gbp_auto"),
                 _panel(v, "Expert business advice hours (NT15)", "delivered.measure.NT15.units", "number"),
                 _panel(v, "Local supply chain (NT18)", "delivered.measure.NT18.value", "gbp"))),
    ]
    kept = [replace(d, panels=tuple(p for p in d.panels if p is not None)) for d in diagrams]
    return [_with_alt(d, year, comparator_year) for d in kept if d.panels]


def _with_alt(diagram: Diagram, year: int, comparator_year: int | None) -> Diagram:
    parts = []
    for panel in diagram.panels:
        fmt = FORMATTERS[panel.formatter_name]
        if panel.previous is not None and comparator_year:
            parts.append(f"{panel.label}: {fmt(panel.previous)} in the {comparator_year} report, "
                         f"{fmt(panel.current)} in {year}")
        else:
            parts.append(f"{panel.label}: {fmt(panel.current)}")
    alt = f"Bar chart. {diagram.title}. " + "; ".join(parts) + "."
    if not diagram.shared_scale:
        alt += " " + OWN_SCALES_NOTE
    return Diagram(diagram.number, diagram.title, diagram.caption, diagram.panels, alt)


def draw(diagram: Diagram, year: int, comparator_year: int | None):
    """One horizontal bar panel per figure: previous report (orange) above this report (blue)."""
    with plt.rc_context(STYLE):
        count = len(diagram.panels)
        note = 0.0 if diagram.shared_scale else 0.3
        figure, axes = plt.subplots(count, 1, figsize=(7.2, 0.35 + note + 1.05 * count), squeeze=False)
        every_value = [v or 0.0 for panel in diagram.panels for v in (panel.previous, panel.current)]
        shared_top = (max(every_value) or 1.0) if diagram.shared_scale else None
        for axis, panel in zip(axes[:, 0], diagram.panels, strict=True):
            fmt = FORMATTERS[panel.formatter_name]
            bars = [(f"{comparator_year} report", panel.previous, PREVIOUS_COLOUR)] if (
                panel.previous is not None and comparator_year) else []
            bars.append((f"{year} report", panel.current, CURRENT_COLOUR))
            labels = [b[0] for b in bars]
            values = [b[1] or 0.0 for b in bars]
            positions = list(range(len(bars)))[::-1]
            axis.barh(positions, values, color=[b[2] for b in bars], height=0.62)
            top = shared_top or max(values) or 1.0
            for position, value in zip(positions, values, strict=True):
                axis.text(value + top * 0.015, position, fmt(value), va="center", ha="left", fontsize=10,
                          fontweight="bold")
            axis.set_xlim(0, top * 1.32)
            axis.set_yticks(positions, labels)
            axis.set_xticks([])
            axis.spines["bottom"].set_visible(False)
            axis.set_title(panel.label, loc="left", fontsize=10.5, pad=4)
        figure.suptitle(diagram.title, x=0.01, ha="left", fontsize=13, fontweight="bold")
        if not diagram.shared_scale:
            figure.text(0.01, 0.01, OWN_SCALES_NOTE, ha="left", va="bottom", fontsize=9, style="italic")
        figure.tight_layout(rect=(0, note / (0.35 + note + 1.05 * count), 1, 0.97))
    return figure


def write_diagrams(ledger, year: int, comparator_year: int | None, folder: Path,
                   config: CouncilConfig) -> list[Path]:
    """Write diagram_N.svg, diagram_N.png and diagram_N.alt.txt, plus diagrams.json (titles, captions, alt)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = []
    for diagram in define_diagrams(ledger, year, comparator_year, config):
        figure = draw(diagram, year, comparator_year)
        stem = folder / f"diagram_{diagram.number}"
        with plt.rc_context(STYLE):
            figure.savefig(stem.with_suffix(".svg"), format="svg", metadata={"Date": None, "Creator": None})
            figure.savefig(stem.with_suffix(".png"), format="png", dpi=150, metadata={"Software": None})
        plt.close(figure)
        alt_path = stem.with_suffix(".alt.txt")
        alt_path.write_text(diagram.alt + "\n", encoding="utf-8")
        written += [stem.with_suffix(".svg"), stem.with_suffix(".png"), alt_path]
        entry = asdict(diagram)
        entry["svg"], entry["png"] = stem.with_suffix(".svg").name, stem.with_suffix(".png").name
        index.append(entry)
    index_path = folder / "diagrams.json"
    index_path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, index_path]
