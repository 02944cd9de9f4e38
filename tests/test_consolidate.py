"""Consolidation: sums, nesting, the batch's bookkeeping and the extra sheets."""

from __future__ import annotations

import os
import random
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xxgk import load_edition
from xxgk.consolidate import (
    DUPLICATE, HAS_ERRORS, MISSING, NOT_ON_ROSTER, PASSED, UNREADABLE, WRONG_YEAR,
    ConsolidationError, FileResult, consolidate, decide,
)
from xxgk.roster import RosterEntry
from xxgk.synth import consistent_inputs

# the summary's sheets, as the edition names them
SHEET_CHARTS = load_edition("2021").summary_sheets["charts"]
SHEET_DETAIL = load_edition("2021").summary_sheets["detail"]
SHEET_FINDINGS = load_edition("2021").summary_sheets["findings"]
SHEET_STATUS = load_edition("2021").summary_sheets["status"]

YEAR = 2023


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


def fee_key(ed) -> str:
    return next(k for k in ed.input_keys if ed.cells[k].value_type == "amount")


def make_unit(ed, folder: Path, name: str, *, seed: int = 0, year: int = YEAR, values=None,
              file: str | None = None, **kw) -> tuple[Path, dict[str, Decimal]]:
    from xxgk.writer import write_report

    values = values if values is not None else consistent_inputs(ed, random.Random(seed))
    path = folder / (file or f"{name}.xlsx")
    write_report(path, ed, unit=name, unit_type="乡镇（街道）", year=year, values=values, **kw)
    return path, values


def expected_sums(ed, many: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    return ed.compute({k: sum((v[k] for v in many), Decimal(0)) for k in ed.input_keys})


def status_rows(path: Path) -> dict[str, list[dict]]:
    """报送情况 as {unit name: [row as dict]} (header on row 2)."""
    ws = openpyxl.load_workbook(path, read_only=True)[SHEET_STATUS]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[1]
    out: dict[str, list[dict]] = {}
    for r in rows[2:]:
        d = dict(zip(head, r))
        out.setdefault(d["单位名称"], []).append(d)
    return out


# -- sums ---------------------------------------------------------------------------


def test_summary_sums_equal_inputs_cell_by_cell(ed, tmp_path):
    from xxgk.checker import check_submission
    from xxgk.reader import read_workbook

    (tmp_path / "in").mkdir()
    units = [make_unit(ed, tmp_path / "in", f"第{i}街道", seed=i) for i in range(7)]
    out = tmp_path / "sum.xlsx"
    res = consolidate([tmp_path / "in"], out=out, name="测试区", jobs=1)
    want = expected_sums(ed, [v for _, v in units])
    assert res.sums == want
    assert res.included == 7 and res.year == YEAR
    fk = fee_key(ed)
    assert res.sums[fk] == sum((v[fk] for _, v in units), Decimal(0))  # exact, no float

    sub = read_workbook(out)
    assert sub.kind == "summary"
    assert sorted(sub.members) == sorted(f"第{i}街道" for i in range(7))
    assert sub.unit == "测试区" and sub.year == YEAR
    for key in ed.cells:
        assert sub.values()[key] == want[key], key
    check = check_submission(sub)
    assert not check.errors, [f.message for f in check.errors]


def test_summary_of_summaries_equals_summary_of_all_units(ed, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for i in range(4):
        make_unit(ed, a, f"甲{i}街道", seed=10 + i)
        make_unit(ed, b, f"乙{i}街道", seed=20 + i)
    sa = consolidate([a], out=tmp_path / "甲区.xlsx", name="甲区", jobs=1)
    sb = consolidate([b], out=tmp_path / "乙区.xlsx", name="乙区", jobs=1)
    city = consolidate([sa.out, sb.out], out=tmp_path / "city.xlsx", name="某市", jobs=1)
    direct = consolidate([a, b], out=tmp_path / "direct.xlsx", name="某市", jobs=1)
    assert city.sums == direct.sums
    assert sorted(city.members) == sorted(direct.members)
    assert city.included == 2 and direct.included == 8


def test_unit_counted_in_two_inputs_is_reported(ed, tmp_path):
    a = tmp_path / "a"
    a.mkdir()
    make_unit(ed, a, "甲街道", seed=1)
    make_unit(ed, a, "乙街道", seed=2)
    district = consolidate([a], out=tmp_path / "甲区.xlsx", name="甲区", jobs=1)
    lone, _ = make_unit(ed, tmp_path, "甲街道", seed=1, file="甲街道再报.xlsx")
    res = consolidate([district.out, lone], out=tmp_path / "city.xlsx", name="某市", jobs=1)
    assert {s.status for s in res.statuses} == {DUPLICATE}
    assert res.included == 0
    assert all("甲街道" in s.note for s in res.statuses)


# -- the batch's bookkeeping ------------------------------------------------------------


@pytest.fixture
def messy_batch(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_unit(ed, folder, "甲街道", seed=1, info={"date": "2024-01-10"})
    old, _ = make_unit(ed, folder, "乙街道", seed=2, file="乙街道（旧）.xlsx", info={"date": "2024-01-05"})
    new, _ = make_unit(ed, folder, "乙街道", seed=3, file="乙街道（新）.xlsx", info={"date": "2024-01-15"})
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_100_000, 1_700_100_000))
    make_unit(ed, folder, "丙街道", seed=4, year=YEAR - 1)
    make_unit(ed, folder, "戊街道", seed=5)
    make_unit(ed, folder, "己街道", seed=6)
    (folder / "坏文件.xlsx").write_bytes(b"this is not a workbook")
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位代码\n甲街道,001\n乙街道,002\n丙街道,003\n丁街道,004\n己街道,006\n", "utf-8")
    return folder, roster


def test_messy_batch_lands_in_status_sheet(messy_batch, tmp_path):
    folder, roster = messy_batch
    out = tmp_path / "sum.xlsx"
    res = consolidate([folder], out=out, roster=roster, name="测试区", year=YEAR, jobs=1)
    assert out.exists()
    rows = status_rows(out)
    assert rows["甲街道"][0]["状态"] == PASSED and rows["甲街道"][0]["计入汇总"] == "是"
    assert rows["甲街道"][0]["单位代码"] == "001"
    assert [r["状态"] for r in rows["乙街道"]] == [DUPLICATE, DUPLICATE]
    assert all(r["计入汇总"] == "否" for r in rows["乙街道"])
    assert rows["丙街道"][0]["状态"] == WRONG_YEAR and rows["丙街道"][0]["计入汇总"] == "否"
    assert rows["丁街道"][0]["状态"] == MISSING and rows["丁街道"][0]["文件"] in ("", None)
    assert rows["戊街道"][0]["状态"] == NOT_ON_ROSTER and rows["戊街道"][0]["计入汇总"] == "是"
    bad = rows["坏文件"][0]
    assert bad["状态"] == UNREADABLE and bad["文件"] == "坏文件.xlsx" and bad["说明"]
    assert res.included == 3  # 甲, 戊, 己
    assert res.missing == 1 and res.unreadable == 1
    # roster order first, then strangers, then unreadable files
    names = list(rows)
    assert names[:5] == ["甲街道", "乙街道", "丙街道", "丁街道", "己街道"]
    assert names[-1] == "坏文件"


def test_latest_keeps_newest_and_reports_the_other(messy_batch, tmp_path):
    folder, roster = messy_batch
    res = consolidate([folder], out=tmp_path / "sum.xlsx", roster=roster, name="测试区",
                      on_duplicate="latest", jobs=1)
    mine = {s.file: s for s in res.statuses if s.name == "乙街道"}
    assert mine["乙街道（新）.xlsx"].included and mine["乙街道（新）.xlsx"].status == PASSED
    assert not mine["乙街道（旧）.xlsx"].included and mine["乙街道（旧）.xlsx"].status == DUPLICATE
    assert "乙街道（新）.xlsx" in mine["乙街道（旧）.xlsx"].note


def test_wrong_year_included_on_request(messy_batch, tmp_path):
    folder, roster = messy_batch
    res = consolidate([folder], out=tmp_path / "sum.xlsx", roster=roster, name="测试区",
                      include_wrong_year=True, jobs=1)
    row = next(s for s in res.statuses if s.name == "丙街道")
    assert row.included and "年度" in row.note


def test_units_with_errors_left_out_unless_included(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_unit(ed, folder, "甲街道", seed=1)
    bad_values = dict(consistent_inputs(ed, random.Random(2)))
    bad_values[ed.input_keys[0]] = Decimal(-3)
    make_unit(ed, folder, "乙街道", values=bad_values)
    res = consolidate([folder], out=tmp_path / "a.xlsx", name="测试区", jobs=1)
    row = next(s for s in res.statuses if s.name == "乙街道")
    assert row.status == HAS_ERRORS and not row.included and row.errors
    assert res.included == 1 and res.excluded_for_errors == 1
    assert any(u == "乙街道" and f.severity == "error" for u, _, f in res.unit_findings)
    ws = openpyxl.load_workbook(res.out, read_only=True)[SHEET_STATUS]
    assert "未计入" in next(ws.iter_rows(values_only=True))[0]
    res2 = consolidate([folder], out=tmp_path / "b.xlsx", name="测试区", include_errors=True, jobs=1)
    row = next(s for s in res2.statuses if s.name == "乙街道")
    assert row.status == HAS_ERRORS and row.included
    assert res2.included == 2 and res2.included_with_errors == 1


def test_nothing_readable_raises(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"junk")
    with pytest.raises(ConsolidationError, match="无法读取"):
        consolidate([tmp_path], out=tmp_path / "o.xlsx", name="测试区", jobs=1)
    assert not (tmp_path / "o.xlsx").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConsolidationError, match="没有找到"):
        consolidate([empty], name="测试区")


def test_decide_prefers_later_fill_date_over_mtime():
    a = FileResult("/a.xlsx", mtime=200, unit="甲", year=YEAR, date="2024年1月5日")
    b = FileResult("/b.xlsx", mtime=100, unit="甲", year=YEAR, date="2024-01-20")
    rows, included = decide([a, b], year=YEAR, roster=[RosterEntry("甲")], on_duplicate="latest")
    assert included == [b]
    a.date = ""
    rows, included = decide([a, b], year=YEAR, roster=None, on_duplicate="latest")
    assert included == [a]


def test_decide_matches_names_ignoring_spaces_and_bracket_width():
    f = FileResult("/a.xlsx", unit="某区 市场监督管理局(知识产权局)", year=YEAR)
    rows, included = decide([f], year=YEAR, roster=[RosterEntry("某区市场监督管理局（知识产权局）", code="9")])
    assert included == [f] and rows[0].status == PASSED and rows[0].code == "9"


# -- the extra sheets --------------------------------------------------------------------


def test_detail_sheet_rows_headers_and_totals(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        make_unit(ed, folder, f"第{i}街道", seed=40 + i)
    res = consolidate([folder], out=tmp_path / "s.xlsx", name="测试区", jobs=1)
    wb = openpyxl.load_workbook(res.out)
    cached = openpyxl.load_workbook(res.out, data_only=True)[SHEET_DETAIL]
    ws = wb[SHEET_DETAIL]
    # one row per input cell, one column per unit: prints one page wide
    assert ws.freeze_panes == "E2"
    assert ws.auto_filter.ref
    inputs = ed.input_keys
    assert ws.max_row == 1 + len(inputs)
    assert [ws.cell(1, c).value for c in range(1, 8)] == ["表", "项目", "栏目", "合计", "第0街道", "第1街道", "第2街道"]
    assert ws.print_title_rows == "$1:$1" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb.sheetnames.index(SHEET_STATUS) < wb.sheetnames.index(SHEET_DETAIL)
    assert wb.active.title == SHEET_STATUS
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [SHEET_STATUS]
    for j, key in enumerate(inputs):
        r = 2 + j
        cell = ed.cells[key]
        assert [ws.cell(r, c).value for c in (1, 3)] == [cell.table.sheet, cell.col_label]
        assert ws.cell(r, 4).value == f"=SUM(E{r}:G{r})"
        assert Decimal(repr(cached.cell(r, 4).value)) == res.sums[key]
    findings = wb[SHEET_FINDINGS]
    assert findings.auto_filter.ref and findings.cell(1, 1).value == "单位"
    assert findings.cell(1, findings.max_column).value == "文件"  # a long file name hides no unit name
    assert wb[SHEET_CHARTS]._charts  # native charts are there


def test_unit_name_starting_with_equals_is_text_everywhere(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    evil = "=HYPERLINK(\"http://x\",\"点\")"
    make_unit(ed, folder, evil, seed=1, file="evil.xlsx")
    make_unit(ed, folder, "甲街道", seed=2)
    res = consolidate([folder], out=tmp_path / "s.xlsx", name="=1+1", jobs=1)
    wb = openpyxl.load_workbook(res.out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and ("HYPERLINK(\"http" in cell.value or cell.value.startswith("=1+1")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.value.startswith("=")
                    seen.add(ws.title)
    assert {SHEET_DETAIL, SHEET_STATUS, SHEET_CHARTS} <= seen


def test_long_form_is_exact(ed, tmp_path):
    import pandas as pd

    folder = tmp_path / "in"
    folder.mkdir()
    values = consistent_inputs(ed, random.Random(5))
    fk = fee_key(ed)
    values[fk] = Decimal("1234.5678")
    make_unit(ed, folder, "甲街道", values=values)
    make_unit(ed, folder, "乙街道", seed=6)
    for suffix in (".csv", ".parquet"):
        res = consolidate([folder], out=tmp_path / "s.xlsx", name="测试区", long_out=tmp_path / f"long{suffix}", jobs=1)
        if suffix == ".csv":
            assert (tmp_path / "long.csv").read_bytes().startswith(b"\xef\xbb\xbf")
            df = pd.read_csv(res.long_out, dtype=str, encoding="utf-8-sig")
        else:
            df = pd.read_parquet(res.long_out)
        assert list(df.columns) == ["unit", "year", "key", "table", "row_label", "col_label", "value"]
        assert len(df) == 2 * len(ed.cells)
        got = df[(df.unit == "甲街道") & (df.key == fk)]["value"].iloc[0]
        assert Decimal(got) == Decimal("1234.5678")


def test_parallel_equals_serial(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(10):
        make_unit(ed, folder, f"第{i}街道", seed=60 + i)
    one = consolidate([folder], out=tmp_path / "a.xlsx", name="测试区", jobs=1)
    two = consolidate([folder], out=tmp_path / "b.xlsx", name="测试区", jobs=2)
    assert one.sums == two.sums
    assert [(s.name, s.status) for s in one.statuses] == [(s.name, s.status) for s in two.statuses]


def test_decide_blank_year_is_not_a_wrong_year():
    blank = FileResult("/a.xlsx", unit="甲", year=None)
    other = FileResult("/b.xlsx", unit="乙", year=YEAR - 1)
    rows, included = decide([blank, other], year=YEAR, roster=None)
    assert included == [blank] and "未填写报告年度" in rows[0].note
    assert rows[1].status == WRONG_YEAR and not rows[1].included


def test_unreadable_file_named_after_a_roster_unit_takes_its_row():
    bad = FileResult("/in/乙街道2023年报告.xlsx", readable=False, reason="不是 xlsx")
    ok = FileResult("/in/甲.xlsx", unit="甲街道", year=YEAR)
    rows, _ = decide([bad, ok], year=YEAR, roster=[RosterEntry("甲街道"), RosterEntry("乙街道")])
    assert [(r.name, r.status) for r in rows] == [("甲街道", PASSED), ("乙街道", UNREADABLE)]
    assert rows[1].file == "乙街道2023年报告.xlsx" and rows[1].on_roster


def test_summary_info_is_complete_and_nothing_is_for_typing(ed, tmp_path):
    from xxgk.writer import info_positions

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        make_unit(ed, folder, f"第{i}街道", seed=60 + i)
    res = consolidate([folder], out=tmp_path / "s.xlsx", name="测试区", jobs=1)
    wb = openpyxl.load_workbook(res.out)
    info = wb[ed.info_sheet]
    cells = {f.key: info.cell(r + 1, c + 1) for f, (r, c) in zip(ed.info_fields, info_positions(ed).values())}
    assert cells["unit_type"].value == "汇总（2 个单位）"
    assert cells["unit"].value == "测试区" and cells["date"].value
    assert all(c.protection.locked for c in cells.values())
    assert not info.data_validations.dataValidation
    assert "请从下拉列表选择" not in [c.value for row in info.iter_rows() for c in row]
    for key in ed.input_keys[:5]:
        sheet, ref = wb.defined_names[f"xxgk.{key}"].value.split("!")
        cell = wb[sheet.strip("'")][ref.replace("$", "")]
        assert cell.protection.locked and cell.fill.fgColor.rgb[-6:] != "FFF9DB"  # not the input yellow


def test_status_line_says_only_what_is_true(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_unit(ed, folder, "甲街道", seed=1)
    make_unit(ed, folder, "乙街道", seed=2)
    res = consolidate([folder], out=tmp_path / "a.xlsx", name="测试区", jobs=1)
    line = next(openpyxl.load_workbook(res.out, read_only=True)[SHEET_STATUS].iter_rows(values_only=True))[0]
    assert "计入汇总 2 个单位" in line
    assert "错误" not in line and "未报送" not in line
    roster = [RosterEntry("甲街道"), RosterEntry("乙街道"), RosterEntry("丙街道")]
    res = consolidate([folder], out=tmp_path / "b.xlsx", name="测试区", roster=roster, jobs=1)
    line = next(openpyxl.load_workbook(res.out, read_only=True)[SHEET_STATUS].iter_rows(values_only=True))[0]
    assert "1 个单位未报送" in line and "错误" not in line and "待核实" not in line
    values = dict(consistent_inputs(ed, random.Random(3)))
    values[fee_key(ed)] = Decimal(251000)  # a township's fee typed in 元: held back
    make_unit(ed, folder, "丙街道", values=values)
    res = consolidate([folder], out=tmp_path / "c.xlsx", name="测试区", roster=roster, jobs=1)
    line = next(openpyxl.load_workbook(res.out, read_only=True)[SHEET_STATUS].iter_rows(values_only=True))[0]
    assert "1 个单位有待核实的数字" in line and "未报送" not in line and "错误" not in line


def test_detail_of_many_units_prints_pages_across_with_labels_repeated(ed, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(20):  # too many to print one page wide legibly
        make_unit(ed, folder, f"第{i:02d}街道", seed=i)
    res = consolidate([folder], out=tmp_path / "s.xlsx", name="测试区", jobs=1)
    ws = openpyxl.load_workbook(res.out)[SHEET_DETAIL]
    assert ws.max_column == 4 + 20
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$D"
    assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
