"""Seven small faults that once survived the whole suite, each caught here.

Every test below was written first, then the code was broken on purpose in
the way named in its docstring and the test watched to fail:

1. shared-formula translation by column        test_shared_formula_is_translated_along_a_row
2. column offset of unnamed formula cells      test_formula_cells_follow_inserted_columns
3. the template's conditional formatting       test_conditional_formats_mark_only_broken_rules
4. the date epoch                              test_fill_date_reads_back_as_written
5. minus terms in the 校验 sheet's formulas     test_check_sheet_formulas_subtract_minus_terms
6. tie-break of the summary's year             test_summary_year_tie_goes_to_the_later_year
7. the breakdown used by a chart               test_chart_breakdown_is_the_items_of_the_grand_total
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
import yaml

from formula_eval import Evaluator, conditional_formulas
from xxgk.checker import check_submission
from xxgk.consolidate import FileResult, _target_year, consolidate
from xxgk.layout import layouts
from xxgk.meta import defined_name
from xxgk.reader import read_workbook
from xxgk.spec import build_edition, load_edition
from xxgk.synth import consistent_inputs
from xxgk.writer import CHECK_LEFT_COL, CHECK_RIGHT_COL, check_rows, write_report
from xxgk.xlsx import XlsxBook

from test_xlsx import write_raw_xlsx

# the summary's sheets, as the edition names them
SHEET_CHARTS = load_edition("2021").summary_sheets["charts"]

EDITIONS = ("2019", "2021")


def filled(tmp_path: Path, edition, seed: int = 1, **kw) -> tuple[Path, dict]:
    ed = edition if not isinstance(edition, str) else load_edition(edition)
    values = kw.pop("values", None) or consistent_inputs(ed, random.Random(seed))
    path = tmp_path / f"{ed.edition}-{seed}.xlsx"
    write_report(path, ed, unit="某某街道办事处", unit_type="乡镇（街道）", year=ed.first_year + 1,
                 values=values, **kw)
    return path, values


# 1 ---------------------------------------------------------------------------------------


def test_shared_formula_is_translated_along_a_row(tmp_path):
    """A shared formula filled to the right (one total per column) moves its
    references by column; $-anchored parts stay."""
    row = ('<row r="5"><c r="B5"><f t="shared" ref="B5:D5" si="0">SUM(B2:B4)+$A$1</f><v>6</v></c>'
           '<c r="C5"><f t="shared" si="0"/><v>15</v></c><c r="D5"><f t="shared" si="0"/><v>24</v></c></row>')
    path = write_raw_xlsx(tmp_path / "shared.xlsx", {"S": f"<sheetData>{row}</sheetData>"})
    with XlsxBook(path) as book:
        cells = book.cells("S")
    assert [cells[(4, c)].formula for c in (1, 2, 3)] == ["SUM(B2:B4)+$A$1", "SUM(C2:C4)+$A$1", "SUM(D2:D4)+$A$1"]


# 2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_formula_cells_follow_inserted_columns(tmp_path, edition):
    """Formula cells have no defined name: they are placed relative to the
    named cells, so a column inserted left of table 3 moves them too."""
    ed = load_edition(edition)
    path, values = filled(tmp_path, ed, seed=2)
    sheet = ed.table("t3").sheet
    from openpyxl.formula.translate import Translator

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.insert_cols(1)
    for row in ws.iter_rows():  # as Excel does: the sheet's own formulas follow (openpyxl leaves them)
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("=SUM("):
                c.value = Translator(c.value, "A1").translate_formula("B1")
    for name, dn in list(wb.defined_names.items()):
        target_sheet, ref = dn.value.split("!")
        if target_sheet.strip("'") == sheet:
            col, row = ref.replace("$", " ").split()
            dn.value = f"{target_sheet}!${openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(col) + 1)}${row}"
    wb.save(tmp_path / "moved.xlsx")
    sub = read_workbook(tmp_path / "moved.xlsx")
    lay = layouts(ed)["t3"]
    t3 = [k for k in ed.formula_keys if k.startswith("t3.")]
    moved = {k: openpyxl.utils.get_column_letter(lay.cells[k].c1 + 2) + str(lay.cells[k].r1 + 1) for k in t3}
    assert {k: sub.cells[k].address for k in t3} == moved
    assert all(sub.cells[k].formula and sub.cells[k].formula.startswith("SUM(") for k in t3)
    result = check_submission(sub)  # openpyxl keeps no cached results: totals recomputed from their items
    assert result.errors == [] and {"formula-changed", "formula-changed-wrong"}.isdisjoint(f.code for f in result.findings)
    assert {k: result.values[k] for k in t3} == {k: ed.compute(values)[k] for k in t3}


# 3 ---------------------------------------------------------------------------------------


def _marked(path: Path) -> set[tuple[str, str]]:
    """(sheet, range) of every conditional format whose formula is true now."""
    wb = openpyxl.load_workbook(path)
    ev = Evaluator(wb)
    return {(ws.title, ref) for ws in wb.worksheets for refs, formula in conditional_formulas(ws)
            if ev.formula(formula, ws.title) for ref in refs}


@pytest.mark.parametrize("edition", EDITIONS)
def test_conditional_formats_mark_only_broken_rules(tmp_path, edition):
    """A consistent report shows no red cell; a broken rule marks its cells."""
    ed = load_edition(edition)
    good, values = filled(tmp_path, ed, seed=3)
    assert any(conditional_formulas(ws) for ws in openpyxl.load_workbook(good).worksheets)
    assert _marked(good) == set()
    inst = next(i for i in ed.instances(group="hard", kind="equation") if not i.rule.params.get("formula"))
    key = next(t.key for t in inst.lhs if ed.cells[t.key].is_input)
    broken = dict(values)
    broken[key] += 1
    bad, _ = filled(tmp_path, ed, seed=4, values=broken)
    marked = _marked(bad)
    lay = layouts(ed)[ed.cells[key].table.key]
    assert marked and all(sheet == ed.cells[key].table.sheet for sheet, _ in marked)
    assert any(lay.cells[key].ref in _expand(ref) for _, ref in marked)


def _expand(ref: str) -> set[str]:
    from openpyxl.utils import range_boundaries, get_column_letter

    c1, r1, c2, r2 = range_boundaries(ref)
    return {f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}


# 4 ---------------------------------------------------------------------------------------


def test_fill_date_reads_back_as_written(tmp_path):
    """填报日期 is an Excel date serial (1900 system, day 0 = 1899-12-30)."""
    for day in (dt.date(2025, 1, 15), dt.date(2024, 2, 29), dt.date(2021, 3, 1)):
        path, _ = filled(tmp_path, "2021", seed=5, info={"date": day})
        assert read_workbook(path).info["date"] == day.isoformat()


# 5 ---------------------------------------------------------------------------------------


def _edition_with_minus_term():
    """The 2021 edition with table 3's balance written with a minus term:
    一 + 二 − 四 = （七）总计 (the same rule, another shape)."""
    data = yaml.safe_load(resources.files("xxgk.editions").joinpath("2021.yaml").read_text("utf-8"))
    r3 = next(r for r in data["rules"] if r["id"] == "R3")
    r3["lhs"] = ["t3.new_received.{col}", "t3.carried_over.{col}", "-t3.carry_forward.{col}"]
    r3["rhs"] = ["t3.total_results.{col}"]
    return build_edition(data)


def test_check_sheet_formulas_subtract_minus_terms(tmp_path):
    ed = _edition_with_minus_term()
    values = consistent_inputs(ed, random.Random(6))
    assert any(t.sign < 0 for _, i in check_rows(ed) for t in i.lhs)
    for name, vals in (("good", values), ("bad", {**values, "t3.carry_forward.natural_person":
                                                  values["t3.carry_forward.natural_person"] + 2})):
        path = tmp_path / f"{name}.xlsx"
        write_report(path, ed, unit="甲", year=2025, values=vals)
        wb = openpyxl.load_workbook(path)
        ws, ev = wb[ed.checks_sheet], Evaluator(wb)
        left, right = CHECK_LEFT_COL + 1, CHECK_RIGHT_COL + 1
        full = ed.compute(vals)
        for row, inst in check_rows(ed):
            lhs = sum((t.sign * full[t.key] for t in inst.lhs), Decimal(0))
            rhs = sum((t.sign * full[t.key] for t in inst.rhs), Decimal(0))
            assert ev.formula(ws.cell(row + 1, left).value, ws.title) == lhs, inst.instance_id
            assert ev.formula(ws.cell(row + 1, right).value, ws.title) == rhs, inst.instance_id
        marked = _marked(path)
        assert bool(marked) == (name == "bad")


# 6 ---------------------------------------------------------------------------------------


def test_summary_year_tie_goes_to_the_later_year():
    files = [FileResult(f"{i}.xlsx", year=y) for i, y in enumerate([2022, 2023, 2023, 2022, 2021])]
    assert _target_year(files) == 2023
    assert _target_year(list(reversed(files))) == 2023
    assert _target_year(files + [FileResult("x.xlsx", year=2022)]) == 2022


# 7 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_chart_breakdown_is_the_items_of_the_grand_total(tmp_path, edition):
    """The 图表 sheet charts the result items （一）…（六） of the grand total's
    column (table 3's 总计), never the totals or another column."""
    ed = load_edition(edition)
    folder = tmp_path / "in"
    folder.mkdir()
    for i, unit in enumerate(["青溪区甲局", "青溪区乙局"]):
        write_report(folder / f"{unit}.xlsx", ed, unit=unit, unit_type="县级（区）政府部门", year=ed.first_year + 1,
                     values=consistent_inputs(ed, random.Random(30 + i)))
    result = consolidate([folder], out=tmp_path / "sum.xlsx", jobs=1)
    ws = openpyxl.load_workbook(tmp_path / "sum.xlsx")[SHEET_CHARTS]
    items = [f"t3.{item}.total" for item in ed.sets["t3_result_items"]]
    lay = layouts(ed)["t3"]
    expected = [f"'{ed.table('t3').sheet}'!{lay.cells[k].ref}" for k in items]
    got = [str(ws.cell(r, 2).value).lstrip("=").replace("$", "") for r in range(3, 3 + len(items))]
    assert got == expected
    assert ws.cell(3 + len(items), 2).value in (None, "", "分类")  # nothing more in the list
    assert sum(result.sums[k] for k in items) == result.sums["t3.total_results.total"]


def test_no_test_skips_our_own_modules():
    """A broken import in our code must fail the suite, not skip 25 tests."""
    here = Path(__file__).parent
    offenders = [p.name for p in here.glob("*.py") if "importorskip(" in p.read_text("utf-8")
                 and p.name != Path(__file__).name]
    assert offenders == []


def test_the_catalogue_lists_exactly_the_codes_findings_carry():
    """docs/rules.md (the catalogue) names every code a finding is made with,
    and no code that no finding carries (R5 once documented `cell-value`)."""
    import re

    from xxgk.findings import CODES
    from xxgk.spec import available_editions

    src = Path(__file__).resolve().parents[1] / "src" / "xxgk"
    text = "\n".join(p.read_text("utf-8") for p in src.rglob("*.py") if p.name != "findings.py")
    made = set(re.findall(r'(?:Finding\(\s*|Finding\.of\(\s*|_finding\(\s*|\.add\(\s*|hard\(\s*|code=|code = )"([a-z][a-z0-9-]*)"', text))
    constants = dict(re.findall(r'^([A-Z_]+) = "([a-z][a-z0-9]*(?:-[a-z0-9]+)+)"', text, re.M))
    made |= {constants[c] for c in re.findall(r"(?:Finding\(\s*|Finding\.of\(\s*|\.add\(\s*|code=)([A-Z_]+)\b", text) if c in constants}
    rule_codes = {c for name in available_editions() for r in load_edition(name).rules for c in r.codes}
    catalogue = set(CODES) | rule_codes
    assert made - catalogue == set(), "codes made but not catalogued"
    quoted = set(re.findall(r'"([a-z][a-z0-9-]*)"', text))
    assert set(CODES) - quoted == set(), "catalogued codes no code makes"
    assert "cell-value" not in catalogue
    assert all(c in CODES for r in load_edition().rules if len(r.codes) > 1 for c in r.codes)
