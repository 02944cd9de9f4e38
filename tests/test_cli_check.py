"""`xxgk check` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from test_checker import ED, POS, consistent_values, instances, write_filled
from xxgk.cli import main


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


@pytest.fixture
def clean(tmp_path):
    path = tmp_path / "通过单位.xlsx"
    write_filled(path)
    return path


@pytest.fixture
def wrong(tmp_path):
    values = consistent_values(2)
    target = instances("R4")[1].lhs[0].key
    path = tmp_path / "错误单位.xlsx"
    write_filled(path, values, overrides={target: values[target] + 5})
    return path, target


def test_clean_file_exits_0(clean):
    result = run(clean, "--year", 2023)
    assert result.exit_code == 0, result.output
    assert "结论：通过" in result.output


def test_errors_exit_1_with_location_and_no_traceback(wrong):
    path, target = wrong
    result = run(path)
    assert result.exit_code == 1
    sheet, addr = POS[target]
    assert f"{sheet}!{addr}" in result.output
    assert "结论：有 1 处错误" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_no_colour_when_not_a_terminal(wrong):
    assert "\x1b[" not in run(wrong[0]).output


def test_unreadable_file_exits_2_and_batch_continues(tmp_path, clean):
    bad = tmp_path / "改名的表格.xlsx"
    bad.write_text("单位,数量\n", encoding="utf-8")
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "结论：无法读取" in result.output and "结论：通过" in result.output
    assert "共 2 个文件" in result.output and "Traceback" not in result.output


def test_folder_expands_to_sorted_workbooks(tmp_path, clean, wrong):
    (tmp_path / "说明.txt").write_text("x", encoding="utf-8")
    doc = json.loads(run(tmp_path, "--format", "json").output)
    names = [f["path"] for f in doc["files"]]
    assert names == sorted(names) and len(names) == 2


def test_json_output(wrong):
    path, target = wrong
    result = run(path, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert list(doc) == ["xxgk_version", "edition", "files"]
    (entry,) = doc["files"]
    assert entry["status"] == "errors" and entry["ours"] is True and entry["year"] == 2023
    f = next(f for f in entry["findings"] if f["code"] == "total-typed-wrong")
    assert f["rule"] == "R4" and f["difference"] == 5 and POS[target][1] in f["cells"]


def test_wrong_year_is_an_error(clean):
    result = run(clean, "--year", 2024)
    assert result.exit_code == 1 and "2024" in result.output


def test_previous_year(tmp_path):
    this = consistent_values(1)
    last = consistent_values(2)
    inst = next(i for i in ED.instances(group="previous") if i.id == "R6")
    (prev,) = [t for t in inst.rhs if t.previous]
    last[prev.key] = this[inst.lhs[0].key] + 1
    write_filled(tmp_path / "今年.xlsx", this)
    write_filled(tmp_path / "去年.xlsx", last, year=2022)
    result = run(tmp_path / "今年.xlsx", "--previous", tmp_path / "去年.xlsx")
    assert result.exit_code == 0  # previous-year rules are warnings
    assert "上年" in result.output and "提醒" in result.output


def test_unreadable_previous_exits_2(tmp_path, clean):
    bad = tmp_path / "去年.xlsx"
    bad.write_bytes(b"not a zip")
    result = run(clean, "--previous", bad)
    assert result.exit_code == 2 and "上年报告" in result.output


@pytest.mark.parametrize("args", [["--format", "xml"], ["--fee-decimals", "-1"], ["--edition", "1999"]])
def test_misuse_exits_2(clean, args):
    assert run(clean, *args).exit_code == 2


def test_missing_file_exits_2(tmp_path):
    assert run(tmp_path / "没有.xlsx").exit_code == 2


def test_empty_folder_exits_2(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2 and "没有找到" in result.output


def test_fee_decimals_option(tmp_path):
    values = consistent_values()
    fee = next(k for k, c in ED.cells.items() if c.value_type == "amount")
    path = tmp_path / "收费.xlsx"
    write_filled(path, values, text={fee: "1.23456"})
    assert "too-many-decimals" in run(path, "--format", "json").output
    assert "too-many-decimals" not in run(path, "--format", "json", "--fee-decimals", 6).output


def test_help_text():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0 and "--annotate" in result.output and "退出码" in result.output


def test_fee_decimals_default_from_the_template(tmp_path):
    from xxgk.writer import write_report

    values = consistent_values()
    fee = next(k for k, c in ED.cells.items() if c.value_type == "amount")
    path = tmp_path / "两位小数.xlsx"
    write_report(path, ED, unit="单位", year=2023, fee_decimals=2,
                 values={**{k: values[k] for k in ED.input_keys}, fee: "1.234"})
    assert "too-many-decimals" in run(path, "--format", "json").output
