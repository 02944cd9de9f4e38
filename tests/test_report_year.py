"""Issue 8 point 3: the default --year is the report year being prepared
(November and December: this year; otherwise last year), for every command."""

from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner

from test_checker import write_filled
from xxgk.cli import main
from xxgk.reader import read_workbook
from xxgk.reportyear import report_year


@pytest.mark.parametrize("day, year", [
    ("2025-12-01", 2025), ("2025-11-01", 2025), ("2025-10-31", 2024), ("2026-01-10", 2025), ("2026-06-30", 2025),
])
def test_report_year(day, year):
    assert report_year(datetime.date.fromisoformat(day)) == year


def test_clock_from_environment(monkeypatch):
    monkeypatch.setenv("XXGK_TODAY", "2025-12-15")
    assert report_year() == 2025


def test_template_made_in_december_is_for_the_year_then_ending(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_TODAY", "2031-12-02")
    out = tmp_path / "模板.xlsx"
    result = CliRunner().invoke(main, ["template", "--unit", "东湖街道办事处", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read_workbook(out).year == 2031


def test_check_expects_the_year_being_prepared(tmp_path, monkeypatch):
    path = tmp_path / "甲.xlsx"
    write_filled(path, year=2024)
    monkeypatch.setenv("XXGK_TODAY", "2025-01-20")  # checking the 2024 reports
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0
    monkeypatch.setenv("XXGK_TODAY", "2025-12-20")  # a 2024 report while 2025 is being prepared
    result = CliRunner().invoke(main, ["check", str(path)])
    # only the default year: last year's report may be checked; a reminder says how to be strict
    assert result.exit_code == 0, result.output
    assert "不是正在编制的 2025 年度" in result.output and "--year 2024" in result.output
    assert "提醒" in result.output
    result = CliRunner().invoke(main, ["check", str(path), "--year", "2025"])  # given: an error
    assert result.exit_code == 1 and "报告年度应为 2025 年" in result.output


def test_consolidate_default_year(tmp_path, monkeypatch):
    folder = tmp_path / "报送"
    folder.mkdir()
    write_filled(folder / "甲.xlsx", year=2024)
    monkeypatch.setenv("XXGK_TODAY", "2025-02-01")
    result = CliRunner().invoke(main, ["consolidate", str(folder), "--name", "测试区", "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output
    assert "已汇总 1 个单位" in result.output
    assert read_workbook(tmp_path / "s.xlsx").year == 2024
