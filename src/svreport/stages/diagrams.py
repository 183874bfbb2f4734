"""Diagrams 1-6 of the Cabinet paper, drawn from the ledger with matplotlib, and Diagram 7, the trend
since the policy began, drawn from the quarterly series with its printed points from the ledger.

Diagrams 1 and 4 show the total and each of the config's categories; 2, 3, 5 and 6 show the
figures the config's ``diagrams:`` names, or the year's largest measures by TOMs theme.

Each diagram compares this report with the previous one, carries a headline title and
direct labels (no legend hunting), uses the Okabe-Ito colour-blind-safe palette, and comes
with alt text generated from the same figures. SVG output is byte-identical on rerun
(fixed hash salt, no date metadata).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from svreport.core import formatting  # noqa: E402
from svreport.core.config import CouncilConfig, Position  # noqa: E402
from svreport.core.layout import DIAGRAMS_INDEX  # noqa: E402
from svreport.core.vocabulary import MONEY  # noqa: E402
from svreport.stages.ledger import ledger_units, ledger_values, measures_with_figures  # noqa: E402
from svreport.stages.series import TREND_NUMBER, trend_points  # noqa: E402

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




def _panel(values: dict[str, float], label: str, key: str, formatter: str) -> Panel | None:
    """A panel for one ledger figure, or None when this year's data has no such figure."""
    if key not in values:
        return None
    return Panel(label, values.get(f"previous.{key}"), values[key], formatter)


def _style_for(key: str, units: dict[str, str]) -> str:
    """Money in the text's style; counts of units as numbers."""
    return "gbp_auto" if key.endswith(".value") or units.get(key) == MONEY else "number"


def _short(title: str, limit: int = 64) -> str:
    """A measure's title cut at a word to fit a panel's heading."""
    if len(title) <= limit:
        return title
    return title[: title.rfind(" ", 0, limit - 1)].rstrip(",:;") + "…"


# Diagrams 2, 3, 5 and 6 when the config does not set them: the year's largest measures by proxy value,
# Jobs-theme measures in 2 and 5, the other themes' in 3 and 6.
DEFAULT_MEASURE_DIAGRAMS = {
    2: ("committed", True, "The largest commitments to jobs and skills",
        "Diagram 2: The largest commitments under the Jobs theme, each in its own units"),
    3: ("committed", False, "The largest commitments under the other TOMs themes",
        "Diagram 3: The largest commitments under the {themes} themes"),
    5: ("delivered", True, "The largest outcomes delivered for jobs and skills",
        "Diagram 5: The largest outcomes delivered under the Jobs theme, each in its own units"),
    6: ("delivered", False, "The largest outcomes delivered under the other TOMs themes",
        "Diagram 6: The largest outcomes delivered under the {themes} themes"),
}
PANELS_PER_DEFAULT_DIAGRAM = 4
JOBS_THEME = "Jobs"


def _default_diagram(number: int, ledger, v: dict[str, float], measures) -> Diagram:
    stage, jobs, title, caption = DEFAULT_MEASURE_DIAGRAMS[number]
    chosen = sorted((f for f in measures_with_figures(ledger, measures, stage)
                     if (str(f.measure["theme"]) == JOBS_THEME) == jobs),
                    key=lambda f: (-f.value, f.code))[:PANELS_PER_DEFAULT_DIAGRAM]
    panels = tuple(_panel(v, f"{_short(str(f.measure['title']))} ({f.code})", f.key,
                          "gbp_auto" if f.key.endswith(".value") else "number_auto")  # as measures_md prints them
                   for f in chosen)
    themes = sorted({str(f.measure["theme"]) for f in chosen})
    named = ", ".join(themes[:-1]) + f" and {themes[-1]}" if len(themes) > 1 else "".join(themes)
    return Diagram(number, title, caption.format(themes=named), panels)


def define_diagrams(ledger, position: Position, config: CouncilConfig, measures) -> list[Diagram]:
    """Diagrams 1-6. Diagrams 1 and 4 have a panel for the total and for each category of the config;
    2, 3, 5 and 6 are the config's (``diagrams:``) or, where it sets none, the year's largest measures
    (``DEFAULT_MEASURE_DIAGRAMS``). A panel whose figure the data lacks is left out, and a diagram left
    with no panel is not drawn."""
    v = ledger_values(ledger)
    units = ledger_units(ledger)
    m = formatting.gbp_millions
    categories = [(c.name, c.key) for c in config.categories]
    totals = {
        1: Diagram(1, f"Social value committed has reached {m(v['committed.total'])}",
                   "Diagram 1: Total value of social value commitments",
                   (_panel(v, "All contracts", "committed.total", "gbp_auto"),
                    *(_panel(v, name, f"committed.category.{c}", "gbp_auto") for name, c in categories))),
        4: Diagram(4, f"Validated social value delivered has reached {m(v['delivered.total'])}",
                   "Diagram 4: Social value commitments delivered",
                   (_panel(v, "All contracts", "delivered.total", "gbp_auto"),
                    *(_panel(v, name, f"delivered.category.{c}", "gbp_auto") for name, c in categories))),
    }
    diagrams = []
    for number in range(1, 7):
        if number in totals:
            diagrams.append(totals[number])
        elif number in config.diagrams:
            chosen = config.diagrams[number]
            diagrams.append(Diagram(number, chosen.title, chosen.caption, tuple(
                _panel(v, panel.label, panel.figure, panel.style or _style_for(panel.figure, units))
                for panel in chosen.panels)))
        else:
            diagrams.append(_default_diagram(number, ledger, v, measures))
    kept = [replace(d, panels=tuple(p for p in d.panels if p is not None)) for d in diagrams]
    return [_with_alt(d, position) for d in kept if d.panels]


def _with_alt(diagram: Diagram, position: Position) -> Diagram:
    comparator_year = position.comparator
    parts = []
    for panel in diagram.panels:
        fmt = formatting.PANEL_STYLES[panel.formatter_name]
        if panel.previous is not None and comparator_year:
            parts.append(f"{panel.label}: {fmt(panel.previous)} in the {comparator_year} report, "
                         f"{fmt(panel.current)} {position.in_words}")
        else:
            parts.append(f"{panel.label}: {fmt(panel.current)}")
    alt = f"Bar chart. {diagram.title}. " + "; ".join(parts) + "."
    if not diagram.shared_scale:
        alt += " " + OWN_SCALES_NOTE
    return Diagram(diagram.number, diagram.title, diagram.caption, diagram.panels, alt)


def draw(diagram: Diagram, position: Position):
    """One horizontal bar panel per figure: previous report (orange) above this report (blue)."""
    comparator_year = position.comparator
    with plt.rc_context(STYLE):
        count = len(diagram.panels)
        note = 0.0 if diagram.shared_scale else 0.3
        figure, axes = plt.subplots(count, 1, figsize=(7.2, 0.35 + note + 1.05 * count), squeeze=False)
        every_value = [v or 0.0 for panel in diagram.panels for v in (panel.previous, panel.current)]
        shared_top = (max(every_value) or 1.0) if diagram.shared_scale else None
        for axis, panel in zip(axes[:, 0], diagram.panels, strict=True):
            fmt = formatting.PANEL_STYLES[panel.formatter_name]
            bars = [(f"{comparator_year} report", panel.previous, PREVIOUS_COLOUR)] if (
                panel.previous is not None and comparator_year) else []
            bars.append((position.bar_label, panel.current, CURRENT_COLOUR))
            labels = [b[0] for b in bars]
            values = [b[1] or 0.0 for b in bars]
            rows = list(range(len(bars)))[::-1]
            axis.barh(rows, values, color=[b[2] for b in bars], height=0.62)
            top = shared_top or max(values) or 1.0
            for row, value in zip(rows, values, strict=True):
                axis.text(value + top * 0.015, row, fmt(value), va="center", ha="left", fontsize=10,
                          fontweight="bold")
            axis.set_xlim(0, top * 1.32)
            axis.set_yticks(rows, labels)
            axis.set_xticks([])
            axis.spines["bottom"].set_visible(False)
            axis.set_title(panel.label, loc="left", fontsize=10.5, pad=4)
        figure.suptitle(diagram.title, x=0.01, ha="left", fontsize=13, fontweight="bold")
        if not diagram.shared_scale:
            figure.text(0.01, 0.01, OWN_SCALES_NOTE, ha="left", va="bottom", fontsize=9, style="italic")
        figure.tight_layout(rect=(0, note / (0.35 + note + 1.05 * count), 1, 0.97))
    return figure


COMMITTED_COLOUR, DELIVERED_COLOUR = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion
LABEL_APART_DAYS = 300  # cut-off marks closer than this have their labels set either side of their lines


@dataclass(frozen=True)
class TrendDiagram:
    """Cumulative social value committed and validated delivery since the policy began, quarter by quarter,
    with each report year's cut-off marked; the points it labels are the ledger's ``trend.*`` figures."""

    number: int
    title: str
    caption: str
    alt: str
    periods: tuple[str, ...]  # period ends, ISO
    committed: tuple[float, ...]
    delivered: tuple[float, ...]
    cutoffs: tuple[tuple[str, int | None, float, float], ...]  # (day ISO, report year or None, committed, delivered)


def define_trend(series, ledger, position: Position, config: CouncilConfig) -> TrendDiagram | None:
    """Diagram 7 from ``series.csv`` (the lines) and the ledger (the labelled points); None without two periods."""
    if series is None or series.empty:
        return None
    total = series[series["breakdown"] == "total"]
    committed = total[total["series"] == "committed"].sort_values("period")
    delivered = total[total["series"] == "delivered"].sort_values("period")
    if len(committed) < 2:
        return None
    v = ledger_values(ledger)
    m = formatting.gbp_millions
    cutoffs = tuple(trend_points(v, config))
    start, end = config.policy_start, position.cutoff
    since = f"{start:%B %Y}"
    points = "; ".join(f"{point_words(day, number)}: {m(c, word=True)} "
                       f"committed and {m(d, word=True)} delivered" for day, number, c, d in cutoffs)
    last = cutoffs[-1]
    title = f"Validated delivery has reached {m(last[3])} against {m(last[2])} committed"
    marked = "each report's cut-off" + ("" if position.is_annual else " and the date of this update")
    alt = (f"Line chart. {title} since {since}. Cumulative social value committed and validated delivery, "
           f"quarter by quarter, from {since} to {end:%B %Y}, with {marked} marked: {points}.")
    return TrendDiagram(TREND_NUMBER, title, f"Diagram {TREND_NUMBER}: Social value committed and delivered "
                        f"since the policy began, {since} to {end:%B %Y}", alt,
                        tuple(committed["period_end"].astype(str)), tuple(committed["cumulative_value"].astype(float)),
                        tuple(delivered["cumulative_value"].astype(float)), cutoffs)


def point_words(day: str, number: int | None) -> str:
    """A labelled point of the trend: "at the 2025 report's cut-off, 30 November 2024", or "at 31 May 2025"."""
    return f"at the {number} report's cut-off, {formatting.long_date(day)}" if number else \
        f"at {formatting.long_date(day)}"


def draw_trend(trend: TrendDiagram):
    """Two cumulative lines, labelled at their ends; a dashed line and label at each report's cut-off."""
    import matplotlib.dates as mdates
    import numpy as np

    with plt.rc_context(STYLE):
        figure, axis = plt.subplots(figsize=(7.2, 3.9))
        days = np.array(trend.periods, dtype="datetime64[D]")
        for values, colour, label in ((trend.committed, COMMITTED_COLOUR, "Committed"),
                                      (trend.delivered, DELIVERED_COLOUR, "Validated delivery")):
            axis.plot(days, values, color=colour, linewidth=2.4, marker="o", markersize=3)
            axis.annotate(f"{label}\n{formatting.gbp_millions(values[-1])}", (days[-1], values[-1]),
                          xytext=(6, 0), textcoords="offset points", va="center", color=colour,
                          fontweight="bold", fontsize=9.5)
        top = max(trend.committed) or 1.0
        marked = [np.datetime64(day, "D") for day, _, _, _ in trend.cutoffs]
        close = [bool(b - a < np.timedelta64(LABEL_APART_DAYS, "D")) for a, b in zip(marked, marked[1:], strict=False)]
        for i, (day, number, _, _) in enumerate(trend.cutoffs):
            axis.axvline(marked[i], color="#555555", linestyle="--", linewidth=0.9)
            label = f"{number}\nreport" if number else f"{formatting.long_date(day).split(' ', 1)[1]}\nupdate"
            # two marks close together (a report and an update six months on): labels either side, not on top
            side = "right" if i < len(close) and close[i] else "left" if i and close[i - 1] else "center"
            axis.annotate(label, (marked[i], top * 1.1), xytext=({"right": -3, "left": 3, "center": 0}[side], 0),
                          textcoords="offset points", ha=side, va="bottom", fontsize=8.5,
                          bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
        axis.set_ylim(0, top * 1.22)
        axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: formatting.gbp_millions(x, 0)))
        axis.xaxis.set_major_locator(mdates.YearLocator())
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        axis.set_xlim(days[0] - np.timedelta64(30, "D"), days[-1] + np.timedelta64(330, "D"))
        axis.grid(axis="y", color="#dddddd", linewidth=0.6)
        axis.set_axisbelow(True)
        figure.suptitle(trend.title, x=0.01, ha="left", fontsize=12, fontweight="bold")
        figure.tight_layout(rect=(0, 0, 1, 0.97))
    return figure


def write_diagrams(ledger, position: Position, folder: Path,
                   config: CouncilConfig, measures, series=None) -> list[Path]:
    """Write diagram_N.svg, diagram_N.png and diagram_N.alt.txt, plus diagrams.json (titles, captions, alt)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = []
    trend = define_trend(series, ledger, position, config)
    for diagram in [*define_diagrams(ledger, position, config, measures), *([trend] if trend else [])]:
        figure = draw_trend(diagram) if isinstance(diagram, TrendDiagram) else draw(diagram, position)
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
    index_path = folder / DIAGRAMS_INDEX
    index_path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, index_path]
