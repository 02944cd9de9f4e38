"""Bodies' own workbooks (tables pasted from Word, PDF or the web into
Excel): the reader must find every number where the official labels put it,
and the checker must report exactly the real mistakes -- none for a
consistent report."""

import sys
from pathlib import Path

import pytest

from xxgk.checker import check_submission
from xxgk.reader import read_workbook

sys.path.insert(0, str(Path(__file__).parent))
from foreign_layouts import ED, Style, as_cells, build, cases, consistent, sheet_per_table  # noqa: E402
from reader_fixtures import soffice_available, soffice_resave  # noqa: E402

CASES = cases()


def read_mismatches(sub, expected):
    """Keys read with another value than written, or not found, or found though absent."""
    wrong = {k: (v, sub.cells[k].value if k in sub.cells else "absent")
             for k, v in expected.items() if k not in sub.cells or sub.cells[k].value != v}
    extra = [k for k in sub.cells if k not in expected]
    return wrong, extra


def error_ids(result):
    return {(f.rule or f.code, f.keys[0] if f.keys else None) for f in result.errors}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_value_found_and_exactly_the_real_errors(case, tmp_path):
    sub = read_workbook(case.write(tmp_path))
    assert not sub.ours
    assert read_mismatches(sub, case.expected) == ({}, [])
    result = check_submission(sub)
    assert error_ids(result) == case.errors, [f.message for f in result.errors]
    if case.warnings is not None:
        assert {f.code for f in result.warnings} == case.warnings, [f.message for f in result.warnings]
    if case.unit:
        assert sub.unit == case.unit
    if case.year:
        assert sub.year == case.year


def test_catalogue_covers_enough_layouts():
    assert len(CASES) >= 12
    assert sum(1 for c in CASES if not c.errors) >= 8 and sum(1 for c in CASES if c.errors) >= 5


def test_items_numbered_beyond_recognition_are_named_never_read_from_another_row(tmp_path):
    import re

    values = consistent(30)
    style = Style(relabel=lambda t: re.sub(r"^(\d)\.", r"第\1项 ", t))  # “第1项 属于国家秘密”
    sub = read_workbook(build(tmp_path / "items.xlsx", sheet_per_table(), as_cells(values), style))
    items = [k for k in ED.cells if k.startswith("t3.") and ED.cells[k].row_path[-1].label[:1].isdigit()]
    (finding,) = [f for f in sub.findings if f.code == "labels-not-found"]
    assert sorted(finding.keys) == sorted(items) and "“1.属于国家秘密”" in finding.message
    assert not any(k in sub.cells for k in items)
    assert read_mismatches(sub, {k: v for k, v in values.items() if k not in items}) == ({}, [])


def test_absent_table_is_named_by_its_labels(tmp_path):
    case = next(c for c in CASES if c.name == "no-table-2")
    sub = read_workbook(case.write(tmp_path))
    (finding,) = [f for f in sub.findings if f.code == "labels-not-found"]
    t2 = ED.table("t2")
    assert set(finding.keys) == set(t2.cell_keys()) and t2.title in finding.message
    assert "规章" in finding.message and finding.severity == "error"


@pytest.mark.libreoffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("name", ["formulas", "pdf-grid-formulas", "wrong-results-total"])
def test_resaved_by_libreoffice(name, tmp_path):
    """The same workbooks after a round trip through LibreOffice (formulas recomputed by it)."""
    case = next(c for c in CASES if c.name == name)
    sub = read_workbook(soffice_resave(case.write(tmp_path), tmp_path / "lo"))
    assert read_mismatches(sub, case.expected) == ({}, [])
    assert error_ids(check_submission(sub)) == case.errors
