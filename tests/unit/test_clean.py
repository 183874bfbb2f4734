"""Cleaning rules of the data contract, one by one."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from svreport.core.config import load_config
from svreport.core.errors import InputErrors
from svreport.io.readers import read_year
from svreport.stages.clean import (
    clean,
    is_local_postcode,
    normalise_categories,
    normalise_codes,
    normalise_postcodes,
    normalise_statuses,
    parse_dates,
    parse_numbers,
)


@pytest.fixture
def config(root):
    return load_config(root / "config" / "rotherham.yml")


def test_money_and_numbers():
    values, bad, comma = parse_numbers(pd.Series(["£1,200.00", "(1,200.00)", "-1200", " 1,850.1 ", "", None, 12.5, 3,
                                                  "twelve", "£", "-£1,234,567.5", "£ 147,690.00"], dtype=object))
    assert values.tolist()[:4] == [1200.0, -1200.0, -1200.0, 1850.1]
    assert np.isnan(values[4]) and np.isnan(values[5])
    assert values[6] == 12.5 and values[7] == 3
    assert values[10] == -1234567.5 and values[11] == 147690.0
    assert bad.tolist() == [False] * 8 + [True, False, False, False]  # '£' alone is blank after stripping
    assert not comma.any()


@pytest.mark.parametrize("text", ["4,2", "147.690,00", "1,5", "12,34,567", "1,2345", "(1,20)"])
def test_a_decimal_comma_is_refused_not_misread(text):
    values, bad, comma = parse_numbers(pd.Series([text], dtype="str"))
    assert comma.tolist() == [True] and bad.tolist() == [False] and np.isnan(values[0])


def test_a_minus_inside_brackets_is_not_a_number():
    values, bad, comma = parse_numbers(pd.Series(["(-480,076.00)", "(480,076.00)"], dtype="str"))
    assert bad.tolist() == [True, False] and values[1] == -480076.0 and not comma.any()


def test_dates_uk_iso_and_excel():
    values, bad = parse_dates(pd.Series(["04/05/2021", "2021-05-04", datetime(2021, 5, 4), "2021-05-04 00:00:00",
                                         "31/02/2021", "May 4 2021", ""], dtype=object))
    assert values[:4].tolist() == [pd.Timestamp("2021-05-04")] * 4  # dd/mm/yyyy, not mm/dd
    assert bad.tolist() == [False] * 4 + [True] * 3


def test_measure_codes_and_unknown_text():
    codes = normalise_codes(pd.Series(["NT1", "nt 3", "NT18 ", "Nt1C", "NT01a", "Toms 9", None], dtype=object))
    assert codes.tolist() == ["NT1", "NT3", "NT18", "NT1c", "NT1a", "TOMS 9", ""]


def test_categories_and_statuses(config):
    categories = normalise_categories(pd.Series(["Rotherham Places", "places", " PEOPLE ", "Corporate", "Housing"]),
                                      config)
    assert categories.tolist() == ["Places", "Places", "People", "Corporate", "Housing"]
    statuses = normalise_statuses(pd.Series(["validated", "AWAITING  EVIDENCE", "Pending", "approved"]))
    assert statuses.tolist() == ["Validated", "Awaiting Evidence", "Pending", "approved"]


def test_postcodes_and_local_prefixes(config):
    postcodes = normalise_postcodes(pd.Series(["s60 1ae", "S601AE", " S60  1AE ", "S6 1AE", "S63 7PQ", "S63 9DL",
                                               "", "S25 2AB", "S61", "S6"]))
    assert postcodes.tolist()[:4] == ["S60 1AE", "S60 1AE", "S60 1AE", "S6 1AE"]
    local = is_local_postcode(postcodes, config.local_postcode_prefixes)
    # S6 is not S60; S63 7 is local but S63 9 is not; blank is not local
    assert local.tolist() == [True, True, True, False, True, False, False, True, True, False]


def test_footers_duplicates_and_dropped_columns(root, config):
    tables = clean(read_year(root / "data" / "raw" / "2025"), config)
    log = tables.log
    steps = dict(zip(log["file"] + ": " + log["step"].str.split(" ").str[:3].str.join(" "), log["rows_affected"], strict=True))
    assert steps["portal_delivery.csv: exact duplicate rows"] == 1
    assert steps["portal_commitments.xlsx: footer rows dropped"] == 1
    assert "Supplier Contact Email" in " ".join(log["step"])
    assert not tables.commitments["contract_reference"].str.lower().str.startswith("total").any()
    assert set(tables.commitments.columns) >= {"source_file", "source_row", "award_date", "value_committed"}
    assert not any("mail" in c or "contact" in c for t in (tables.commitments, tables.delivery, tables.spend)
                   for c in t.columns)


def test_unparseable_cells_are_all_reported_with_row_and_column(project_copy, config):
    path = project_copy / "data" / "raw" / "2024" / "portal_delivery.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[4].split(",")
    fields[3] = "about ten"  # Units Delivered
    lines[4] = ",".join(fields)
    fields = lines[9].split(",")
    fields[2] = "31/13/2023"  # Reporting Period End
    lines[9] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputErrors) as error:
        clean(read_year(path.parent), config)
    messages = [str(e) for e in error.value.errors]
    assert messages == [
        "portal_delivery.csv, row 5, column 'Units Delivered': 'about ten' is not a number "
        "(expected a number such as 1,850.1)",
        "portal_delivery.csv, row 10, column 'Reporting Period End': '31/13/2023' is not a date "
        "(expected a date such as 14/02/2024, 2024-02-14 or 3 Apr 2023)",
    ]


COMMITMENT_HEADER = ("Contract Reference,Contract Name,Supplier Name,Category,Award Date,Contract Value (£),"
                     "Measure ID,Measure Description,Units Committed,Unit,Social Value Committed (£)")
COMMITMENT_ROW = "RMBC-2021-0147,Parks,Kestlow Ltd,Places,01/02/2021,,NT1,Local people,2,FTE,\"54,000.00\""


def _commitments(tmp_path, header: str, rows: list[str]):
    from svreport.io.contract import COMMITMENTS
    from svreport.io.readers import read_table

    path = tmp_path / "portal_commitments.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return read_table(path, COMMITMENTS)


def test_optional_columns_absent_are_blank_and_logged_once(tmp_path, config):
    from svreport.stages.clean import CleaningLog, _clean_one, _Collector

    table = _commitments(tmp_path, COMMITMENT_HEADER, [COMMITMENT_ROW, COMMITMENT_ROW.replace("NT1,", "NT3,")])
    assert table.absent_optional == ["Service Area", "Contract End Date"]
    log, errors = CleaningLog(), _Collector()
    clean_rows = _clean_one(table, errors, log, config)
    assert not errors.errors
    assert list(clean_rows["service_area"]) == ["", ""] and clean_rows["contract_end_date"].isna().all()
    notes = [e["step"] for e in log.entries if "optional" in e["step"]]
    assert notes == ["optional columns not in the file, left blank: Service Area, Contract End Date"]


@pytest.mark.parametrize("area, end", [("Service Area", "Contract End Date"), ("directorate", "End Date"),
                                       ("SERVICE AREA", "Contract Expiry Date")])
def test_optional_columns_under_their_accepted_names(tmp_path, config, area, end):
    from svreport.stages.clean import CleaningLog, _clean_one, _Collector

    table = _commitments(tmp_path, f"{COMMITMENT_HEADER},{area},{end}",
                         [f"{COMMITMENT_ROW},Housing,31/01/2026", f"{COMMITMENT_ROW.replace('NT1,', 'NT3,')},Housing,"])
    assert table.absent_optional == []
    clean_rows = _clean_one(table, _Collector(), CleaningLog(), config)
    assert list(clean_rows["service_area"]) == ["Housing", "Housing"]
    assert clean_rows["contract_end_date"].iloc[0] == pd.Timestamp("2026-01-31")
    assert pd.isna(clean_rows["contract_end_date"].iloc[1])  # blank: not known, not an error


def test_an_optional_date_that_is_not_a_date_is_an_error(tmp_path, config):
    from svreport.stages.clean import CleaningLog, _clean_one, _Collector

    table = _commitments(tmp_path, f"{COMMITMENT_HEADER},Contract End Date", [f"{COMMITMENT_ROW},next spring"])
    errors = _Collector()
    _clean_one(table, errors, CleaningLog(), config)
    assert [str(e) for e in errors.errors] == [
        "portal_commitments.csv, row 2, column 'Contract End Date': 'next spring' is not a date "
        "(expected a date such as 14/02/2024, 2024-02-14 or 3 Apr 2023)"]
