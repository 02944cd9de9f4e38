"""`xxgk import`, and published reports accepted by `check` and `consolidate`."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from xxgk.cli import main
from xxgk.reader import read_workbook

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import ED, PROSE, UNIT, YEAR, consistent, docx_report, html_page  # noqa: E402

T3_TOTAL = "t3.new_received.total"
T3_ITEM = "t3.new_received.commercial"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def no_traceback(result) -> bool:
    return "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "年报"
    d.mkdir()
    (d / "城关街道.html").write_bytes(html_page(consistent(31), charset=None).encode("gbk"))
    docx_report(d / "东湖街道.docx", consistent(32), unit="青溪区东湖街道办事处")
    (d / "新闻.html").write_text("<html><body><h1>区政府召开全体会议</h1><p>会议要求……</p></body></html>",
                                 encoding="utf-8")
    good = docx_report(tmp_path / "full.docx", consistent(33))
    (d / "残缺.docx").write_bytes(good.read_bytes()[:5000])
    return d


def test_import_folder_writes_workbooks_and_goes_on_after_bad_files(folder, tmp_path):
    out = tmp_path / "导入"
    garbled = tmp_path / "乱码.txt"
    garbled.write_bytes(bytes(range(128, 256)) * 20)  # no encoding a report is written in
    result = run("import", garbled, folder, "--out", out)
    assert result.exit_code == 2 and no_traceback(result), result.output
    assert "共 5 份报告，已导入 2 份，3 份无法读取。" in result.output
    assert "无法识别文件的文字编码" in result.output
    assert "网页中没有政府信息公开工作年度报告" in result.output
    assert "Word 文档已损坏或不完整" in result.output
    assert "数字：直接读出" in result.output
    for name, seed, unit in [("城关街道", 31, UNIT), ("东湖街道", 32, "青溪区东湖街道办事处")]:
        sub = read_workbook(out / f"{name}.xlsx")
        values = consistent(seed)
        assert {k: sub.cells[k].value for k in ED.cells} == {k: values[k] for k in ED.cells}
        assert (sub.unit, sub.year, sub.prose) == (unit, YEAR, PROSE)
    assert sorted(p.name for p in out.iterdir()) == ["东湖街道.xlsx", "城关街道.xlsx"]
    for line in result.output.splitlines():  # each bad file: its name, then one line saying why
        if "错误" in line and "表三" not in line:
            assert len(line) < 120


def test_blank_stays_blank_and_wrong_total_is_kept(tmp_path):
    values = consistent(34)
    values[T3_TOTAL] += 1  # the published report's own mistake
    page = html_page(values)
    page_path = tmp_path / "p.html"
    page_path.write_text(page, encoding="utf-8")
    from xxgk.published import read_published

    sub = read_published(page_path)
    cell = sub.cells[T3_ITEM].origin
    # blank out the item in the page: find the exact cell by its origin
    from lxml import html

    root = html.fromstring(page)
    tables = [t for t in root.iter("table") if not t.xpath(".//table")]
    td = _grid_td(tables[cell.table - 1], cell.row - 1, cell.col - 1)
    td.text, td[:] = "", []
    page_path.write_bytes(html.tostring(root, encoding="utf-8"))
    out = tmp_path / "p.xlsx"
    result = run("import", page_path, "--out", out, "--format", "json")
    assert result.exit_code == 0 and no_traceback(result), result.output
    doc = json.loads(result.output)
    entry = doc["files"][0]
    assert entry["file_kind"] == "html" and entry["output"] == str(out)
    assert entry["sureness"][T3_ITEM] == "blank"
    assert entry["origins"][T3_TOTAL]["table"] == 2
    written = read_workbook(out)
    assert written.cells[T3_ITEM].value is None and written.cells[T3_ITEM].status == "blank"
    assert written.cells[T3_TOTAL].value == values[T3_TOTAL]  # as published, not recomputed
    check = run("check", out, "--year", YEAR, "--format", "json")
    codes = {f["code"] for f in json.loads(check.output)["files"][0]["findings"]}
    assert "total-typed-wrong" in codes


def _grid_td(table, row, col):
    """The <td> at grid position (row, col) of an HTML table (rowspan/colspan)."""
    occupied = {}
    for r, tr in enumerate(table.xpath("./tbody/tr")):
        c = 0
        for td in tr.xpath("./td"):
            while (r, c) in occupied:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    occupied[(r + dr, c + dc)] = td
            c += cs
    return occupied.get((row, col))


def test_check_page_json_says_html_and_shows_where(tmp_path):
    values = consistent(35)
    values[T3_TOTAL] += 2
    path = tmp_path / "page.html"
    path.write_text(html_page(values), encoding="utf-8")
    result = run("check", path, "--year", YEAR, "--format", "json")
    assert result.exit_code == 1 and no_traceback(result), result.output
    entry = json.loads(result.output)["files"][0]
    assert entry["file_kind"] == "html" and entry["unit"] == UNIT
    wrong = [f for f in entry["findings"] if T3_TOTAL in f["keys"] and f["severity"] == "error"]
    assert wrong and all(f["origins"] for f in wrong)
    assert wrong[0]["origins"][0].startswith("第2个表格第")
    text = run("check", path, "--year", YEAR)
    assert "第2个表格第" in text.output


def test_consolidate_folder_mixing_workbooks_and_published(tmp_path):
    from xxgk.writer import write_report

    d = tmp_path / "报送"
    d.mkdir()
    a, b, c = consistent(41), consistent(42), consistent(43)
    write_report(d / "甲街道.xlsx", ED, unit="甲街道", unit_type="乡镇（街道）", year=YEAR,
                 values={k: a[k] for k in ED.input_keys})
    (d / "乙街道.htm").write_text(html_page(b, unit="乙街道"), encoding="utf-8")
    docx_report(d / "丙街道.docx", c, unit="丙街道")
    out = tmp_path / "汇总.xlsx"
    result = run("consolidate", d, "--name", "测试区", "--year", YEAR, "--out", out)
    assert result.exit_code in (0, 1) and no_traceback(result), result.output
    assert "已汇总 3 个单位" in result.output, result.output
    total = read_workbook(out)
    for key in ED.cells:
        assert total.cells[key].value == a[key] + b[key] + c[key], key


def test_check_on_a_workbook_does_not_import_document_libraries(tmp_path):
    from xxgk.writer import write_report

    path = tmp_path / "w.xlsx"
    write_report(path, ED, unit="甲", unit_type="乡镇（街道）", year=YEAR, values={k: Decimal(0) for k in ED.input_keys})
    code = ("import sys; from xxgk.checker import check_paths; check_paths([sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'docx', 'pdfplumber', 'charset_normalizer')))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_findings_of_a_published_report_never_show_template_cells(tmp_path):
    """A finding whose figures have no known place in the document shows no
    sheet or cell of the reading (never seen by the user): only its message,
    under the table's heading."""
    import click

    from xxgk.checker import check_submission
    from xxgk.published import read_published
    from xxgk.report import render_text

    values = consistent(36)
    values[T3_TOTAL] += 1
    path = tmp_path / "p.html"
    path.write_text(html_page(values), encoding="utf-8")
    sub = read_published(path)
    for cv in sub.cells.values():
        cv.origin = None
    text = click.unstyle(render_text([check_submission(sub)], ED))
    lines = [ln for ln in text.splitlines() if ln.startswith("  错误")]
    assert lines and all(ln.split()[1].startswith("表三“") for ln in lines), text
