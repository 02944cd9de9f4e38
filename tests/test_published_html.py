"""Web pages as saved from a government site: the report inside the site's template."""

import sys
from pathlib import Path

import pytest

from xxgk.published.html import read_html
from xxgk.submission import UnreadableFile

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import ED, PROSE, UNIT, YEAR, consistent, html_page  # noqa: E402


def exact(sub, values):
    return {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells} == {k: values[k] for k in ED.cells}


@pytest.mark.parametrize("encoding,declared", [("utf-8", "utf-8"), ("gbk", None), ("gb18030", "gb2312")])
def test_site_page_imports_exactly(tmp_path, encoding, declared):
    values = consistent(11)
    path = tmp_path / "page.html"
    path.write_bytes(html_page(values, charset=declared, seed=2).encode(encoding))
    sub = read_html(path)
    assert exact(sub, values)
    assert (sub.unit, sub.year, sub.file_kind) == (UNIT, YEAR, "html")
    assert sub.prose == PROSE
    cv = sub.cells["t3.new_received.natural_person"]
    assert cv.origin.table == 2 and cv.origin.row > 1


def test_table_split_in_two(tmp_path):
    values = consistent(12)
    path = tmp_path / "split.htm"
    path.write_text(html_page(values, split={"t3": 12, "t4": 2}), encoding="utf-8")
    sub = read_html(path)
    assert exact(sub, values)


def test_page_that_is_not_a_report(tmp_path):
    path = tmp_path / "news.html"
    path.write_text("<html><head><title>青溪区召开全区安全生产工作会议</title></head><body>"
                    "<div class='nav'>首页 政务公开</div><p>1月5日，区政府召开会议。</p>"
                    "<table><tr><td>参会单位</td><td>人数</td></tr><tr><td>区应急局</td><td>12</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        read_html(path)
    assert exc.value.code == "not-a-report" and "没有政府信息公开工作年度报告" in str(exc.value)


def test_report_pasted_as_plain_text_in_a_page(tmp_path):
    """A site that shows the report as preformatted text (no <table>): the page
    is read line by line like a text report, with the same figures."""
    import html

    from xxgk.published import read_published
    from xxgk.published.text import read_text

    source = Path(__file__).parent / "data" / "published" / "seed-zhanbeilu-2021-report.txt"
    page = tmp_path / "pre.html"
    page.write_text("<html><head><meta charset='utf-8'><title>年报</title></head><body><div class='nav'>首页 &gt; 公开"
                    f"</div><pre>{html.escape(source.read_text(encoding='utf-8'))}</pre>"
                    "<div class='footer'>主办单位：某区人民政府</div></body></html>", encoding="utf-8")
    as_text, as_page = read_text(source), read_published(page)
    assert as_page.file_kind == "html" and as_page.findings[0].code == "tables-as-text"
    assert {k: c.value for k, c in as_page.cells.items()} == {k: c.value for k, c in as_text.cells.items()}
    assert (as_page.unit, as_page.year) == (as_text.unit, as_text.year) == ("湛北路街道办事处", 2021)
    assert "网页" in as_page.findings[1].message
