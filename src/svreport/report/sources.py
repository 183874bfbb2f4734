"""Generated report sources: the Markdown the report's ``{{< generated >}}`` shortcodes insert.

Written to ``report/_generated/`` from the pipeline's outputs (diagrams, ledger, reference
data) and from the year's narrative and author files in the council's report folder
(``<paths.narrative>/<year>/``). Figures are written as ``{{< var ... >}}`` shortcodes and
filled in from ``_variables.yml``, so every printed figure still comes from the ledger.
Author text is checked (no HTML, no raw blocks) before it reaches the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from svreport.core import formatting
from svreport.core.code import code_digest
from svreport.core.errors import InputError
from svreport.core.layout import (
    APPENDIX1_XLSX,
    DIAGRAMS,
    DIAGRAMS_INDEX,
    FIGURE_ROWS,
    GENERATED,
    GENERATED_NAME,
    LEDGER,
    LINEAGE,
    REPORT,
    ROW_OUTCOMES,
    SPEND_COVERAGE,
    TABLES,
    VARIABLES,
    year_dir,
)
from svreport.core.project import Project
from svreport.core.vocabulary import MONEY, unit_symbol, unit_words
from svreport.core.yamlio import load_yaml, read_generated_yaml
from svreport.io.reference import load_mapping, load_measures
from svreport.pipeline.manifest import sha256
from svreport.report.narrative import check_markdown_safe, check_no_html
from svreport.report.pack import pack_md, printed_documents
from svreport.report.shortcodes import (
    PAGEBREAK,
    SHORTCODE,
    conditional_block_lines,
    expand_includes,
    fill_variables,
    has_variable,
    lookup_variable,
    used_variables,
)
from svreport.report.tables import markdown_table, plain_text
from svreport.stages.appendix1 import measures_in_appendix1
from svreport.stages.clean import CleanTables
from svreport.stages.counting import KeySpec, RecordedLineage, formula_words, inputs_of
from svreport.stages.ledger import format_value, ledger_units, ledger_values, measures_with_figures, read_ledger
from svreport.stages.series import trend_points


def _load_yaml(path: Path) -> dict:
    if not path.exists():
        raise InputError(path, "the year's author file is missing", expected=f"{path.name} in {path.parent}/ "
                         "(see report/README.md)")
    text = path.read_text(encoding="utf-8")
    check_no_html(text, path)
    data = load_yaml(text, path) or {}
    if not isinstance(data, dict):
        raise InputError(path, f"the file holds a {type(data).__name__}, not a set of named fields",
                         expected=f"the fields of {path.name}, as in the sample")
    return data


def _rows(path: Path, rows: list, width: int, where: str) -> list[list[object]]:
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != width:
            raise InputError(path, f"{where}, row {index} has {len(row) if isinstance(row, list) else 1} cells",
                             expected=f"{width} cells per row; quote text that contains commas")
    return rows


def var(key: str) -> str:
    """The shortcode printing a ledger figure's form, e.g. var('committed.total.auto')."""
    return "{{< var " + key + " >}}"


def priorities_md(path: Path) -> str:
    data = _load_yaml(path)
    rows = [[item["priority"], " ".join(item["actions"])] for item in data["priorities"]]
    return markdown_table([data.get("heading_priority", "Priority"), data.get("heading_actions", "Actions")], rows)


def equality_md(path: Path) -> str:
    data = _load_yaml(path)
    parts = []
    for section in data["sections"]:
        parts.append(f"# {section['heading']}\n")
        if "text" in section:
            parts.append(section["text"].strip() + "\n")
        if "rows" in section:
            columns = section.get("columns", ["Item", "Detail"])
            parts.append(markdown_table(columns, _rows(path, section["rows"], len(columns), section["heading"])))
    return "\n".join(parts)


def carbon_md(path: Path) -> str:
    data = _load_yaml(path)
    columns = data["columns"]
    parts = [data["introduction"].strip() + "\n", markdown_table(columns, _rows(path, data["rows"], len(columns),
                                                                                 "rows"))]
    parts += ["# Summary\n", data["summary"].strip() + "\n", "# Monitoring\n", data["monitoring"].strip() + "\n"]
    return "\n".join(parts)


def excluded_contracts_md(project: Project) -> str:
    """A sentence naming the contracts the config leaves out of the headline figures, or nothing."""
    excluded = project.config.excluded_contracts
    if not excluded:
        return ""
    listed = "; ".join(f"{c.reference} ({c.supplier}): {c.reason.rstrip('.')}" for c in excluded)
    which = "One contract is" if len(excluded) == 1 else f"{len(excluded)} contracts are"
    return f"{which} left out of these figures, as of every headline figure: {listed}.\n\n"


def appendix1_md(ledger: pd.DataFrame, measures: pd.DataFrame) -> str:
    """Appendix 1's table, its rows those of the CSV and XLSX (``measures_in_appendix1``), figures as shortcodes."""
    rows = []
    for code, measure, keys in measures_in_appendix1(ledger, measures):
        symbol = unit_symbol(str(measure["unit"]))
        units_style = "gbp" if symbol == "£" else "n"
        rows.append([code, measure["title"], symbol,
                     var(f"{keys[0]}.{units_style}"), var(f"{keys[1]}.gbp"),
                     var(f"{keys[2]}.{units_style}"), var(f"{keys[3]}.gbp")])
    rows.append(["**Total**", "", "", "", "**" + var("committed.total.gbp") + "**", "",
                 "**" + var("delivered.total.gbp") + "**"])
    columns = ["Code", "Measure", "Unit", "Units committed", "£ committed", "Units delivered", "£ delivered"]
    return markdown_table(columns, rows, ["l", "l", "l", "r", "r", "r", "r"],
                          caption="Social value committed and delivered, by TOMs measure",
                          weights=[8, 31, 9, 12, 14, 12, 14])


UNCONFIRMED = "not known"


def mapping_md(mapping: pd.DataFrame) -> str:
    """Appendix 2: an introduction naming the substantive changes (those the mapping does not describe as
    wording only), then the table."""
    changes = mapping["change"].astype(str)
    wording_only = changes.str.startswith("Wording simplified") | changes.str.lower().eq(UNCONFIRMED)
    substantive = mapping[~wording_only]
    parts = ["The National TOMs were revised in 2024. This appendix maps each measure the Council uses to the "
             "2024 National TOMs."]
    if len(substantive):
        parts[0] += (" Most changes simplify the wording; these are substantive:" if wording_only.any()
                     else " The changes are:")
        grouped = substantive.groupby(["old_code", "old_title"], sort=False)["change"]
        parts.append("\n".join(f"- **{code}** ({title}): {'; '.join(c.rstrip('.') for c in changes)}."
                                for (code, title), changes in grouped))
    elif wording_only.any():
        parts[0] += " The changes simplify the wording."
    if mapping["new_code"].astype(str).str.lower().eq(UNCONFIRMED).any():
        parts.append(f'Where the new code has not yet been confirmed, the table says "{UNCONFIRMED}".')
    rows = mapping[["old_code", "old_title", "new_code", "change"]].values.tolist()
    table = markdown_table(["Current code", "Current measure", "2024 TOMs code", "Change"], rows,
                           caption="The Council's measures mapped to the 2024 National TOMs")
    return "\n\n".join(parts) + "\n\n" + table


def excluded_md(ledger: pd.DataFrame, measures: pd.DataFrame) -> str:
    """One line per measure delivered on excluded contracts: '- Weeks of apprenticeships ... (NT10): 447'."""
    units = ledger_units(ledger)
    lines = []
    for code, measure in measures.iterrows():
        key = f"excluded.delivered.measure.{code}.units"
        if key not in units:
            continue
        if units[key] == MONEY:
            figure = var(f"excluded.delivered.measure.{code}.value.gbp")
        else:
            word = unit_words(units[key])[1]
            figure = f"{var(key + '.n')} {word}".rstrip()
        lines.append(f"- {measure['title']} ({code}): {figure}")
    return "\n".join(lines) + "\n"


def categories_md(project: Project) -> str:
    """'- **Rotherham Places:** construction, ...' per category ('- **Label**' where the config says nothing more)."""
    return "\n".join(f"- **{c.label}:** {c.covers.rstrip('.')}." if c.covers.strip() else f"- **{c.label}**"
                     for c in project.config.categories) + "\n"


def _compared_or_now(variables: dict, key: str, style: str) -> str:
    """'up from £x to £y, a net increase of ...' when the figure has a comparator, else the figure."""
    return var(f"compare.{key}.up_by") if has_variable(variables, f"compare.{key}") else var(f"{key}.{style}")


def pending_md(ledger: pd.DataFrame) -> str:
    """A sentence on delivery reported but not yet validated (pending or awaiting evidence), and one on delivery
    rejected at validation, or nothing when there is none."""
    sentences = [rejected_md(ledger).strip()]
    if ledger_values(ledger).get("delivered.pending.value"):
        sentences.insert(0, f"A further {var('delivered.pending.value.auto')} of delivery reported for periods up "
                            "to the cut-off is still waiting to be validated and is not counted.")
    text = " ".join(s for s in sentences if s)
    return text + "\n" if text else ""


def rejected_md(ledger: pd.DataFrame) -> str:
    """A sentence on delivery rejected at validation (never 'awaiting': it is not counted and will not be), or
    nothing when none was."""
    if not ledger_values(ledger).get("delivered.status.rejected.value"):
        return ""
    return (f"Delivery of {var('delivered.status.rejected.value.auto')} that suppliers reported for periods up to "
            "the cut-off was rejected at validation, and is not counted.\n")


def spend_method_md(project: Project, processed: Path) -> str:
    """How the spend figures are made: the payments and their amounts (net or gross, as the config declares), how
    a supplier is found local, and for a year the config accepted as incomplete, the months it lacks and why."""
    spend = project.config.spend
    amounts = "net amounts, before VAT" if spend.amounts == "net" else "gross amounts, including VAT"
    area = plain_text(project.config.council.area)
    text = (f"The spend figures count every payment made to suppliers in each financial year, as the Council's "
            f"finance system records it ({amounts}). A payment is local when its supplier's postcode, from the "
            f"payment or from the Council's supplier records, is in one of the postcode districts or sectors covering "
            f"{area}.")
    path = processed / SPEND_COVERAGE
    coverage = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame()
    for financial_year, months in (coverage.groupby("financial_year", sort=True) if not coverage.empty else []):
        short = months[months["covered"].astype(str) != "True"]
        if short.empty:
            continue
        said = formatting.and_list([pd.Period(m).strftime("%B %Y") for m in short["month"]])
        few = "no payments" if (short["payments"] == 0).all() else "few or no payments"
        why = spend.accept_incomplete.get(str(financial_year), "")
        text += (f" The figures for {str(financial_year).replace('-', '/')} are not a full year: {said} "
                 f"{'has' if len(short) == 1 else 'have'} {few} in the Council's published files"
                 + (f" ({plain_text(why.rstrip('.'))})" if why else "") + ".")
    return text + "\n"


def trend_md(project: Project, ledger: pd.DataFrame) -> str:
    """Diagram 7's data: the cumulative position at each report's cut-off (the ledger's ``trend.*``), and why an
    earlier position can differ from what that report printed."""
    points = trend_points(ledger_values(ledger), project.config)
    if not points:
        return ""
    rows = [[f"{year} report, {formatting.long_date(day)}" if year else f"This update, {formatting.long_date(day)}",
             var(f"trend.{day}.committed.auto"), var(f"trend.{day}.delivered.auto")] for day, year, _, _ in points]
    table = markdown_table(["Report and its cut-off", "Committed since the policy began",
                            "Validated delivery since the policy began"], rows, ["l", "r", "r"],
                           caption="The data of the trend diagram: the position at each report's cut-off")
    note = ("" if len(points) == 1 else "\nEarlier positions are shown as this report's exports record them: "
            "delivery validated after an earlier report was published counts in the period it was delivered, and "
            "revised commitments replace the originals, so an earlier position here can differ from the figure that "
            "report printed.\n")
    return table + note


def _contracts(count: float, singular: str, plural: str) -> str:
    """'{{< var ...contracts.n >}} contract was' / '... contracts were': the verb follows the figure."""
    return singular if round(count) == 1 else plural


def _rounding_note(values: dict[str, float], parts: list[str], totals: list[tuple[str, str]], step: int) -> str:
    """A note when the printed parts (to ``step`` pounds) do not add up to a printed total they lead to."""
    def shown(key: str) -> float:
        return float(formatting.round_half_up(values[key] / step, 0)) * step

    for total, start in totals:
        if shown(start) + sum(shown(k) for k in parts) != shown(total):
            return (f"\nThe figures are rounded to the nearest £{step:,}, so the parts may not add up exactly to "
                    "the totals.\n")
    return ""


# The bridge sentence's clause for each kind of revision, in order: (part, its verb by number, the rest).
BRIDGE_CLAUSES = (("revised_down", ("was", "were"), "revised down by {reduction} in all"),
                  ("ended_early", (), "ended early, with {reduction} less committed"),
                  ("withdrawn", ("is", "are"), "no longer counted ({reduction})"),
                  ("revised_up", ("was", "were"), "revised up by {value}"))


def commitment_bridge_md(project: Project, ledger: pd.DataFrame, year: int) -> str:
    """From the compared report's printed commitments to this report's (the ledger's ``bridge.committed.*``):
    what contracts awarded since its cut-off added, and each kind of revision to the contracts it counted, in a
    sentence and a table; when nothing was revised, a sentence saying so. Nothing without a compared report."""
    values = ledger_values(ledger)
    comparator = project.config.year(year).comparator
    if "bridge.committed.previous.value" not in values or comparator is None:
        return ""
    key = "bridge.committed"
    year_words = var("report.comparator_year")
    day = var("report.comparator_cutoff")
    n = {part: values[f"{key}.{part}.contracts"] for part in
         ("previous", "unchanged", "revised_up", "revised_down", "ended_early", "withdrawn", "first_recorded", "new")}
    new = (f"Contracts awarded after the {year_words} report's cut-off ({day}) added {var(f'{key}.new.value.auto')} "
           f"({var(f'{key}.new.contracts.n')} {_contracts(n['new'], 'contract', 'contracts')})" if n["new"] else
           f"No contract has been awarded since the {year_words} report's cut-off ({day})")
    revised = [n[p] for p in ("revised_up", "revised_down", "ended_early", "withdrawn", "first_recorded")]
    if not any(revised):
        return (f"{new}. Each of the {var(f'{key}.previous.contracts.n')} "
                f"{_contracts(n['previous'], 'contract', 'contracts')} the {year_words} report counted is as that "
                "report counted it, so the change since that report is the new awards alone.\n")
    said = [f"{var(f'{key}.{part}.contracts.n')} {_contracts(n[part], *verbs) + ' ' if verbs else ''}"
            + words.format(reduction=var(f"{key}.{part}.reduction.auto"), value=var(f"{key}.{part}.value.auto"))
            for part, verbs, words in BRIDGE_CLAUSES if n[part]]
    if n["unchanged"]:
        said.append(f"the other {var(f'{key}.unchanged.contracts.n')} {_contracts(n['unchanged'], 'is', 'are')} "
                    "as that report counted them")
    first = ""
    if n["first_recorded"]:
        first = (f" A further {var(f'{key}.first_recorded.contracts.n')} "
                 f"{_contracts(n['first_recorded'], 'contract', 'contracts')} awarded by that cut-off "
                 f"{_contracts(n['first_recorded'], 'was', 'were')} recorded on the portal only after the report, "
                 f"adding {var(f'{key}.first_recorded.value.auto')}.")
    last = project.config.year(comparator).cutoff
    trend = f"trend.{last.isoformat()}.committed"
    listed = said[0] if len(said) == 1 else "; ".join(said[:-1]) + "; and " + said[-1]
    lead = (f"{new}. The rest of the change is revisions" if n["new"] else
            f"{new}, so the change since that report is revisions")
    text = (f"{lead} the portal records to the {var(f'{key}.previous.contracts.n')} contracts that report "
            f"counted: {listed}."
            f"{first} So the commitments awarded by {day}, as this report's exports record them, come to "
            f"{var(f'{trend}.auto')} (the {year_words} point of the trend diagram), against the "
            f"{var(f'{key}.previous.value.auto')} that report printed.\n\n")
    step = 1000 if max(abs(values[f"{key}.previous.value"]), abs(values["committed.total"])) >= 100_000 else 100
    style = "k" if step == 1000 else "h"
    rows = [[f"The {year_words} report, cut-off {day}", var(f"{key}.previous.contracts.n"),
             var(f"{key}.previous.value.{style}")]]
    labels = {"unchanged": "Unchanged", "revised_up": "Revised up", "revised_down": "Revised down",
              "ended_early": "Ended early", "withdrawn": "No longer counted",
              "first_recorded": f"Awarded by {day}, recorded since"}
    parts = []
    for part, label in labels.items():
        if n[part]:
            rows.append([label, var(f"{key}.{part}.contracts.n"),
                         "no change" if part == "unchanged" else var(f"{key}.{part}.value.{style}")])
            parts += [] if part == "unchanged" else [f"{key}.{part}.value"]
    rows.append([f"Awarded by {day}, as this report's exports record it", "", var(f"{trend}.{style}")])
    if n["new"]:
        rows.append([f"Awarded after {day}", var(f"{key}.new.contracts.n"), var(f"{key}.new.value.{style}")])
    rows.append([f"This report, cut-off {var('report.cutoff')}", var("committed.contracts.n"),
                 var(f"committed.total.{style}")])
    table = markdown_table(["Step", "Contracts", "Social value committed"], rows, ["l", "r", "r"],
                           caption=f"From the {year_words} report's commitments to this report's",
                           weights=[3.2, 1.0, 1.4])
    note = _rounding_note(values, parts, [(trend, f"{key}.previous.value")], step) or _rounding_note(
        values, [f"{key}.new.value"], [("committed.total", trend)], step)
    return text + table + note


def delivery_bridge_md(ledger: pd.DataFrame) -> str:
    """What moved validated delivery since the compared report: delivery for periods after its cut-off, and
    delivery for earlier periods validated (or withdrawn) since it was published; the two add up to the
    change. Nothing without a compared report."""
    values = ledger_values(ledger)
    if "bridge.delivered.previous.value" not in values:
        return ""
    key = "bridge.delivered"
    year, day = var("report.comparator_year"), var("report.comparator_cutoff")
    new = values[f"{key}.new.value"]
    revisions = round(values[f"{key}.revisions.value"], 2)
    earlier = (f"{var(f'{key}.revisions.value.auto')} is delivery for periods up to that cut-off, validated after "
               "that report was published" if revisions > 0 else
               f"delivery for periods up to that cut-off now counts {var(f'{key}.revisions.reduction.auto')} less "
               "than that report did, after revisions since" if revisions < 0 else "")
    if not new and not earlier:
        return f"Validated delivery is unchanged since the {year} report.\n"
    if not earlier:
        text = (f"All of the change since the {year} report is delivery for periods ending after its cut-off "
                f"({day})")
    elif not new:
        text = f"No delivery for periods ending after the {year} report's cut-off ({day}) is validated yet; {earlier}"
    else:
        text = (f"Of the change since the {year} report, {var(f'{key}.new.value.auto')} is delivery for periods "
                f"ending after its cut-off ({day}) and {earlier}")
    note = " (delivery counts in the period it was delivered, whenever it is validated)" if revisions > 0 else ""
    parts = [v for v in (new, revisions) if v]
    rounded = ("" if len(parts) < 2 or _adds_up_as_printed(parts, values.get("previous.delivered.total", 0.0),
                                                            values["delivered.total"])
               else " Each figure is rounded, so the two do not add up exactly to the change.")
    return f"{text}{note}.{rounded}\n"


def _printed_money(text: str) -> float:
    """A sum of money as the paper prints it ('£3.6 million', '-£781,000'), as a number."""
    number = float(text.replace("£", "").replace(",", "").replace(" million", ""))
    return number * 1_000_000 if "million" in text else number


def _adds_up_as_printed(parts: list[float], previous: float, current: float) -> bool:
    """Whether parts printed in the paper's style (each by its own size) add up to the change as the comparison
    of ``previous`` and ``current`` prints it."""
    printed = formatting.comparison(previous, current, MONEY)["change"]
    if not printed.startswith("a net "):
        return current == previous
    amount = printed.split(" of ", 1)[1].split(" or ")[0]
    total = sum(_printed_money(formatting.gbp_auto(abs(p))) * (1 if p > 0 else -1) for p in parts)
    return abs(abs(total) - _printed_money(amount)) < 0.5


def by_category_md(project: Project, variables: dict, stage: str) -> str:
    """'- **Places:** up from £16.9 million to £18.3 million, ...' for each of the config's categories."""
    lines = [f"- **{c.name}:** {_compared_or_now(variables, f'{stage}.category.{c.key}', 'auto')}."
             for c in project.config.categories if has_variable(variables, f"{stage}.category.{c.key}")]
    return "\n".join(lines) + "\n"


MEASURES_PER_THEME = 5  # the largest by proxy value; Appendix 1 lists them all


def measures_md(ledger: pd.DataFrame, measures: pd.DataFrame, variables: dict, stage: str) -> str:
    """The measures with a figure this year, grouped under their TOMs theme, largest value first (at most
    ``MEASURES_PER_THEME``, then a pointer to Appendix 1); each in its own units and as a proxy value,
    compared with the previous report where it has one."""
    themes: dict[str, list[tuple[float, str]]] = {}
    for figure in measures_with_figures(ledger, measures, stage):
        if figure.key.endswith(".value"):
            text = _compared_or_now(variables, figure.key, "auto")
        else:
            text = _compared_or_now(variables, figure.key, "words")
            if figure.value:
                text += f" (proxy value {var(figure.key.removesuffix('.units') + '.value.auto')})"
        themes.setdefault(str(figure.measure["theme"]) or "Other", []).append(
            (figure.value, f"- {figure.measure['title']} ({figure.code}): {text}."))
    if not themes:
        return "No measure has a figure in this report.\n"
    parts = []
    for theme in sorted(themes, key=lambda t: (-sum(v for v, _ in themes[t]), t)):
        lines = [line for _, line in sorted(themes[theme], key=lambda item: -item[0])]
        if len(lines) > MEASURES_PER_THEME + 1:
            lines = [*lines[:MEASURES_PER_THEME], f"- {len(lines) - MEASURES_PER_THEME} other measures, listed in "
                                                  "Appendix 1."]
        parts.append(f"**{theme}**\n\n" + "\n".join(lines) + "\n")
    return "\n".join(parts)


def ledger_keys_for(variable: str, ledger_keys: set[str], years: list[str]) -> list[str]:
    """The ledger key(s) behind a report variable: 'committed.total.m' -> ['committed.total']."""
    if variable.split(".")[0] in ("report", "council") or variable.endswith(".label"):
        return []
    if variable.startswith("compare."):  # compare.<key>.<form>: the figure, its previous value and the change
        compared = variable.removeprefix("compare.").rsplit(".", 1)[0]
        if compared.startswith("local_spend.") and len(years) >= 2:
            part = compared.removeprefix("local_spend.")
            return [k for k in (f"local_spend.{years[-2]}.{part}", f"local_spend.{years[-1]}.{part}")
                    if k in ledger_keys]
        return [k for k in (f"previous.{compared}", compared, f"change.{compared}.abs", f"change.{compared}.pct")
                if k in ledger_keys]
    key = variable
    if len(years) >= 1:
        key = key.replace("local_spend.latest", f"local_spend.{years[-1]}")
    if len(years) >= 2:
        key = key.replace("local_spend.previous", f"local_spend.{years[-2]}")
    base = key.rsplit(".", 1)[0]
    if base in ledger_keys:
        return [base]
    if key.endswith((".phrase", ".direction")):
        return [k for k in (f"{base}.abs", f"{base}.pct") if k in ledger_keys]
    return []


def printed_keys(documents: list[Path], variables: dict, ledger: pd.DataFrame,
                 generated: dict[str, str]) -> list[tuple[str, str, str]]:
    """(document, variable, ledger key) of every figure the report prints, in the order it prints them."""
    keys = set(ledger["key"])
    years = sorted({k.split(".")[1] for k in keys if k.startswith("local_spend.")})
    return [(document.stem, variable, key) for document in printed_documents(documents)
            for variable in used_variables(document, variables, generated)
            for key in ledger_keys_for(variable, keys, years)]


def made_from_md(spec: KeySpec | None, source: str, rows: dict[str, int]) -> str:
    """How a figure was made, for the auditors' page: a link to its rows, or what it comes from."""
    if spec is None or spec.kind == "author":
        return source
    if spec.kind == "rows":
        count = rows[spec.key]
        return f"[{count:,} row{'s' if count != 1 else ''}]({FIGURE_ROWS}/{spec.key}.csv)"
    if spec.kind == "derived":
        return formula_words(spec, quote="`")
    if spec.kind == "tracker":
        return "the contract tracker (`tables/contract_tracker.csv`)"
    return f"the {spec.aggregate} ledger"


def auditors_md(printed: list[tuple[str, str, str]], variables: dict, ledger: pd.DataFrame,
                specs: dict[str, KeySpec], rows: dict[str, int]) -> str:
    """Every figure the report prints: as printed, its ledger key, unrounded value and unit, and what it is
    made from (its rows, as a CSV beside the page, the keys it is derived from, or the author's file)."""
    rows_by_key = {row.key: row for row in ledger.itertuples(index=False)}
    out = []
    for document, variable, key in printed:
        row = rows_by_key[key]
        out.append([document, lookup_variable(variables, variable) or "", f"`{key}`",
                    f"{format_value(float(row.value))} {row.unit}", made_from_md(specs.get(key), row.source, rows)])
    columns = ["Document", "Printed as", "Ledger key", "Unrounded value", "Made from"]
    return markdown_table(columns, out, ["l", "l", "l", "r", "l"],
                          caption="Every figure the report prints, with where it comes from")


FIGURE_ROWS_RECORD = ".written.json"  # in figure-rows/: what the files were written from, and their row counts


def figure_rows_source(processed: Path, keys: list[str]) -> str:
    """What the figure-row files depend on: the recorded lineage and tables, the keys, and the code."""
    files = [LINEAGE, ROW_OUTCOMES, *(f"{name}.parquet" for name in CleanTables.TABLES)]
    return json.dumps({"files": {name: sha256(processed / name) for name in files}, "keys": sorted(set(keys)),
                       "code": code_digest("report")}, sort_keys=True)


def write_figure_rows(recorded: RecordedLineage, keys: list[str], folder: Path,
                      previous: Path | None = None) -> dict[str, int]:
    """``<key>.csv`` for each figure made from rows among ``keys`` and the keys they derive from: the
    contributing rows as ``svreport trace --csv`` writes them. Returns the rows per key. A ``previous``
    folder written from the same sources (a render after a narrative-only change) is reused as it is."""
    source = figure_rows_source(recorded.folder, keys)
    record = previous / FIGURE_ROWS_RECORD if previous else None
    written_before = json.loads(record.read_text(encoding="utf-8")) if record and record.exists() else {}
    if written_before.get("source") == source:
        shutil.copytree(previous, folder)
        return written_before["rows"]
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for key in inputs_of(recorded.specs, keys):
        if recorded.specs[key].kind == "rows":
            rows = recorded.funnel(key).rows
            rows.to_csv(folder / f"{key}.csv", index=False, lineterminator="\n")
            written[key] = len(rows)
    (folder / FIGURE_ROWS_RECORD).write_text(json.dumps({"source": source, "rows": written}, sort_keys=True),
                                             encoding="utf-8")
    return written


DIAGRAM_NUMBERS = range(1, 8)


def diagram_md(entry: dict) -> str:
    alt = entry["alt"].replace("\\", "\\\\").replace('"', '\\"')
    return f"![{entry['caption']}]({GENERATED_NAME}/{DIAGRAMS}/{entry['svg']}){{fig-alt=\"{alt}\"}}\n"


# The year's narrative files (in the council's report folder) and the generated content each becomes.
NARRATIVE = {"paper": "cabinet-report.md", "case-studies": "case-studies.md"}
# The author's YAML files and the Markdown each becomes.
AUTHORED = {"priorities": (priorities_md, "priorities.yml"),
            "equality-screening": (equality_md, "equality-screening.yml"),
            "carbon-impact": (carbon_md, "carbon-impact.yml")}
# {{< pagebreak >}} in narrative that reaches Quarto as generated content: raw blocks for every format
# (each writer keeps its own and drops the others).
PAGEBREAK_ANY_FORMAT = "".join(PAGEBREAK.values())


def narrative_md(path: Path, project: Project, variables: dict, generated: dict[str, str]) -> str:
    """A narrative file with its includes, generated content and .when-data / .unless-data blocks resolved,
    figures still as ``{{< var >}}`` shortcodes. Includes stay inside the council's report folder."""
    if not path.exists():
        raise InputError(project.shown(path), "narrative file not found",
                         expected=f"{path.name} in {project.shown(path.parent).as_posix()}/ (see report/README.md)")
    text = path.read_text(encoding="utf-8")
    check_markdown_safe(text, project.shown(path))
    return expand_includes(text, path, variables, generated=generated, folder=project.narrative_root.resolve())


def resolve_pagebreaks(text: str) -> str:
    return SHORTCODE.sub(lambda m: PAGEBREAK_ANY_FORMAT if m.group(1) == "pagebreak" else m.group(0), text)


def write_generated(out: Path, processed: Path, diagrams: list[dict], files: dict[str, str], variables: dict) -> None:
    """Into a new ``out`` folder: the ``diagrams`` (entries of the run's diagrams.json) and each generated content
    file, its figures filled in from ``variables`` so that Quarto's shortcode inserts plain Markdown."""
    (out / DIAGRAMS).mkdir(parents=True)
    for entry in diagrams:
        for kind in ("svg", "png"):
            shutil.copyfile(processed / DIAGRAMS / entry[kind], out / DIAGRAMS / entry[kind])
    for name, text in files.items():
        filled = fill_variables(text, GENERATED / f"{name}.md", variables)
        (out / f"{name}.md").write_text(resolve_pagebreaks(filled), encoding="utf-8")


def write_report_sources(project: Project, year: int, renderer_statement: str, documents: list[Path]) -> Path:
    """Write report/_generated/ and the project-root _variables.yml (for Quarto) for ``year``.

    The year's narrative (``<narrative>/<year>/``) and the pipeline's tables and diagrams become
    generated content, each file written with its figures filled in from ``_variables.yml``, so that the
    ``{{< generated >}}`` shortcode inserts it as plain Markdown on either render path.
    """
    processed = year_dir(project.processed_dir, year)
    for needed in (LEDGER, VARIABLES, f"{DIAGRAMS}/{DIAGRAMS_INDEX}", LINEAGE, ROW_OUTCOMES):
        if not (processed / needed).exists():
            raise InputError(processed / needed, "pipeline output missing",
                             expected=f"`svreport{project.config_option} run --year {year}` to have completed")
    content = project.narrative_dir(year)
    ledger = read_ledger(processed / LEDGER)
    measures = load_measures(project.reference_dir)
    variables = read_generated_yaml(processed / VARIABLES)
    for path in sorted((project.root / REPORT).glob("*.qmd")):
        text = path.read_text(encoding="utf-8")
        check_markdown_safe(text, project.shown(path))
        if conditional := conditional_block_lines(text):  # resolved in the narrative only: Quarto would print both
            raise InputError(project.shown(path), "a .when-data or .unless-data block is in a shared document",
                             row=conditional[0], expected="conditional text in the year's "
                             "narrative (cabinet-report.md in the council's report folder)")

    diagrams = json.loads((processed / DIAGRAMS / DIAGRAMS_INDEX).read_text(encoding="utf-8"))
    files: dict[str, str] = {}
    for name, (make, file) in AUTHORED.items():  # the author's YAML text reaches the report as Markdown
        path = content / file
        files[name] = make(path)
        check_markdown_safe(files[name], project.shown(path), located_in=path.read_text(encoding="utf-8"))
    files |= {
        "appendix1-table": excluded_contracts_md(project) + appendix1_md(ledger, measures),
        "toms-mapping": mapping_md(load_mapping(project.reference_dir)),
        "excluded-delivery": excluded_md(ledger, measures),
        "categories": categories_md(project),
        "committed-by-category": by_category_md(project, variables, "committed"),
        "delivered-by-category": by_category_md(project, variables, "delivered"),
        "committed-measures": measures_md(ledger, measures, variables, "committed"),
        "delivered-measures": measures_md(ledger, measures, variables, "delivered"),
        "pending-delivery": pending_md(ledger),
        "rejected-delivery": rejected_md(ledger),
        "trend-table": trend_md(project, ledger),
        "commitment-bridge": commitment_bridge_md(project, ledger, year),
        "delivery-bridge": delivery_bridge_md(ledger),
        "spend-method": spend_method_md(project, processed),
        "renderer": f"{renderer_statement}\n",
    }
    files |= {f"diagram-{number}": "" for number in DIAGRAM_NUMBERS}  # a diagram without data is left out
    for entry in diagrams:
        files[f"diagram-{entry['number']}"] = diagram_md(entry)
    for name, file in NARRATIVE.items():  # last: the narrative may use any of the content above
        files[name] = narrative_md(content / file, project, variables, files)

    out = project.root / GENERATED
    kept = project.root / f".{FIGURE_ROWS}-previous"  # reused if the lineage has not changed
    if kept.exists():
        shutil.rmtree(kept)
    if (out / FIGURE_ROWS).is_dir():
        (out / FIGURE_ROWS).rename(kept)
    if out.exists():
        shutil.rmtree(out)
    write_generated(out, processed, diagrams, files, variables)
    shutil.copyfile(processed / TABLES / APPENDIX1_XLSX, out / APPENDIX1_XLSX)  # published beside Appendix 1
    printed = printed_keys(documents, variables, ledger, files)
    recorded = RecordedLineage(processed)
    rows = write_figure_rows(recorded, [key for _, _, key in printed], out / FIGURE_ROWS,
                             kept if kept.exists() else None)
    if kept.exists():
        shutil.rmtree(kept)
    (out / "auditors-table.md").write_text(
        fill_variables(auditors_md(printed, variables, ledger, recorded.specs, rows),
                       GENERATED / "auditors-table.md", variables), encoding="utf-8")
    (out / "cabinet-pack.md").write_text(pack_md(documents, variables), encoding="utf-8")
    shutil.copyfile(processed / VARIABLES, project.root / VARIABLES)
    return out
