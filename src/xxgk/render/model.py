"""The published report as data, derived from the edition and a checked report.

:func:`build_report` turns a read and checked workbook into a :class:`Report`:
the title, the opening paragraph, the six sections in the official order
(prose from 文字部分, tables laid out by :mod:`xxgk.layout` from the
edition's header trees), the unit and the date.  The DOCX and HTML writers
only draw this model; neither knows a label, a row or a column.

Figures are the checker's: totals recomputed from their items, blank cells
as 0, the fee with the workbook's number of decimals.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from .. import layout as L
from ..checker import CheckResult, _same_unit, check_submission, previous_values
from ..values import format_decimal
from ..spec import Edition, ProseSection, Table, load_edition
from ..submission import Submission
from . import texts

__all__ = ["GridCell", "TableModel", "Section", "Report", "build_report", "format_value", "column_widths"]


@dataclass
class GridCell:
    """One cell of a rendered table: a header label or a figure."""

    text: str
    row: int  # first grid row (0-based within the table)
    col: int  # first grid column
    rowspan: int = 1
    colspan: int = 1
    kind: str = "number"  # title, corner, note, col, row, group, number
    key: str | None = None  # cell key of a figure
    vertical: bool = False  # written top to bottom (三、本年度办理结果)

    @property
    def is_header(self) -> bool:
        return self.kind not in ("number", "note")

    @property
    def scope(self) -> str | None:
        """HTML ``scope`` of a header cell."""
        if self.kind in ("col", "corner", "title"):
            return "colgroup" if self.colspan > 1 else "col"
        if self.kind == "row":
            return "row"
        if self.kind == "group":
            return "rowgroup"
        return None


@dataclass
class TableModel:
    key: str
    number: str
    title: str
    n_cols: int
    rows: list[list[GridCell]]  # cells starting in each grid row, left to right
    header_rows: int  # leading rows to repeat on every page
    weights: list[float]  # relative width of each grid column (layout units)
    label_cols: int  # columns of row labels on the left
    vertical_cols: frozenset[int] = frozenset()
    landscape: bool = False

    def cells(self) -> list[GridCell]:
        return [c for row in self.rows for c in row]

    def covering(self) -> list[list[GridCell | None]]:
        """For each grid position, the cell covering it (a merged cell repeats)."""
        grid: list[list[GridCell | None]] = [[None] * self.n_cols for _ in self.rows]
        for cell in self.cells():
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = cell
        return grid


@dataclass
class Section:
    number: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: TableModel | None = None
    draft_mark: str | None = None  # a drafted text the office must edit


@dataclass
class Report:
    edition: Edition
    title: str
    unit: str
    year: object
    opening: str
    sections: list[Section]
    date: str
    stamp: str | None = None  # 草稿（未通过校验） on every page
    kind: str = "unit"
    values: dict[str, Decimal] = field(default_factory=dict)
    source: str = ""


# -- figures --------------------------------------------------------------------------


def format_value(edition: Edition, key: str, value: Decimal | None, fee_decimals: int | None) -> str:
    """A figure as published: counts as whole numbers, amounts with the workbook's decimals."""
    v = Decimal(0) if value is None else Decimal(value)
    decimals = edition.decimals(edition.cells[key].value_type, fee_decimals)
    return format_decimal(v, decimals)


# -- tables ---------------------------------------------------------------------------

_ROLE_KIND = {"block_title": "title", "corner": "corner", "col_header": "col", "row_header": "row",
              "row_group": "group"}


def table_model(edition: Edition, table: Table, values: Mapping[str, Decimal],
                fee_decimals: int | None) -> TableModel:
    """A table as grid rows of cells, from the layout every other stage uses."""
    frame = _frame(edition, table)
    rows = [list(r) for r in frame.rows]
    for key, (r, c, span) in frame.figures.items():
        text = format_value(edition, key, values.get(key), fee_decimals)
        rows[r].append(GridCell(text, r, c, 1, span, "number", key))
    for row in rows:
        row.sort(key=lambda cell: cell.col)
    return TableModel(key=table.key, number=table.number, title=table.title, n_cols=frame.n_cols, rows=rows,
                      header_rows=frame.header_rows, weights=frame.weights, label_cols=frame.label_cols,
                      vertical_cols=frame.vertical_cols, landscape=table.orientation == "landscape")


@dataclass
class _Frame:
    """A table's labels and where its figures go (the same for every report)."""

    rows: list[list[GridCell]]
    figures: dict[str, tuple[int, int, int]]  # key -> (row, col, colspan)
    n_cols: int
    header_rows: int
    weights: list[float]
    label_cols: int
    vertical_cols: frozenset[int]


_FRAMES: dict[tuple[int, str], _Frame] = {}


def _frame(edition: Edition, table: Table) -> _Frame:
    cached = _FRAMES.get((id(edition), table.key))
    if cached is not None:
        return cached
    lay = L.layouts(edition)[table.key]
    top = lay.top
    row_headers = {b.row_header for b in table.blocks if b.row_header}
    rows: list[list[GridCell]] = [[] for _ in range(lay.bottom - top + 1)]
    for reg in lay.labels:
        kind = _ROLE_KIND[reg.role]
        if kind == "corner" and reg.text not in row_headers:
            kind = "note"  # table 3's 勾稽 note sits in the corner
        cell = GridCell(reg.text, reg.r1 - top, reg.c1, reg.r2 - reg.r1 + 1, reg.c2 - reg.c1 + 1, kind)
        # an outermost row group written top to bottom, as the format shows it
        cell.vertical = kind == "group" and reg.c1 == 0 and cell.colspan == 1
        rows[cell.row].append(cell)
    figures = {key: (reg.r1 - top, reg.c1, reg.c2 - reg.c1 + 1) for key, reg in lay.cells.items()}
    frame = _Frame(
        rows=rows, figures=figures, n_cols=lay.width,
        header_rows=lay.header_rows[1] - top + 1 if lay.header_rows else 0,
        weights=list(lay.col_widths),
        label_cols=min((reg.c1 for reg in lay.cells.values()), default=0),
        vertical_cols=frozenset(c.col for row in rows for c in row if c.vertical),
    )
    _FRAMES[(id(edition), table.key)] = frame
    return frame


def column_widths(table: TableModel, total: float, font_pt: float) -> list[float]:
    """Widths of the grid columns (same unit as ``total``, in points of ``font_pt``):
    proportional to the layout, but a figure column holds three characters of
    header text and a vertical column one, taken from the label columns."""
    weights = [1.0 if c in table.vertical_cols else w for c, w in enumerate(table.weights)]
    widths = [total * w / sum(weights) for w in weights]
    minimum = {c: (1.8 if c in table.vertical_cols else 3.6) * font_pt for c in range(table.n_cols)
               if c >= table.label_cols or c in table.vertical_cols}
    deficit = sum(max(0.0, minimum[c] - widths[c]) for c in minimum)
    donors = [c for c in range(table.n_cols) if c not in minimum]
    if deficit and donors:
        spare = sum(widths[c] for c in donors)
        for c in minimum:
            widths[c] = max(widths[c], minimum[c])
        for c in donors:
            widths[c] -= deficit * widths[c] / spare
    scale = total / sum(widths)
    return [w * scale for w in widths]


# -- report ---------------------------------------------------------------------------


def paragraphs(text: str | None) -> list[str]:
    """Prose as paragraphs: one per non-empty line."""
    return [line.strip() for line in re.split(r"[\r\n]+", text or "") if line.strip()]


def build_report(
    sub: Submission,
    result: CheckResult | None = None,
    *,
    edition: Edition | str | None = None,
    previous: Submission | None = None,
    date: _dt.date | str | None = None,
) -> Report:
    """The report to publish for one read workbook (unit or district summary).

    ``result`` is the check of ``sub`` (made here when not given); a report
    with errors gets the draft stamp.  ``previous`` (last year's report)
    words the change from last year in a summary's drafted paragraph.
    """
    ed = edition if isinstance(edition, Edition) else load_edition(edition or sub.edition or "2021")
    if result is None:
        result = check_submission(sub, ed, previous=previous)
    values = dict(result.values)
    unit = (sub.unit or sub.info.get("unit") or "").strip()
    year = sub.year if sub.year is not None else sub.info.get("year", "")
    fee_decimals = sub.fee_decimals
    fields = {"unit": unit, "year": year, "name": ed.name, "document": ed.document,
              "sections": "、".join(texts.section_titles(ed))}
    sections: list[Section] = []
    for obj, title in texts.ordered_sections(ed):
        if isinstance(obj, ProseSection):
            section = Section(obj.number, title, paragraphs(sub.prose.get(obj.key)))
            if sub.kind == "summary" and obj.key == _overview_key(ed) and not section.paragraphs:
                prev = previous_values(previous) if _same_unit(sub, previous) else None  # in its own edition
                section.paragraphs = [texts.draft_overview(ed, values, unit=unit, year=year, previous=prev)]
                section.draft_mark = texts.text(ed, "summary_draft", "mark")
            if not section.paragraphs:
                section.paragraphs = [texts.text(ed, "empty_section")]
            sections.append(section)
        else:
            sections.append(Section(obj.number, title, table=table_model(ed, obj, values, fee_decimals)))
    return Report(
        edition=ed,
        title=ed.title_for(unit, year),
        unit=unit,
        year=year,
        opening=texts.fill(texts.text(ed, "opening"), fields),
        sections=sections,
        date=texts.format_date(ed, date if date is not None else sub.info.get("date")),
        stamp=texts.text(ed, "draft_stamp") if result.errors else None,
        kind=sub.kind,
        values=values,
        source=sub.path,
    )


def _overview_key(ed: Edition) -> str:
    """The prose section the summary draft fills: the first one (总体情况)."""
    return ed.prose_sections[0].key
