"""PDF with a text layer (as printed from Word or WPS, or a site's PDF).

pdfplumber finds each page's tables from their ruling lines; a cell's
row and column spans come from its box against all the table's column and
row edges, its text from the characters inside it (a label wrapped over
several lines, or the vertical “三、本年度办理结果” printed one character
per line, is joined; the reader ignores the line breaks).  A table running
over several pages is stacked piece below piece; a row broken by the page
end (its label's last characters at the top of the next page, with no
number) is joined to its first part.  Text outside the tables becomes
paragraphs: visual lines filling the width are joined into one paragraph,
page numbers (“- 3 -”, “第3页 共5页”) are dropped.  Every cell keeps its page
and line (lines counted from the top of the page).

A PDF without any text (a scan) is refused: reading it would need OCR.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..spec import Edition, load_edition
from ..submission import Origin, Submission, UnreadableFile
from .assemble import submission_from
from .grid import GridBook, GridCell

__all__ = ["read_pdf", "MAX_PAGES"]

MAX_PAGES = 300
_PAGE_NUMBER = re.compile(r"^[-—–\s]*\d{1,4}[-—–\s]*$|^第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")
_NUMBER = re.compile(r"^[\d,.]+$")
_EDGE = 1.5  # points: edges closer than this are one edge


@dataclass
class _Piece:
    """A table found on one page: cells with their grid position."""

    page: int
    top: float
    bottom: float
    width: int  # grid columns
    rows: list[list[tuple[int, int, int, str, int]]] = field(default_factory=list)  # (col, rowspan, colspan, text, line)


def read_pdf(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read a PDF holding a report; UnreadableFile for a scan, a locked or broken file."""
    ed = edition if isinstance(edition, Edition) else load_edition(edition) if edition else load_edition()
    pieces, paragraphs, chars = _read_pages(path)
    if not chars:
        raise UnreadableFile(path, "PDF 中没有文字（可能是扫描件或图片），无法读取其中的数字；"
                                   "请使用网页、Word 或可复制文字的 PDF（本工具不做文字识别）", code="pdf-no-text")
    book = GridBook(path)
    for text, origin in paragraphs:
        book.add_paragraph(text, origin)
    table_no = 0
    numbers = []
    for i, piece in enumerate(pieces):
        previous = pieces[i - 1] if i else None
        if previous is not None and previous.width == piece.width and piece.page == previous.page + 1:
            _join_broken_row(previous, piece)  # the same table, continued on the next page
        else:
            table_no += 1
        numbers.append(table_no)
    for piece, number in zip(pieces, numbers):
        if piece.rows:
            book.add_table(_grid_cells(piece), table_no=number)
    return submission_from(book, path, ed, "pdf")


def _open(path: str | Path):
    import pdfplumber

    try:
        return pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises many kinds: syntax, encryption, truncated
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise UnreadableFile(path, "PDF 文件设置了打开密码，请去掉密码后再读取", code="file-encrypted") from None
        raise UnreadableFile(path, "PDF 文件已损坏或不完整，无法读取；请重新下载后再试", code="file-corrupt") from None


def _read_pages(path: str | Path) -> tuple[list[_Piece], list[tuple[str, Origin]], int]:
    pieces: list[_Piece] = []
    paragraphs: list[tuple[str, Origin]] = []
    chars = 0
    pdf = _open(path)
    try:
        pages = pdf.pages
        if len(pages) > MAX_PAGES:
            raise UnreadableFile(path, f"PDF 有 {len(pages)} 页，超过 {MAX_PAGES} 页，不是一份年度报告", code="file-too-large")
        for number, page in enumerate(pages, start=1):
            try:
                page_chars = page.chars
                chars += len(page_chars)
                if not page_chars:
                    continue
                lines = page.extract_text_lines()
                tops = sorted({round(ln["top"], 1) for ln in lines})
                tables = page.find_tables()
                for table in tables:
                    pieces.append(_piece(table, number, tops))
                paragraphs += _paragraphs(lines, [t.bbox for t in tables], number, tops, page.width)
            except UnreadableFile:
                raise
            except Exception:
                raise UnreadableFile(path, f"PDF 第 {number} 页已损坏，无法读取", code="file-corrupt") from None
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile(path, "PDF 文件已损坏或不完整，无法读取；请重新下载后再试", code="file-corrupt") from None
    finally:
        pdf.close()
    return pieces, paragraphs, chars


def _line_of(tops: list[float], top: float) -> int:
    """1-based line number of the text at ``top`` (lines counted from the top of the page)."""
    return max(1, bisect.bisect_right(tops, top + 2.0))


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _piece(table, page: int, tops: list[float]) -> _Piece:
    boxes = [c for row in table.rows for c in row.cells if c is not None]
    xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
    texts = table.extract()
    x0, top, x1, bottom = table.bbox
    piece = _Piece(page, top, bottom, max(1, len(xs) - 1))
    by_row: dict[int, list[tuple[int, int, int, str, int]]] = {}
    for row, row_texts in zip(table.rows, texts):
        for box, text in zip(row.cells, row_texts):
            if box is None:
                continue
            c1, c2 = _index(xs, box[0]), _index(xs, box[2])
            r1, r2 = _index(ys, box[1]), _index(ys, box[3])
            if c2 <= c1 or r2 <= r1:
                continue
            by_row.setdefault(r1, []).append((c1, r2 - r1, c2 - c1, text or "", _line_of(tops, box[1])))
    piece.rows = [sorted(by_row.get(r, [])) for r in range(len(ys) - 1)]
    return piece


def _grid_cells(piece: _Piece) -> list[list[GridCell]]:
    """The piece's rows as GridCells, every grid slot covered (empty cells where none)."""
    covered: set[tuple[int, int]] = set()
    for r, row in enumerate(piece.rows):
        for c, rs, cs, _, _ in row:
            covered |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
    rows = []
    for r, row in enumerate(piece.rows):
        starts = {c: (rs, cs, text, line) for c, rs, cs, text, line in row}
        cells = []
        for c in range(piece.width):
            if c in starts:
                rs, cs, text, line = starts[c]
                cells.append(GridCell(text, rs, cs, Origin(page=piece.page, line=line)))
            elif (r, c) not in covered:
                cells.append(GridCell("", origin=Origin(page=piece.page)))
        rows.append(cells)
    return rows


def _join_broken_row(before: _Piece, after: _Piece) -> None:
    """A row broken by the page end: the first row of ``after`` holds only
    the rest of some labels (no number) -- append its texts to the cells of
    ``before``'s last row in the same columns and drop it."""
    if not after.rows or not before.rows:
        return
    first = after.rows[0]
    texts = [t for _, _, _, t, _ in first if t.strip()]
    if not texts or any(_NUMBER.match(t.strip()) for t in texts):
        return
    last = before.rows[-1]
    if not any(_NUMBER.match(t.strip()) for _, _, _, t, _ in last):
        return
    ends = {}
    for r, row in enumerate(before.rows):
        for i, (c, rs, cs, t, line) in enumerate(row):
            if r + rs == len(before.rows):  # reaches the bottom of the piece
                ends[c] = (r, i)
    for c, _, _, text, _ in first:
        if text.strip() and c in ends:
            r, i = ends[c]
            cc, rs, cs, t, line = before.rows[r][i]
            before.rows[r][i] = (cc, rs, cs, t + text, line)
    moved = [(c, rs - 1, cs, t, line) for c, rs, cs, t, line in first if rs > 1]  # cells spanning on down
    after.rows = after.rows[1:]
    if after.rows:
        after.rows[0] = sorted(after.rows[0] + moved)


def _paragraphs(lines: list[dict], boxes: list[tuple], page: int, tops: list[float],
                width: float) -> list[tuple[str, Origin]]:
    """Text lines outside the tables, lines filling the width joined into paragraphs."""

    def inside(ln: dict) -> bool:
        cy = (ln["top"] + ln["bottom"]) / 2
        return any(b[1] - 1 <= cy <= b[3] + 1 and b[0] - 1 <= ln["x0"] <= b[2] + 1 for b in boxes)

    kept = [ln for ln in lines if not inside(ln) and ln["text"].strip()]
    kept = [ln for ln in kept if not _PAGE_NUMBER.match(ln["text"].strip())]
    if not kept:
        return []
    right = max(ln["x1"] for ln in kept)
    out: list[tuple[str, Origin]] = []
    current = ""
    origin = None
    for ln in kept:
        text = ln["text"].strip()
        if not current:
            origin = Origin(page=page, line=_line_of(tops, ln["top"]))
        current += text
        char = max(ln["bottom"] - ln["top"], 6.0)
        if ln["x1"] < right - 2 * char:  # a short line ends its paragraph
            out.append((current, origin))
            current = ""
    if current:
        out.append((current, origin))
    return out
