"""Annotated copies, and the same findings after a LibreOffice round trip."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from decimal import Decimal

import pytest
from click.testing import CliRunner

from test_checker import ED, POS, consistent_values, instances, write_filled
from xxgk.annotate import AUTHOR, FILLS, RESULT_SHEET, annotate, annotated_name
from xxgk.checker import check_submission
from xxgk.cli import main

openpyxl = pytest.importorskip("openpyxl")
reader = pytest.importorskip("xxgk.reader")


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


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:]


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
    messages = [ws.cell(row=r, column=4).value for r in range(3, ws.max_row + 1)]
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
    subprocess.run([soffice, "--headless", "-env:UserInstallation=file:///tmp/lo_check_profile",
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
    fixtures = pytest.importorskip("reader_fixtures")
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
