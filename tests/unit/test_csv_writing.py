"""Every CSV the app hands out goes through core.csv_files.write_csv: formulas neutralised,
a byte-order mark for Excel, and what it wrote reads back as it was."""

import csv
import io

import pytest

from collab.core.csv_files import safe_cell, unescape_cell, write_csv


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)",
                                   "\tx", "\rx"])
def test_formula_starts_are_escaped_and_read_back(value):
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["Bu Sari", "", "'quoted", "a=b", "3 - 2"])
def test_plain_cells_are_left_alone(value):
    assert safe_cell(value) == value
    assert unescape_cell(value) == value


def test_write_csv_has_a_bom_keeps_numbers_and_escapes_text():
    text = write_csv([["name", "count"], ["=HYPERLINK(\"x\")", 3], [None, -1]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["name", "count"], ["'=HYPERLINK(\"x\")", "3"], ["", "-1"]]
