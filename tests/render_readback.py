"""Reading rendered reports back, independently of the renderer.

A table is read as a grid of merged cells (python-docx for DOCX, lxml with
rowspan/colspan expanded for HTML).  Each figure is then named by the labels
around it — the block title above, the row labels to its left, the column
labels above it — and compared with the edition's own labels of that cell
(``CellSpec.labels``).  Nothing here uses the renderer's layout or model.
"""

from __future__ import annotations

import re
from decimal import Decimal

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

Grid = list[list[tuple[object, str]]]  # rows of (cell identity, text)


def docx_grids(path) -> list[Grid]:
    import docx

    doc = docx.Document(str(path))
    grids = []
    for table in doc.tables:
        grid = []
        for row in table.rows:
            grid.append([(cell._tc, cell.text.strip()) for cell in row.cells])
        grids.append(grid)
    return grids


def html_grids(path) -> list[Grid]:
    import lxml.html

    root = lxml.html.parse(str(path)).getroot()
    grids = []
    for table in root.iter("table"):
        rows = table.xpath("./thead/tr | ./tbody/tr | ./tr")
        grid: dict[tuple[int, int], tuple[object, str]] = {}
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if cell.tag not in ("th", "td"):
                    continue
                while (r, c) in grid:
                    c += 1
                rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = (cell, cell.text_content().strip())
                c += cs
        n_rows = max(r for r, _ in grid) + 1
        n_cols = max(c for _, c in grid) + 1
        grids.append([[grid.get((r, c), (None, "")) for c in range(n_cols)] for r in range(n_rows)])
    return grids


def _distinct(cells: list[tuple[object, str]]) -> list[str]:
    out, seen = [], []
    for ident, text in cells:
        if any(ident is s for s in seen):
            continue
        seen.append(ident)
        if text and not NUMBER.match(text):
            out.append(text)
    return out


def figures_by_labels(grid: Grid) -> dict[tuple[str, ...], str]:
    """Every figure of a table keyed by the labels that name it."""
    width = len(grid[0])
    out: dict[tuple[str, ...], str] = {}
    block_title: list[str] = []
    block_start = 0
    seen: list[object] = []
    for i, row in enumerate(grid):
        if all(ident is row[0][0] for ident, _ in row) and not NUMBER.match(row[0][1]):
            block_title, block_start = [row[0][1]], i + 1  # a title row across the whole table
            continue
        for j in range(width):
            ident, text = row[j]
            if not NUMBER.match(text) or any(ident is s for s in seen):
                continue
            seen.append(ident)
            row_labels = _distinct([row[c] for c in range(j) if not NUMBER.match(row[c][1])])
            col_labels = _distinct([grid[k][j] for k in range(block_start, i)])
            labels = tuple(block_title + row_labels + col_labels)
            assert labels not in out, f"two figures named {labels}"
            out[labels] = text
    return out


def expected_figures(edition, values: dict[str, Decimal], fee_decimals: int, table_key: str) -> dict:
    """The edition's labels of every cell of a table and the figure it must show."""
    out = {}
    for cell in edition.cells_of(table_key):
        v = values[cell.key]
        places = edition.decimals(cell.value_type, fee_decimals)
        out[cell.labels] = f"{v:.{places}f}" if places else str(int(v))
    return out
