"""Consolidation integrity: a workbook is trusted as a summary only when its detail adds up;
member lists of any length; last run's summary in the folder is recognised."""

from __future__ import annotations

import csv
import os
import random

import openpyxl
import pytest
from click.testing import CliRunner

import hostile_files as H
from xxgk import load_edition
from xxgk.cli import main
from xxgk.consolidate import consolidate, csv_safe, read_one
from xxgk.reader import read_workbook
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


def units(folder, names, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    return [H.filled(folder / f"{n}.xlsx", unit=n, seed=seed + i) for i, n in enumerate(names)]


def test_forged_summary_without_detail_is_a_unit(tmp_path, ed):
    d = tmp_path / "报送"
    units(d, ["青溪区甲街道", "青溪区乙街道"])
    # a unit whose hidden sheet was edited to claim it sums the two others
    write_report(d / "丙.xlsx", ed, unit="青溪区丙街道", unit_type="乡镇（街道）", year=2023, kind="summary",
                 members=["青溪区甲街道", "青溪区乙街道"], values=consistent_inputs(ed, random.Random(7)))
    forged = read_one(d / "丙.xlsx")
    assert forged.kind == "unit" and not forged.members
    assert any(f.code == "summary-not-verified" for f in forged.findings)
    r = consolidate([d], out=tmp_path / "s.xlsx", name="青溪区", jobs=1)
    assert r.included == 3 and sorted(r.members) == ["青溪区丙街道", "青溪区乙街道", "青溪区甲街道"]


def test_summary_with_tampered_figures_is_a_unit(tmp_path, ed):
    d = tmp_path / "报送"
    units(d, ["青溪区甲街道", "青溪区乙街道"])
    genuine = tmp_path / "青溪区汇总.xlsx"
    consolidate([d], out=genuine, name="青溪区", jobs=1)
    assert read_one(genuine).kind == "summary"
    r = read_one(H.with_number(genuine, "987654"))  # one figure edited
    assert r.kind == "unit" and any(f.code == "summary-not-verified" and "分单位明细" in f.message
                                    for f in r.findings)


def test_city_rolls_up_district_summaries(tmp_path):
    a = tmp_path / "甲区"
    b = tmp_path / "乙区"
    units(a, ["甲区一街道", "甲区二街道"])
    units(b, ["乙区一街道"], seed=5)
    city = tmp_path / "市"
    city.mkdir()
    consolidate([a], out=city / "甲区汇总.xlsx", name="甲区", jobs=1)
    consolidate([b], out=city / "乙区汇总.xlsx", name="乙区", jobs=1)
    r = consolidate([city], out=tmp_path / "市汇总.xlsx", name="某市", jobs=1)
    assert r.included == 2 and sorted(r.members) == ["乙区一街道", "甲区一街道", "甲区二街道"]
    assert not r.earlier_summaries


def test_member_list_of_20000_units_survives(tmp_path, ed):
    names = [f"某省某市某区第{i:05d}号单位（含一个较长的名称以超过单元格上限）" for i in range(20_000)]
    path = tmp_path / "省汇总.xlsx"
    write_report(path, ed, unit="某省", year=2023, kind="summary", members=names)
    sub = read_workbook(path, ed)
    assert sub.members == names and sub.members_complete


def test_cut_member_list_is_not_trusted(tmp_path, ed):
    path = tmp_path / "s.xlsx"
    write_report(path, ed, unit="青溪区", year=2023, kind="summary", members=["甲", "乙", "丙"])

    def cut(data: bytes) -> bytes:  # the last member row lost
        i = data.rfind(b"<row ")
        return data[:i] + data[data.index(b"</row>", i) + 6:]

    from xxgk.meta import META_SHEET
    from xxgk.xlsx import XlsxBook

    with XlsxBook(path) as book:
        meta_part = book._sheet(META_SHEET).part
    H.rewrite(path, {meta_part: cut})
    sub = read_workbook(path, ed)
    assert sub.members == ["甲", "乙"] and not sub.members_complete


def test_last_runs_summary_in_the_folder_is_left_out(tmp_path):
    d = tmp_path / "报送"
    units(d, ["青溪区甲街道", "青溪区乙街道", "青溪区丙街道"])
    first = consolidate([d], out=d / "上次的汇总.xlsx", name="青溪区", jobs=1)
    assert first.included == 3
    result = CliRunner().invoke(main, ["consolidate", str(d), "--name", "青溪区", "--out", str(tmp_path / "新.xlsx")])
    assert result.exit_code == 0, result.output
    assert "已汇总 3 个单位" in result.output and "此前生成的汇总表" in result.output
    closing = [ln for ln in result.output.splitlines() if ln.startswith("已汇总")][0]
    assert "重复" not in closing


# -- injection ---------------------------------------------------------------------------


def test_long_csv_neutralises_formulas(tmp_path):
    d = tmp_path / "报送"
    hostile = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)"]
    units(d, hostile)
    long_csv = tmp_path / "long.csv"
    r = consolidate([d], out=tmp_path / "s.xlsx", name="青溪区", long_out=long_csv, jobs=1)
    assert r.included == len(hostile)
    with open(long_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {row["unit"] for row in rows} == {"'" + n for n in hostile}
    assert all(row["value"].lstrip("-").replace(".", "").isdigit() for row in rows)
    assert csv_safe("-5") == "-5" and csv_safe("3.5") == "3.5" and csv_safe(7) == 7
    assert csv_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert csv_safe("\tx") == "'\tx" and csv_safe("\r=1") == "'\r=1" and csv_safe("甲") == "甲"


def test_long_into_an_unwritable_place(tmp_path):
    d = tmp_path / "报送"
    units(d, ["青溪区甲街道", "青溪区乙街道"])
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["consolidate", str(d), "--name", "青溪区", "--out", str(tmp_path / "s.xlsx"),
                                       "--long", str(blocker / "long.csv")])
    assert result.exit_code == 1 and "无法写入长表" in result.output and "Traceback" not in result.output


def test_name_cannot_leave_the_working_folder(tmp_path):
    d = tmp_path / "work" / "报送"
    units(d, ["青溪区甲街道", "青溪区乙街道"])
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(tmp_path / "work")
    try:
        result = runner.invoke(main, ["consolidate", "报送", "--name", "../../x"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    made = [p for p in (tmp_path / "work").iterdir() if p.suffix == ".xlsx"]
    assert len(made) == 1 and "/" not in made[0].name
    assert not list(tmp_path.glob("x*.xlsx")) and not list(tmp_path.parent.glob("x*.xlsx"))
    assert openpyxl.load_workbook(made[0]).sheetnames
