"""Annotated copies, and the same findings after a LibreOffice round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path
import shutil
import subprocess
from decimal import Decimal

import pytest
from click.testing import CliRunner

from test_checker import ED, POS, consistent_values, instances, write_filled
from xxgk.annotate import AUTHOR, FILLS, MARK_FORMULA, annotate, annotated_name
from xxgk.checker import check_submission
from xxgk.cli import main

import openpyxl

import reader_fixtures as fixtures
from xxgk import reader

RESULT_SHEET = ED.annotation_sheet  # the annotated copy's sheet of findings, as the edition names it


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def wrong(tmp_path):
    """Our workbook with a typed wrong total (error) and “12件” (warning)."""
    values = consistent_values(5)
    target = instances("R1")[3].lhs[0].key
    text_key = next(k for k in ED.input_keys if ED.cells[k].table.key == ED.tables[0].key)
    path = tmp_path / "错误单位.xlsx"
    values[text_key] = Decimal(12)
    write_filled(path, values, overrides={target: values[target] + 3}, text={text_key: "12件"})
    return path, target, text_key


def marks(ws) -> dict[str, str]:
    """Cells marked by xxgk (conditional formats before the template's): A1 -> colour."""
    out = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if MARK_FORMULA in (rule.formula or []):
                for rng in cf.sqref.ranges:
                    for row in rng.rows:
                        for r, c in row:
                            out[openpyxl.utils.get_column_letter(c) + str(r)] = rule.dxf.fill.fgColor.rgb[-6:]
    return out


def _fill(cell) -> str:
    return marks(cell.parent).get(cell.coordinate, "")


def test_end_to_end_findings(wrong):
    path, target, text_key = wrong
    result = check_submission(reader.read_workbook(path), ED)
    by_code = {f.code: f for f in result.findings}
    assert by_code["total-typed-wrong"].difference == 3 and by_code["total-typed-wrong"].rule == "R1"
    assert by_code["number-in-text"].cells == [POS[text_key][1]]
    # the typed total also breaks the 总计 column's sum (R2), which adds it
    assert sorted(f.rule for f in result.errors) == ["R1", "R2"]
    assert [f.code for f in result.warnings] == ["number-in-text"]


def test_annotate_marks_cells_and_lists_findings(wrong, tmp_path):
    path, target, text_key = wrong
    before = digest(path)
    result = check_submission(reader.read_workbook(path), ED)
    out = annotate(path, result, tmp_path / "out" / "批注.xlsx")
    assert digest(path) == before
    wb = openpyxl.load_workbook(out)
    sheet, addr = POS[target]
    cell = wb[sheet][addr]
    assert _fill(cell) == FILLS["error"]
    assert cell.comment.author == AUTHOR and "合计" in cell.comment.text and "【错误】" in cell.comment.text
    tsheet, taddr = POS[text_key]
    assert _fill(wb[tsheet][taddr]) == FILLS["warning"] and "12件" in wb[tsheet][taddr].comment.text
    # an item of the broken row is involved too
    item = instances("R1")[3].rhs[0].key
    assert _fill(wb[sheet][POS[item][1]]) == FILLS["error"]
    ws = wb[RESULT_SHEET]
    messages = [ws.cell(row=r, column=5).value for r in range(3, ws.max_row + 1)]
    assert messages == [f.message for f in result.findings]
    assert result.verdict in ws["A1"].value
    assert wb.active.title == RESULT_SHEET
    # the rest of the workbook still reads the same
    again = check_submission(reader.read_workbook(out), ED)
    assert [(f.code, f.cells) for f in again.findings] == [(f.code, f.cells) for f in result.findings]


def test_annotate_refuses_to_overwrite_input(wrong):
    path, *_ = wrong
    result = check_submission(reader.read_workbook(path), ED)
    with pytest.raises(ValueError):
        annotate(path, result, path)


def test_cli_annotate_one_file(wrong, tmp_path):
    path, target, _ = wrong
    before = digest(path)
    out = tmp_path / "返回.xlsx"
    res = CliRunner().invoke(main, ["check", str(path), "--annotate", str(out)])
    assert res.exit_code == 1 and "已生成批注副本" in res.output
    assert digest(path) == before
    sheet, addr = POS[target]
    assert openpyxl.load_workbook(out)[sheet][addr].comment is not None


def test_cli_annotate_folder(wrong, tmp_path):
    path, *_ = wrong
    write_filled(tmp_path / "通过单位.xlsx")
    out = tmp_path / "批注"
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--annotate", str(out), "--format", "json"])
    assert res.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [annotated_name(path)]


@pytest.mark.libreoffice
def test_libreoffice_resaved_copy_has_same_findings(wrong, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    path, *_ = wrong
    outdir = tmp_path / "lo"
    outdir.mkdir()
    src = tmp_path / "lo_in" / "copy.xlsx"
    src.parent.mkdir()
    shutil.copy(path, src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo_profile').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    resaved = outdir / "copy.xlsx"
    original = check_submission(reader.read_workbook(path), ED)
    again = check_submission(reader.read_workbook(resaved), ED)

    def key(r):
        return [(f.code, f.rule, f.sheet, f.cells, f.difference) for f in r.findings if f.severity != "info"]

    assert key(again) == key(original)


def test_not_ours_workbook_end_to_end(tmp_path):
    """A body's own table: totals are typed, R1 reports the wrong one; “/” is R11."""
    values = dict(consistent_values(6))
    inst = instances("R1")[2]
    blank = inst.rhs[0].key
    values[inst.lhs[0].key] += 4
    cells = {k: v for k, v in values.items()}
    cells[blank] = "/"
    path = fixtures.write_foreign(tmp_path / "自制表.xlsx", cells)
    before = digest(path)
    result = check_submission(reader.read_workbook(path), ED)
    assert result.submission.ours is False
    r1 = [f for f in result.findings if f.rule == "R1"]
    assert len(r1) == 1 and r1[0].severity == "error"
    assert r1[0].difference == 4 + values[blank]  # the “/” counted as 0
    assert "按 0" in r1[0].message
    assert [f.code for f in result.warnings] == ["cell-blank"]
    assert not {"total-typed", "total-typed-wrong", "total-blank"} & {f.code for f in result.findings}
    out = annotate(path, result, tmp_path / "自制表_批注.xlsx")
    assert digest(path) == before
    ws = openpyxl.load_workbook(out)[r1[0].sheet]
    assert _fill(ws[r1[0].cells[0]]) == FILLS["error"] and ws[r1[0].cells[0]].comment.author == AUTHOR


def test_prose_finding_marks_the_prose_cell(tmp_path):
    rule = ED.rule("R10")
    key, section = rule.params["key"], rule.params["section"]
    values = consistent_values()
    values[ED.cells[key].formula_terms[0]] += 1
    values = dict(values)
    path = tmp_path / "文字矛盾.xlsx"
    write_filled(path, values, prose={section: "本年度未收取信息处理费。"})
    result = check_submission(reader.read_workbook(path), ED)
    assert rule.code in [f.code for f in result.findings]
    wb = openpyxl.load_workbook(annotate(path, result, tmp_path / "out.xlsx"))
    commented = [c.comment.text for ws in wb.worksheets if ws.title == ED.prose_sheet
                 for row in ws.iter_rows() for c in row if c.comment]
    assert any("信息处理费" in t for t in commented)


# -- issue 8, point 7: mark the cell to fix, one count, printable, re-annotation ------------


def test_marks_only_the_cells_to_fix(wrong, tmp_path):
    """A typed-over total: the total and its items are marked, not the column
    whose (formula) total it breaks; that finding says it corrects itself."""
    path, target, text_key = wrong
    result = check_submission(reader.read_workbook(path), ED)
    knock = next(f for f in result.errors if f.code != "total-typed-wrong")
    assert knock.caused_by == [target]
    sheet, addr = POS[target]
    assert f"改正 {sheet}!{addr} 后会自动更正" in knock.message and "不要在此填写数字" in knock.message
    wb = openpyxl.load_workbook(annotate(path, result, tmp_path / "a.xlsx"))
    items = [POS[t.key][1] for t in instances("R1")[3].rhs]
    assert marks(wb[sheet]) == {addr: FILLS["error"], **{a: FILLS["error"] for a in items}}
    assert marks(wb[POS[text_key][0]]) == {POS[text_key][1]: FILLS["warning"]}
    assert knock.message in wb[sheet][addr].comment.text  # explained where it is fixed
    commented = [c.coordinate for row in wb[sheet].iter_rows() for c in row if c.comment]
    assert sorted(commented) == sorted([addr, *items])


def test_marks_show_over_the_templates_conditional_formats(wrong, tmp_path):
    path, target, _ = wrong
    result = check_submission(reader.read_workbook(path), ED)
    ws = openpyxl.load_workbook(annotate(path, result, tmp_path / "a.xlsx"))[POS[target][0]]
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    ours = [r for r in rules if MARK_FORMULA in r.formula]
    theirs = [r for r in rules if r not in ours]
    assert ours and theirs and all(r.stopIfTrue for r in ours)
    assert max(r.priority for r in ours) < min(r.priority for r in theirs)
    assert len({r.priority for r in rules}) == len(rules)


def test_banner_and_result_sheet_give_the_commands_count(wrong, tmp_path):
    path, target, _ = wrong
    result = check_submission(reader.read_workbook(path), ED)
    wb = openpyxl.load_workbook(annotate(path, result, tmp_path / "a.xlsx"))
    for table in ED.tables:
        banner = wb[table.sheet]["A3"].value
        assert f'"xxgk 校验：{result.verdict}，' in banner and banner.startswith("=IF(")
    ws = wb[RESULT_SHEET]
    assert result.verdict in ws["A1"].value
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "total-typed" in t or "t3-" in t]  # titles, not codes
    assert "合计单元格的公式被改成了数字，且与各项之和不符" in texts
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$2:$2"
    assert all(ws.cell(r, 5).alignment.wrap_text for r in range(3, ws.max_row + 1))
    long_row = max(range(3, ws.max_row + 1), key=lambda r: len(ws.cell(r, 5).value))
    assert ws.row_dimensions[long_row].height >= 40


def test_reannotating_a_corrected_copy_removes_old_marks(wrong, tmp_path):
    path, target, text_key = wrong
    first = annotate(path, check_submission(reader.read_workbook(path), ED), tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(first)
    sheet, addr = POS[target]
    items = sum(wb[sheet][POS[t.key][1]].value for t in instances("R1")[3].rhs)
    wb[sheet][addr] = items  # the body corrects the total in the annotated copy
    corrected = tmp_path / "改正.xlsx"
    wb.save(corrected)
    result = check_submission(reader.read_workbook(corrected), ED)
    assert not result.errors
    again = openpyxl.load_workbook(annotate(corrected, result, tmp_path / "b.xlsx"))
    assert again.sheetnames.count(RESULT_SHEET) == 1
    assert marks(again[sheet]) == {addr: FILLS["warning"]}  # total-typed (still no formula), nothing else
    commented = [(ws.title, c.coordinate) for ws in again.worksheets for row in ws.iter_rows() for c in row
                 if c.comment]
    assert sorted(commented) == sorted([(sheet, addr), POS[text_key]])
    banner = again[sheet]["A3"].value  # the old verdict is gone (openpyxl saved no count to compare with)
    assert "xxgk" not in banner and banner.count("IF(") == 2 and banner.startswith(f"=IF('{ED.checks_sheet}'!")
    assert again[RESULT_SHEET].max_row == 2 + len(result.findings)


def test_annotate_into_a_missing_folder(wrong, tmp_path):
    path, *_ = wrong
    out = tmp_path / "退回"
    res = CliRunner().invoke(main, ["check", str(path), "--annotate", f"{out}/"])
    assert res.exit_code == 1, res.output
    assert out.is_dir() and [p.name for p in out.iterdir()] == [annotated_name(path)]


def test_unchanged_annotated_copies_are_not_submissions(wrong, tmp_path):
    from xxgk.checker import check_paths
    from xxgk.consolidate import consolidate

    path, target, _ = wrong
    folder = path.parent
    write_filled(folder / "通过单位.xlsx")
    copy = annotate(path, check_submission(reader.read_workbook(path), ED), folder / "改名了.xlsx")
    assert reader.read_workbook(copy).is_unchanged_annotation
    assert sorted(Path(r.path).name for r in check_paths([folder])) == ["通过单位.xlsx", "错误单位.xlsx"]
    res = consolidate([folder], out=tmp_path / "汇总.xlsx", name="测试区", jobs=1)
    assert sorted(s.file for s in res.statuses) == ["通过单位.xlsx", "错误单位.xlsx"]
    assert res.skipped == [str(copy)]
    # the body corrects the copy and sends it back: now it is a submission
    wb = openpyxl.load_workbook(copy)
    sheet, addr = POS[target]
    wb[sheet][addr] = 0
    wb.save(copy)
    assert not reader.read_workbook(copy).is_unchanged_annotation
    assert "改名了.xlsx" in [Path(r.path).name for r in check_paths([folder])]


def test_old_style_marks_are_removed_too(wrong, tmp_path):
    """Copies annotated before marks were conditional formats carry them as cell fills."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    path, target, text_key = wrong
    wb = openpyxl.load_workbook(path)
    sheet, addr = POS[text_key]
    other = wb[sheet].cell(wb[sheet][addr].row + 1, wb[sheet][addr].column)  # an input with no finding
    other.fill = PatternFill("solid", start_color=FILLS["error"], end_color=FILLS["error"])
    other.comment = Comment("【错误】旧批注", AUTHOR)
    old = tmp_path / "旧批注.xlsx"
    wb.save(old)
    out = openpyxl.load_workbook(annotate(old, check_submission(reader.read_workbook(old), ED), tmp_path / "新.xlsx"))
    again = out[sheet].cell(other.row, other.column)
    assert again.comment is None and again.fill.fgColor.rgb[-6:] == "FFF9DB"  # the template's input fill
