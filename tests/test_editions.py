"""Both editions through the whole pipeline: the description owns the format.

The 2019 edition (国办公开办函〔2019〕60号) is data only: these tests write,
read, check and consolidate it with the same code as the 2021 edition.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from xxgk.checker import check_submission
from xxgk.consolidate import consolidate
from xxgk.reader import read_workbook
from xxgk.spec import available_editions, load_edition
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

EDITIONS = ("2019", "2021")
YEAR = {"2019": 2020, "2021": 2023}


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def write(path: Path, edition: str, values=None, *, unit="某某街道办事处", year=None, seed=1, **kw) -> Path:
    ed = load_edition(edition)
    values = values if values is not None else consistent_inputs(ed, random.Random(seed))
    write_report(path, ed, unit=unit, unit_type="乡镇（街道）", year=year or YEAR[edition], values=values, **kw)
    return path


def test_both_editions_are_available():
    assert set(EDITIONS) <= set(available_editions())


@pytest.mark.parametrize("edition", EDITIONS)
def test_filled_workbook_reads_back_and_passes(tmp_path, edition):
    ed = load_edition(edition)
    values = consistent_inputs(ed, random.Random(3))
    sub = read_workbook(write(tmp_path / "a.xlsx", edition, values))
    assert sub.edition == edition and sub.ours
    assert {k: sub.cells[k].value for k in ed.input_keys} == values
    result = check_submission(sub)
    assert result.errors == [] and "cell-blank" not in codes(result)
    assert result.values == ed.compute(values)


def test_2019_table_2_has_its_five_items():
    ed = load_edition("2019")
    t2 = ed.table("t2")
    assert [b.title for b in t2.blocks] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                                           "第二十条第（八）项", "第二十条第（九）项"]
    cols = {b.key: [p[-1].label for p in b.column_paths()] for b in t2.blocks}
    assert cols["art20_1"] == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert cols["art20_5"] == cols["art20_6"] == ["上一年项目数量", "本年增/减", "处理决定数量"]
    assert cols["art20_8"] == ["上一年项目数量", "本年增/减"]
    assert cols["art20_9"] == ["采购项目数量", "采购总金额"]
    # table 3: （六）其他处理 is one row; table 4 as in 2021
    assert [k for k in ed.cells if k.startswith("t3.other_handling.")] == \
        [f"t3.other_handling.{c}" for c in ed.sets["t3_columns"]]
    assert ed.table("t4").cell_keys() == load_edition("2021").table("t4").cell_keys()


def test_2019_change_may_be_negative_but_a_count_may_not(tmp_path):
    ed = load_edition("2019")
    values = consistent_inputs(ed, random.Random(5))
    values["t2.penalty.change"] = Decimal(-18)
    values["t2.penalty.decisions"] = Decimal(-1)
    result = check_submission(read_workbook(write(tmp_path / "a.xlsx", "2019", values)))
    negative = [f for f in result.findings if f.code == "negative"]
    assert [f.keys for f in negative] == [["t2.penalty.decisions"]]
    assert "非负整数" in negative[0].message


def test_2019_purchase_amount_unit_is_read(tmp_path):
    """采购总金额 is held in 元; “2895.90元” and “0.5万元” are both read, converted."""
    ed = load_edition("2019")
    values = consistent_inputs(ed, random.Random(6))
    values["t2.procurement.amount"] = "0.5万元"
    sub = read_workbook(write(tmp_path / "a.xlsx", "2019", values))
    cell = sub.cells["t2.procurement.amount"]
    assert cell.value == Decimal(5000) and cell.unit == "万元" and "换算" in cell.note
    result = check_submission(sub)
    assert result.values["t2.procurement.amount"] == 5000
    assert "amount-in-yuan" not in codes(result)  # the label states no unit: not a mistake
    values["t2.procurement.amount"] = "2895.90元"
    sub = read_workbook(write(tmp_path / "b.xlsx", "2019", values))
    assert sub.cells["t2.procurement.amount"].value == Decimal("2895.9")


def test_2019_previous_year_rules(tmp_path):
    ed = load_edition("2019")
    last = consistent_inputs(ed, random.Random(7))
    this = consistent_inputs(ed, random.Random(8))
    for row in ed.sets["t2_items"]:
        this[f"t2.{row}.prev_items"] = last[f"t2.{row}.prev_items"] + last[f"t2.{row}.change"]
    for doc in ed.sets["t2_docs"]:
        this[f"t2.{doc}.total_published"] = last[f"t2.{doc}.total_published"] + this[f"t2.{doc}.published"]
    this = dict(this)
    prev = read_workbook(write(tmp_path / "2019.xlsx", "2019", last, year=2019))
    clean = check_submission(read_workbook(write(tmp_path / "ok.xlsx", "2019", this)), previous=prev)
    assert {"prev-item-count", "prev-published-total"}.isdisjoint(codes(clean))
    this["t2.licensing.prev_items"] += 3
    this["t2.rules.total_published"] += 1
    result = check_submission(read_workbook(write(tmp_path / "bad.xlsx", "2019", this)), previous=prev)
    found = {f.code: f for f in result.findings}
    assert found["prev-item-count"].keys == ["t2.licensing.prev_items"] and found["prev-item-count"].difference == 3
    assert found["prev-published-total"].keys[0] == "t2.rules.total_published"


def test_2019_consolidation(tmp_path):
    ed = load_edition("2019")
    folder = tmp_path / "in"
    folder.mkdir()
    many = []
    for i, name in enumerate(["青溪区甲街道", "青溪区乙街道", "青溪区丙局"]):
        values = consistent_inputs(ed, random.Random(20 + i))
        write(folder / f"{name}.xlsx", "2019", values, unit=name)
        many.append(values)
    result = consolidate([folder], out=tmp_path / "sum.xlsx", edition="2019", jobs=1)
    expected = ed.compute({k: sum((v[k] for v in many), Decimal(0)) for k in ed.input_keys})
    assert result.sums == expected and result.included == 3 and result.summary_findings == []
    again = read_workbook(tmp_path / "sum.xlsx")
    assert again.edition == "2019" and again.kind == "summary"
    assert check_submission(again).errors == []


# -- the edition chosen from the evidence ------------------------------------------------


def strip_ours(path: Path, out: Path, year_in_name: int | None = None) -> Path:
    """The same tables copied into a body's own file: no metadata sheet, no names."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    del wb["_xxgk"]
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    for ws in wb.worksheets:
        ws.protection.sheet = False
    wb.security = None
    wb.save(out)
    return out


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_bodys_own_workbook_is_read_in_the_edition_its_labels_show(tmp_path, edition):
    ed = load_edition(edition)
    values = consistent_inputs(ed, random.Random(11))
    own = strip_ours(write(tmp_path / "ours.xlsx", edition, values), tmp_path / f"{YEAR[edition]}年报告.xlsx")
    sub = read_workbook(own)
    assert not sub.ours and sub.edition == edition
    assert {k: sub.cells[k].value for k in ed.input_keys} == values
    result = check_submission(sub)
    assert result.errors == []
    assert ("edition-detected" in codes(result)) == (edition != "2021")
    assert "edition-year-mismatch" not in codes(result)


def test_a_2019_table_in_a_2021_report_is_read_as_2019_and_said(tmp_path):
    values = consistent_inputs(load_edition("2019"), random.Random(12))
    own = strip_ours(write(tmp_path / "ours.xlsx", "2019", values), tmp_path / "2021年报告.xlsx")
    sub = read_workbook(own)
    assert sub.edition == "2019"
    (f,) = [f for f in check_submission(sub).findings if f.code == "edition-year-mismatch"]
    assert f.severity == "warning" and "2021" in f.message and f.expected == "2021"


def test_template_version_is_compared(tmp_path):
    import openpyxl

    path = write(tmp_path / "a.xlsx", "2021")
    assert "template-version" not in codes(check_submission(read_workbook(path)))
    wb = openpyxl.load_workbook(path)
    ws = wb["_xxgk"]
    row = next(r for r in ws.iter_rows() if r[0].value == "template_version")
    row[1].value = "0"
    wb.save(tmp_path / "old.xlsx")
    (f,) = [f for f in read_workbook(tmp_path / "old.xlsx").findings if f.code == "template-version"]
    assert f.severity == "warning" and f.actual == "0" and "旧版模板" in f.message


def test_2021_report_checked_against_a_2020_report_of_the_2019_format(tmp_path):
    """四 → 二 carries over; 现行有效件数 (2021) has no counterpart in 2019: skipped, said, never 0."""
    old, new = load_edition("2019"), load_edition("2021")
    last = consistent_inputs(old, random.Random(13))
    this = consistent_inputs(new, random.Random(14))
    last_full = old.compute(last)
    prev = read_workbook(write(tmp_path / "2020.xlsx", "2019", last, year=2020))
    for col in new.sets["t3_columns"]:
        if new.cells[f"t3.carried_over.{col}"].is_input:
            this[f"t3.carried_over.{col}"] = last_full[f"t3.carry_forward.{col}"]
    this["t3.carried_over.natural_person"] += 2
    this["t3.new_received.natural_person"] = max(this["t3.new_received.natural_person"] - 2, Decimal(0))
    result = check_submission(read_workbook(write(tmp_path / "2021.xlsx", "2021", this, year=2021)), previous=prev)
    carry = [f for f in result.findings if f.code == "prev-carry-over"]
    assert {f.keys[0] for f in carry} == {"t3.carried_over.natural_person", "t3.carried_over.total"}
    assert "prev-in-force" not in codes(result)
    (info,) = [f for f in result.findings if f.code == "previous-not-comparable"]
    assert info.severity == "info" and "2019" in info.message and "现行有效件数" in info.message


def test_consolidation_refuses_mixed_editions(tmp_path):
    from xxgk.consolidate import ConsolidationError

    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "甲.xlsx", "2019", unit="青溪区甲局", year=2020)
    write(folder / "乙.xlsx", "2021", unit="青溪区乙局", year=2020)
    write(folder / "丙.xlsx", "2021", unit="青溪区丙局", year=2020)
    with pytest.raises(ConsolidationError) as exc:
        consolidate([folder], out=tmp_path / "sum.xlsx", jobs=1)
    message = str(exc.value)
    assert "2019 版格式：甲.xlsx" in message and "2021 版格式：丙.xlsx、乙.xlsx" in message
    assert not (tmp_path / "sum.xlsx").exists()


# -- the description is checked when it is loaded ----------------------------------------------


def _with_rules(extra: str) -> str:
    from importlib import resources

    return resources.files("xxgk.editions").joinpath("2021.yaml").read_text("utf-8") + extra


def _rule(rule_id: str, lhs: str, rhs: str) -> str:
    return (f"  - id: {rule_id}\n    code: x-{rule_id.lower()}\n    severity: error\n    group: hard\n"
            f"    kind: equation\n    formula: true\n    lhs: [\"{lhs}\"]\n    rhs: [\"{rhs}\"]\n"
            f"    title: t\n    message: m\n")


def _load(text: str):
    import yaml

    from xxgk.spec import build_edition

    return build_edition(yaml.safe_load(text), source="editions/x.yaml", text=text)


def test_a_formula_cycle_is_rejected_at_load_with_file_and_line():
    from xxgk.spec import SpecError

    text = _with_rules(_rule("R90", "t2.rules.issued", "t2.rules.repealed")
                       + _rule("R91", "t2.rules.repealed", "t2.rules.issued"))
    line = text[: text.index("id: R90")].count("\n") + 1
    with pytest.raises(SpecError) as exc:
        _load(text)
    assert f"editions/x.yaml 第 {line} 行" in str(exc.value) and "循环" in str(exc.value)


def test_a_dangling_reference_is_rejected_at_load_with_file_and_line():
    from xxgk.spec import SpecError

    text = _with_rules(_rule("R92", "t2.rules.issued", "t2.rules.nothing"))
    line = text[: text.index("id: R92")].count("\n") + 1
    with pytest.raises(SpecError) as exc:
        _load(text)
    assert f"editions/x.yaml 第 {line} 行" in str(exc.value) and "t2.rules.nothing" in str(exc.value)


def test_sets_are_selected_from_the_header_trees():
    ed = load_edition("2021")
    t3_leaves = [p for b in ed.table("t3").blocks for p in b.row_paths()]
    assert len(ed.sets["t3_rows"]) == len(t3_leaves) == 25
    assert "total_results" not in ed.sets["t3_result_items"] and len(ed.sets["t3_result_items"]) == 21
    assert ed.sets["t4_groups"] == ("review", "litigation.direct", "litigation.after_review")
    assert ed.sets["t4_outcomes"] == ("upheld", "corrected", "other", "pending")
    assert len(load_edition("2019").sets["t3_result_items"]) == 19  # （六）其他处理 is one row


# -- the template of each edition ------------------------------------------------------------


@pytest.mark.parametrize("edition", EDITIONS)
def test_template_has_every_official_label_in_order_and_summing_formulas(tmp_path, edition):
    from collections import Counter

    import openpyxl

    from test_template import _sheet_texts, _tree_labels
    from xxgk.layout import layouts

    ed = load_edition(edition)
    values = consistent_inputs(ed, random.Random(40))
    path = write(tmp_path / "t.xlsx", edition, values)
    wb, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    full = ed.compute(values)
    for table in ed.tables:
        lay = layouts(ed)[table.key]
        expected = []
        for b in table.blocks:
            expected += [t for t in (b.title, b.row_header or b.corner) if t]
            expected += _tree_labels(b.columns) + _tree_labels(b.rows)
        assert Counter(t for _, _, t in _sheet_texts(wb[table.sheet], lay)) == Counter(expected), table.key
    for key in ed.formula_keys:
        reg = layouts(ed)[ed.cells[key].table.key].cells[key]
        sheet = ed.cells[key].table.sheet
        assert wb[sheet].cell(reg.r1 + 1, reg.c1 + 1).value.startswith("=SUM(")
        assert Decimal(str(cached[sheet].cell(reg.r1 + 1, reg.c1 + 1).value)) == full[key]


def test_2019_template_validations_follow_the_value_types(tmp_path):
    """本年增/减 accepts negatives; 采购总金额 two decimals and not below 0; counts not below 0."""
    import openpyxl

    from xxgk.meta import defined_name

    ed = load_edition("2019")
    wb = openpyxl.load_workbook(write(tmp_path / "t.xlsx", "2019"))

    def validation(key):
        sheet, addr = wb.defined_names[defined_name(key)].value.split("!")
        ws, addr = wb[sheet.strip("'")], addr.replace("$", "")
        return addr, next(d for d in ws.data_validations.dataValidation if addr in _cells(str(d.sqref)))

    _, change = validation("t2.penalty.change")
    assert change.type == "whole" and change.operator in (None, "between") and int(change.formula1) < 0  # None: between
    assert "负数" in change.prompt
    _, count = validation("t2.penalty.decisions")
    assert count.type == "whole" and int(count.formula1) == 0
    addr, amount = validation("t2.procurement.amount")
    assert amount.type == "custom" and f"ROUND({addr},2)" in amount.formula1 and f"{addr}>=0" in amount.formula1


def _cells(sqref: str) -> set[str]:
    from openpyxl.utils import get_column_letter, range_boundaries

    out = set()
    for rng in sqref.split():
        c1, r1, c2, r2 = range_boundaries(rng)
        out |= {f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return out
