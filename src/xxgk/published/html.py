"""Web pages: a report as saved from a government website.

The page is parsed with lxml's HTML parser (which repairs broken markup).
Tables that hold no other table are the data tables (older sites lay out the
whole page with tables); each becomes a table of the :class:`GridBook` with
its rowspan/colspan, the text of ``<p>``, ``<span>`` and ``<br>`` inside a
cell joined by line breaks.  The report's part of the page is the smallest
element holding its tables and its first section heading; the prose
sections are read from there only, so the site's navigation and footer are
never taken for prose.  The title may stand anywhere (also in ``<title>``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..reader import canonical_label
from ..spec import Edition, load_edition
from ..submission import Origin, Submission, UnreadableFile
from .assemble import submission_from
from .encoding import decode_document
from .grid import GridBook, GridCell

__all__ = ["read_html", "MAX_BYTES"]

MAX_BYTES = 50 * 1024 * 1024  # a saved page larger than this is not a report
MAX_SPAN = 200

_SKIP = frozenset({"script", "style", "noscript", "template", "select", "option", "button", "iframe",
                   "svg", "object", "embed", "textarea", "head"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
                    "header", "footer", "nav", "aside", "main", "tr", "td", "th", "table", "blockquote",
                    "pre", "center", "dd", "dt", "dl", "form", "hr", "caption", "title", "body"})
_DIGITS = re.compile(r"\d+")


def read_html(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read a saved web page holding a report; UnreadableFile if it holds none."""
    ed = edition if isinstance(edition, Edition) else load_edition(edition) if edition else load_edition()  # for its labels
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(path, f"无法打开文件：{exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UnreadableFile(path, "网页文件过大（超过 50 MB），不是年度报告", code="file-too-large")
    text = decode_document(data, path, html=True)
    book, prose_text, linear = page_book(text, path, ed)
    return submission_from(book, path, edition, "html", prose_text=prose_text, linear_text=linear)


def page_book(text: str, path: str | Path, ed: Edition) -> tuple[GridBook, str, str]:
    """The page's tables and paragraphs as a book, the text of the report's
    part, and the whole page as text (white space as it was, table cells
    separated by tabs) for reading it like a text report."""
    from lxml import etree, html

    text = text.replace("\x00", "")
    if not text.strip():
        raise UnreadableFile(path, "网页是空的", code="not-a-report")
    try:
        root = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile(path, f"无法解析网页：{exc}", code="file-unreadable") from None
    for el in root.iter("br", *_BLOCK):
        if not isinstance(el.tag, str):
            continue
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    tables = [t for t in root.iter("table") if not t.xpath(".//table")]
    content = _content_root(root, tables, ed)
    book = GridBook(path)
    titles = root.xpath("//title")
    if titles:
        book.add_paragraph(titles[0].text_content())
    report_lines: list[str] = []
    linear: list[str] = []
    inside = content is None
    line: list[str] = []

    def flush() -> None:
        linear.extend("".join(line).replace("\r", "").split("\n"))
        for piece in "".join(line).split("\n"):
            if piece.strip():
                book.add_paragraph(piece)
                if inside:
                    report_lines.append(piece.strip())
        line.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    table_no = 0
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is content:
                flush()
                inside = True
            if not tag or tag in _SKIP:
                walker.skip_subtree()
                continue
            if tag == "table" and el in tables:
                flush()
                table_no += 1
                rows = _rows(el)
                book.add_table(rows, table_no=table_no)
                linear.extend("\t".join(re.sub(r"\s+", "", c.text) for c in row) for row in rows)
                walker.skip_subtree()
                continue
            line.append(el.text or "")
        else:
            if el is content:
                flush()
                inside = False
            if tag and tag not in _SKIP:
                pass
            line.append(el.tail or "")
    flush()
    return book, "\n".join(report_lines), "\n".join(linear)


def _span(value: str | None) -> int:
    m = _DIGITS.search(value or "")
    return min(max(int(m.group()), 1), MAX_SPAN) if m else 1


def _rows(table) -> list[list[GridCell]]:
    rows = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        rows.append([GridCell(td.text_content(), _span(td.get("rowspan")), _span(td.get("colspan")))
                     for td in tr.xpath("./td|./th")])
    return rows


def _report_labels(ed: Edition) -> set[str]:
    out = set()
    for table in ed.tables:
        for block in table.blocks:
            for paths in (block.row_paths(), block.column_paths()):
                for p in paths:
                    text = canonical_label(p[-1].label)
                    if len(text) >= 4:
                        out.add(text)
    return out


def _content_root(root, tables, ed: Edition):
    """The smallest element holding the report's tables and its first
    section heading; None when no table of the report is on the page."""
    labels = _report_labels(ed)
    ours = []
    for t in tables:
        text = canonical_label(re.sub(r"\s+", "", t.text_content()))
        if sum(1 for lab in labels if lab in text) >= 2:
            ours.append(t)
    if not ours:
        return None
    chains = [list(t.iterancestors()) for t in ours]
    common = [a for a in chains[0] if all(a in c for c in chains[1:])]
    node = common[0] if common else ours[0]
    first = canonical_label(ed.prose_sections[0].label) if ed.prose_sections else ""
    core = re.sub(r"^[一二三四五六七八九十]+、", "", first)
    while core and core not in re.sub(r"\s+", "", node.text_content()) and node.getparent() is not None:
        node = node.getparent()
    return node
