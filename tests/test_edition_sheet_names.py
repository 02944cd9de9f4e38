"""The sheets a summary and an annotated copy add are named by the edition
(``workbook.summary_sheets``, ``workbook.annotation_sheet``), and so are their
column headers and words (``workbook.headers``, ``workbook.labels``), never by
code: renamed in a copy of the YAML, the new names are what the files carry."""

from __future__ import annotations

import random
from decimal import Decimal
from importlib import resources

import openpyxl
import pytest
import yaml

from xxgk.annotate import annotate
from xxgk.checker import check_submission
from xxgk.consolidate import consolidate
from xxgk.layout import STATUS_ROW, a1
from xxgk.reader import read_workbook
from xxgk.spec import SpecError, build_edition, load_edition
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

YEAR = 2023
RENAMED = {"status": "甲·报送", "detail": "乙·明细", "findings": "丙·问题", "charts": "丁·图"}
RESULT = "戊·结果"
HEADERS = {"detail": ["T", "R", "C"], "findings": [f"F{i}" for i in range(6)],
           "status": [f"S{i}" for i in range(10)], "annotation": [f"A{i}" for i in range(8)],
           "checks": [f"K{i}" for i in range(7)]}
WORDS = {"included": "算", "excluded": "不算", "summary_row": "{name}·本级"}
TEXTS = {"status_summed": "〔{name}{year}〕共 {n} 个。", "chart_items_head": "项·目", "summary_unit_type": "汇{count}",
         "annotation_title": "【{sheet}】{verdict}／{file}", "annotation_banner": "xxgk 另：{verdict}，见{sheet}"}


def _data(name: str = "2021") -> dict:
    return yaml.safe_load(resources.files("xxgk.editions").joinpath(f"{name}.yaml").read_text("utf-8"))


def _renamed(name: str = "2021"):
    data = _data(name)
    data["workbook"]["summary_sheets"] = dict(RENAMED)
    data["workbook"]["annotation_sheet"] = RESULT
    data["workbook"]["headers"] = HEADERS
    data["workbook"]["labels"].update(WORDS)
    data["workbook"]["texts"].update(TEXTS)
    return build_edition(data)


def _units(ed, folder):
    """Two units, the second with an error (一 + 二 no longer equals 三 + 四)."""
    folder.mkdir()
    good = consistent_inputs(ed, random.Random(1))
    bad = dict(consistent_inputs(ed, random.Random(2)))
    key = next(k for k in ed.input_keys if k.startswith("t3.new_received."))
    bad[key] += Decimal(1)
    paths = []
    for unit, values in (("甲街道", good), ("乙街道", bad)):
        paths.append(folder / f"{unit}.xlsx")
        write_report(paths[-1], ed, unit=unit, unit_type="乡镇（街道）", year=YEAR, values=values)
    return paths


@pytest.mark.parametrize("name", ["2021", "2019"])
def test_summary_sheets_are_named_by_the_edition(name, tmp_path):
    ed = _renamed(name)
    _units(load_edition(name), tmp_path / "in")
    res = consolidate([tmp_path / "in"], out=tmp_path / "sum.xlsx", name="测试区", year=YEAR, jobs=1, edition=ed)
    wb = openpyxl.load_workbook(res.out)
    assert set(RENAMED.values()) <= set(wb.sheetnames)
    assert not set(load_edition(name).summary_sheets.values()) & set(wb.sheetnames)
    assert wb.active.title == RENAMED["status"]
    line = wb[RENAMED["status"]]["A1"].value
    assert f"“{RENAMED['findings']}”" in line  # the unit left out for its error: see the findings sheet
    assert line.startswith(f"〔测试区{YEAR}〕共 1 个。")
    assert wb[RENAMED["charts"]]["A2"].value == TEXTS["chart_items_head"]
    info = [c.value for row in wb[ed.info_sheet].iter_rows() for c in row]
    assert "汇1" in info  # 单位类型 of the summary: one unit summed
    assert wb[RENAMED["findings"]].max_row >= 2
    rows = list(wb[RENAMED["status"]].iter_rows(min_row=2, values_only=True))
    assert list(rows[0]) == HEADERS["status"]
    assert sorted(r[8] for r in rows[1:]) == sorted([WORDS["included"], WORDS["excluded"]])
    assert [c.value for c in wb[RENAMED["findings"]][1]] == HEADERS["findings"]
    assert [c.value for c in wb[RENAMED["detail"]][1][:4]] == [*HEADERS["detail"], ed.workbook_labels["total"]]
    assert wb[RENAMED["charts"]]._charts
    # the charts' data point at the charts sheet by its new name
    xml = "".join(str(c.series[0].val.numRef.f) for c in wb[RENAMED["charts"]]._charts)
    assert RENAMED["charts"] in xml


def test_included_unit_note_names_the_findings_sheet(tmp_path):
    ed = _renamed()
    _units(load_edition("2021"), tmp_path / "in")
    res = consolidate([tmp_path / "in"], out=tmp_path / "sum.xlsx", name="测试区", year=YEAR, jobs=1,
                      edition=ed, include_errors=True)
    note = next(s.note for s in res.statuses if s.name == "乙街道")
    assert f"错误见“{RENAMED['findings']}”表" in note


def test_annotated_copy_sheet_is_named_by_the_edition(tmp_path):
    ed = _renamed()
    _, bad = _units(load_edition("2021"), tmp_path / "in")
    result = check_submission(read_workbook(bad), load_edition("2021"))
    assert result.errors
    out = annotate(bad, result, tmp_path / "批注.xlsx", edition=ed)
    wb = openpyxl.load_workbook(out)
    assert RESULT in wb.sheetnames and load_edition("2021").annotation_sheet not in wb.sheetnames
    assert wb.active.title == RESULT
    banner = wb[ed.tables[0].sheet][a1(STATUS_ROW, 0)].value
    assert f'"xxgk 另：{result.verdict}，见{RESULT}"' in banner
    assert wb[RESULT]["A1"].value == f"【{RESULT}】{result.verdict}／{bad.name}"
    assert [c.value for c in wb[RESULT][2]] == HEADERS["annotation"]
    # annotated again with the same edition: the sheet is replaced, not added twice
    again = openpyxl.load_workbook(annotate(out, result, tmp_path / "again.xlsx", edition=ed))
    assert again.sheetnames.count(RESULT) == 1


@pytest.mark.parametrize("sheets, annotation, problem", [
    ({**RENAMED, "charts": "图" * 32}, RESULT, "Excel"),
    ({**RENAMED, "detail": "明细/分单位"}, RESULT, "Excel"),
    ({**RENAMED, "detail": RENAMED["status"]}, RESULT, "重复"),
    ({**RENAMED, "status": "表三"}, RESULT, "重复"),
    (RENAMED, "基本信息", "重复"),
    ({k: v for k, v in RENAMED.items() if k != "charts"}, RESULT, "charts"),
    (RENAMED, None, "annotation_sheet"),
])
def test_bad_sheet_names_are_refused_at_load(sheets, annotation, problem):
    data = _data()
    data["workbook"]["summary_sheets"] = sheets
    data["workbook"]["annotation_sheet"] = annotation
    with pytest.raises(SpecError, match=problem):
        build_edition(data)


@pytest.mark.parametrize("headers, problem", [
    ({**HEADERS, "status": HEADERS["status"][:9]}, "headers.status"),
    ({k: v for k, v in HEADERS.items() if k != "detail"}, "headers.detail"),
    ({**HEADERS, "findings": ["", *HEADERS["findings"][1:]]}, "headers.findings"),
    ({"texts": {"status_held": "{n} 个，{unit}"}}, "texts.status_held"),
    ({"texts": {"chart_none": ""}}, "texts.chart_none"),
    ({"texts": {"annotation_banner": "校验：{verdict}"}}, "annotation_banner"),
    ({"texts": {"annotation_banner": 'xxgk "{verdict}"'}}, "annotation_banner"),
    ({"texts": {"status_failed": "校验：{fail}，详见{sheet}"}}, "texts.status_failed"),
    ({"texts": {"status_blanks": '（尚有{n}个"空"）'}}, "texts.status_blanks"),
])
def test_bad_headers_and_texts_are_refused_at_load(headers, problem):
    data = _data()
    if "texts" in headers:
        data["workbook"]["texts"].update(headers["texts"])
    else:
        data["workbook"]["headers"] = headers
    with pytest.raises(SpecError, match=problem):
        build_edition(data)


def test_checks_sheet_words_are_the_editions(tmp_path):
    """The checks sheet's headers and a check's 通过/不通过 come from the
    edition: the live formulas, the cached results and the red mark."""
    from xxgk.writer import CHECK_HEADER_ROW, CHECK_STATUS_COL, check_rows

    data = _data()
    data["workbook"]["headers"]["checks"] = [f"K{i}" for i in range(7)]
    data["workbook"]["labels"].update({"pass": "合", "fail": "不合"})
    data["workbook"]["texts"].update({"status_failed": "〈{n}〉{fail}·{sheet}", "checks_title": "〈{sheet}〉"})
    ed = build_edition(data)
    values = dict(consistent_inputs(ed, random.Random(3)))
    key = next(k for k in ed.input_keys if k.startswith("t3.new_received."))
    values[key] += Decimal(1)
    write_report(tmp_path / "r.xlsx", ed, unit="甲街道", unit_type="乡镇（街道）", year=YEAR, values=values)
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb[ed.checks_sheet]
    assert [c.value for c in ws[CHECK_HEADER_ROW + 1]][:7] == data["workbook"]["headers"]["checks"]
    rows = [r for r, _ in check_rows(ed)]
    formulas = [ws.cell(r + 1, CHECK_STATUS_COL + 1).value for r in rows]
    assert all('"合","不合"' in f for f in formulas)
    assert any(rule.formula == ['"不合"'] for cf in ws.conditional_formatting for rule in cf.rules)  # the red mark
    cached = openpyxl.load_workbook(tmp_path / "r.xlsx", data_only=True)[ed.checks_sheet]
    results = {cached.cell(r + 1, CHECK_STATUS_COL + 1).value for r in rows}
    assert results == {"合", "不合"}
    assert ws["A1"].value == f"〈{ed.checks_sheet}〉"
    banner = wb[ed.tables[0].sheet][a1(STATUS_ROW, 0)].value
    assert f'"〈"&' in banner and f'&"〉不合·{ed.checks_sheet}"' in banner
    failed = sum(1 for r in rows if cached.cell(r + 1, CHECK_STATUS_COL + 1).value == "不合")
    shown = openpyxl.load_workbook(tmp_path / "r.xlsx", data_only=True)[ed.tables[0].sheet][a1(STATUS_ROW, 0)].value
    assert shown == f"〈{failed}〉不合·{ed.checks_sheet}"


def test_pass_and_fail_must_differ():
    data = _data()
    data["workbook"]["labels"].update({"pass": "合", "fail": "合"})
    with pytest.raises(SpecError, match="pass"):
        build_edition(data)


def test_rule_group_headings_are_the_editions(tmp_path):
    """填报说明 lists the rules under the edition's group headings, in its order;
    a rule whose group has no heading is refused at load."""
    data = _data()
    data["workbook"]["rule_groups"] = {"plausibility": "〔提示〕", "hard": "〔必须〕", "previous": "〔上年〕"}
    ed = build_edition(data)
    write_report(tmp_path / "t.xlsx", ed, unit="甲街道", unit_type="乡镇（街道）", year=YEAR,
                 values=consistent_inputs(ed, random.Random(4)))
    texts = [c.value for row in openpyxl.load_workbook(tmp_path / "t.xlsx")[ed.instructions_sheet].iter_rows()
             for c in row if isinstance(c.value, str)]
    headings = [t for t in texts if t.startswith("〔")]
    assert headings == ["〔提示〕", "〔必须〕", "〔上年〕"]
    del data["workbook"]["rule_groups"]["previous"]
    with pytest.raises(SpecError, match="rule_groups"):
        build_edition(data)
