"""Plain-text published reports: tab/space-separated and run-together text."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from published_fixtures import PROSE, UNIT, YEAR, consistent, number_text, official_tables, title
from xxgk.published import read_published
from xxgk.published.text import read_text, read_text_string
from xxgk.reader import read_workbook
from xxgk.spec import load_edition
from xxgk.submission import UnreadableFile

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "published"
ED = load_edition("2021")


def _codes(sub):
    return [f.code for f in sub.findings]


def _finding(sub, code):
    hits = [f for f in sub.findings if f.code == code]
    assert hits, (code, [(f.code, f.message) for f in sub.findings])
    return hits[0]


# -- text made from known figures -------------------------------------------------------------


def report_text(values, *, sep="\t", tables=None, unit=UNIT, year=YEAR, prose=PROSE, between=None) -> str:
    """A report as text: title, prose, the official tables with cells joined
    by ``sep`` (rows on lines), or run together ("" joins everything, as a
    website archiver does)."""
    parts = [title(unit, year), "一、总体情况", prose["overview"]]
    for heading, pieces in tables or official_tables(values):
        parts.append(heading)
        lines = []
        for piece in pieces:
            for row in piece:
                lines.append(sep.join(c.text for c in row))
        parts.append(("\n" if sep else "").join(lines))
        if between and heading in between:
            parts.append(between[heading])
    parts += ["五、存在的主要问题及改进情况", prose["problems"], "六、其他需要报告的事项", prose["other_matters"]]
    return ("\n" if sep else "").join(parts)


def _figures(sub):
    return {k: c.value for k, c in sub.cells.items()}


def test_tab_separated_report_imports_exactly():
    values = consistent(3)
    sub = read_text_string(report_text(values, sep="\t"), "报告.txt", ED)
    assert _figures(sub) == values
    assert (sub.unit, sub.year, sub.file_kind) == (UNIT, YEAR, "text")
    assert sub.prose == PROSE
    assert not [f for f in sub.findings if f.severity != "info"]


def test_space_separated_report_imports_exactly():
    values = consistent(4)
    sub = read_text_string(report_text(values, sep="  "), "报告.txt", ED)
    assert _figures(sub) == values


def test_run_together_report_is_never_wrong():
    """Every figure of a run-together report is right, or blank with a finding naming the candidates."""
    for seed in range(3):
        values = consistent(seed)
        sub = read_text_string(report_text(values, sep=""), "报告.txt", ED)
        ambiguous = {k for f in sub.findings if f.code == "split-ambiguous" for k in f.keys}
        for key, cell in sub.cells.items():
            if key in ambiguous:
                assert cell.value is None and cell.status == "unreadable"
            else:
                assert cell.value == values[key], (seed, key)
        assert "split-rules-broken" not in _codes(sub)


# -- the reference texts ------------------------------------------------------------------------


def test_seed_text_imports_to_the_seed_workbook():
    sub = read_text(DATA / "seed-zhanbeilu-2021-report.txt")
    book = read_workbook(next((ROOT / "samples" / "seed").glob("*.xlsx")))
    assert _figures(sub) == {k: c.value for k, c in book.cells.items()}
    assert (sub.unit, sub.year) == (book.unit, book.year)
    assert sub.prose == book.prose
    # cells the copy lost (a row shifted right, "C" for 0) are inferred by the rules, and said so
    inferred = [f for f in sub.findings if f.code == "cell-inferred"]
    assert {k for f in inferred for k in f.keys} == {
        "t3.carried_over.natural_person", "t3.carried_over.commercial", "t3.carried_over.research",
        "t3.other_handling.unpaid_fee.total", "t3.other_handling.other.total", "t3.total_results.total"}
    assert any("“C”" in f.message for f in inferred)


def _expected():
    return json.loads((DATA / "expected.json").read_text("utf-8"))


def _expected_figures(exp) -> dict[str, Decimal]:
    """expected.json's figures by cell key, matched through the edition's labels."""
    out = {}
    t2 = ED.table("t2")
    t2_keys = t2.cell_keys()
    flat = [(row, col, v) for row, cols in exp["table2"].items() for col, v in cols.items()]
    assert len(flat) == len(t2_keys)
    for key, (row, col, v) in zip(t2_keys, flat):
        assert ED.cells[key].row_label == row and ED.cells[key].col_label[:6] == col[:6]
        out[key] = Decimal(str(v))
    t3 = ED.table("t3")
    block = t3.blocks[0]
    col_paths = block.column_paths()
    assert [p[-1].label for p in col_paths] == exp["table3_columns"]
    for rp, (label, figures) in zip(block.row_paths(), exp["table3_rows"].items(), strict=True):
        assert label.split("/")[-1] == rp[-1].label
        for cp, v in zip(col_paths, figures, strict=True):
            key = ".".join(n.key for n in (*rp, *cp) if n.key)
            out[f"t3.{key}"] = Decimal(v)
    for key, v in zip(ED.table("t4").cell_keys(), exp["table4"], strict=True):
        out[key] = Decimal(v)
    return out


@pytest.mark.parametrize("exp", _expected(), ids=lambda e: e["file"])
def test_real_run_together_texts_import_to_expected(exp):
    sub = read_text(DATA / exp["file"])
    assert (sub.unit, sub.year) == (exp["unit"], exp["year"])
    assert _figures(sub) == _expected_figures(exp)
    assert not [f for f in sub.findings if f.severity == "error"]
    assert {"overview", "problems"} <= set(sub.prose)


def test_real_text_figures_are_traceable():
    sub = read_text(DATA / "2022_平潭综合实验区公安局.txt")
    text = (DATA / "2022_平潭综合实验区公安局.txt").read_text("utf-8")
    lines = text.split("\n")
    cell = sub.cells["t2.penalty.decisions"]
    o = cell.origin
    assert lines[o.line - 1][o.col - 1:o.col + 2] == "157"
    o = sub.cells["t3.total_results.total"].origin
    assert lines[o.line - 1][o.col - 7:o.col] == "2000002" and lines[o.line - 1][o.col - 9:o.col - 7] == "总计"


def test_read_published_dispatches_text():
    sub = read_published(DATA / "2024_平潭综合实验区苏平片区管理局.txt")
    assert sub.file_kind == "text" and sub.cells["t3.unavailable.not_held.natural_person"].value == 1


# -- run-together digits split by arithmetic ----------------------------------------------------

T3_COLS = ED.sets["t3_columns"]


def _t3_text(rows: dict[str, str], t4: str = "0" * 15) -> str:
    """A run-together report whose table-3 rows hold the given digit strings (default all 0)."""
    t3 = ED.table("t3")
    parts = [title(), "三、收到和处理政府信息公开申请情况"]
    for rp in t3.blocks[0].row_paths():
        key = ".".join(n.key for n in rp if n.key)
        parts.append("".join(n.label for n in rp if n.label and n is rp[-1]) + rows.get(key, "0" * 7))
    parts += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计", t4,
              "五、存在的主要问题及改进情况无。"]
    return "".join(parts)


def test_unique_split_is_taken_and_noted():
    text = _t3_text({"new_received": "291000030", "granted": "291000030", "total_results": "291000030"})
    sub = read_text_string(text, "x.txt", ED)
    row = [sub.cells[f"t3.new_received.{c}"].value for c in T3_COLS]
    assert row == [29, 1, 0, 0, 0, 0, 30]
    assert [sub.cells[f"t3.total_results.{c}"].value for c in T3_COLS] == [29, 1, 0, 0, 0, 0, 30]
    f = _finding(sub, "split-inferred")
    assert "291000030" in f.message and "29、1、0、0、0、0、30" in f.message
    assert "按勾稽关系拆分" in sub.cells["t3.new_received.total"].note
    assert sub.cells["t3.new_received.natural_person"].status == "ok"


def test_ambiguous_split_is_left_blank_with_candidates():
    # 表四 行政复议: 10·1·0·0·11 and 1·0·10·0·11 both add up
    sub = read_text_string(_t3_text({}, t4="1010011" + "0" * 10), "x.txt", ED)
    f = _finding(sub, "split-ambiguous")
    assert "10、1、0、0、11" in f.message and "1、0、10、0、11" in f.message
    assert f.severity == "error"
    assert set(f.keys) == {"t4.review.upheld", "t4.review.corrected", "t4.review.other"}
    for key in f.keys:
        assert sub.cells[key].value is None and sub.cells[key].status == "unreadable"
    # the cells every candidate agrees on are taken
    assert sub.cells["t4.review.total"].value == 11 and sub.cells["t4.review.pending"].value == 0
    assert sub.cells["t4.litigation.direct.total"].value == 0


def test_ambiguous_split_without_rules_2019_example():
    """396442278 for three cells of table 2 (no rule relates them): ambiguous, never guessed."""
    values = {k: Decimal(0) for k in ED.cells}
    tables = official_tables(values)
    heading, pieces = tables[0]
    text = report_text(values, sep="", tables=tables).replace("行政规范性文件000", "行政规范性文件396442278", 1)
    sub = read_text_string(text, "x.txt", ED)
    f = _finding(sub, "split-ambiguous")
    assert "396、44、2278" in f.expected and "396、442、278" in f.expected
    assert all(sub.cells[k].value is None for k in ("t2.normative_docs.issued", "t2.normative_docs.in_force"))


def test_split_that_must_break_a_rule_breaks_the_fewest():
    # 110000013: 11·0·0·0·0·0·13, 1·10·0·0·0·0·13, 110·0·0·0·0·1·3 … -- none adds up (the
    # report's own mistake); the columns (11 granted to natural persons, written with
    # spaces) make the first break the fewest rules.
    rows = {"new_received": "110000013", "granted": "11 0 0 0 0 0 11", "total_results": "11 0 0 0 0 0 11"}
    sub = read_text_string(_t3_text(rows), "x.txt", ED)
    assert [sub.cells[f"t3.new_received.{c}"].value for c in T3_COLS] == [11, 0, 0, 0, 0, 0, 13]
    f = _finding(sub, "split-rules-broken")
    assert "违反" in f.message and "最少" in f.message
    assert "违反勾稽关系最少" in sub.cells["t3.new_received.natural_person"].note


def test_split_speed_many_multi_digit_rows():
    """Every row of table 3 run together with two-digit figures: solved jointly, quickly, right."""
    import time

    values = consistent(11)
    for key in ED.cells:
        if key.startswith("t3."):
            assert key in values
    text = report_text(values, sep="")
    start = time.perf_counter()
    sub = read_text_string(text, "x.txt", ED)
    assert time.perf_counter() - start < 5  # generous: a regression to brute force takes minutes
    assert all(c.value in (None, values[k]) for k, c in sub.cells.items())


# -- real-world variants --------------------------------------------------------------------------


def test_reworded_labels_and_numbering_variants():
    values = consistent(5)
    text = report_text(values, sep="\t")
    for old, new in [("行政规范性文件", "规范性文件"), ("2.其他法律行政法规禁止公开", "（2）其他法律和行政法规禁止公开"),
                     ("7.属于行政执法案卷", "7、属于行政执法案件"),
                     ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                      "1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请"),
                     ("本年废止件数", "本年废纸件数"), ("行政复议", "行政法复议"), ("1.属于国家秘密", "(1)属于国家秘密")]:
        assert old in text
        text = text.replace(old, new)
    sub = read_text_string(text, "x.txt", ED)
    assert _figures(sub) == values
    assert "labels-not-found" not in _codes(sub)


def test_rules_row_left_out():
    values = consistent(6)
    tables = official_tables(values)
    heading, pieces = tables[0]
    pieces = [[row for row in piece if not (row and row[0].text == "规章")] for piece in pieces]
    tables[0] = (heading, pieces)
    sub = read_text_string(report_text(values, sep="\t", tables=tables), "x.txt", ED)
    f = _finding(sub, "labels-not-found")
    assert set(f.keys) == {"t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force"}
    assert all(k not in sub.cells for k in f.keys)
    assert sub.cells["t2.normative_docs.issued"].value == values["t2.normative_docs.issued"]


def test_extra_table_and_renumbered_sections():
    values = consistent(7)
    text = report_text(values, sep="")
    extra = "五、信息处理费收取情况通知收取件数通知收取金额（元）实际收取金额（元）信息处理费收取情况123"
    text = text.replace("五、存在的主要问题及改进情况", extra + "六、存在的主要问题及改进情况")
    text = text.replace("六、其他需要报告的事项", "七、其他需要报告的事项")
    sub = read_text_string(text, "x.txt", ED)
    assert all(c.value in (None, values[k]) for k, c in sub.cells.items())
    assert sub.cells["t4.litigation.after_review.total"].value == values["t4.litigation.after_review.total"]
    assert sub.prose == PROSE


def test_fee_in_wan_yuan_with_six_decimals():
    values = consistent(8)
    values["t2.fees.amount"] = Decimal("0.012345")
    sub = read_text_string(report_text(values, sep="\t"), "x.txt", ED)
    assert sub.cells["t2.fees.amount"].value == Decimal("0.012345")
    sub = read_text_string(report_text(values, sep="").replace("行政事业性收费", "行政事业性收费 "), "x.txt", ED)
    assert sub.cells["t2.fees.amount"].value == Decimal("0.012345")


def test_embedded_2019_table_is_recognised_not_read():
    values = consistent(9)
    tables = official_tables(values)
    text = report_text(values, sep="", tables=tables)
    start = text.index("二、主动公开政府信息情况") + len("二、主动公开政府信息情况")
    end = text.index("三、收到和处理政府信息公开申请情况")
    old_t2 = ("第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章007规范性文件7777166"
              "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可396442278其他对外管理服务事项107105"
              "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购39573802895.90元")
    sub = read_text_string(text[:start] + old_t2 + text[end:], "x.txt", ED)
    f = _finding(sub, "table-other-edition")
    assert "2019" in f.message and f.severity == "error"
    assert not any(k.startswith("t2.") for k in sub.cells)
    assert sub.cells["t3.total_results.total"].value == values["t3.total_results.total"]


# -- encodings and bad files ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
def test_encodings(tmp_path, encoding):
    values = consistent(10)
    path = tmp_path / "报告.txt"
    path.write_bytes(report_text(values, sep="\t").encode(encoding))
    sub = read_published(path)
    assert sub.file_kind == "text" and _figures(sub) == values and sub.unit == UNIT


def test_unknown_encoding_is_one_clear_line(tmp_path):
    path = tmp_path / "报告.txt"
    path.write_bytes(report_text(consistent(1), sep="\t").encode("utf-32-be"))
    with pytest.raises(UnreadableFile) as exc:
        read_published(path)
    message = str(exc.value)
    assert "\n" not in message and "编码" in message and str(path) in message


def test_text_that_is_not_a_report(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text("关于做好春节期间值班工作的通知\n各单位：请按时值班。", "utf-8")
    with pytest.raises(UnreadableFile) as exc:
        read_text(path)
    assert "年度报告" in str(exc.value)


def test_label_in_prose_before_the_table_is_not_a_row():
    """“行政许可3件” in the text before table 2 is prose: the figure is the table's."""
    values = consistent(3)
    values["t2.licensing.decisions"] = Decimal(17)
    text = report_text(values, sep="").replace(
        "二、主动公开政府信息情况", "二、主动公开政府信息情况本年办理行政许可3件，规章2023年未制定。", 1)
    sub = read_text_string(text, "x.txt", ED)
    assert sub.cells["t2.licensing.decisions"].value == 17
    assert sub.cells["t2.rules.issued"].value == values["t2.rules.issued"]


# -- the 2019 edition ---------------------------------------------------------------------------

ED19 = load_edition("2019")


def test_2019_report_is_read_in_its_edition():
    values = consistent(2, ED19)
    text = report_text(values, sep="\t", tables=official_tables(values, ED19), year=2020)
    sub = read_text_string(text, "报告.txt")
    assert sub.edition == "2019" and sub.year == 2020
    assert _figures(sub) == values


def test_2019_example_run_together_is_flagged_not_guessed():
    """format-2019.md's archiver text: 规章 0·0·7 is certain; 7777166 and 396442278 are not."""
    values = {k: Decimal(0) for k in ED19.cells}
    tables = official_tables(values, ED19)
    text = report_text(values, sep="", tables=tables, year=2020)
    start = text.index("二、主动公开政府信息情况") + len("二、主动公开政府信息情况")
    end = text.index("三、收到和处理政府信息公开申请情况")
    t2 = ("第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章007规范性文件7777166"
          "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可396442278其他对外管理服务事项000"
          "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚2648-18538行政强制000"
          "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00"
          "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购39573802895.90元")
    sub = read_text_string(text[:start] + t2 + text[end:], "x.txt")
    assert sub.edition == "2019"
    assert [sub.cells[f"t2.rules.{c}"].value for c in ("made", "published", "total_published")] == [0, 0, 7]
    ambiguous = {k for f in sub.findings if f.code == "split-ambiguous" for k in f.keys}
    assert {"t2.normative_docs.made", "t2.licensing.prev_items", "t2.penalty.change"} <= ambiguous
    for key in ambiguous:
        assert sub.cells[key].value is None
    assert sub.cells["t2.other_services.decisions"].value == 0
    assert sub.cells["t3.total_results.total"].value == 0


def test_2019_table_3_inside_a_2021_report():
    """（六）其他处理 as one row with its figures: a 2019 table 3, not read as 2021 figures."""
    values = consistent(12)
    values19 = consistent(12, ED19)
    tables = official_tables(values)
    tables[1] = official_tables(values19, ED19)[1]
    sub = read_text_string(report_text(values, sep="", tables=tables, year=2022), "x.txt")
    assert sub.edition == "2021"
    f = _finding(sub, "table-other-edition")
    assert "（六）其他处理" in f.message and "2019" in f.message
    assert not any(k.startswith("t3.") for k in sub.cells)
    assert sub.cells["t4.review.total"].value == values["t4.review.total"]


def test_one_cell_per_line():
    """A copy from a PDF that puts every cell on its own line."""
    values = consistent(13)
    sub = read_text_string(report_text(values, sep="\n"), "x.txt", ED)
    assert _figures(sub) == values


def test_full_width_digits():
    values = consistent(14)
    text = report_text(values, sep="\t").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    sub = read_text_string(text, "x.txt", ED)
    assert _figures(sub) == values and sub.year == YEAR


@pytest.mark.parametrize("width", [37, 80])
def test_real_texts_wrapped_at_a_fixed_width(width):
    """An archive that breaks lines every so many characters, inside labels and runs of digits."""
    import textwrap

    for exp in _expected():
        text = (DATA / exp["file"]).read_text("utf-8")
        wrapped = "\n".join("\n".join(textwrap.wrap(line, width)) for line in text.split("\n"))
        sub = read_text_string(wrapped, exp["file"])
        assert _figures(sub) == _expected_figures(exp), exp["file"]
        lines = wrapped.split("\n")
        o = sub.cells["t2.penalty.decisions"].origin
        assert (lines[o.line - 1] + "\n" + lines[o.line])[o.col - 1:].replace("\n", "").startswith(
            format(sub.cells["t2.penalty.decisions"].value, "f"))
