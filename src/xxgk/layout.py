"""Where every label and number cell of a table sheet goes.

The layout is computed from the edition's header trees, never written by
hand: a leaf column or row that is shallower than its neighbours spans the
remaining header levels, a group spans its leaves, and a block with fewer
number columns than the widest block stretches its last column.  The
template writer, the summary writer, the reader (as a fallback when defined
names are missing) and the annotator all use this one layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import Block, Edition, Node, Table, cell_key

__all__ = ["Region", "TableLayout", "table_layout", "a1", "col_letter", "sheet_ref"]

# Fixed rows above every table on its sheet.
TITLE_ROW = 0  # e.g. 三、收到和处理政府信息公开申请情况
UNIT_ROW = 1  # 填报单位 / 报告年度
STATUS_ROW = 2  # live overall check status
TABLE_TOP = 3


def col_letter(col: int) -> str:
    """0-based column index to Excel letters."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def a1(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) to an A1 reference."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def sheet_ref(sheet: str) -> str:
    """The sheet prefix of a reference from another sheet: ``'表三'!``."""
    return "'" + sheet.replace("'", "''") + "'!"


@dataclass(frozen=True)
class Region:
    """A rectangle on the sheet (0-based, inclusive) holding one text or value."""

    r1: int
    c1: int
    r2: int
    c2: int
    text: str = ""
    role: str = ""  # block_title, corner, col_header, row_header, cell

    @property
    def is_merged(self) -> bool:
        return (self.r1, self.c1) != (self.r2, self.c2)

    @property
    def ref(self) -> str:
        return a1(self.r1, self.c1)


@dataclass
class TableLayout:
    table: Table
    width: int
    labels: list[Region] = field(default_factory=list)  # every header text
    cells: dict[str, Region] = field(default_factory=dict)  # key -> number cell
    header_rows: tuple[int, int] | None = None  # rows to repeat when printing
    col_widths: list[float] = field(default_factory=list)
    tall_rows: dict[int, int] = field(default_factory=dict)  # row -> lines of text
    bottom: int = 0  # last row used by the table

    @property
    def top(self) -> int:
        return TABLE_TOP

    def address(self, key: str) -> str:
        return self.cells[key].ref


def text_width(text: str) -> float:
    """Approximate display width in Excel character units (CJK counts 2)."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` characters wide."""
    per_line = max(1, int(width - 1))
    return sum(max(1, -(-int(text_width(p)) // per_line)) for p in str(text).splitlines() or [""])


def _place_columns(block: Block, r0: int, c0: int, span_last_to: int, out: list[Region]) -> list[tuple[int, int]]:
    """Place the column header tree; return the (first, last) sheet column of each leaf."""
    depth = block.column_depth
    leaves = block.column_paths()
    spans: list[tuple[int, int]] = []
    for i in range(len(leaves)):
        c = c0 + i
        spans.append((c, span_last_to if i == len(leaves) - 1 else c))

    leaf_index = 0

    def walk(node: Node, level: int) -> tuple[int, int]:
        nonlocal leaf_index
        if node.is_leaf:
            first, last = spans[leaf_index]
            leaf_index += 1
            out.append(Region(r0 + level, first, r0 + depth - 1, last, node.label, "col_header"))
            return first, last
        firsts, lasts = zip(*(walk(ch, level + 1) for ch in node.children))
        out.append(Region(r0 + level, min(firsts), r0 + level, max(lasts), node.label, "col_header"))
        return min(firsts), max(lasts)

    for node in block.columns:
        walk(node, 0)
    return spans


def _place_rows(block: Block, r0: int, out: list[Region]) -> list[int]:
    """Place the row header tree; return the sheet row of each leaf."""
    depth = block.row_depth
    rows: list[int] = []

    def walk(node: Node, level: int) -> tuple[int, int]:
        if node.is_leaf:
            r = r0 + len(rows)
            rows.append(r)
            if depth:
                out.append(Region(r, level, r, depth - 1, node.label, "row_header"))
            return r, r
        firsts, lasts = zip(*(walk(ch, level + 1) for ch in node.children))
        out.append(Region(min(firsts), level, max(lasts), level, node.label, "row_group"))
        return min(firsts), max(lasts)

    for node in block.rows:
        walk(node, 0)
    return rows


def table_layout(edition: Edition, table: Table) -> TableLayout:
    """Compute the sheet layout of one table."""
    label_cols = max(b.row_depth for b in table.blocks)
    number_cols = max(len(b.column_paths()) for b in table.blocks)
    width = label_cols + number_cols
    lay = TableLayout(table, width)
    r = TABLE_TOP
    for block in table.blocks:
        if block.title:
            lay.labels.append(Region(r, 0, r, width - 1, block.title, "block_title"))
            r += 1
        depth = block.column_depth
        d = block.row_depth
        if d:
            corner = block.row_header or block.corner or ""
            lay.labels.append(Region(r, 0, r + depth - 1, label_cols - 1, corner, "corner"))
        spans = _place_columns(block, r, label_cols, width - 1, lay.labels)
        if lay.header_rows is None and len(table.blocks) == 1:
            lay.header_rows = (r, r + depth - 1)
        r += depth
        rows = _place_rows(block, r, lay.labels)
        for rp, row in zip(block.row_paths(), rows):
            for cp, (c1, c2) in zip(block.column_paths(), spans):
                key = cell_key(table, rp, cp)
                lay.cells[key] = Region(row, c1, row, c2, key, "cell")
        r += len(rows)
    lay.bottom = r - 1
    lay.col_widths = _column_widths(lay, label_cols)
    lay.tall_rows = _tall_rows(lay)
    return lay


def _column_widths(lay: TableLayout, label_cols: int) -> list[float]:
    widths = [0.0] * lay.width
    for reg in lay.labels:
        if reg.role in ("block_title", "corner") or not reg.text:
            continue
        ncols = reg.c2 - reg.c1 + 1
        if reg.role == "row_group":
            want = 7.0  # vertical group labels wrap in a narrow column
        elif reg.role == "row_header":
            want = min(text_width(reg.text), 44.0) / ncols
        else:  # column headers wrap onto at most three lines
            want = max(8.0, min(text_width(reg.text) / 2 + 1.0, 13.0)) / ncols
        for c in range(reg.c1, reg.c2 + 1):
            widths[c] = max(widths[c], want)
    return [round(max(w, 6.0), 1) for w in widths]


def _tall_rows(lay: TableLayout) -> dict[int, int]:
    """Rows whose labels need more than one line at the computed widths."""
    lines: dict[int, int] = {}
    for reg in lay.labels:
        if reg.r1 != reg.r2 or not reg.text:
            continue
        avail = sum(lay.col_widths[reg.c1 : reg.c2 + 1])
        need = int(text_width(reg.text) // max(avail - 1, 1)) + 1
        if need > 1:
            lines[reg.r1] = max(lines.get(reg.r1, 1), need)
    return lines


def layouts(edition: Edition) -> dict[str, TableLayout]:
    """Layouts of every table of an edition, by table key (cached)."""
    cache = _CACHE.get(id(edition))
    if cache is None:
        cache = {t.key: table_layout(edition, t) for t in edition.tables}
        _CACHE[id(edition)] = cache
    return cache


_CACHE: dict[int, dict[str, TableLayout]] = {}


def render_text(lay: TableLayout) -> str:
    """A rough text picture of a layout (for debugging and docs)."""
    grid: dict[tuple[int, int], str] = {}
    for reg in lay.labels:
        grid[(reg.r1, reg.c1)] = reg.text[:14] + ("*" if reg.is_merged else "")
    for key, reg in lay.cells.items():
        grid[(reg.r1, reg.c1)] = "[" + key.split(".")[-1][:8] + "]"
    lines = []
    for r in range(TABLE_TOP, lay.bottom + 1):
        lines.append(" | ".join(f"{grid.get((r, c), ''):16}" for c in range(lay.width)))
    return "\n".join(lines)
