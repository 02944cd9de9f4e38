"""PDF with a text layer (as printed from Word or WPS, or a site's PDF).

Each page's characters (with their boxes) and ruling lines are read with
PDFium (pypdfium2, installed with pdfplumber); the tables are found from
the lines (each path's straight segments) with pdfplumber's lattice
algorithm; a cell's
row and column spans come from its box against all the table's column and
row edges, its text from the characters inside it (a label wrapped over
several lines, or the vertical “三、本年度办理结果” printed one character
per line, is joined; the reader ignores the line breaks).  A table running
over several pages is stacked piece below piece; a row broken by the page
end (its label's last characters at the top of the next page, with no
number) is joined to its first part; header rows repeated on the next page
are dropped.  Text outside the tables becomes
paragraphs: visual lines filling the width are joined into one paragraph,
page numbers (“- 3 -”, “第3页 共5页”) are dropped.  Every cell keeps its page
and line (lines counted from the top of the page).

Tables printed without lines are read line by line like a text report
(:mod:`xxgk.published.text`), each row on one line: the wrapped rest of a
row's labels (below it, or at the top of the next page) is joined to them
by position (:func:`_rows_joined`).

A PDF without any text (a scan) is refused: reading it would need OCR.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..spec import Edition
from ..submission import Origin, Submission, UnreadableFile
from .assemble import submission_from
from .grid import GridBook, GridCell

__all__ = ["read_pdf", "MAX_PAGES"]

MAX_PAGES = 300
_PAGE_NUMBER = re.compile(r"^[-—–\s]*\d{1,4}[-—–\s]*$|^第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")
_NUMBER = re.compile(r"^[\d,.]+$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
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
    pieces, paragraphs, chars, lines = _read_pages(path)
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
    text = "\n".join(t for t, _ in lines)

    def line_origin(o: Origin) -> Origin:  # the text reader's line -> page and line of the PDF
        page = lines[o.line - 1][1] if 0 < o.line <= len(lines) else o
        return replace(o, page=page.page, line=page.line, col=None)

    return submission_from(book, path, edition, "pdf", linear_text=text, line_origin=line_origin)


def _open(path: str | Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except Exception as exc:  # PdfiumError: password, format, file errors
        if "password" in str(exc).lower():
            raise UnreadableFile(path, "PDF 文件设置了打开密码，请去掉密码后再读取", code="file-encrypted") from None
        raise UnreadableFile(path, "PDF 文件已损坏或不完整，无法读取；请重新下载后再试", code="file-corrupt") from None


def _read_pages(path: str | Path) -> tuple[list[_Piece], list[tuple[str, Origin]], int, list[tuple[str, Origin]]]:
    """Tables, paragraphs and the number of characters of every page.

    Text and ruling lines come from PDFium (pypdfium2, which pdfplumber
    brings along; far faster than parsing the page in Python), the tables
    from the lines with pdfplumber's lattice algorithm (edges merged, their
    intersections made into cells, cells into tables)."""
    pieces: list[_Piece] = []
    lines: list[dict] = []  # every text line of the document (tables included)
    text_lines: list[dict] = []  # text lines outside the tables
    chars = 0
    pdf = _open(path)
    try:
        if len(pdf) > MAX_PAGES:
            raise UnreadableFile(path, f"PDF 有 {len(pdf)} 页，超过 {MAX_PAGES} 页，不是一份年度报告", code="file-too-large")
        for number in range(1, len(pdf) + 1):
            try:
                page_pieces, page_text, page_chars, page_lines = _read_page(pdf[number - 1], number)
            except UnreadableFile:
                raise
            except Exception:
                raise UnreadableFile(path, f"PDF 第 {number} 页已损坏，无法读取", code="file-corrupt") from None
            pieces += page_pieces
            text_lines += page_text
            chars += page_chars
            lines += page_lines
    finally:
        pdf.close()
    rows = [(ln["text"], Origin(page=ln["page"], line=ln["line"])) for ln in _rows_joined(lines)]
    return pieces, _paragraphs(text_lines), chars, rows


def _read_page(page, number: int) -> tuple[list[_Piece], list[dict], int, list[dict]]:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        chars = []  # (text, x0, top, x1, bottom)
        for i, ch in enumerate(text[:count]):
            if ch in "\r\n" or not ch.strip():
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            chars.append((ch, left, height - top, right, height - bottom))
        if not chars:
            return [], [], 0, []
        tables = _tables(page, height)
        tops = _line_tops(chars)
        pieces = []
        for cells in tables:
            texts = [textpage.get_text_bounded(left=x0, bottom=height - b, right=x1, top=height - t)
                     for x0, t, x1, b in cells]
            pieces.append(_piece(cells, texts, number, tops))
        boxes = [(min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
                  max(c[3] for c in cells)) for cells in tables]
        outside = [c for c in chars if not any(b[0] - 1 <= (c[1] + c[3]) / 2 <= b[2] + 1
                                               and b[1] - 1 <= (c[2] + c[4]) / 2 <= b[3] + 1 for b in boxes)]
        every = [dict(ln, page=number, line=_line_of(tops, ln["top"])) for ln in _lines(chars)
                 if not _PAGE_NUMBER.match(ln["text"].strip())]
        if every:
            every[0]["page_start"] = every[-1]["page_end"] = True
        text_lines = [dict(ln, page=number, line=_line_of(tops, ln["top"])) for ln in _lines(outside)
                      if ln["text"].strip() and not _PAGE_NUMBER.match(ln["text"].strip())]
        if text_lines:  # the page's text margins: a line short of the right one ends a paragraph
            left, right = min(ln["x0"] for ln in text_lines), max(ln["x1"] for ln in text_lines)
            for ln in text_lines:
                ln.update(left=left, right=right)
        return pieces, text_lines, len(chars), every
    finally:
        textpage.close()


def _tables(page, height: float) -> list[list[tuple[float, float, float, float]]]:
    """Cell boxes (x0, top, x1, bottom) of each table drawn with lines on the page."""
    import pypdfium2.raw as raw
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    edges = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
        if obj.level == 0:  # its straight segments: one path may draw a whole grid
            edges += _segment_edges(obj, height)
            continue
        left, bottom, right, top = obj.get_bounds()  # inside a form: its box only
        x0, x1, y0, y1 = left, right, height - top, height - bottom
        w, h = x1 - x0, y1 - y0
        if w < 3 and h < 3:
            continue
        if w <= 2:
            edges.append(_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, y0, y1))
        elif h <= 2:
            edges.append(_edge("h", x0, x1, (y0 + y1) / 2, (y0 + y1) / 2))
        else:  # a rectangle: its four sides
            edges += [_edge("h", x0, x1, y0, y0), _edge("h", x0, x1, y1, y1),
                      _edge("v", x0, x0, y0, y1), _edge("v", x1, x1, y0, y1)]
    if len(edges) < 4:
        return []
    edges = [e for e in merge_edges(edges, 3, 3, 3, 3) if (e["x1"] - e["x0"] if e["orientation"] == "h"
                                                             else e["bottom"] - e["top"]) >= 3]
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    return [t for t in cells_to_tables(cells) if t]


def _segment_edges(obj, height: float) -> list[dict]:
    """Horizontal and vertical edges of a path's straight segments (curves
    and slanted lines skipped), in page coordinates from the top."""
    import ctypes

    import pypdfium2.raw as raw

    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    out = []
    start = current = None
    for i in range(raw.FPDFPath_CountSegments(obj.raw)):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        point = (m.a * x.value + m.c * y.value + m.e, height - (m.b * x.value + m.d * y.value + m.f))
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_LINETO and current is not None:
            out += _straight(current, point)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = point
        current = point
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            out += _straight(current, start)
            current = start
    return out


def _straight(a: tuple[float, float], b: tuple[float, float]) -> list[dict]:
    (xa, ya), (xb, yb) = a, b
    if abs(ya - yb) < 1 and abs(xa - xb) >= 1:
        return [_edge("h", min(xa, xb), max(xa, xb), (ya + yb) / 2, (ya + yb) / 2)]
    if abs(xa - xb) < 1 and abs(ya - yb) >= 1:
        return [_edge("v", (xa + xb) / 2, (xa + xb) / 2, min(ya, yb), max(ya, yb))]
    return []


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}


def _line_tops(chars: list[tuple]) -> list[float]:
    """The top of every text line of the page, in order (characters whose
    middles are within half a character height are on one line)."""
    tops: list[float] = []
    for ch in sorted(chars, key=lambda c: c[2]):
        if not tops or ch[2] - tops[-1] > max((ch[4] - ch[2]) / 2, 1.0):
            tops.append(ch[2])
    return tops


def _lines(chars: list[tuple]) -> list[dict]:
    """Characters grouped into lines: text (a space where a gap is wide), x0, x1, top, bottom."""
    lines: list[list[tuple]] = []
    for ch in sorted(chars, key=lambda c: (c[2], c[1])):
        if lines and abs(ch[2] - lines[-1][0][2]) <= max((ch[4] - ch[2]) / 2, 1.0):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        chunks = [[line[0][0], line[0][1], line[0][3]]]  # text, x0, x1 of runs without a wide gap
        for prev, ch in zip(line, line[1:]):
            if ch[1] - prev[3] > 0.5 * (ch[4] - ch[2]):
                chunks.append([ch[0], ch[1], ch[3]])
            else:
                chunks[-1][0] += ch[0]
                chunks[-1][2] = ch[3]
        out.append({"text": " ".join(c[0] for c in chunks), "x0": line[0][1], "x1": line[-1][3],
                    "top": min(c[2] for c in line), "bottom": max(c[4] for c in line), "chunks": chunks})
    return out


def _rows_joined(lines: list[dict]) -> list[dict]:
    """Lines of a table printed without lines, each row on one line.  A line
    right below a row (of figures, or of several column headers) whose every
    run lies under a run of that row holds the wrapped rest of those labels
    (Word sets a cell's text from the top): each run is appended to the run
    above it.  A row broken by the page end continues on the next page's
    first lines.  ``lines`` carry ``page``; runs are in ``chunks``."""
    out: list[dict] = []
    for ln in lines:
        prev = out[-1] if out else None
        numbers = [c for c in ln["chunks"] if _NUMBER.match(c[0])]
        if prev is not None and not numbers and not _HEADING.match(ln["text"]) and _continues(prev, ln):
            targets = []
            for text, x0, x1 in ln["chunks"]:
                above = [c for c in prev["chunks"] if not _NUMBER.match(c[0]) and c[1] - 2 <= (x0 + x1) / 2 <= c[2] + 2]
                if not above:
                    break
                targets.append((above[0], text))
            else:
                for chunk, text in targets:
                    chunk[0] += text
                prev.update(bottom=ln["bottom"], page_end=ln.get("page_end"), last_page=ln["page"],
                            text=" ".join(c[0] for c in prev["chunks"]))
                continue
        out.append(dict(ln, chunks=[list(c) for c in ln["chunks"]],
                        row=len(numbers) >= 2 or len(ln["chunks"]) - len(numbers) >= 2))
    return out


def _continues(prev: dict, ln: dict) -> bool:
    """Whether ``ln`` may hold the wrapped rest of the row ``prev``."""
    if not prev.get("row"):
        return False
    if ln["page"] == prev.get("last_page", prev["page"]):
        return ln["top"] - prev["bottom"] < 1.5 * (ln["bottom"] - ln["top"])
    return bool(prev.get("page_end")) and bool(ln.get("page_start"))


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


def _piece(cells: list[tuple], texts: list[str], page: int, tops: list[float]) -> _Piece:
    xs = _edges([b[0] for b in cells] + [b[2] for b in cells])
    ys = _edges([b[1] for b in cells] + [b[3] for b in cells])
    piece = _Piece(page, ys[0], ys[-1], max(1, len(xs) - 1))
    by_row: dict[int, list[tuple[int, int, int, str, int]]] = {}
    for box, text in zip(cells, texts):
        c1, c2 = _index(xs, box[0]), _index(xs, box[2])
        r1, r2 = _index(ys, box[1]), _index(ys, box[3])
        if c2 <= c1 or r2 <= r1:
            continue
        by_row.setdefault(r1, []).append((c1, r2 - r1, c2 - c1, (text or "").replace("\r", ""), _line_of(tops, box[1])))
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


def _texts(row: list[tuple]) -> list[tuple[int, str]]:
    return [(c, re.sub(r"\s+", "", t)) for c, _, _, t, _ in row]


def _join_broken_row(before: _Piece, after: _Piece) -> None:
    """``after`` continues ``before`` on the next page.  Header rows repeated
    at its top are dropped; then a row broken by the page end -- the first
    row of ``after`` holding only the rest of some labels, in columns where
    ``before``'s last row has a label (never a number) -- is appended to
    those labels and dropped."""
    if not after.rows or not before.rows:
        return
    repeated = 0
    while (repeated < len(after.rows) and repeated < len(before.rows)
           and _texts(after.rows[repeated]) == _texts(before.rows[repeated])
           and not any(_NUMBER.match(t) for _, t in _texts(after.rows[repeated]) if t)):
        repeated += 1
    if repeated:
        spill = [(c, rs - (repeated - r), cs, t, line) for r in range(repeated)
                 for c, rs, cs, t, line in after.rows[r] if r + rs > repeated]
        after.rows = after.rows[repeated:]
        if after.rows:
            after.rows[0] = sorted(after.rows[0] + spill)
    if not after.rows:
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
    targets = {c: ends.get(c) for c, _, _, t, _ in first if t.strip()}
    if any(at is None or _NUMBER.match(before.rows[at[0]][at[1]][3].strip()) for at in targets.values()):
        return  # not the rest of labels: leave both rows as they are
    for c, _, _, text, _ in first:
        if text.strip():
            r, i = targets[c]
            cc, rs, cs, t, line = before.rows[r][i]
            before.rows[r][i] = (cc, rs, cs, t + text, line)
    moved = [(c, rs - 1, cs, t, line) for c, rs, cs, t, line in first if rs > 1]  # cells spanning on down
    after.rows = after.rows[1:]
    if after.rows:
        after.rows[0] = sorted(after.rows[0] + moved)


def _paragraphs(lines: list[dict]) -> list[tuple[str, Origin]]:
    """Text lines outside the tables joined into paragraphs, across pages too:
    a line short of the right margin ends a paragraph; an indented line or a
    heading (“二、”, “（一）”) starts one."""
    out: list[tuple[str, Origin]] = []
    current = ""
    origin = None
    for ln in lines:
        text = ln["text"].strip()
        char = max(ln["bottom"] - ln["top"], 6.0)
        if current and (ln["x0"] > ln["left"] + 1.5 * char or _HEADING.match(text)):
            out.append((current, origin))
            current = ""
        if not current:
            origin = Origin(page=ln["page"], line=ln["line"])
        current += text
        if ln["x1"] < ln["right"] - 2 * char:
            out.append((current, origin))
            current = ""
    if current:
        out.append((current, origin))
    return out
