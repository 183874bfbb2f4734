"""YAML as every file of the project is read: duplicate keys and syntax errors name the file and line."""

from __future__ import annotations

import pytest

from svreport.core.errors import InputError
from svreport.core.yamlio import load_yaml


def test_a_key_written_twice_is_an_error_naming_both_lines():
    with pytest.raises(InputError, match=r"^x.yml, row 3: not valid YAML: key 'cutoff' appears twice \(lines 2 and 3\)"):
        load_yaml("year:\n  cutoff: 2024-11-30\n  cutoff: 2024-05-31\n", "x.yml")


def test_a_key_twice_in_a_flow_mapping_and_at_the_top_level():
    with pytest.raises(InputError, match="key 'value' appears twice"):
        load_yaml("a: {value: 1, value: 2}\n", "x.yml")
    with pytest.raises(InputError, match=r"row 2: .*key 'a' appears twice \(lines 1 and 2\)"):
        load_yaml("a: 1\na: 2\n", "x.yml")


def test_equal_keys_in_different_mappings_are_fine_and_dates_can_stay_text():
    assert load_yaml("a: {x: 1}\nb: {x: 2}\n", "x.yml") == {"a": {"x": 1}, "b": {"x": 2}}
    assert load_yaml("d: 2024-11-31\n", "x.yml", dates_as_text=True) == {"d": "2024-11-31"}


def test_front_matter_lines_count_from_the_file():
    with pytest.raises(InputError, match=r"row 4: not valid YAML"):
        load_yaml("\ntitle: a\nsubtitle: [b\n", "doc.qmd", first_line=1)
