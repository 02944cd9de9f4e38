"""GridBook: published tables (rows of cells with spans) read by the label-based reader."""

import sys
from pathlib import Path

from xxgk.published.assemble import submission_from
from xxgk.published.grid import TABLE_SHEET, GridBook, GridCell
from xxgk.reader import read_book
from xxgk.submission import Origin

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import ED, UNIT, YEAR, consistent, official_tables, title  # noqa: E402


def book_of(values, *, split=None):
    book = GridBook("report.html")
    book.add_paragraph(title())
    for heading, pieces in official_tables(values, split=split):
        book.add_paragraph(heading)
        for piece in pieces:
            book.add_table(piece)
    return book


def test_spans_are_laid_out_like_a_browser():
    book = GridBook()
    book.add_table([[GridCell("甲", rowspan=2), GridCell("乙", colspan=2)], ["1", "2"]])
    cells = book.cells(TABLE_SHEET)
    assert cells[(1, 1)].value == 1 and cells[(1, 2)].value == 2  # row 2 starts after 甲's span
    assert book.merged(TABLE_SHEET) == [(0, 0, 1, 0), (0, 1, 0, 2)]
    assert book.origin(TABLE_SHEET, 1, 2) == Origin(table=1, row=2, col=3)
    assert book.origin(TABLE_SHEET, 0, 2) == Origin(table=1, row=1, col=2)  # covered by 乙


def test_number_texts_become_numbers_other_texts_stay():
    book = GridBook()
    book.add_table([["1,234", "0.5000", "12件", "1.属于国家秘密", "\u00a07\u00a0"]])
    values = [book.cells(TABLE_SHEET)[(0, c)].value for c in range(5)]
    assert [str(v) for v in values] == ["1234", "0.5000", "12件", "1.属于国家秘密", "7"]


def test_official_tables_read_exactly_with_origins():
    values = consistent(3)
    sub = submission_from(book_of(values), "report.html", ED, "html")
    assert sub.file_kind == "html" and not sub.ours
    assert {k: sub.cells[k].value for k in ED.cells} == {k: values[k] for k in ED.cells}
    assert (sub.unit, sub.year) == (UNIT, YEAR)  # from the title among the paragraphs
    t3 = [k for k in ED.cells if k.startswith("t3.")]
    assert {sub.cells[k].origin.table for k in t3} == {2}
    assert all(sub.cells[k].origin.row > 1 for k in ED.cells)
    assert "网页" in sub.findings[0].message and "第1个表格" in sub.findings[0].message


def test_table_split_in_two_reads_as_one():
    values = consistent(4)
    sub = read_book(book_of(values, split={"t3": 9}), "report.docx", ED, "docx")
    assert {k: sub.cells[k].value for k in ED.cells} == {k: values[k] for k in ED.cells}
    assert {sub.cells[k].origin.table for k in ED.cells if k.startswith("t3.")} == {2, 3}
