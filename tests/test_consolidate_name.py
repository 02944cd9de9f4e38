"""Issue 8 point 1: the summary's name is given, derived from the area the
roster or the inputs share, or a neutral 汇总 with a reminder; never a refusal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from test_consolidate import YEAR, make_unit
from xxgk import load_edition
from xxgk.area import area_segments, common_area
from xxgk.cli import main
from xxgk.consolidate import consolidate
from xxgk.reader import read_workbook

ED = load_edition("2021")


@pytest.mark.parametrize("names, area", [
    (["青溪区教育局", "青溪区公安分局"], "青溪区"),
    (["青溪区城市管理局", "青溪区市场监督管理局"], "青溪区"),  # 城市/市场 are not areas
    (["某市青溪区", "某市东山区"], "某市"),  # two district summaries of one city
    (["青溪区", "东山区"], ""),  # districts whose city does not show
    (["东湖街道办事处", "教育局"], ""),
    (["青溪区东湖街道办事处"], "青溪区"),
])
def test_common_area(names, area):
    assert common_area(names) == area


def test_area_levels_descend():
    assert area_segments("内蒙古自治区呼和浩特市新城区教育局") == ["内蒙古自治区", "呼和浩特市", "新城区"]
    assert area_segments("某省某市某某市公安局") == ["某省", "某市", "某某市"]  # a 县级市 under a 市



def _in(cwd, args):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["consolidate", *map(str, args), "--year", str(YEAR)])
    finally:
        os.chdir(old)


def test_one_unit_folder_is_named_after_its_district(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    make_unit(ED, folder, "青溪区东湖街道办事处")
    result = _in(tmp_path, [folder])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"青溪区{YEAR}年政府信息公开工作年度报告汇总.xlsx").exists()


def test_names_without_an_area_give_a_neutral_name_and_a_reminder(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    make_unit(ED, folder, "东湖街道办事处", seed=1)
    make_unit(ED, folder, "教育局", seed=2)
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称\n东湖街道办事处\n教育局\n", encoding="utf-8")
    result = _in(tmp_path, [folder, "--roster", roster])
    assert result.exit_code == 0, result.output
    assert "已汇总 2 个单位" in result.output and "--name" in result.output
    out = tmp_path / f"{YEAR}年政府信息公开工作年度报告汇总.xlsx"
    assert read_workbook(out).unit == "汇总"


def test_city_step_of_two_district_summaries(tmp_path):
    districts = tmp_path / "各区"
    districts.mkdir()
    for i, (district, units) in enumerate({"某市青溪区": ["某市青溪区教育局", "某市青溪区东湖街道办事处"],
                                           "某市东山区": ["某市东山区教育局"]}.items()):
        folder = tmp_path / district
        folder.mkdir()
        for j, unit in enumerate(units):
            make_unit(ED, folder, unit, seed=10 * i + j)
        res = consolidate([folder], out=districts / f"{district}.xlsx", year=YEAR)
        assert res.name == district
    result = _in(tmp_path, [districts])
    assert result.exit_code == 0, result.output
    assert "已汇总 2 个单位" in result.output and "--name" not in result.output
    assert read_workbook(tmp_path / f"某市{YEAR}年政府信息公开工作年度报告汇总.xlsx").unit == "某市"


def test_city_step_without_a_city_in_the_names(tmp_path):
    districts = tmp_path / "各区"
    districts.mkdir()
    for i, district in enumerate(["青溪区", "东山区"]):
        folder = tmp_path / district
        folder.mkdir()
        make_unit(ED, folder, f"{district}教育局", seed=i)
        consolidate([folder], out=districts / f"{district}.xlsx", year=YEAR)
    result = _in(tmp_path, [districts])
    assert result.exit_code == 0, result.output
    assert "提示" in result.output and "--name" in result.output
    named = _in(tmp_path, [districts, "--name", "某市"])
    assert named.exit_code == 0 and (tmp_path / f"某市{YEAR}年政府信息公开工作年度报告汇总.xlsx").exists()


def test_city_step_of_one_district_is_not_named_after_the_district(tmp_path):
    folder, districts = tmp_path / "青溪区", tmp_path / "各区"
    folder.mkdir()
    districts.mkdir()
    make_unit(ED, folder, "青溪区教育局", seed=1)
    make_unit(ED, folder, "青溪区东湖街道办事处", seed=2)
    consolidate([folder], out=districts / "青溪区.xlsx", year=YEAR)
    result = _in(tmp_path, [districts])
    assert result.exit_code == 0, result.output
    assert "--name" in result.output and not (tmp_path / f"青溪区{YEAR}年政府信息公开工作年度报告汇总.xlsx").exists()
