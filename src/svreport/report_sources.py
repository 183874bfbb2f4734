"""Generated report sources: the Markdown the report's ``{{< include >}}`` shortcodes pull in.

Written to ``report/_generated/`` from the pipeline's outputs (diagrams, ledger, reference
data) and from the author's YAML files in ``report/content/``. Figures in generated tables
are written as ``{{< var ... >}}`` shortcodes, so every printed figure still comes from
``_variables.yml``. Author text is checked for raw HTML before it reaches the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import yaml

from .errors import InputError
from .formatting import UNIT_WORDS
from .metrics import UNIT_CODES
from .paths import Project
from .pipeline import LEDGER, VARIABLES
from .reference import load_mapping, load_measures
from .narrative import check_markdown_safe, check_no_html
from .yamlio import load_yaml
from .shortcodes import (PAGEBREAK, document_formats, expand, fill_variables, lookup_variable,
                         shift_headings, split_front_matter, used_variables)

GENERATED = Path("report") / "_generated"
def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_table(columns: list[str], rows: list[list[object]], align: list[str] | None = None,
                   caption: str | None = None, weights: list[float] | None = None) -> str:
    """A pipe table; dash counts give relative column widths, so long text wraps in PDF and DOCX.

    Without ``weights``, widths grow with the square root of each column's longest cell, so a long
    text column does not squeeze the rest.
    """
    align = align or ["l"] * len(columns)
    if weights is None:
        longest = [max([len(_cell(c)) for c in [columns[i], *(r[i] for r in rows)]] + [3])
                   for i in range(len(columns))]
        weights = [w ** 0.5 for w in longest]
    dashes = [max(3, round(72 * w / sum(weights))) for w in weights]
    rule = ["-" * d if a == "l" else "-" * (d - 1) + ":" for d, a in zip(dashes, align, strict=True)]
    rule = [":" + r[1:] if a == "l" else r for r, a in zip(rule, align, strict=True)]
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    return text + (f"\n: {caption}\n" if caption else "")


def _load_yaml(path: Path) -> dict:
    if not path.exists():
        raise InputError(path, "report content file not found", expected=f"{path.name} in report/content/")
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


def _var(key: str) -> str:
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


def appendix1_md(ledger: pd.DataFrame, measures: pd.DataFrame) -> str:
    values = dict(zip(ledger["key"], ledger["value"].astype(float), strict=True))
    rows = []
    for code, measure in measures.iterrows():
        keys = [f"{stage}.measure.{code}.{part}" for stage in ("committed", "delivered") for part in ("units", "value")]
        if not any(values[k] for k in keys):
            continue
        units_style = "gbp" if measure["unit"] == "£" else "n"
        rows.append([code, measure["title"], UNIT_CODES.get(measure["unit"], measure["unit"]).replace("GBP", "£"),
                     _var(f"{keys[0]}.{units_style}"), _var(f"{keys[1]}.gbp"),
                     _var(f"{keys[2]}.{units_style}"), _var(f"{keys[3]}.gbp")])
    rows.append(["**Total**", "", "", "", "**" + _var("committed.total.gbp") + "**", "",
                 "**" + _var("delivered.total.gbp") + "**"])
    columns = ["Code", "Measure", "Unit", "Units committed", "£ committed", "Units delivered", "£ delivered"]
    return markdown_table(columns, rows, ["l", "l", "l", "r", "r", "r", "r"],
                          caption="Social value committed and delivered, by TOMs measure",
                          weights=[8, 31, 9, 12, 14, 12, 14])


def mapping_md(mapping: pd.DataFrame) -> str:
    rows = mapping[["old_code", "old_title", "new_code", "change"]].values.tolist()
    return markdown_table(["Current code", "Current measure", "2024 TOMs code", "Change"], rows,
                          caption="Rotherham's measures mapped to the 2024 National TOMs")


def excluded_md(ledger: pd.DataFrame, measures: pd.DataFrame) -> str:
    """One line per measure delivered on excluded contracts: '- Weeks of apprenticeships ... (NT10): 447'."""
    units = dict(zip(ledger["key"], ledger["unit"], strict=True))
    lines = []
    for code, measure in measures.iterrows():
        key = f"excluded.delivered.measure.{code}.units"
        if key not in units:
            continue
        if units[key] == "GBP":
            figure = _var(f"excluded.delivered.measure.{code}.value.gbp")
        else:
            word = UNIT_WORDS.get(units[key], ("", units[key]))[1]
            figure = f"{_var(key + '.n')} {word}".rstrip()
        lines.append(f"- {measure['title']} ({code}): {figure}")
    return "\n".join(lines) + "\n"


def categories_md(project: Project) -> str:
    return "\n".join(f"- **{c.label}:** {c.covers}." for c in project.config.categories) + "\n"


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


def auditors_md(project: Project, documents: list[Path], variables: dict, ledger: pd.DataFrame,
                generated: dict[str, str]) -> str:
    """Every figure the report prints: as printed, its ledger key, unrounded value, unit and source."""
    from .metrics import format_value

    rows_by_key = {row.key: row for row in ledger.itertuples(index=False)}
    years = sorted({k.split(".")[1] for k in rows_by_key if k.startswith("local_spend.")})
    out = []
    for document in printed_documents(documents):
        for variable in used_variables(document, variables, generated):
            for key in ledger_keys_for(variable, set(rows_by_key), years):
                row = rows_by_key[key]
                out.append([document.stem, lookup_variable(variables, variable) or "", f"`{key}`",
                            format_value(float(row.value)), row.unit, row.source])
    columns = ["Document", "Printed as", "Ledger key", "Unrounded value", "Unit", "Computed in"]
    return markdown_table(columns, out, ["l", "l", "l", "r", "l", "l"],
                          caption="Every figure the report prints, with where it comes from")


def printed_documents(documents: list[Path]) -> list[Path]:
    """The paper and its appendices: every document but the auditors' page and the pack."""
    printed = []
    for document in documents:
        meta = split_front_matter(document.read_text(encoding="utf-8"), document)[0]
        if not meta.get("auditors-page") and not meta.get("pack"):
            printed.append(document)
    return printed


def pack_md(documents: list[Path], variables: dict) -> str:
    """The paper and each appendix for the combined pack PDF, in the render order: each part starts on a
    new page (the first after the contents) under its title as a level-1 heading, with the part's own
    headings one level down."""
    parts = []
    for document in printed_documents(documents):
        if "pdf" not in document_formats(document):
            continue
        meta, body = split_front_matter(document.read_text(encoding="utf-8"), document)
        title = expand(str(meta.get("title", document.stem)), document, variables, "typst")
        text = shift_headings(expand(body, document, variables, "typst").strip("\n"))
        parts.append(f"{PAGEBREAK['typst']}\n# {title}\n\n{text}\n")
    return "".join(parts)


def diagram_md(entry: dict) -> str:
    alt = entry["alt"].replace("\\", "\\\\").replace('"', '\\"')
    return f"![{entry['caption']}](_generated/diagrams/{entry['svg']}){{fig-alt=\"{alt}\"}}\n"


def write_report_sources(project: Project, year: int, renderer_statement: str, documents: list[Path]) -> Path:
    """Write report/_generated/ and the project-root _variables.yml (for Quarto) for ``year``.

    Each generated file is written with its figures filled in from ``_variables.yml``, so that the
    ``{{< generated >}}`` shortcode can insert it as plain Markdown on either render path.
    """
    processed = project.processed_dir / str(year)
    for needed in (LEDGER, VARIABLES, "diagrams/diagrams.json"):
        if not (processed / needed).exists():
            raise InputError(processed / needed, "pipeline output missing",
                             expected=f"`svreport run --year {year}` to have completed")
    out = project.root / GENERATED
    if out.exists():
        shutil.rmtree(out)
    (out / "diagrams").mkdir(parents=True)
    ledger = pd.read_csv(processed / LEDGER, keep_default_na=False)
    measures = load_measures(project.reference_dir)
    content = project.narrative_dir
    for path in [*sorted(content.glob("*.md")), *sorted((project.root / "report").glob("*.qmd"))]:
        check_markdown_safe(path.read_text(encoding="utf-8"), project.shown(path))

    diagrams = json.loads((processed / "diagrams" / "diagrams.json").read_text(encoding="utf-8"))
    authored = {"priorities": (priorities_md, "priorities.yml"), "equality-screening": (equality_md,
                "equality-screening.yml"), "carbon-impact": (carbon_md, "carbon-impact.yml")}
    files = {}
    for name, (make, file) in authored.items():  # the author's YAML text reaches the report as Markdown
        files[name] = make(content / file)
        check_markdown_safe(files[name], project.shown(content / file),
                            located_in=(content / file).read_text(encoding="utf-8"))
    files |= {
        "appendix1-table": appendix1_md(ledger, measures),
        "toms-mapping": mapping_md(load_mapping(project.reference_dir)),
        "excluded-delivery": excluded_md(ledger, measures),
        "categories": categories_md(project),
        "renderer": f"{renderer_statement}\n",
    }
    for entry in diagrams:
        files[f"diagram-{entry['number']}"] = diagram_md(entry)
        for kind in ("svg", "png"):
            shutil.copyfile(processed / "diagrams" / entry[kind], out / "diagrams" / entry[kind])
    variables = yaml.safe_load((processed / VARIABLES).read_text(encoding="utf-8"))
    for name, text in files.items():
        (out / f"{name}.md").write_text(fill_variables(text, GENERATED / f"{name}.md", variables), encoding="utf-8")
    (out / "auditors-table.md").write_text(
        fill_variables(auditors_md(project, documents, variables, ledger, files), GENERATED / "auditors-table.md",
                       variables), encoding="utf-8")
    (out / "cabinet-pack.md").write_text(pack_md(documents, variables), encoding="utf-8")
    # for report/style/conditions.lua (Quarto): which variables exist, for .when-data / .unless-data
    (out / "variables.json").write_text(json.dumps(variables, sort_keys=True, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    shutil.copyfile(processed / VARIABLES, project.root / VARIABLES)
    return out
