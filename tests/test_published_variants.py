"""Variants seen in real published reports, in web pages and Word documents:
items numbered “1、” or “（1）”, the 规章 row left out, a table 信息处理费收取情况
inserted as section 五 (later sections renumbered), the fee with 6 decimals,
reworded labels (aliases of the edition)."""

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from xxgk.published import read_published

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import ED, PROSE, Variant, consistent, docx_report, html_page  # noqa: E402

FEE = "t2.fees.amount"


def write(kind, tmp_path, values, variant):
    if kind == "html":
        path = tmp_path / "v.html"
        path.write_text(html_page(values, variant=variant), encoding="utf-8")
        return path
    return docx_report(tmp_path / "v.docx", values, variant=variant)


def read_all(path):
    sub = read_published(path)
    return sub, {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells}


KINDS = ["html", "docx"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("numbering", ["N、", "（N）", "N．"])
def test_items_numbered_otherwise(kind, numbering, tmp_path):
    values = consistent(51)
    sub, got = read_all(write(kind, tmp_path, values, Variant(numbering=numbering)))
    assert got == {k: values[k] for k in ED.cells}


@pytest.mark.parametrize("kind", KINDS)
def test_extra_table_and_renumbered_sections(kind, tmp_path):
    values = consistent(52)
    sub, got = read_all(write(kind, tmp_path, values, Variant(extra=True)))
    assert got == {k: values[k] for k in ED.cells}
    assert sub.prose == PROSE  # 六、存在的主要问题… and 七、其他需要报告的事项 found under their new numbers


@pytest.mark.parametrize("kind", KINDS)
def test_fee_with_six_decimals(kind, tmp_path):
    values = consistent(53)
    values[FEE] = Decimal("1.234567")
    sub, got = read_all(write(kind, tmp_path, values, Variant(fee_decimals=6)))
    assert got[FEE] == Decimal("1.234567") and str(sub.cells[FEE].value) == "1.234567"
    assert got == {k: values[k] for k in ED.cells}


@pytest.mark.parametrize("kind", KINDS)
def test_rules_row_left_out(kind, tmp_path):
    values = consistent(54)
    sub, got = read_all(write(kind, tmp_path, values, Variant(drop_rows=frozenset({"规章"}))))
    rules = [k for k in ED.cells if k.startswith("t2.rules.")]
    assert rules and all(got[k] == "absent" for k in rules)  # blank, never a silent 0 …
    assert {k: got[k] for k in ED.cells if k not in rules} == {k: values[k] for k in ED.cells if k not in rules}
    missing = [f for f in sub.findings if f.code == "labels-not-found"]
    assert len(missing) == 1 and "规章" in missing[0].message and set(missing[0].keys) == set(rules)  # … with a finding


REWORDED = {  # official label -> as real reports print it; every one an alias in the edition
    "行政规范性文件": "规范性文件",
    "本年废止件数": "本年废纸件数",
    "2.其他法律行政法规禁止公开": "2.其他法律和行政法规禁止公开",
    "7.属于行政执法案卷": "7.属于行政执法案件",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请":
        "1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",
    "行政复议": "行政法复议",
}


@pytest.mark.parametrize("kind", KINDS)
def test_reworded_labels(kind, tmp_path):
    values = consistent(55)
    sub, got = read_all(write(kind, tmp_path, values, Variant(relabel=REWORDED, numbering="N、")))
    assert got == {k: values[k] for k in ED.cells}
    assert not [f for f in sub.findings if f.severity == "error"]
