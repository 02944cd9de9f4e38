"""A total whose formula was edited (not replaced by a number) is reported."""

from __future__ import annotations

import random
import shutil
import subprocess

import openpyxl
import pytest

from xxgk import load_edition
from xxgk.checker import check_submission, formula_cells
from xxgk.reader import read_workbook
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

ED = load_edition("2021")
KEY = "t3.granted.total"


def tampered(tmp_path, formula_of):
    """A filled workbook whose KEY formula is rewritten by openpyxl (which drops cached values)."""
    values = consistent_inputs(ED, random.Random(7), zero_share=0)
    path = tmp_path / "filled.xlsx"
    write_report(path, ED, unit="甲街道", unit_type="乡镇（街道）", year=2025, values=values)
    sub = read_workbook(path)
    cell = sub.cells[KEY]
    items = [sub.cells[k].address for k in ED.cells[KEY].formula_terms]
    wb = openpyxl.load_workbook(path)
    wb[cell.sheet][cell.address] = "=" + formula_of(items)
    out = tmp_path / "tampered.xlsx"
    wb.save(out)
    return out, values


def findings(path, code):
    return [f for f in check_submission(read_workbook(path)).findings if f.code == code]


def test_formula_parser():
    # 0-based (row, col), as xxgk.xlsx.parse_a1: D7 is (6, 3)
    assert formula_cells("SUM(D7:F7)") == [(6, 3), (6, 4), (6, 5)]
    assert formula_cells("=SUM($D$7,E7)") == [(6, 3), (6, 4)]
    assert formula_cells("D7+E7") == [(6, 3), (6, 4)]
    assert formula_cells("SUM(D7:H7)-1") is None
    assert formula_cells("表二!B6") is None


def test_equivalent_formula_is_accepted(tmp_path):
    path, _ = tampered(tmp_path, lambda items: "+".join(items))
    assert findings(path, "formula-changed") == findings(path, "formula-changed-wrong") == []


def test_formula_missing_an_item_is_reported(tmp_path):
    path, _ = tampered(tmp_path, lambda items: f"SUM({items[0]}:{items[-2]})")
    (f,) = findings(path, "formula-changed")
    assert f.keys == [KEY] and f.severity == "warning"  # saved without a result: nothing wrong shown yet
    assert "SUM(" in f.message and "恢复公式" in f.message
    assert findings(path, "stale-cache") == []


@pytest.mark.libreoffice
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_recalculated_tampered_formula_is_an_error(tmp_path):
    path, values = tampered(tmp_path, lambda items: f"SUM({items[0]}:{items[-2]})")
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    (f,) = findings(out / path.name, "formula-changed-wrong")
    last_item = ED.cells[KEY].formula_terms[-1]
    assert f.severity == "error" and f.difference == -values[last_item]
