"""Issue 8 points 2 and 5: a blank workbook is 未填写 (an error, never counted);
a missing 单位名称 is an error; a figure the checker believes is in the wrong
unit (a fee in 元) is held back from the total with its unit unless included."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
from click.testing import CliRunner

from test_consolidate import YEAR, fee_key, make_unit
from xxgk import load_edition
from xxgk.cli import main
from xxgk.consolidate import HELD_BACK, NOT_FILLED, consolidate
from xxgk.reader import read_workbook
from xxgk.template import write_roster_templates, write_template

# the summary's sheets, as the edition names them
SHEET_STATUS = load_edition("2021").summary_sheets["status"]

ED = load_edition("2021")


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args), "--year", str(YEAR)])


def test_blank_template_is_not_filled_for_check(tmp_path):
    path = write_template(tmp_path / "空白.xlsx", unit="青溪区东湖街道办事处", unit_type="乡镇（街道）", year=YEAR)
    result = invoke("check", path)
    assert result.exit_code == 1
    assert "结论：未填写" in result.output and "通过" not in result.output
    assert "没有填写任何数字" in result.output
    assert len(result.output.splitlines()) < 10  # one finding, not one reminder per blank cell


def test_zeros_are_a_report_not_a_blank(tmp_path):
    path, _ = make_unit(ED, tmp_path, "青溪区甲街道办事处", values={k: 0 for k in ED.input_keys})
    result = invoke("check", path)
    assert result.exit_code == 0 and "未填写" not in result.output


def test_missing_unit_name_is_an_error(tmp_path):
    path, _ = make_unit(ED, tmp_path, "", file="无名.xlsx", seed=3)
    result = invoke("check", path)
    assert result.exit_code == 1
    assert "“单位名称”未填写" in result.output


def test_unchanged_roster_template_is_chased_not_counted(tmp_path):
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位类型\n青溪区甲街道办事处,街道\n青溪区乙街道办事处,街道\n", encoding="utf-8")
    folder = tmp_path / "报送"
    templates = write_roster_templates(roster, folder, year=YEAR)
    filled, _ = make_unit(ED, folder, "青溪区甲街道办事处", seed=1, file=templates[0].name)  # 甲 filled in
    out = tmp_path / "汇总.xlsx"
    res = consolidate([folder], out=out, roster=roster, year=YEAR)
    rows = {s.name: s for s in res.statuses}
    assert rows["青溪区乙街道办事处"].status == NOT_FILLED and not rows["青溪区乙街道办事处"].included
    assert res.included == 1
    result = invoke("consolidate", folder, "--roster", roster, "-o", tmp_path / "汇总2.xlsx")
    assert "未填写 1 个（青溪区乙街道办事处）" in result.output
    status = [r[4] for r in openpyxl.load_workbook(tmp_path / "汇总2.xlsx", read_only=True)[SHEET_STATUS]
              .iter_rows(min_row=3, values_only=True)]
    assert NOT_FILLED in status


def test_unit_without_a_name_is_not_counted(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    make_unit(ED, folder, "青溪区甲街道办事处", seed=1)
    make_unit(ED, folder, "", file="无名.xlsx", seed=2)
    res = consolidate([folder], out=tmp_path / "s.xlsx", year=YEAR, name="青溪区")
    assert res.included == 1 and res.members == ["青溪区甲街道办事处"]


def _fee_in_yuan(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    _, ok = make_unit(ED, folder, "青溪区甲街道办事处", seed=1)
    values = dict(ok)
    values[fee_key(ED)] = Decimal(251000)  # 251000 万元 for a 街道: typed in 元
    make_unit(ED, folder, "青溪区白沙镇人民政府", values=values)
    return folder, ok


def test_fee_in_yuan_is_held_back_with_its_unit(tmp_path):
    folder, ok = _fee_in_yuan(tmp_path)
    out = tmp_path / "s.xlsx"
    result = invoke("consolidate", folder, "-o", out)
    assert result.exit_code == 0, result.output
    assert "已汇总 1 个单位" in result.output and "待核实" in result.output and "白沙镇" in result.output
    summary = read_workbook(out)
    assert summary.value(fee_key(ED)) == ok[fee_key(ED)]
    res = consolidate([folder], out=tmp_path / "s2.xlsx", year=YEAR)
    row = next(s for s in res.statuses if "白沙镇" in s.name)
    assert row.status == HELD_BACK and not row.included and "--include" not in row.note
    from xxgk.summary_sheets import status_line

    assert "待核实" in status_line(res)


def test_fee_in_yuan_included_when_asked(tmp_path):
    folder, ok = _fee_in_yuan(tmp_path)
    out = tmp_path / "s.xlsx"
    result = invoke("consolidate", folder, "-o", out, "--include-suspect")
    assert result.exit_code == 0 and "已汇总 2 个单位（其中 1 个有提醒）" in result.output
    assert read_workbook(out).value(fee_key(ED)) == ok[fee_key(ED)] + 251000
