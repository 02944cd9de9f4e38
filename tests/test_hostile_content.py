"""No traceback from file content: odd text, odd names, odd numbers, and folders full of surprises."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_files as H
from xxgk import load_edition
from xxgk.cli import main
from xxgk.consolidate import consolidate, read_one


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


def json_files(result) -> list[dict]:
    return json.loads(result.stdout_bytes.decode("utf-8") if hasattr(result, "stdout_bytes") else result.output)["files"]


# -- text ------------------------------------------------------------------------------


def test_lone_surrogate_in_cell_text(tmp_path):
    bad = H.with_unit_text(H.filled(tmp_path / "a.xlsx"), "青溪区甲_xD800_街道")
    text = run("check", bad, "--year", 2023)
    assert text.exit_code in (0, 1) and "青溪区甲\ufffd街道" in text.output
    files = json_files(run("check", bad, "--format", "json", "--year", 2023))
    assert files[0]["unit"] == "青溪区甲\ufffd街道" and files[0]["status"] != "unreadable"
    r = consolidate([bad, H.filled(tmp_path / "b.xlsx", unit="青溪区乙街道", seed=2)], out=tmp_path / "s.xlsx",
                    name="青溪区", jobs=1)
    assert r.included == 2 and (tmp_path / "s.xlsx").exists()


def test_control_characters_never_reach_terminal_or_annotation(tmp_path):
    bad = H.with_unit_text(H.filled(tmp_path / "a.xlsx", seed=4), "青溪区甲_x0001__x001B_]0;owned_x0007_街道")
    for fmt in ("text", "json"):
        result = run("check", bad, "--format", fmt, "--annotate", tmp_path / "批注.xlsx", "--year", 2023)
        assert result.exit_code in (0, 1)
        assert not any(ch in result.output for ch in "\x01\x07") and "\x1b]" not in result.output
    assert (tmp_path / "批注.xlsx").exists()


def test_gbk_file_name(tmp_path):
    H.gbk_named(tmp_path)
    H.filled(tmp_path / "甲.xlsx", unit="青溪区甲街道", seed=1)
    result = run("check", tmp_path, "--year", 2023)
    assert result.exit_code in (0, 1) and "青溪区乙街道.xlsx" in result.output
    files = json_files(run("check", tmp_path, "--format", "json", "--year", 2023))
    assert any(f["path"].endswith("青溪区乙街道.xlsx") for f in files)
    out = tmp_path.parent / "gbk汇总.xlsx"
    result = run("consolidate", tmp_path, "--name", "青溪区", "--out", out)
    assert result.exit_code == 0 and "已汇总 2 个单位" in result.output
    result = run("check", tmp_path, "--annotate", tmp_path.parent / "批注")
    assert result.exit_code in (0, 1)


# -- numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("stored", ["1E+400", "1e308", "inf", "-Infinity", "NaN",
                                    "1234567890123456789012345678901234567890"])
def test_number_no_cell_can_hold_is_a_finding_at_that_cell(tmp_path, ed, stored):
    key = H.first_input(ed)
    bad = H.with_number(H.filled(tmp_path / "a.xlsx"), stored, key)
    files = json_files(run("check", bad, "--format", "json", "--year", 2023))
    assert files[0]["status"] == "errors"  # read; not "unreadable"
    at_cell = [f for f in files[0]["findings"] if key in f["keys"] and f["severity"] == "error"]
    assert at_cell and at_cell[0]["sheet"] and at_cell[0]["cells"]
    ok = H.filled(tmp_path / "ok.xlsx", seed=1)
    prev = run("check", ok, "--previous", bad, "--year", 2023)  # as last year's report
    assert prev.exit_code in (0, 1)
    r = read_one(bad)
    assert r.readable and r.errors


# -- anything unexpected -------------------------------------------------------------------


def test_unexpected_exception_makes_one_file_unreadable(tmp_path, monkeypatch):
    from xxgk import reader

    good = H.filled(tmp_path / "good.xlsx", unit="青溪区乙街道", seed=2)
    bad = H.filled(tmp_path / "bad.xlsx")
    real = reader.read_workbook

    def boom(path, *a, **k):
        if Path(path).name == "bad.xlsx":
            raise ZeroDivisionError("simulated defect")
        return real(path, *a, **k)

    monkeypatch.setattr(reader, "read_workbook", boom)
    result = run("check", bad, good, "--year", 2023)
    assert result.exit_code == 2 and "bad.xlsx" in result.output and "意外错误" in result.output
    assert "青溪区乙街道" in result.output  # the batch went on
    assert run("check", good, "--previous", bad, "--year", 2023).exit_code == 2
    r = read_one(bad)
    assert not r.readable and "意外错误" in r.reason


# -- folders ------------------------------------------------------------------------------


def test_folder_search_is_recursive_and_lists_every_skipped_file(tmp_path):
    d = tmp_path / "报送"
    (d / "城关片" / "一组").mkdir(parents=True)
    H.filled(d / "城关片" / "一组" / "甲.xlsx", unit="青溪区甲街道", seed=1)
    H.filled(d / "乙.xlsx", unit="青溪区乙街道", seed=2)
    (d / "~$乙.xlsx").write_bytes(b"lock")
    (d / "失效.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (d / "城关片" / "回到上级").symlink_to(d)
    (d / "环1.xlsx").symlink_to(d / "环2.xlsx")
    (d / "环2.xlsx").symlink_to(d / "环1.xlsx")
    os.mkfifo(d / "管道.xlsx")
    result = run("check", d, "--year", 2023)  # a FIFO would block forever if opened
    assert result.exit_code in (0, 1)
    assert "青溪区甲街道" in result.output and "青溪区乙街道" in result.output
    for name, why in [("~$乙.xlsx", "锁定文件"), ("失效.xlsx", "不存在"), ("回到上级", "循环"),
                      ("环1.xlsx", "循环"), ("管道.xlsx", "不是普通文件")]:
        line = next((ln for ln in result.output.splitlines() if name in ln), "")
        assert "已跳过" in line and why in line, (name, result.output)
    result = run("consolidate", d, "--name", "青溪区", "--out", tmp_path / "s.xlsx")
    assert result.exit_code == 0 and "已汇总 2 个单位" in result.output and "管道.xlsx" in result.output
