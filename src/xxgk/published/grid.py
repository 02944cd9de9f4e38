"""An in-memory book of published tables, read like a foreign workbook.

Published reports (web pages, Word documents, PDF, copied text) hold the
report's tables as rows of cell texts with row and column spans.
:class:`GridBook` lays such rows out on a grid exactly as a browser does
(a cell spanning rows occupies those slots in the rows below) and offers the
interface :mod:`xxgk.reader` uses from :class:`xxgk.xlsx.XlsxBook`
(``sheet_names``, ``has_sheet``, ``sheet_state``, ``defined_names``,
``cells``, ``merged``, ``cell``), so the label-based reader locates the
report's tables in it unchanged (:func:`xxgk.reader.read_book`).

Every cell keeps where it came from (:class:`xxgk.submission.Origin`: page
and line for PDF and text, table/row/column for HTML and DOCX); the reader
copies it to the :class:`~xxgk.submission.CellValue` it makes, so every
imported figure can be traced back to the document.

All tables go one below the other (a blank row between) on one sheet,
:data:`TABLE_SHEET`, so a table the writer split in two (a page break, two
Word tables) reads as one; free text (title, paragraphs) goes on
:data:`TEXT_SHEET`, one paragraph per row (not listed in ``sheet_names``:
labels are searched in the tables only; :meth:`GridBook.text` gives it).  Texts that are exactly a number
("12", "1,234", "0.5000") become numbers, as Excel would store them; any
other text stays text for :func:`xxgk.values.parse_number` to judge.
Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from ..submission import Origin
from ..xlsx import NUMBER, STRING, RawCell, parse_a1

__all__ = ["GridBook", "GridCell", "TABLE_SHEET", "TEXT_SHEET", "cell_text"]

TABLE_SHEET = "表格"
TEXT_SHEET = "正文"

_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")


@dataclass(frozen=True)
class GridCell:
    """One cell of a published table: its text, spans and origin."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    origin: Origin | None = None


def cell_text(text: str) -> str:
    """A cell's text as kept: no-break and ideographic spaces made plain and
    runs of spaces collapsed; line breaks kept (a wrapped label)."""
    if text.isdigit() or (text.isalnum() and "\n" not in text):
        return text
    lines = (_SPACE.sub(" ", line).strip() for line in str(text).replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _raw(text: str) -> RawCell:
    if text.isascii() and text.isdigit():
        return RawCell(Decimal(text), None, NUMBER)
    plain = unicodedata.normalize("NFKC", text).strip()
    if _NUMBER_TEXT.fullmatch(plain):
        return RawCell(Decimal(plain.replace(",", "")), None, NUMBER)
    return RawCell(text, None, STRING)


class GridBook:
    """Tables and paragraphs of one published report, as a read-only book.

    Build it with :meth:`add_table` and :meth:`add_paragraph`, then pass it to
    :func:`xxgk.reader.read_book`.
    """

    def __init__(self, path: str | Path = ""):
        self.path = str(path)
        self._cells: dict[str, dict[tuple[int, int], RawCell]] = {TEXT_SHEET: {}, TABLE_SHEET: {}}
        self._merged: dict[str, list[tuple[int, int, int, int]]] = {TEXT_SHEET: [], TABLE_SHEET: []}
        self._origins: dict[str, dict[tuple[int, int], Origin]] = {TEXT_SHEET: {}, TABLE_SHEET: {}}
        self._next_row = {TEXT_SHEET: 0, TABLE_SHEET: 0}
        self.tables = 0  # tables added

    # building -------------------------------------------------------------------
    def add_table(self, rows: Iterable[Sequence[GridCell | str]], *, table_no: int | None = None,
                  continues: bool = False) -> int:
        """Lay out one table below the previous one; returns its first row.

        ``rows``: each a sequence of cells (a plain str is a cell without
        spans).  A cell without an origin gets (table, row, column), 1-based,
        the column being the grid column.  ``continues``: the table is the
        rest of the previous one (no blank row between).
        """
        sheet = TABLE_SHEET
        if not continues and self._next_row[sheet]:
            self._next_row[sheet] += 1
        if table_no is None:
            table_no = self.tables + 1
        self.tables = max(self.tables, table_no)
        top = self._next_row[sheet]
        occupied: set[tuple[int, int]] = set()
        last = top - 1
        for i, row in enumerate(rows):
            r = top + i
            c = 0
            for item in row:
                cell = item if isinstance(item, GridCell) else GridCell(str(item))
                while (r, c) in occupied:
                    c += 1
                rs, cs = max(1, int(cell.rowspan)), max(1, int(cell.colspan))
                for dr in range(rs):
                    for dc in range(cs):
                        occupied.add((r + dr, c + dc))
                origin = cell.origin or Origin(table=table_no, row=i + 1, col=c + 1)
                self._put(sheet, r, c, cell.text, origin)
                if rs > 1 or cs > 1:
                    self._merged[sheet].append((r, c, r + rs - 1, c + cs - 1))
                c += cs
            last = r
        bottom = max([last] + [r for r, _ in occupied])
        self._next_row[sheet] = bottom + 1
        return top

    def add_paragraph(self, text: str, origin: Origin | None = None) -> int:
        """One paragraph of free text (title, prose) on :data:`TEXT_SHEET`; returns its row."""
        row = self._next_row[TEXT_SHEET]
        self._next_row[TEXT_SHEET] = row + 1
        self._put(TEXT_SHEET, row, 0, text, origin or Origin(line=row + 1))
        return row

    def _put(self, sheet: str, row: int, col: int, text: str, origin: Origin) -> None:
        text = cell_text(text)
        if text:
            self._cells[sheet][(row, col)] = _raw(text)
        self._origins[sheet][(row, col)] = origin

    # what the reader uses ---------------------------------------------------------
    @property
    def sheet_names(self) -> list[str]:
        """Only the tables are searched for labels (the paragraphs, read for
        title and prose by :mod:`xxgk.published.sections`, would only slow
        the search and offer false matches); the text sheet stays readable."""
        return [TABLE_SHEET]

    def has_sheet(self, name: str) -> bool:
        return name in self._cells

    def sheet_state(self, name: str) -> str:
        return "visible"

    @property
    def defined_names(self) -> Mapping[str, tuple[str, str]]:
        return MappingProxyType({})

    def cells(self, sheet: str) -> dict[tuple[int, int], RawCell]:
        return self._cells[sheet]

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        return self._merged[sheet]

    def cell(self, sheet: str, ref: str) -> RawCell | None:
        return self._cells[sheet].get(parse_a1(ref))

    def origin(self, sheet: str, row: int, col: int) -> Origin | None:
        """Where the text at (row, col) came from; for a slot covered by a
        spanning cell, the origin of that cell."""
        origins = self._origins.get(sheet, {})
        if (row, col) in origins:
            return origins[(row, col)]
        for r1, c1, r2, c2 in self._merged.get(sheet, ()):
            if r1 <= row <= r2 and c1 <= col <= c2:
                return origins.get((r1, c1))
        return None

    def text(self) -> str:
        """The paragraphs, one per line (for title and prose sections)."""
        cells = self._cells[TEXT_SHEET]
        return "\n".join(str(cells[k].value) for k in sorted(cells))

    # XlsxBook compatibility -------------------------------------------------------
    def __enter__(self) -> "GridBook":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass
