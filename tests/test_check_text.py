"""Issue 8 point 10: blank cells summarised per table row (all listed with
--verbose); a workbook saved without formula results gets no contradictory
“已按 0 计算” for totals that were computed, not taken as 0."""

from __future__ import annotations

import random

import openpyxl
from click.testing import CliRunner

from xxgk import load_edition
from xxgk.cli import main
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

ED = load_edition("2021")


def check(*args):
    return CliRunner().invoke(main, ["check", *map(str, args), "--year", "2023"])


def test_blank_cells_one_line_per_row(tmp_path):
    values = consistent_inputs(ED, random.Random(1))
    half = {k: values[k] for i, k in enumerate(ED.input_keys) if i % 2 == 0}
    blanks = len(ED.input_keys) - len(half)
    path = tmp_path / "半.xlsx"
    write_report(path, ED, unit="青溪区甲街道办事处", unit_type="乡镇（街道）", year=2023, values=half)
    short = check(path).output
    verbose = check(path, "--verbose").output
    assert verbose.count("未填写，已按 0 计算") == blanks
    rows = {(ED.cells[k].table.sheet, ED.cells[k].row_label or ED.cells[k].col_path[0].label)
            for k in ED.input_keys if k not in half}
    lines = [line for line in short.splitlines() if "已按 0 计算" in line]
    assert len(lines) == len(rows) < blanks / 2
    assert "--verbose" in short and f"有 {blanks} 条提醒" in short


def test_no_formula_results_no_contradiction(tmp_path):
    values = consistent_inputs(ED, random.Random(1))
    values["t3.granted.natural_person"] += 5  # breaks 一 + 二 = （七）总计 + 四
    path = tmp_path / "a.xlsx"
    write_report(path, ED, unit="青溪区甲街道办事处", unit_type="乡镇（街道）", year=2023, values=values)
    resaved = tmp_path / "b.xlsx"
    openpyxl.load_workbook(path).save(resaved)  # keeps formulas, stores no results
    result = check(resaved)
    assert result.exit_code == 1 and "相差 -5" in result.output
    assert "已按 0 计算" not in result.output
