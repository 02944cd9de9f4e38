"""Published reports made from known figures, for the tests of xxgk.published.

The report's tables are laid out as a government site or a Word document
prints them: the official header trees with merged cells (rowspan/colspan),
built from the edition's layout; a figure of ``values`` in each number cell.
Front-end tests turn these rows into HTML pages, DOCX and PDF.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Mapping

from xxgk import load_edition
from xxgk.layout import layouts
from xxgk.published.grid import GridCell
from xxgk.spec import Edition
from xxgk.synth import consistent_inputs

ED: Edition = load_edition("2021")
UNIT = "青溪区城关街道办事处"
YEAR = 2023


def consistent(seed: int, ed: Edition = ED) -> dict[str, Decimal]:
    """Every cell's figure (inputs and totals) of a consistent report."""
    return ed.compute(consistent_inputs(ed, random.Random(seed)))


def number_text(value: Decimal) -> str:
    return format(value, "f")


def official_tables(values: Mapping[str, Decimal], ed: Edition = ED, *,
                    split: Mapping[str, int] | None = None) -> list[tuple[str, list[list[list[GridCell]]]]]:
    """(section title, pieces) for each table of the edition; a piece is rows
    of cells with spans.  ``split``: table key -> row at which the table is
    broken in two (as Word or a page break does: a cell spanning the break
    is cut, its text stays in the first piece, the second piece gets an
    empty cell)."""
    out = []
    for lay in layouts(ed).values():
        regions = [(reg.r1, reg.c1, reg.r2, reg.c2, reg.text) for reg in lay.labels if reg.role != "block_title"]
        regions += [(reg.r1, reg.c1, reg.r2, reg.c2, number_text(values[key])) for key, reg in lay.cells.items()]
        top = min(r[0] for r in regions)
        at = (split or {}).get(lay.table.key)
        bounds = [(top, lay.bottom)] if at is None else [(top, top + at - 1), (top + at, lay.bottom)]
        out.append((lay.table.title, [_rows(regions, lo, hi, lay.width) for lo, hi in bounds]))
    return out


def _rows(regions, lo: int, hi: int, width: int) -> list[list[GridCell]]:
    """The rows lo..hi of a table given by regions (r1, c1, r2, c2, text), spans clipped."""
    starts = {}
    for r1, c1, r2, c2, text in regions:
        if r2 < lo or r1 > hi:
            continue
        first = max(r1, lo)
        starts[(first, c1)] = (min(r2, hi) - first + 1, c2 - c1 + 1, text if first == r1 else "")
    covered = {(r, c) for (r1, c1), (rs, cs, _) in starts.items() for r in range(r1, r1 + rs) for c in range(c1, c1 + cs)}
    rows = []
    for r in range(lo, hi + 1):
        row = []
        for c in range(width):
            if (r, c) in starts:
                rs, cs, text = starts[(r, c)]
                row.append(GridCell(text, rs, cs))
            elif (r, c) not in covered:
                row.append(GridCell(""))
        rows.append(row)
    return rows


def title(unit: str = UNIT, year: int = YEAR, ed: Edition = ED) -> str:
    return ed.title_for(unit, year)
