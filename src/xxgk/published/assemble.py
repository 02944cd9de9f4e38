"""From a published report's :class:`GridBook` to a :class:`Submission`.

The front-ends (web page, Word, PDF, text) build the book; here the
label-based reader reads its tables (:func:`xxgk.reader.read_book`), unit
and year are taken from the report's title, the prose sections (一, 五, 六)
from its text (:mod:`xxgk.published.sections`), and a document that holds no
report at all is refused with one clear line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..reader import FILE_KIND_NAMES, read_book
from ..spec import Edition, load_edition
from ..findings import Finding
from ..submission import Origin, Submission, UnreadableFile
from .grid import GridBook
from .sections import identify, split_sections

__all__ = ["submission_from", "NOT_A_REPORT", "NO_TABLES", "TABLES_AS_TEXT"]

NOT_A_REPORT = "not-a-report"  # no title and no table of the report
NO_TABLES = "no-tables"  # a report's title or sections, but none of its tables (images?)
TABLES_AS_TEXT = "tables-as-text"  # info: no table found as a table, the document read line by line


def submission_from(book: GridBook, path: str | Path, edition: Edition | str | None, file_kind: str,
                    *, prose_text: str | None = None, linear_text: str | None = None,
                    line_origin: Callable[[Origin], Origin] | None = None) -> Submission:
    """Read the book; ``prose_text``: the report's own text for the prose
    sections (default: every paragraph of the book).  When the book holds
    not every table of the report (a PDF table drawn without lines, a page
    with the report as plain text), the document's ``linear_text`` (default:
    its paragraphs) is also read as a text report would be, and taken when it
    finds more; ``line_origin`` turns the
    text reader's line numbers back into the document's (page and line)."""
    text = book.text()
    sub = read_book(book, path, edition, file_kind)  # no edition given: chosen from the labels and year
    ed = edition if isinstance(edition, Edition) else load_edition(sub.edition)
    unit, year = identify(text, ed)
    if len(sub.cells) < len(ed.cells):  # labels of some cells not found in the tables
        by_text = _as_text(linear_text if linear_text is not None else text, path, ed, file_kind, line_origin)
        if by_text is not None and len(_located(by_text)) > len(sub.cells):
            prose = split_sections(prose_text if prose_text is not None else text, ed)
            if prose:  # the document's own paragraphs, not the lines read as text
                by_text.prose = prose
            return by_text
    if not sub.cells:
        what = FILE_KIND_NAMES.get(file_kind, file_kind)
        if year or split_sections(text, ed):
            raise UnreadableFile(path, f"{what}中有年度报告的标题或正文，但找不到统计表格（表格可能是图片），无法读取数字",
                                 code=NO_TABLES)
        raise UnreadableFile(path, f"{what}中没有政府信息公开工作年度报告（找不到报告标题和官方表格）", code=NOT_A_REPORT)
    if unit and not sub.info.get(ed.info_key("unit")):
        sub.unit = unit
    if year and not sub.info.get(ed.info_key("year")):
        sub.year = year
    prose = split_sections(prose_text if prose_text is not None else text, ed)
    if prose:
        sub.prose = prose
    return sub


def _located(sub: Submission) -> list[str]:
    """Cells found with a figure (or a text) in them."""
    return [k for k, cv in sub.cells.items() if cv.value is not None or cv.raw not in (None, "")]


def _as_text(text: str, path: str | Path, ed: Edition, file_kind: str,
             line_origin: Callable[[Origin], Origin] | None) -> Submission | None:
    """The document read line by line like a text report; None when that finds no figure either."""
    from .text import read_text_string

    try:
        sub = read_text_string(text, path, ed)
    except UnreadableFile:
        return None
    if not sub.cells:
        return None
    sub.file_kind = file_kind
    text_kind, what = FILE_KIND_NAMES["text"], FILE_KIND_NAMES.get(file_kind, file_kind)
    for f in sub.findings:
        if f.code == "not-our-template":
            f.message = f.message.replace(f"（{text_kind}）", f"（{what}）")
    if line_origin is not None:
        for cv in sub.cells.values():
            if cv.origin is not None and cv.origin.line is not None:
                cv.origin = line_origin(cv.origin)
    sub.findings.insert(0, Finding.of(TABLES_AS_TEXT, f"{what}中的表格没有框线（或不是表格），已按文字逐行读取。"))
    return sub
