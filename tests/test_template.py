"""The workbook template: labels, cells, validation, protection, CLI."""

from __future__ import annotations

import random
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import range_boundaries

from xxgk import load_edition
from xxgk.cli import main
from xxgk.layout import layouts
from xxgk.meta import defined_name, key_from_name
from xxgk.synth import consistent_inputs
from xxgk.template import write_roster_templates, write_template
from xxgk.writer import (CHECK_STATUS_COL, check_rows, info_positions,
                         prose_positions, write_report)

ED = load_edition("2021")
PASS, FAIL = ED.workbook_labels["pass"], ED.workbook_labels["fail"]  # a check's result, as the edition words it
LAYOUTS = layouts(ED)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "t.xlsx", unit="测试街道办事处", year=2025)


def _tree_labels(nodes) -> list[str]:
    out = []
    for n in nodes:
        if n.label:
            out.append(n.label)
        out += _tree_labels(n.children)
    return out


def _sheet_texts(ws, lay) -> list[tuple[int, int, str]]:
    return [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows(min_row=lay.top + 1, max_row=lay.bottom + 1)
            for c in row if isinstance(c.value, str) and c.value and c.data_type == "s"]


def random_values(ed=ED, seed=1) -> dict[str, Decimal]:
    """Random inputs that satisfy every hard rule (used by the LibreOffice tests too)."""
    return consistent_inputs(ed, random.Random(seed), zero_share=0.1)


def value_of(key, values, ed=ED) -> Decimal:
    """What a formula or input cell must show, computed from the format description."""
    return ed.compute({k: v for k, v in values.items() if isinstance(v, (int, Decimal))})[key]


def difference(inst, values, ed=ED) -> Decimal:
    full = ed.compute(values)
    side = lambda terms: sum((full[t.key] * t.sign for t in terms), Decimal(0))  # noqa: E731
    return side(inst.lhs) - side(inst.rhs)


# (1) labels ------------------------------------------------------------------


@pytest.mark.parametrize("table", ED.tables, ids=lambda t: t.key)
def test_every_official_label_in_order(template_path, table):
    wb = openpyxl.load_workbook(template_path)
    ws, lay = wb[table.sheet], LAYOUTS[table.key]
    texts = _sheet_texts(ws, lay)
    expected = []
    for b in table.blocks:
        expected += [t for t in (b.title, b.row_header or b.corner) if t]
        expected += _tree_labels(b.columns) + _tree_labels(b.rows)
    assert Counter(t for _, _, t in texts) == Counter(expected)
    where = {}
    for r, c, t in texts:
        where.setdefault(t, []).append((r, c))
    for b in table.blocks:  # leaves appear in official order down and across
        rows = [where[p[-1].label].pop(0)[0] for p in b.row_paths() if p[-1].label]
        cols = [where[p[-1].label].pop(0)[1] for p in b.column_paths()]
        assert rows == sorted(rows) and len(set(rows)) == len(rows)
        assert cols == sorted(cols)
    assert ws.cell(1, 1).value == table.title


def test_literal_official_labels(template_path):
    wb = openpyxl.load_workbook(template_path)
    texts = {c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "3.危及“三安全一稳定”",
                  "第二十条第（八）项", "本年收费金额（单位：万元）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                  "未经复议直接起诉", "四、结转下年度继续办理", "五、存在的主要问题及改进情况"):
        assert label in texts


# formulas and cached values -----------------------------------------------------


def _ref_cell(wb, ref):
    sheet, addr = ref.lstrip("=").split("!")
    return wb[sheet.strip("'")][addr.replace("$", "")]


def test_formula_cells_sum_with_cached_values(tmp_path):
    values = random_values(seed=3)
    path = tmp_path / "filled.xlsx"
    write_report(path, unit="甲", year=2025, values=values)
    wb, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    for key in ED.formula_keys:
        sheet = ED.cells[key].table.sheet
        reg = LAYOUTS[ED.cells[key].table.key].cells[key]
        formula = wb[sheet].cell(reg.r1 + 1, reg.c1 + 1).value
        assert formula.startswith("=SUM(") and formula.count(",") <= 1, formula
        assert Decimal(str(cached[sheet].cell(reg.r1 + 1, reg.c1 + 1).value)) == value_of(key, values)
    status_col = CHECK_STATUS_COL + 1
    assert {cached[ED.checks_sheet].cell(r + 1, status_col).value for r, _ in check_rows(ED)} == {PASS}


def test_override_breaks_its_check(tmp_path):
    key = ED.formula_keys[0]
    path = tmp_path / "o.xlsx"
    write_report(path, values=random_values(seed=4), overrides={key: 999})
    cached = openpyxl.load_workbook(path, data_only=True)
    status_col = CHECK_STATUS_COL + 1
    failed = [inst for r, inst in check_rows(ED) if cached[ED.checks_sheet].cell(r + 1, status_col).value == FAIL]
    assert failed and all(key in inst.keys for inst in failed)


def test_caller_strings_stay_text(tmp_path):
    path = tmp_path / "s.xlsx"
    key = ED.input_keys[0]
    write_report(path, unit="=1+1", values={key: "=2+2"}, prose={ED.prose_sections[0].key: "=SUM(A1)"})
    wb = openpyxl.load_workbook(path)
    assert wb.defined_names[defined_name("info.unit")].value
    for name in (defined_name("info.unit"), defined_name(key), defined_name("prose." + ED.prose_sections[0].key)):
        cell = _ref_cell(wb, wb.defined_names[name].value)
        assert cell.data_type == "s" and cell.value.startswith("=")


# (3) validation, unlocked cells and names only on input cells ----------------------


def _input_regions() -> dict[str, dict[tuple[int, int], set[tuple[int, int]]]]:
    """sheet -> {top-left: every cell of the input region} (1-based)."""
    out: dict[str, dict] = {}
    for key in ED.input_keys:
        reg = LAYOUTS[ED.cells[key].table.key].cells[key]
        cells = {(r + 1, c + 1) for r in range(reg.r1, reg.r2 + 1) for c in range(reg.c1, reg.c2 + 1)}
        out.setdefault(ED.cells[key].table.sheet, {})[(reg.r1 + 1, reg.c1 + 1)] = cells
    for r, c in info_positions(ED).values():
        out.setdefault(ED.info_sheet, {})[(r + 1, c + 1)] = {(r + 1, c + 1)}
    for r, c in prose_positions(ED).values():
        out.setdefault(ED.prose_sheet, {})[(r + 1, c + 1)] = {(r + 1, c + 1)}
    return out


def _sqref_cells(sqref) -> set[tuple[int, int]]:
    cells = set()
    for rng in str(sqref).split():
        c1, r1, c2, r2 = range_boundaries(rng)
        cells |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return cells


def test_validation_unlocked_and_names_only_on_inputs(template_path):
    wb = openpyxl.load_workbook(template_path)
    regions = _input_regions()
    for ws in wb:
        expected = regions.get(ws.title, {})
        unlocked = {(c.row, c.column) for row in ws.iter_rows() for c in row
                    if not isinstance(c, MergedCell) and not c.protection.locked}
        assert unlocked == set(expected), ws.title
        dv_cells = set().union(*(_sqref_cells(dv.sqref) for dv in ws.data_validations.dataValidation))
        all_input_cells = set().union(*expected.values()) if expected else set()
        assert dv_cells <= all_input_cells, ws.title
        if ws.title in {t.sheet for t in ED.tables}:
            assert dv_cells == all_input_cells
    named = {}
    for name, dn in wb.defined_names.items():
        if key_from_name(name) is None:
            continue
        sheet, addr = dn.value.split("!")
        c1, r1, _, _ = range_boundaries(addr.replace("$", ""))
        named[name] = (sheet.strip("'"), r1, c1)
    expected_names = {defined_name(k) for k in ED.input_keys}
    expected_names |= {defined_name(f"info.{f.key}") for f in ED.info_fields}
    expected_names |= {defined_name(f"prose.{s.key}") for s in ED.prose_sections}
    assert set(named) == expected_names
    assert {(s, (r, c)) for s, r, c in named.values()} == {(s, tl) for s, d in regions.items() for tl in d}
    for key in ED.input_keys:
        reg = LAYOUTS[ED.cells[key].table.key].cells[key]
        assert named[defined_name(key)] == (ED.cells[key].table.sheet, reg.r1 + 1, reg.c1 + 1)


def test_fee_validation_and_format(tmp_path):
    path = write_template(tmp_path / "f.xlsx", fee_decimals=2)
    wb = openpyxl.load_workbook(path)
    fee = next(k for k in ED.input_keys if ED.cells[k].value_type == "amount")
    sheet, addr = wb.defined_names[defined_name(fee)].value.split("!")
    ws, addr = wb[sheet.strip("'")], addr.replace("$", "")
    assert ws[addr].number_format == "0.00"
    dv = next(d for d in ws.data_validations.dataValidation if addr in str(d.sqref))
    assert dv.type == "custom" and f"ROUND({addr},2)" in dv.formula1
    assert len(dv.promptTitle or "") <= 32 and len(dv.prompt or "") <= 255 and dv.error


# (4) protection ------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, "secret"])
def test_sheet_and_structure_protection(tmp_path, password):
    path = write_template(tmp_path / "p.xlsx", password=password)
    wb = openpyxl.load_workbook(path)
    assert all(ws.protection.sheet for ws in wb)
    assert bool(wb.security.lockStructure)
    assert bool(wb.security.workbookPassword) == bool(password)
    assert all(bool(ws.protection.password) == bool(password) for ws in wb)
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert xml.index("<workbookProtection") < xml.index("<bookViews>")
    assert wb["_xxgk"].sheet_state == "hidden"


def test_lock_unit_prefills_and_locks(tmp_path):
    unit_type = ED.unit_types[-2].label
    path = write_template(tmp_path / "l.xlsx", unit="乙街道", unit_type=unit_type, year=2025, lock_unit=True)
    wb = openpyxl.load_workbook(path)
    for key, expected in (("unit", "乙街道"), ("unit_type", unit_type)):
        cell = _ref_cell(wb, wb.defined_names[defined_name(f"info.{key}")].value)
        assert cell.value == expected and cell.protection.locked


def test_deterministic_output(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a, unit="甲", year=2025)
    write_template(b, unit="甲", year=2025)
    assert a.read_bytes() == b.read_bytes()


# committed blank template -----------------------------------------------------------


def _content(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {"names": sorted((n, d.value) for n, d in wb.defined_names.items()), "sheets": wb.sheetnames}
    for ws in wb:
        out[ws.title] = {
            "cells": [(c.coordinate, c.value) for row in ws.iter_rows() for c in row if c.value is not None],
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "dv": sorted((str(d.sqref), d.type, d.formula1, d.operator) for d in ws.data_validations.dataValidation),
        }
    return out


def test_committed_template_is_current(tmp_path):
    import runpy

    module = runpy.run_path(str(ROOT / "workbook_templates" / "regenerate.py"))
    for fresh in module["regenerate_all"](tmp_path):  # one per edition
        committed = ROOT / "workbook_templates" / fresh.name
        assert committed.exists(), "运行 python workbook_templates/regenerate.py 生成模板"
        assert _content(fresh) == _content(committed), "模板已过期：运行 python workbook_templates/regenerate.py"


# (5) CLI ---------------------------------------------------------------------------


def test_cli_template_single(tmp_path):
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(main, ["template", "--unit", "测试街道办事处", "--year", "2025", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert str(out) in res.output and "模板已生成" in res.output
    wb = openpyxl.load_workbook(out)
    assert _ref_cell(wb, wb.defined_names[defined_name("info.unit")].value).value == "测试街道办事处"
    assert wb["_xxgk"]["B8"].value == "2025"


def test_cli_template_roster(tmp_path):
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位类型\n甲街道办事处,乡镇（街道）\n乙局/丙办,县级（区）政府部门\n", encoding="utf-8-sig")
    res = CliRunner().invoke(main, ["template", "--roster", str(roster), "--out", str(tmp_path / "out"),
                                    "--year", "2025"])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["2025年政府信息公开工作年度报告_乙局_丙办.xlsx", "2025年政府信息公开工作年度报告_甲街道办事处.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "out" / files[0])
    cell = _ref_cell(wb, wb.defined_names[defined_name("info.unit_type")].value)
    assert cell.value == "县级（区）政府部门" and cell.protection.locked


def test_cli_template_missing_roster(tmp_path):
    res = CliRunner().invoke(main, ["template", "--roster", str(tmp_path / "无.csv"), "--out", str(tmp_path)])
    assert res.exit_code != 0
    assert "找不到名册文件" in res.output and "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_roster_templates_parallel(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("单位名称\n" + "".join(f"单位{i}\n" for i in range(45)), encoding="utf-8")
    paths = write_roster_templates(roster, tmp_path / "out", year=2025, workers=2)
    assert len(paths) == 45 and all(p.exists() for p in paths)


def test_cli_unknown_unit_type_is_misuse(tmp_path):
    result = CliRunner().invoke(main, ["template", "--unit-type", "不知道", "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and "乡镇（街道）" in result.output  # the choices are listed
    assert not (tmp_path / "t.xlsx").exists()


def test_roster_unit_type_aliases_and_unknown_types(tmp_path):
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位类型\n甲街道,街道\n乙局,不知道\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["template", "--roster", str(roster), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "第 3 行“不知道”" in result.output and "Traceback" not in result.output
    roster.write_text("单位名称,单位类型\n甲街道,街道\n", encoding="utf-8")
    (path,) = write_roster_templates(roster, tmp_path / "out", year=2025)
    from xxgk.reader import read_workbook

    assert read_workbook(path).unit_type == "乡镇（街道）"


def test_prose_rows_grow_with_their_text(tmp_path):
    from xxgk.writer import MAX_ROW_PT

    long_text = "\n".join(["政务公开工作取得新进展。" * 6] * 12)
    path = tmp_path / "p.xlsx"
    write_report(path, ED, prose={"problems": long_text, "other_matters": "无。"})
    ws = openpyxl.load_workbook(path)[ED.prose_sheet]
    heights = {key: ws.row_dimensions[r + 1].height for key, (r, _) in prose_positions(ED).items()}
    blank = openpyxl.load_workbook(ROOT / "workbook_templates" / "政府信息公开工作年度报告模板_2021版.xlsx")[ED.prose_sheet]
    blank_heights = {key: blank.row_dimensions[r + 1].height for key, (r, _) in prose_positions(ED).items()}
    assert blank_heights["problems"] < heights["problems"] <= MAX_ROW_PT
    assert heights["other_matters"] == blank_heights["other_matters"]  # a short text keeps the box
