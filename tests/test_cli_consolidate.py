"""`xxgk consolidate` through click's CliRunner: exit codes, closing line, no tracebacks."""

from __future__ import annotations

import random

import openpyxl
import pytest
from click.testing import CliRunner

from xxgk import load_edition
from xxgk.cli import main
from xxgk.consolidate import default_out_name
from xxgk.synth import consistent_inputs

# the summary's sheets, as the edition names them
SHEET_STATUS = load_edition("2021").summary_sheets["status"]


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


@pytest.fixture
def folder(ed, tmp_path):
    from xxgk.writer import write_report

    d = tmp_path / "报送"
    d.mkdir()
    for i, name in enumerate(["甲街道", "乙街道"]):
        values = consistent_inputs(ed, random.Random(i))
        write_report(d / f"{name}.xlsx", ed, unit=name, unit_type="乡镇（街道）", year=2023, values=values)
    return d


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(map(str, args)))
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, list(map(str, args)))


def no_traceback(result) -> bool:
    return "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))


def test_help_has_text():
    result = run("consolidate", "--help")
    assert result.exit_code == 0
    assert "汇总" in result.output and "--include-errors" in result.output and "--on-duplicate" in result.output


def test_writes_summary_and_closing_line(folder, tmp_path):
    out = tmp_path / "汇总.xlsx"
    long_csv = tmp_path / "long.csv"
    result = run("consolidate", folder, "--name", "测试区", "--out", out, "--long", long_csv)
    assert result.exit_code == 0, result.output
    assert "已汇总 2 个单位" in result.output and str(out) in result.output
    # without a roster nothing can be missing; nothing was unreadable: neither is said
    assert "未报送" not in result.output and "无法读取" not in result.output
    assert out.exists() and long_csv.exists()


def test_default_out_name_in_current_folder(folder, tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, ["consolidate", str(folder), "--name", "测试区"])
    assert result.exit_code == 0, result.output
    assert (cwd / default_out_name("测试区", 2023)).exists()


def test_errors_still_exit_zero_and_are_counted(ed, folder, tmp_path):
    from xxgk.writer import write_report

    values = consistent_inputs(ed, random.Random(9))
    values[ed.input_keys[0]] = -1
    write_report(folder / "丙街道.xlsx", ed, unit="丙街道", year=2023, values=values)
    (folder / "坏.xlsx").write_bytes(b"junk")
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位代码\n甲街道,1\n乙街道,2\n丙街道,3\n丁街道,4\n", "utf-8")
    out = tmp_path / "s.xlsx"
    result = run("consolidate", folder, "--name", "测试区", "--roster", roster, "--out", out)
    assert result.exit_code == 0, result.output
    assert "已汇总 2 个单位" in result.output and "1 个有错误的单位未计入，请退回改正（丙街道）" in result.output
    assert "未报送 1 个（丁街道）" in result.output and "无法读取 1 个（坏）" in result.output
    statuses = [r[4][:2] if r[4].startswith("通过") else r[4] for r in openpyxl.load_workbook(out, read_only=True)[SHEET_STATUS].iter_rows(min_row=3, values_only=True)]
    assert sorted(statuses) == sorted(["通过", "通过", "有错误", "未报送", "无法读取"])

    result = run("consolidate", folder, "--name", "测试区", "--roster", roster, "--out", out, "--include-errors")
    assert result.exit_code == 0 and "已汇总 3 个单位（其中 1 个有错误、1 个有提醒）" in result.output


def test_nonexistent_folder_is_misuse(tmp_path):
    result = run("consolidate", tmp_path / "nowhere", "--name", "测试区")
    assert result.exit_code == 2 and no_traceback(result)


def test_empty_folder_exits_one(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("consolidate", tmp_path / "empty", "--name", "测试区", "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 1 and no_traceback(result)
    assert "没有找到" in result.output


def test_nothing_readable_exits_one(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"junk")
    result = run("consolidate", tmp_path, "--name", "测试区", "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 1 and no_traceback(result)
    assert "无法读取" in result.output and not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize("content", [b"foo,bar\n1,2\n", b"\xff\xfe\x00garbage", b"", None])
def test_bad_roster_is_reported_without_traceback(folder, tmp_path, content):
    roster = tmp_path / "名册.csv"
    if content is not None:
        roster.write_bytes(content)
    result = run("consolidate", folder, "--name", "测试区", "--roster", roster, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 1 and no_traceback(result)
    assert "名册" in result.output and not (tmp_path / "o.xlsx").exists()


def test_name_derived_from_unit_names_or_asked_for(folder, tmp_path):
    # 甲街道 and 乙街道 share no area name: a neutral name, and the user is asked for --name
    result = run("consolidate", folder, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0 and "--name" in result.output and no_traceback(result)
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称\n青溪区甲街道\n青溪区乙街道\n", encoding="utf-8")
    result = run("consolidate", folder, "--roster", roster, "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    from xxgk.reader import read_workbook

    assert read_workbook(tmp_path / "o.xlsx").unit == "青溪区"


def test_misuse_exit_two(folder, tmp_path):
    assert run("consolidate", "--name", "测试区").exit_code == 2  # no input
    r = run("consolidate", folder, "--name", "测试区", "--long", tmp_path / "x.txt")
    assert r.exit_code == 2 and no_traceback(r)
    assert run("consolidate", folder, "--name", "测试区", "--on-duplicate", "first").exit_code == 2
