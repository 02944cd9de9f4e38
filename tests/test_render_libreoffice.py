"""LibreOffice prints the rendered DOCX: no error, tables within the page, few pages, stamp on every page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest

from xxgk.render import render_paths
from xxgk.render.docx import PAGE, PAGE_LANDSCAPE

from test_render import KNOWN, SEED, STAMP, SUBMISSIONS, assert_round_trip, random_workbook, write_summary

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")]

PT_PER_TWIP = 1 / 20
TOLERANCE = 2.0  # points
HANGING = "、。，；：？！”’）》,.;:"
MAX_PAGES = 7
ROUND_TRIPS = 4  # random workbooks printed in the same LibreOffice call  # title and prose, table 2, table 3, table 4 (landscape), sections 五 and 六


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """Three reports printed with one LibreOffice call: the seed, a summary, a forced draft."""
    src = tmp_path_factory.mktemp("src")
    shutil.copy(SEED, src / SEED.name)
    shutil.copy(next(SUBMISSIONS.glob("*东湖街道*")), src / "东湖.xlsx")
    write_summary(src / "汇总.xlsx", KNOWN, 2025)
    for seed in range(ROUND_TRIPS):
        random_workbook(src, seed)
    out = tmp_path_factory.mktemp("pdf")
    outcomes = render_paths([src], out, fmt="pdf", force=True)
    assert [o.status for o in outcomes].count("failed") == 0, [o.message for o in outcomes]
    by_name = {Path(o.path).name: o.out for o in outcomes}
    assert all(p.exists() and p.read_bytes().startswith(b"%PDF") for p in by_name.values())
    pdfs = {"seed": by_name[SEED.name], "draft": by_name["东湖.xlsx"], "summary": by_name["汇总.xlsx"]}
    return pdfs | {src / name: pdf for name, pdf in by_name.items() if name.startswith("单位")}


@pytest.mark.parametrize("name", ["seed", "summary", "draft"])
def test_pages_within_bound_and_text_within_margins(pdfs, name):
    with pdfplumber.open(pdfs[name]) as pdf:
        assert 3 <= len(pdf.pages) <= MAX_PAGES
        landscape = 0
        for page in pdf.pages:
            wide = page.width > page.height
            landscape += wide
            left = (PAGE_LANDSCAPE if wide else PAGE)["left"] * PT_PER_TWIP
            right = (PAGE_LANDSCAPE if wide else PAGE)["right"] * PT_PER_TWIP
            # CJK punctuation may hang into the margin at a line's end (LibreOffice's layout)
            chars = [c for c in page.chars if c["text"].strip() and c["text"] not in HANGING]
            assert chars
            assert min(c["x0"] for c in chars) >= left - TOLERANCE, page.page_number
            assert max(c["x1"] for c in chars) <= page.width - right + TOLERANCE, page.page_number
            for line in page.lines + page.rects:  # table borders
                assert line["x0"] >= left - TOLERANCE and line["x1"] <= page.width - right + TOLERANCE
        assert landscape == 1  # table 4 alone on a landscape page


def test_table_three_on_one_page_with_its_title(pdfs):
    with pdfplumber.open(pdfs["seed"]) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    (page,) = [t for t in pages if "三、收到和处理政府信息公开申请情况" in t]
    assert "四、结转下年度继续办理" in page and "（本列数据的勾稽关系为" in page


def test_draft_stamp_on_every_page(pdfs):
    with pdfplumber.open(pdfs["draft"]) as pdf:
        assert all(STAMP in (p.extract_text() or "") for p in pdf.pages)
    with pdfplumber.open(pdfs["seed"]) as pdf:
        assert not any(STAMP in (p.extract_text() or "") for p in pdf.pages)


def test_page_numbers_at_the_foot(pdfs):
    with pdfplumber.open(pdfs["seed"]) as pdf:
        for page in pdf.pages:
            margin = (PAGE_LANDSCAPE if page.width > page.height else PAGE)["bottom"] * PT_PER_TWIP
            bottom = [w["text"] for w in page.extract_words() if w["top"] > page.height - margin]
            assert "".join(bottom).replace(" ", "") == f"—{page.page_number}—"


def test_render_pdf_then_import_gives_the_same_figures(pdfs):
    sources = [k for k in pdfs if isinstance(k, Path)]
    assert len(sources) == ROUND_TRIPS
    for src in sources:
        assert_round_trip(src, pdfs[src])
