"""Reading submitted workbooks: ours through defined names, others through
the official labels; the values read must be the values written."""

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from xxgk.layout import a1, layouts
from xxgk.meta import defined_name
from xxgk.reader import NAMES_MISSING, canonical_label, read_workbook
from xxgk.submission import UnreadableFile

sys.path.insert(0, str(Path(__file__).parent))
from reader_fixtures import (  # noqa: E402
    edition,
    half_width,
    sample_values,
    soffice_available,
    soffice_resave,
    write_foreign,
    write_ours,
)

needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")
ED = edition()


@pytest.fixture(scope="module")
def values():
    return sample_values(7)


def wrong_values(sub, values, keys=None):
    """Keys whose value read differs from the value written (or are missing)."""
    return [k for k in (keys or ED.cells) if k not in sub.cells or sub.cells[k].value != values[k]]


def codes(sub):
    return [f.code for f in sub.findings]


# -- our workbooks ---------------------------------------------------------------------------


def test_ours_every_cell_read(tmp_path, values):
    path = write_ours(tmp_path / "ours.xlsx", values, prose={"overview": "总体情况。"},
                      info={"preparer": "张三", "phone": "010-12345678"})
    sub = read_workbook(path)
    assert sub.ours and sub.findings == []
    assert set(sub.cells) == set(ED.cells)
    assert wrong_values(sub, values) == []
    assert (sub.edition, sub.year, sub.unit, sub.unit_type, sub.kind) == ("2021", 2021, "某某街道办事处", "乡镇（街道）", "unit")
    assert sub.template_version == "1"
    assert sub.info["preparer"] == "张三" and sub.info["phone"] == "010-12345678"
    assert sub.prose == {"overview": "总体情况。"}
    for key in ED.formula_keys:
        cv = sub.cells[key]
        assert cv.formula and cv.formula.startswith("SUM(") and cv.cached == values[key]
    for key in ED.input_keys:
        cv = sub.cells[key]
        assert cv.formula is None and cv.cached is None and cv.status == "ok"
        assert cv.address == layouts(ED)[ED.cells[key].table.key].cells[key].ref


def test_ours_rows_inserted_above_tables_found_by_names(tmp_path, values):
    sub = read_workbook(write_ours(tmp_path / "shifted.xlsx", values, shift=3))
    assert wrong_values(sub, values) == [] and sub.findings == []
    key = "t3.new_received.natural_person"
    reg = layouts(ED)["t3"].cells[key]
    assert sub.cells[key].address == a1(reg.r1 + 3, reg.c1)


def test_ours_unnamed_formula_cells_placed_relative_to_named_cells(tmp_path, values):
    path = write_ours(tmp_path / "f.xlsx", values, shift=2, drop_names=tuple(ED.formula_keys))
    sub = read_workbook(path)
    assert wrong_values(sub, values) == []
    assert NAMES_MISSING not in codes(sub)  # only missing input names are worth saying
    assert all(sub.cells[k].formula for k in ED.formula_keys)


def test_ours_missing_names_fall_back_to_the_template_position(tmp_path, values):
    dropped = tuple(k for k in ED.cells if k.startswith("t2."))
    sub = read_workbook(write_ours(tmp_path / "n.xlsx", values, drop_names=dropped))
    assert wrong_values(sub, values) == []
    (finding,) = [f for f in sub.findings if f.code == NAMES_MISSING]
    assert finding.severity == "info" and "表二" in finding.message and set(finding.keys) == set(dropped)


def test_ours_typed_text_and_placeholders(tmp_path, values):
    typed = dict(values)
    typed.update({"t2.rules.issued": "12件", "t2.rules.repealed": "/", "t2.rules.in_force": None,
                  "t2.fees.amount": "251000元", "t2.licensing.decisions": "约12"})
    sub = read_workbook(write_ours(tmp_path / "t.xlsx", typed))
    got = {k: (sub.cells[k].value, sub.cells[k].status) for k in
           ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force", "t2.fees.amount", "t2.licensing.decisions")}
    assert got == {
        "t2.rules.issued": (Decimal(12), "text-number"),
        "t2.rules.repealed": (None, "placeholder"),
        "t2.rules.in_force": (None, "blank"),
        "t2.fees.amount": (Decimal("25.1"), "text-number"),  # 元 converted into the column's 万元
        "t2.licensing.decisions": (None, "unreadable"),
    }
    assert sub.cells["t2.rules.issued"].raw == "12件" and "12" in sub.cells["t2.rules.issued"].note
    assert "元" in sub.cells["t2.fees.amount"].note and sub.cells["t2.fees.amount"].unit == "元"


def test_ours_total_typed_over_its_formula(tmp_path, values):
    sub = read_workbook(write_ours(tmp_path / "typed.xlsx", values, formulas=False))
    key = "t3.total_results.total"
    assert sub.cells[key].formula is None and sub.cells[key].value == values[key]


def test_ours_unit_typed_by_staff_wins_over_metadata(tmp_path, values):
    path = write_ours(tmp_path / "u.xlsx", values, info={"unit": "某某街道办事处（盖章）", "year": 2020})
    sub = read_workbook(path)
    # the year is the one the unit sees (基本信息); the metadata's differs and that is said
    assert sub.unit == "某某街道办事处（盖章）" and sub.year == 2020
    assert [f.code for f in sub.findings if f.code == "year-differs"] == ["year-differs"]


def test_ours_summary_metadata(tmp_path, values):
    meta = {"kind": "summary", "members": '["甲街道", "乙镇"]'}
    sub = read_workbook(write_ours(tmp_path / "s.xlsx", values, meta=meta))
    assert sub.kind == "summary" and sub.members == ["甲街道", "乙镇"]


def test_ours_missing_table_sheet_is_unreadable(tmp_path, values):
    with pytest.raises(UnreadableFile) as info:
        read_workbook(write_ours(tmp_path / "m.xlsx", values, omit_tables=("t4",)))
    assert info.value.code == "sheet-missing"
    assert f"“{ED.table('t4').sheet}”" in info.value.message and ED.table("t4").title in info.value.message


def test_ours_unknown_edition_is_read_with_the_default(tmp_path, values):
    sub = read_workbook(write_ours(tmp_path / "e.xlsx", values, meta={"edition": "2099"}))
    assert "wrong-edition" in codes(sub) and sub.edition == "2021"
    assert wrong_values(sub, values) == []


def test_not_ours_when_metadata_is_foreign(tmp_path, values):
    path = write_ours(tmp_path / "x.xlsx", values, meta={"format": "something-else"})
    sub = read_workbook(path)
    assert not sub.ours and "not-our-template" in codes(sub)
    assert wrong_values(sub, values) == []  # found again by the labels


# -- workbooks that are not ours ----------------------------------------------------------------------


def test_foreign_all_tables_on_one_sheet(tmp_path, values):
    title = "某某区民政局2021年政府信息公开工作年度报告"
    sub = read_workbook(write_foreign(tmp_path / "own.xlsx", values, title=title))
    assert not sub.ours and codes(sub) == ["not-our-template"]
    assert sub.findings[0].severity == "info"
    assert wrong_values(sub, values) == []
    assert (sub.unit, sub.year) == ("某某区民政局", 2021)
    assert {cv.sheet for cv in sub.cells.values()} == {"Sheet1"}


def test_foreign_tables_on_several_sheets_at_other_positions(tmp_path, values):
    places = {"t2": ("主动公开", 7, 2), "t3": ("依申请", 0, 4), "t4": ("主动公开", 40, 0)}
    sub = read_workbook(write_foreign(tmp_path / "2022年报表.xlsx", values, places=places))
    assert wrong_values(sub, values) == []
    assert sub.cells["t3.new_received.natural_person"].sheet == "依申请"
    assert sub.year == 2022  # from the file name, as nothing else says


def test_foreign_half_width_brackets_alias_no_merges(tmp_path, values):
    def relabel(text):
        return half_width(text).replace("行政规范性文件", "规范性文件")

    sub = read_workbook(write_foreign(tmp_path / "hw.xlsx", values, label=relabel, merge=False))
    assert wrong_values(sub, values) == [] and codes(sub) == ["not-our-template"]


def test_foreign_spaces_newlines_numbering_and_abbreviations(tmp_path, values):
    def relabel(text):
        text = text.replace("（区分处理的，只计这一情形，不计其他情形）", "")  # abbreviated
        text = text.replace("1.", "1、").replace("“", '"').replace("”", '"')
        return " " + text[:3] + "\n" + text[3:] + " "

    sub = read_workbook(write_foreign(tmp_path / "sp.xlsx", values, label=relabel))
    assert wrong_values(sub, values) == [] and codes(sub) == ["not-our-template"]


def test_foreign_missing_table_names_the_labels(tmp_path, values):
    sub = read_workbook(write_foreign(tmp_path / "no4.xlsx", values, omit=("t4",)))
    (finding,) = [f for f in sub.findings if f.code == "labels-not-found"]
    t4 = ED.table("t4")
    assert finding.severity == "error" and t4.title in finding.message and "结果维持" in finding.message
    assert set(finding.keys) == set(t4.cell_keys())
    assert not any(k.startswith("t4.") for k in sub.cells)  # never taken from table 3's 总计
    assert wrong_values(sub, values, [k for k in ED.cells if not k.startswith("t4.")]) == []


def test_foreign_missing_rows_are_named(tmp_path, values):
    gone = ED.cells["t3.not_processed.massive.total"].row_path[-1].label

    def relabel(text):
        return "（删去）" if text == gone else text

    sub = read_workbook(write_foreign(tmp_path / "row.xlsx", values, label=relabel))
    (finding,) = [f for f in sub.findings if f.code == "labels-not-found"]
    assert f"“{gone}”" in finding.message
    row_keys = [k for k in ED.cells if k.startswith("t3.not_processed.massive.")]
    assert sorted(finding.keys) == sorted(row_keys)
    assert wrong_values(sub, values, [k for k in ED.cells if k not in row_keys]) == []


def test_canonical_label():
    assert canonical_label(" （一）予以\n公开 ") == canonical_label("(一)予以公开")
    assert canonical_label("1、属于国家秘密") == canonical_label("1.属于国家秘密")
    assert canonical_label("3.危及\"三安全一稳定\"") == canonical_label("3.危及“三安全一稳定”")
    assert canonical_label("（七）总计") != canonical_label("总计")


# -- LibreOffice and the template writer -------------------------------------------------------


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_resaved_ours_and_foreign(tmp_path, values):
    ours = write_ours(tmp_path / "ours.xlsx", values, shift=1)
    foreign = write_foreign(tmp_path / "foreign.xlsx", values)
    for path in (ours, foreign):
        resaved = read_workbook(soffice_resave(path, tmp_path / "lo"))
        assert wrong_values(resaved, values) == []
        assert resaved.ours == (path == ours)


@pytest.fixture(scope="module")
def written(tmp_path_factory, values):
    from xxgk import writer

    path = tmp_path_factory.mktemp("writer") / "filled.xlsx"
    inputs = {k: v for k, v in values.items() if ED.cells[k].is_input}
    writer.write_report(path, ED, unit="某某镇人民政府", unit_type="乡镇（街道）", year=2021, values=inputs,
                        prose={"overview": "概述。"}, info={"preparer": "李四"})
    return path


def test_reads_what_the_template_writer_wrote(written, values):
    sub = read_workbook(written)
    assert sub.ours and [f for f in sub.findings if f.severity != "info"] == []
    assert wrong_values(sub, values) == []
    assert (sub.unit, sub.year, sub.prose.get("overview"), sub.info.get("preparer")) == ("某某镇人民政府", 2021, "概述。", "李四")


@pytest.mark.libreoffice
@needs_soffice
def test_reads_the_template_writer_output_resaved_by_libreoffice(written, values, tmp_path):
    original = read_workbook(written)
    resaved = read_workbook(soffice_resave(written, tmp_path / "lo"))
    assert {k: c.value for k, c in resaved.cells.items()} == {k: c.value for k, c in original.cells.items()}
    assert (resaved.unit, resaved.year, resaved.prose, resaved.info) == (original.unit, original.year,
                                                                         original.prose, original.info)


# -- unreadable files --------------------------------------------------------------------------------


def test_unreadable_file_is_raised(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("单位,数量\n甲,1\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        read_workbook(path)
    assert info.value.code == "file-not-xlsx"


def test_defined_names_follow_the_meta_convention(tmp_path, values):
    from xxgk.xlsx import XlsxBook

    path = write_ours(tmp_path / "names.xlsx", values)
    names = XlsxBook(path).defined_names
    assert all(defined_name(k) in names for k in ED.input_keys)  # totals are placed relative to these
    assert not any(defined_name(k) in names for k in ED.formula_keys)
    assert all(defined_name(f"info.{f.key}") in names for f in ED.info_fields)
    assert all(defined_name(f"prose.{s.key}") in names for s in ED.prose_sections)


def test_foreign_annotated_headers_as_in_published_reports(tmp_path, values):
    fee = ED.cells["t2.fees.amount"].col_path[-1].label  # 本年收费金额（单位：万元）

    def relabel(text):
        return text.replace(fee, fee[:-1] + "，保留4位小数）").replace("第（", "第 (")

    sub = read_workbook(write_foreign(tmp_path / "pub.xlsx", values, label=relabel))
    assert wrong_values(sub, values) == [] and codes(sub) == ["not-our-template"]


def test_foreign_table_on_two_sheets_is_read_once_and_reported(tmp_path, values):
    places = {"t2": ("本年", 0, 0), "t3": ("本年", 25, 0), "t4": ("本年", 60, 0)}
    path = write_foreign(tmp_path / "dup.xlsx", values, places=places)
    # a copy of last year's table 3 pasted on a second sheet
    import openpyxl

    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["本年"])
    copy.title = "去年"
    wb.save(path)
    sub = read_workbook(path)
    assert wrong_values(sub, values) == []
    dup = [f for f in sub.findings if f.code == "table-duplicated"]
    assert dup and all(f.severity == "warning" and "“去年”" in f.message for f in dup)
    assert {cv.sheet for cv in sub.cells.values()} == {"本年"}
