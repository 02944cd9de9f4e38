"""`xxgk render`: the published report in DOCX and HTML, read back independently."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import docx
import lxml.html
import pytest
from click.testing import CliRunner

from xxgk import load_edition
from xxgk.spec import available_editions
from xxgk.checker import check_submission
from xxgk.cli import main
from xxgk.reader import read_workbook
from xxgk.render import build_report, compile_prose, render_paths
from xxgk.render.docx import PAGE, docx_bytes, text_width
from xxgk.render.html import html_text
from xxgk.render.texts import template_keys, text
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

from render_readback import docx_grids, expected_figures, figures_by_labels, html_grids

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "samples" / "seed").glob("*.xlsx"))
SUBMISSIONS = ROOT / "samples" / "submissions"
ED = load_edition("2021")
STAMP = "草稿（未通过校验）"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def distinct_inputs(seed: int) -> dict[str, Decimal]:
    """Consistent figures, (almost) all different, so a figure in the wrong cell shows."""
    return consistent_inputs(ED, random.Random(seed), scale=400, zero_share=0.0)


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("filled") / "甲街道.xlsx"
    prose = {"overview": "（一）主动公开。全年主动公开信息 120 条。\n（二）依申请公开。全部按时答复。",
             "problems": "一是公开不够及时。\n二是解读偏少。", "other_matters": "本年度未收取信息处理费。"}
    write_report(path, ED, unit="青溪区甲街道办事处", unit_type="乡镇（街道）", year=2025,
                 values=distinct_inputs(7), prose=prose, info={"date": "2026-01-20"}, fee_decimals=3)
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, filled):
    """The seed workbook and the filled one, rendered as DOCX and HTML."""
    out = tmp_path_factory.mktemp("rendered")
    docs = {}
    for name, src in (("seed", SEED), ("filled", filled)):
        for fmt in ("docx", "html"):
            (o,) = render_paths([src], out / f"{name}.{fmt}")
            assert o.status == "written", o
            docs[name, fmt] = o.out
    return docs


def body_texts(path: Path) -> list[str]:
    """Paragraphs and table cells of a DOCX, in reading order (cells once each)."""
    d = docx.Document(str(path))
    out = []
    for el in d.element.body.iterchildren():
        if el.tag == W_NS + "p":
            out.append("".join(t.text or "" for t in el.iter(W_NS + "t")))
        elif el.tag == W_NS + "tbl":
            for tc in el.iter(W_NS + "tc"):
                text_ = "".join(t.text or "" for t in tc.iter(W_NS + "t"))
                if text_:
                    out.append(text_)
    return out


def html_texts(path: Path) -> list[str]:
    root = lxml.html.parse(str(path)).getroot()
    return [el.text_content().strip() for el in root.iter("h1", "h2", "p", "th", "td")]


def _by_level(nodes) -> list[str]:
    """Column labels as the header rows show them: level by level, left to right."""
    levels: list[list[str]] = []

    def walk(node, level):
        levels.extend([] for _ in range(level + 1 - len(levels)))
        levels[level].append(node.label)
        for child in node.children:
            walk(child, level + 1)

    for n in nodes:
        walk(n, 0)
    return [label for level in levels for label in level if label]


def _pre_order(nodes) -> list[str]:
    """Row labels from top to bottom: a group before its items."""
    out = []
    for n in nodes:
        out += ([n.label] if n.label else []) + _pre_order(n.children)
    return out


def official_sequence(sub) -> list[str]:
    """Title, then each section's title followed by its labels in the format's order."""
    seq = [ED.title_for(sub.unit, sub.year)]
    items = [(s.number, s.label, None) for s in ED.prose_sections] + [(t.number, t.title, t) for t in ED.tables]
    order = "一二三四五六"
    for _, title, table in sorted(items, key=lambda i: order.index(i[0])):
        seq.append(title)
        for block in table.blocks if table else ():
            seq += [x for x in (block.title, block.row_header or block.corner) if x]
            seq += _by_level(block.columns) + _pre_order(block.rows)
    return seq


def assert_in_order(found: list[str], wanted: list[str]) -> None:
    i = 0
    for w in wanted:
        while i < len(found) and found[i] != w:
            i += 1
        assert i < len(found), f"“{w}” missing or out of order"
        i += 1


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_every_official_label_present_exactly_and_in_order(rendered, fmt):
    sub = read_workbook(SEED)
    found = body_texts(rendered["seed", fmt]) if fmt == "docx" else html_texts(rendered["seed", fmt])
    assert_in_order(found, official_sequence(sub))
    assert found[-2] == sub.unit and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", found[-1])


@pytest.mark.parametrize("name", ["seed", "filled"])
@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_every_figure_in_its_cell(rendered, filled, name, fmt):
    src = SEED if name == "seed" else filled
    sub = read_workbook(src)
    values = check_submission(sub).values
    grids = docx_grids(rendered[name, fmt]) if fmt == "docx" else html_grids(rendered[name, fmt])
    assert len(grids) == len(ED.tables)
    for grid, table in zip(grids, ED.tables):
        assert figures_by_labels(grid) == expected_figures(ED, values, sub.fee_decimals, table.key), table.title


@pytest.mark.parametrize("edition", available_editions())
def test_every_edition_renders_from_its_description(tmp_path, edition):
    """Nothing in the renderer is specific to one edition: each one's tables come out whole."""
    ed = load_edition(edition)
    path = tmp_path / "单位.xlsx"
    write_report(path, ed, unit="青溪区东湖街道办事处", unit_type="乡镇（街道）", year=ed.first_year,
                 values=consistent_inputs(ed, random.Random(5), scale=300, zero_share=0.1))
    sub = read_workbook(path, ed)
    values = check_submission(sub, ed).values
    for fmt, grids in (("docx", docx_grids), ("html", html_grids)):
        (o,) = render_paths([path], tmp_path / f"单位.{fmt}", edition=ed)
        assert o.status == "written", o.message
        tables = grids(o.out)
        assert len(tables) == len(ed.tables)
        for grid, table in zip(tables, ed.tables):
            assert figures_by_labels(grid) == expected_figures(ed, values, sub.fee_decimals, table.key)


def test_filled_figures_are_the_checkers_totals(rendered, filled):
    """Totals recomputed; the fee with the workbook's decimals (3 here)."""
    grid = docx_grids(rendered["filled", "docx"])[0]
    fee = [t for row in grid for _, t in row if re.fullmatch(r"\d+\.\d+", t)]
    assert fee and all(len(t.split(".")[1]) == 3 for t in fee)
    values = check_submission(read_workbook(filled)).values
    total = sum(values[f"t3.new_received.{c}"] for c in ED.sets["t3_applicants"])
    assert values["t3.new_received.total"] == total


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_prose_paragraphs_present(rendered, filled, fmt):
    for src, name in ((SEED, "seed"), (filled, "filled")):
        sub = read_workbook(src)
        found = body_texts(rendered[name, fmt]) if fmt == "docx" else html_texts(rendered[name, fmt])
        paragraphs = [p.strip() for s in ED.prose_sections for p in sub.prose[s.key].splitlines() if p.strip()]
        assert len(paragraphs) >= 3
        assert_in_order(found, paragraphs)


def test_html_is_semantic_and_self_contained(rendered):
    html = rendered["seed", "html"].read_text("utf-8")
    root = lxml.html.fromstring(html)
    assert not root.xpath("//script | //link | //img | //iframe") and "http" not in html
    assert root.xpath("//style") and "@page" in html
    t3 = root.xpath("//table")[1]
    assert t3.xpath("./thead/tr") and t3.xpath(".//th[@scope='col']") and t3.xpath(".//th[@scope='row']")
    group = t3.xpath(".//th[@scope='rowgroup' and @rowspan]")
    assert group and "vertical-rl" in group[0].get("style")
    assert all(th.get("scope") for th in root.xpath("//th"))


def test_docx_follows_official_document_conventions(rendered):
    d = docx.Document(str(rendered["seed", "docx"]))
    sect = d.sections[0]
    assert (sect.page_width.mm, sect.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    fonts = {s: d.styles[s].element.rPr.rFonts.get(W_NS + "eastAsia") for s in ("Title", "Normal", "Heading 1", "Heading 2")}
    assert fonts == {"Title": "方正小标宋简体", "Normal": "仿宋_GB2312", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    assert d.styles["Title"].font.size.pt == 22 and d.styles["Normal"].font.size.pt == 16
    xml = next(p for p in d.part.package.iter_parts() if p.partname.endswith("fontTable.xml")).blob.decode()
    for face, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert re.search(f'w:name="{face}"><w:altName w:val="{alt}"/>', xml)
    footer = sect.footer._element.xml
    assert "PAGE" in footer and "— " in footer and " —" in footer
    # header rows repeat, no row splits, every table within the text width
    for table, spec in zip(d.tables, ED.tables):
        rows = table._tbl.tr_lst
        assert all(tr.trPr.find(W_NS + "cantSplit") is not None for tr in rows)
        repeated = [tr.trPr.find(W_NS + "tblHeader") is not None for tr in rows]
        depth = max(b.column_depth for b in spec.blocks)
        assert repeated == ([True] * depth + [False] * (len(rows) - depth) if len(spec.blocks) == 1 else [False] * len(rows))
        widths = [int(g.get(W_NS + "w")) for g in table._tbl.tblGrid.iter(W_NS + "gridCol")]
        landscape = spec.orientation == "landscape"
        assert sum(widths) <= text_width(landscape)
    orientations = [s.orientation for s in d.sections]
    assert [o.name for o in orientations] == ["PORTRAIT", "LANDSCAPE", "PORTRAIT"]


def test_report_with_errors_refused_then_stamped(tmp_path):
    bad = next(SUBMISSIONS.glob("*东湖街道*"))
    r = run("render", bad, "--out", tmp_path / "东湖.docx")
    assert r.exit_code == 1
    assert "错误  表三" in r.output and "未生成" in r.output and "--force" in r.output
    assert not (tmp_path / "东湖.docx").exists()
    r = run("render", bad, "--out", tmp_path / "东湖.docx", "--force")
    assert r.exit_code == 0, r.output
    d = docx.Document(str(tmp_path / "东湖.docx"))
    for section in d.sections:  # every page: the header of every section
        assert STAMP in section.header.paragraphs[0].text or section.header.is_linked_to_previous
    assert STAMP in d.sections[0].header.paragraphs[0].text
    r = run("render", bad, "--out", tmp_path / "东湖.html", "--force")
    html = (tmp_path / "东湖.html").read_text("utf-8")
    assert STAMP in lxml.html.fromstring(html).xpath("string(//p[@class='stamp'])")
    css = lxml.html.fromstring(html).xpath("string(//style)")  # on every printed page: a page margin box
    stamp_css = "".join(f"\\{ord(ch):06x}" if not ch.isalnum() else ch for ch in STAMP)
    assert re.search(r"@top-center \{ content: \"" + re.escape(stamp_css), css)
    clean = run("render", SEED, "--out", tmp_path / "seed.docx")
    assert clean.exit_code == 0
    assert STAMP not in (d := docx.Document(str(tmp_path / "seed.docx"))).sections[0].header._element.xml
    assert all(STAMP not in p.text for p in d.paragraphs)


def test_folder_in_folder_out_named_like_templates(tmp_path):
    r = run("render", SUBMISSIONS, "--out", tmp_path / "out", "--format", "html")
    assert r.exit_code == 1  # two units have errors
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    inputs = sorted(p.name for p in SUBMISSIONS.glob("*.xlsx"))
    assert len(written) == len(inputs) - 2
    assert set(written) <= {n.replace(".xlsx", ".html") for n in inputs}
    assert "共 9 份：已生成 7 份" in r.output


def test_folder_of_one_report_to_a_document_name(tmp_path):
    """A folder holding one report and ``--out 报告.pdf`` writes that document, not a folder named
    报告.pdf; several reports to a document name is a usage error that says to name a folder."""
    r = run("render", SEED.parent, "--out", tmp_path / "seed.html")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "seed.html").is_file()
    assert (tmp_path / "seed.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    r = run("render", SUBMISSIONS, "--out", tmp_path / "all.docx")
    assert r.exit_code == 2 and "应为文件夹" in r.output
    assert not (tmp_path / "all.docx").exists()


def test_format_from_extension_and_bad_extension(tmp_path):
    assert run("render", SEED, "--out", tmp_path / "a.htm").exit_code == 0
    assert (tmp_path / "a.htm").read_text("utf-8").startswith("<!DOCTYPE html>")
    r = run("render", SEED, "--out", tmp_path / "a.txt")
    assert r.exit_code == 2 and "判断格式" in r.output
    r = run("render", SEED, "--out", tmp_path / "a.docx", "--format", "html")
    assert r.exit_code == 2 and "不一致" in r.output


def test_pdf_without_libreoffice_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_SOFFICE", str(tmp_path / "no-soffice"))
    r = run("render", SEED, "--out", tmp_path / "a.pdf")
    assert r.exit_code == 1 and "libreoffice-writer-nogui" in r.output
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".~*"))


# -- district summary -------------------------------------------------------------------------

KNOWN = {
    "t3.new_received.natural_person": 30, "t3.new_received.commercial": 10,
    "t3.carried_over.natural_person": 4,
    "t3.granted.natural_person": 18, "t3.granted.commercial": 2,
    "t3.partially_granted.natural_person": 5,
    "t3.withheld.state_secret.natural_person": 1, "t3.withheld.third_party.commercial": 2,
    "t3.unavailable.not_held.natural_person": 6,
    "t3.not_processed.repeated.natural_person": 3,
    "t3.other_handling.other.commercial": 1,
    "t3.carry_forward.natural_person": 1, "t3.carry_forward.commercial": 5,
    "t4.review.upheld": 2, "t4.review.corrected": 1,
    "t4.litigation.direct.upheld": 1, "t4.litigation.after_review.pending": 2,
}


def write_summary(path: Path, values: dict, year: int) -> Path:
    write_report(path, ED, unit="青溪区", year=year, values={k: Decimal(v) for k, v in values.items()},
                 kind="summary", members=["青溪区甲街道办事处", "青溪区乙局"])
    return path


def test_summary_drafted_paragraph_states_the_numbers(tmp_path):
    path = write_summary(tmp_path / "汇总.xlsx", KNOWN, 2025)
    report = build_report(read_workbook(path))
    overview = report.sections[0]
    assert overview.draft_mark == text(ED, "summary_draft", "mark")
    (para,) = overview.paragraphs
    # 40 new, 4 carried over, 38 handled (20 + 5 + 3 + 6 + 3 + 1), 20 granted = 52.6 %, 5 partly = 13.2 %
    for fact in ("2025年，青溪区共新收政府信息公开申请40件", "上年结转4件", "办结38件",
                 "予以公开20件，占52.6%", "部分公开5件，占13.2%", "不予公开3件", "无法提供6件",
                 "不予处理3件", "其他处理1件", "结转下年度继续办理6件", "行政复议3件", "行政诉讼3件"):
        assert fact in para, fact
    assert "与上年相比" not in para
    docx_path = tmp_path / "汇总.docx"
    render_paths([path], docx_path)
    found = body_texts(docx_path)
    assert found[found.index("一、总体情况") + 1] == overview.draft_mark and para in found


def test_summary_change_from_last_year(tmp_path):
    last = dict(KNOWN, **{"t3.new_received.natural_person": 20, "t3.carried_over.natural_person": 0,
                          "t3.granted.natural_person": 14, "t4.review.corrected": 0,
                          "t4.litigation.after_review.pending": 0})
    prev = write_summary(tmp_path / "上年.xlsx", last, 2024)
    path = write_summary(tmp_path / "汇总.xlsx", KNOWN, 2025)
    r = run("render", path, "--out", tmp_path / "汇总.html", "--previous", prev)
    assert r.exit_code == 0, r.output
    html = (tmp_path / "汇总.html").read_text("utf-8")
    # new applications 40 against 30: +10 (33.3 %); reviews 3 against 2; lawsuits 3 against 1
    assert "新收政府信息公开申请增加10件（增长33.3%）" in html
    assert "行政复议增加1件（增长50%）" in html and "行政诉讼增加2件（增长200%）" in html


def test_summary_draft_refers_only_to_real_cells():
    for path in (("summary_draft", "text"), ("summary_draft", "previous")):
        keys = template_keys(ED, text(ED, *path))
        assert keys
        for key in keys:
            assert key in ED.cells or any(re.fullmatch(key.replace(".", r"\.").replace("*", ".*"), k) for k in ED.cells), key


def test_consolidated_summary_renders(tmp_path):
    from xxgk.consolidate import consolidate

    result = consolidate([SUBMISSIONS], out=tmp_path / "汇总.xlsx", jobs=1)
    (o,) = render_paths([result.out], tmp_path / "汇总.docx")
    assert o.status == "written"
    found = body_texts(tmp_path / "汇总.docx")
    new = result.sums["t3.new_received.total"]
    assert any(f"共新收政府信息公开申请{new}件" in t for t in found)


def test_compile_collects_prose_unit_by_unit(tmp_path):
    r = run("render", SUBMISSIONS, "--compile", "--out", tmp_path / "汇编.docx")
    assert r.exit_code == 0, r.output
    assert "已汇编 9 个单位的文字部分" in r.output
    found = body_texts(tmp_path / "汇编.docx")
    assert found[0] == "青溪区2025年政府信息公开工作年度报告各单位文字部分汇编"
    at = 0
    for src in sorted(SUBMISSIONS.glob("*.xlsx")):
        sub = read_workbook(src)
        at = found.index(sub.unit, at)
        wanted = []
        for s in ED.prose_sections:
            wanted += [s.label] + [p.strip() for p in sub.prose.get(s.key, "").splitlines() if p.strip()]
        assert_in_order(found[at:], wanted)
    assert not list(tmp_path.glob(".~*"))


def test_docx_is_deterministic(filled):
    sub = read_workbook(filled)
    assert docx_bytes(build_report(sub)) == docx_bytes(build_report(sub))
    assert html_text(build_report(sub)) == html_text(build_report(sub))


def test_page_geometry_matches_gbt_9704():
    assert round((PAGE["width"] - PAGE["left"] - PAGE["right"]) / 1440 * 25.4) == 156
    assert round((PAGE["height"] - PAGE["top"] - PAGE["bottom"]) / 1440 * 25.4) == 225


# -- render, then import: the same figures -----------------------------------------------------

PROSE = {"overview": "（一）主动公开。全年主动公开政府信息 356 条。\n（二）依申请公开。按时答复率 100%。",
         "problems": "一是部分栏目更新不及时。", "other_matters": "本年度未收取信息处理费。"}


def random_workbook(folder: Path, seed: int) -> Path:
    rng = random.Random(seed)
    values = consistent_inputs(ED, rng, scale=rng.choice([3, 30, 3000]), zero_share=rng.random() * 0.8)
    path = folder / f"单位{seed}.xlsx"
    name = "东湖西湖南湖北湖城关白沙"[2 * (seed % 6):2 * (seed % 6) + 2]
    write_report(path, ED, unit=f"青溪区{name}街道办事处", unit_type="乡镇（街道）", year=2020 + seed % 6,
                 values=values, prose=PROSE)
    return path


def assert_round_trip(original: Path, rendered: Path) -> None:
    from xxgk.published import read_published

    before = read_workbook(original)
    after = read_published(rendered)
    assert (after.unit, after.year) == (before.unit, before.year)
    want, got = check_submission(before).values, check_submission(after)
    assert not got.errors, [f.message for f in got.errors]
    assert got.values == want
    for key, text_ in PROSE.items():
        assert "".join(after.prose[key].split()) == "".join(text_.split())  # PDF text drops spaces


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_render_then_import_gives_the_same_figures(tmp_path, fmt):
    for seed in range(6):
        src = random_workbook(tmp_path, seed)
        (o,) = render_paths([src], tmp_path / f"{src.stem}.{fmt}")
        assert o.status == "written"
        assert_round_trip(src, o.out)


def test_long_title_breaks_after_the_unit(tmp_path):
    from xxgk.render.docx import title_lines

    report = build_report(read_workbook(SEED))
    assert title_lines(report) == ["湛北路街道办事处", "2021年政府信息公开工作年度报告"]
    report.title, report.unit = "青溪区2025年政府信息公开工作年度报告", "青溪区"
    assert title_lines(report) == [report.title]  # fits on one line
    (o,) = render_paths([SEED], tmp_path / "seed.docx")
    title = docx.Document(str(o.out)).paragraphs[0]
    assert title.style.name == "Title" and title.text == "湛北路街道办事处\n2021年政府信息公开工作年度报告"


def test_parallel_batch_writes_the_same_files(tmp_path, monkeypatch):
    import xxgk.render.batch as batch

    one = render_paths([SUBMISSIONS], tmp_path / "one", fmt="docx", force=True, jobs=1, date="2026-01-20")
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    two = render_paths([SUBMISSIONS], tmp_path / "two", fmt="docx", force=True, jobs=2, date="2026-01-20")
    assert [(o.path, o.status, o.out.name) for o in one] == [(o.path, o.status, o.out.name) for o in two]
    assert {o.status for o in two} == {"written", "draft"}
    for a, b in zip(one, two):
        assert a.out.read_bytes() == b.out.read_bytes()
        assert [f.message for f in a.result.findings] == [f.message for f in b.result.findings]
