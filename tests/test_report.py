"""Text and JSON rendering of check results."""

from __future__ import annotations

import json
from decimal import Decimal

import click

from test_checker import ED, POS, consistent_values, instances, make_submission
from xxgk.checker import FileError, check_submission
from xxgk.report import compact_cells, exit_code, json_document, render_json, render_text

FILE_KEYS = ["path", "status", "unit", "unit_type", "year", "ours", "file_kind", "errors", "warnings", "findings",
             "values", "origins"]
FINDING_KEYS = ["code", "severity", "message", "rule", "sheet", "cells", "keys", "expected", "actual",
                "difference", "caused_by"]


def _results():
    values = consistent_values()
    clean = check_submission(make_submission(values), ED)
    inst = instances("R4")[0]
    target = inst.lhs[0].key
    key = ED.input_keys[0]
    wrong_sub = make_submission(values, typed={target: values[target] + 2}, raw={key: "12件"},
                                status={key: "text-number"})
    wrong_sub.path = "错误单位.xlsx"
    wrong = check_submission(wrong_sub, ED)
    unreadable = FileError("坏文件.xlsx", "不是 .xlsx 工作簿。", "file-not-xlsx")
    return clean, wrong, unreadable, target


def test_text_report_has_locations_verdicts_and_groups():
    clean, wrong, unreadable, target = _results()
    text = click.unstyle(render_text([clean, wrong, unreadable], ED))
    sheet, addr = POS[target]
    assert f"{sheet}!{addr}" in text
    assert "结论：通过" in text and "结论：有 1 处错误" in text and "结论：无法读取" in text
    assert "错误" in text and "提醒" in text
    assert "共 3 个文件，1 个通过，1 个有错误，1 个无法读取。" in text
    wrong_part = text.split("错误单位.xlsx")[1]
    # grouped: the table-2 warning comes before the table-4 error
    assert wrong_part.index(ED.tables[0].sheet) < wrong_part.index(ED.tables[2].sheet)
    assert "Traceback" not in text


def test_text_report_for_one_file_has_no_closing_line():
    clean, *_ = _results()
    text = click.unstyle(render_text([clean], ED))
    assert "结论：通过" in text and "共 " not in text


def test_json_schema_is_stable():
    clean, wrong, unreadable, target = _results()
    doc = json.loads(render_json([clean, wrong, unreadable], ED))
    assert list(doc) == ["xxgk_version", "edition", "files"]
    assert doc["edition"] == ED.edition
    for entry in doc["files"]:
        assert list(entry) == FILE_KEYS
        for f in entry["findings"]:
            assert list(f) == FINDING_KEYS
    c, w, u = doc["files"]
    assert c["status"] == "passed" and c["findings"] == [] and c["errors"] == 0
    assert w["status"] == "errors" and w["errors"] == 1 and w["warnings"] == 1
    assert u["status"] == "unreadable" and u["findings"][0]["code"] == "file-not-xlsx" and u["values"] == {}
    assert (c["file_kind"], u["file_kind"]) == ("workbook", None) and c["origins"] == {}
    assert set(c["values"]) == set(ED.cells)
    assert w["values"][target] == int(wrong.values[target])
    typed = next(f for f in w["findings"] if f["code"] == "total-typed-wrong")
    assert typed["difference"] == 2 and typed["rule"] == "R4"


def test_json_numbers_are_exact():
    values = consistent_values()
    fee = next(k for k, c in ED.cells.items() if c.value_type == "amount")
    values[fee] = Decimal("0.1234")
    doc = json_document([check_submission(make_submission(values), ED)], ED)
    assert doc["files"][0]["values"][fee] == "0.1234"
    assert all(isinstance(v, (int, str)) for v in doc["files"][0]["values"].values())


def test_json_null_for_blank_inputs():
    values = consistent_values()
    key = ED.input_keys[0]
    values[key] = Decimal(0)
    sub = make_submission(values, raw={key: None}, status={key: "blank"})
    doc = json_document([check_submission(sub, ED)], ED)
    assert doc["files"][0]["values"][key] is None


def test_exit_code():
    clean, wrong, unreadable, _ = _results()
    assert exit_code([clean]) == 0
    assert exit_code([clean, wrong]) == 1
    assert exit_code([clean, wrong, unreadable]) == 2


def test_compact_cells():
    assert compact_cells(["B7", "C7", "D7", "H7"]) == "B7:D7,H7"
    assert compact_cells(["H7", "B7", "C7"]) == "H7,B7:C7"
    assert compact_cells(["C5", "C6"]) == "C5:C6"  # down one column
    assert compact_cells(["J30", "J9", "J10", "J11"]) == "J30,J9:J11"
    assert compact_cells(["A1", "B1", "B2"]) == "A1:B1,B2"  # a run keeps one direction
    assert compact_cells([]) == ""


def test_no_color_is_respected(monkeypatch):
    from xxgk.report import use_color

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color() is None  # click decides: colour only on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color() is False
