"""Issue 8 point 6: a roster without 单位类型 makes templates whose type cell
the unit fills (a drop-down, yellow, unlocked, not “已由下发单位填好”); rules
that need the type say that they did not run when it is missing."""

from __future__ import annotations

import random

import openpyxl

from xxgk import load_edition
from xxgk.checker import check_submission
from xxgk.meta import defined_name
from xxgk.reader import read_workbook
from xxgk.synth import consistent_inputs
from xxgk.template import write_roster_templates
from xxgk.writer import write_report

ED = load_edition("2021")


def _cell(wb, key):
    sheet, ref = next(iter(wb.defined_names[defined_name(f"info.{key}")].destinations))
    return wb[sheet][ref.replace("$", "")]


def test_type_cell_left_to_the_unit(tmp_path):
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称\n青溪区甲街道办事处\n", encoding="utf-8")
    (path,) = write_roster_templates(roster, tmp_path / "模板", year=2025)
    wb = openpyxl.load_workbook(path)
    unit, unit_type = _cell(wb, "unit"), _cell(wb, "unit_type")
    assert unit.value == "青溪区甲街道办事处" and unit.protection.locked  # given: filled and locked
    assert unit_type.value is None and not unit_type.protection.locked
    assert unit_type.fill.fgColor.rgb != unit.fill.fgColor.rgb  # input colour, not the grey of given cells
    ws = unit_type.parent
    hint = ws.cell(unit_type.row, unit_type.column + 1).value
    assert hint != "已由下发单位填好"
    lists = [d for d in ws.data_validations.dataValidation if unit_type.coordinate in str(d.sqref)]
    assert lists and lists[0].type == "list"


def test_rules_needing_the_type_say_they_did_not_run(tmp_path):
    path = tmp_path / "无类型.xlsx"
    write_report(path, ED, unit="青溪区甲街道办事处", year=2023, values=consistent_inputs(ED, random.Random(1)))
    result = check_submission(read_workbook(path), ED)
    (note,) = [f for f in result.findings if f.code == "unit-type-missing"]
    assert note.severity == "info" and result.ok
    for rule in ED.rules:
        if rule.kind.startswith("unit_type"):
            assert rule.title in note.message


def test_type_given_no_note(tmp_path):
    path = tmp_path / "有类型.xlsx"
    write_report(path, ED, unit="青溪区甲街道办事处", unit_type="乡镇（街道）", year=2023,
                 values=consistent_inputs(ED, random.Random(1)))
    assert "unit-type-missing" not in [f.code for f in check_submission(read_workbook(path), ED).findings]
