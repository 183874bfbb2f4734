"""Appendix 1, social value committed and delivered by TOMs measure: which measures it lists (also for the
report's Markdown table), and the CSV and the XLSX an officer can open."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from svreport.core.layout import APPENDIX1_CSV, APPENDIX1_XLSX
from svreport.stages.ledger import ledger_values

APPENDIX1_COLUMNS = ["Measure", "Description", "Unit", "Units committed", "Social value committed (£)",
                     "Units delivered", "Social value delivered (£)"]
FORMULA_PREFIXES = ("=", "+", "-", "@")


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def safe_text(values: pd.Series) -> pd.Series:
    """``safe_cell`` for a whole text column at once (blank for missing)."""
    text = values.fillna("").astype(str)
    risky = text.str.startswith(FORMULA_PREFIXES)
    if not risky.any():
        return text
    risky[risky] = pd.to_numeric(text[risky], errors="coerce").isna()  # a number such as -12 is left as it is
    return text.where(~risky, "'" + text)


def measures_in_appendix1(ledger: pd.DataFrame, measures: pd.DataFrame) -> list[tuple[str, pd.Series, list[str]]]:
    """(code, catalogue row, ledger keys) of each measure Appendix 1 lists: those with units or £ committed or
    delivered, in catalogue order. The keys: units and £ committed, units and £ delivered."""
    values = ledger_values(ledger)
    listed = []
    for code, measure in measures.iterrows():
        keys = [f"{stage}.measure.{code}.{part}" for stage in ("committed", "delivered") for part in ("units", "value")]
        if any(values[key] for key in keys):
            listed.append((str(code), measure, keys))
    return listed


def appendix1(ledger: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Per measure: units and £ committed and delivered (``measures_in_appendix1``), plus a total."""
    values = ledger_values(ledger)
    rows = [[code, measure["title"], measure["unit"], *(values[key] for key in keys)]
            for code, measure, keys in measures_in_appendix1(ledger, measures)]
    table = pd.DataFrame(rows, columns=APPENDIX1_COLUMNS)
    total = ["Total", "All measures", "", None, values["committed.total"], None, values["delivered.total"]]
    return pd.concat([table, pd.DataFrame([total], columns=APPENDIX1_COLUMNS)], ignore_index=True)


def write_appendix1(table: pd.DataFrame, folder: Path, title: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = folder / APPENDIX1_CSV, folder / APPENDIX1_XLSX
    table.map(safe_cell).to_csv(csv_path, index=False, lineterminator="\n", float_format="%.2f")
    workbook = xlsxwriter.Workbook(str(xlsx_path))
    workbook.set_properties({"title": title, "created": datetime(2000, 1, 1)})  # fixed: same bytes every run
    sheet = workbook.add_worksheet("Appendix 1")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = workbook.add_format({"num_format": "£#,##0"})
    units = workbook.add_format({"num_format": "#,##0.##"})
    sheet.write(0, 0, title, workbook.add_format({"bold": True, "font_size": 13}))
    sheet.write_row(2, 0, APPENDIX1_COLUMNS, bold)
    for r, row in enumerate(table.itertuples(index=False), start=3):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, str(safe_cell(value)), bold if row[0] == "Total" else None)
            else:
                sheet.write_number(r, c, float(value), money if "£" in APPENDIX1_COLUMNS[c] else units)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 14)
    sheet.set_column(3, 6, 18)
    sheet.freeze_panes(3, 0)
    sheet.repeat_rows(2)
    workbook.close()
    return [csv_path, xlsx_path]
