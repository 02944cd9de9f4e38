"""Word documents (.docx, from Word or WPS).

The body is walked in order: paragraphs become paragraphs of the
:class:`GridBook`, tables become its tables.  Merged cells are read from the
table XML itself: ``w:gridSpan`` (columns) and ``w:vMerge`` (rows: a
``restart`` cell spans the ``continue`` cells below it in the same grid
column), ``w:gridBefore`` leaves grid columns empty at the start of a row.
A table the writer split into several tables (a page break, a paragraph
between) is stacked below the previous one, so the reader finds its rows
wherever they continue; a ``continue`` cell with nothing to continue (the
first row of the second part) is an empty cell.
"""

from __future__ import annotations

from pathlib import Path

from ..spec import Edition
from ..submission import Origin, Submission, UnreadableFile
from .assemble import submission_from
from .grid import GridBook, GridCell

__all__ = ["read_docx"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_SPAN = 200


def read_docx(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read a Word document holding a report; UnreadableFile if it cannot be read or holds none."""
    body = _open_body(path)
    book = GridBook(path)
    paragraphs = 0
    tables = 0
    for el in _blocks(body):
        if el.tag == _W + "p":
            text = _paragraph_text(el)
            paragraphs += 1
            if text.strip():
                book.add_paragraph(text, Origin(line=paragraphs))
        else:
            tables += 1
            book.add_table(_table_rows(el), table_no=tables)
    return submission_from(book, path, edition, "docx")


def _open_body(path: str | Path):
    import docx

    try:
        document = docx.Document(str(path))
        return document.element.body
    except Exception as exc:  # python-docx raises zip, XML and package errors of many kinds
        if isinstance(exc, OSError) and not isinstance(exc, ValueError) and getattr(exc, "strerror", None):
            raise UnreadableFile(path, f"无法打开文件：{exc.strerror}") from None
        raise UnreadableFile(path, "Word 文档已损坏或不完整（可能没有下载完），无法读取；请重新下载，"
                                   "或在 Word/WPS 中打开后另存为 .docx 再试", code="file-corrupt") from None


def _blocks(body):
    """Paragraphs and tables of the body in document order (content controls
    opened).  A table holding other tables only lays out the page (the whole
    report put in a frame): its cells' paragraphs and tables are taken instead."""
    stack = list(reversed(list(body)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == _W + "tbl" and el.find(".//" + _W + "tbl") is not None:
            inner = [child for tr in _children(el, "tr") for tc in _children(tr, "tc") for child in tc]
            stack.extend(reversed(inner))
        elif tag in (_W + "p", _W + "tbl"):
            yield el
        elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins"):
            stack.extend(reversed(list(el)))


def _paragraph_text(p) -> str:
    out = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if el.tag == _W + "t":
            out.append(el.text or "")
        elif el.tag == _W + "tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _int(el, name: str, default: int) -> int:
    if el is None:
        return default
    value = el.get(_W + "val")
    try:
        return min(max(int(value), 0), MAX_SPAN) if value is not None else default
    except ValueError:
        return default


def _children(el, name: str):
    """Direct children ``name``, also inside content controls."""
    out = []
    for child in el:
        if child.tag == _W + name:
            out.append(child)
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            out.extend(_children(child, name))
    return out


def _table_rows(tbl) -> list[list[GridCell]]:
    """Rows of cells with spans; ``w:vMerge`` continuations folded into rowspans."""
    grid: list[list[tuple[int, int, str, str]]] = []  # per row: (grid col, colspan, merge, text)
    for tr in _children(tbl, "tr"):
        trpr = tr.find(_W + "trPr")
        col = _int(trpr.find(_W + "gridBefore") if trpr is not None else None, "gridBefore", 0)
        row = [(0, col, "", "")] if col else []
        for tc in _children(tr, "tc"):
            tcpr = tc.find(_W + "tcPr")
            span = max(1, _int(tcpr.find(_W + "gridSpan") if tcpr is not None else None, "gridSpan", 1))
            vm = tcpr.find(_W + "vMerge") if tcpr is not None else None
            merge = "" if vm is None else ("restart" if vm.get(_W + "val") == "restart" else "continue")
            text = "\n".join(_paragraph_text(p) for p in _children(tc, "p"))
            row.append((col, span, merge, text))
            col += span
        grid.append(row)
    starts = [{c: m for c, _, m, _ in row} for row in grid]
    rows: list[list[GridCell]] = []
    for r, row in enumerate(grid):
        cells = []
        for c, span, merge, text in row:
            if merge == "continue" and r > 0 and starts[r - 1].get(c) in ("restart", "continue", "covered"):
                starts[r][c] = "covered"
                continue
            rowspan = 1
            if merge:  # a restart, or a continuation with nothing above to continue
                while r + rowspan < len(grid) and starts[r + rowspan].get(c) == "continue":
                    rowspan += 1
            cells.append(GridCell(text, rowspan, span))
        rows.append(cells)
    return rows
