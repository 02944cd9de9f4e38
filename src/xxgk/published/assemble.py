"""From a published report's :class:`GridBook` to a :class:`Submission`.

The front-ends (web page, Word, PDF, text) build the book; here the
label-based reader reads its tables (:func:`xxgk.reader.read_book`), unit
and year are taken from the report's title, the prose sections (一, 五, 六)
from its text (:mod:`xxgk.published.sections`), and a document that holds no
report at all is refused with one clear line.
"""

from __future__ import annotations

from pathlib import Path

from ..reader import FILE_KIND_NAMES, read_book
from ..spec import Edition, load_edition
from ..submission import Submission, UnreadableFile
from .grid import GridBook
from .sections import identify, split_sections

__all__ = ["submission_from", "NOT_A_REPORT", "NO_TABLES"]

NOT_A_REPORT = "not-a-report"  # no title and no table of the report
NO_TABLES = "no-tables"  # a report's title or sections, but none of its tables (images?)


def submission_from(book: GridBook, path: str | Path, edition: Edition | str | None, file_kind: str,
                    *, prose_text: str | None = None) -> Submission:
    """Read the book; ``prose_text``: the report's own text for the prose
    sections (default: every paragraph of the book)."""
    text = book.text()
    sub = read_book(book, path, edition, file_kind)  # no edition given: chosen from the labels and year
    ed = edition if isinstance(edition, Edition) else load_edition(sub.edition)
    unit, year = identify(text, ed)
    if not sub.cells:
        what = FILE_KIND_NAMES.get(file_kind, file_kind)
        if year or split_sections(text, ed):
            raise UnreadableFile(path, f"{what}中有年度报告的标题或正文，但找不到统计表格（表格可能是图片），无法读取数字",
                                 code=NO_TABLES)
        raise UnreadableFile(path, f"{what}中没有政府信息公开工作年度报告（找不到报告标题和官方表格）", code=NOT_A_REPORT)
    if unit and not sub.info.get("unit"):
        sub.unit = unit
    if year and not sub.info.get("year"):
        sub.year = year
    prose = split_sections(prose_text if prose_text is not None else text, ed)
    if prose:
        sub.prose = prose
    return sub
