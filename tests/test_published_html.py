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
