"""Issue 8 point 4: a workbook has one year, the one the unit sees and prints
(基本信息); a different year in the hidden metadata is said in plain words."""

from __future__ import annotations

import random

import openpyxl
import pytest
from click.testing import CliRunner

from xxgk import load_edition
from xxgk.cli import main
from xxgk.consolidate import consolidate
from xxgk.meta import defined_name
from xxgk.reader import read_workbook
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

ED = load_edition("2021")


def made_for(path, made: int, shown: int | None):
    """A template made for ``made`` whose 基本信息 year the unit changed to ``shown``."""
    write_report(path, ED, unit="青溪区甲街道办事处", unit_type="乡镇（街道）", year=made,
                 values=consistent_inputs(ED, random.Random(1)))
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[defined_name("info.year")].destinations))
    wb[sheet][ref.replace("$", "")] = shown
    wb.save(path)
    return path


def test_year_is_the_one_in_basic_info(tmp_path):
    sub = read_workbook(made_for(tmp_path / "a.xlsx", 2024, 2025))
    assert sub.year == 2025
    (note,) = [f for f in sub.findings if f.code == "year-differs"]
    assert "2025" in note.message and "2024" in note.message and note.sheet == ED.info_sheet


@pytest.mark.parametrize("made, shown", [(2024, 2025), (2025, 2024)])
def test_check_judges_the_year_the_unit_sees(tmp_path, made, shown):
    path = made_for(tmp_path / "a.xlsx", made, shown)
    ok = CliRunner().invoke(main, ["check", str(path), "--year", str(shown)])
    assert ok.exit_code == 0 and "报告年度为" in ok.output, ok.output
    wrong = CliRunner().invoke(main, ["check", str(path), "--year", str(made)])
    assert wrong.exit_code == 1 and f"报告年度应为 {made} 年" in wrong.output


def test_consolidate_counts_the_year_the_unit_sees(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    made_for(folder / "a.xlsx", 2024, 2025)
    res = consolidate([folder], out=tmp_path / "s.xlsx", year=2025, name="青溪区")
    assert res.included == 1 and res.statuses[0].status != "年度不符"


def test_blank_year_is_not_filled_in(tmp_path):
    sub = read_workbook(made_for(tmp_path / "a.xlsx", 2024, None))
    assert sub.year is None
