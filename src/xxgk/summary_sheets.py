"""The extra sheets of a summary workbook: status (报送情况, opened first), detail
(分单位明细), findings (校验问题), charts (图表); their names are the edition's
``workbook.summary_sheets``.

Called by :func:`xxgk.writer.write_report` (``extra_sheets``) after the
standard sheets are written, so formulas here may point at the summary's
own tables.  Every column header is derived from the edition and the
layout; every string that came from an input (unit names, file names,
messages) is written with ``write_string`` so that "=…" stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from .catalog import finding_title
from .findings import severity_label
from .layout import a1, layouts, sheet_ref, wrapped_lines
from .spec import HEADER_COLUMNS, CellSpec, Edition
from .writer import PAGE_FOOTER, excel_number

__all__ = ["SummaryData", "add_summary_sheets", "detail_keys", "detail_labels", "DETAIL_UNITS_FROM", "status_line"]


@dataclass
class SummaryData:
    edition: Edition
    result: Any  # xxgk.consolidate.ConsolidationResult
    units: Sequence[tuple[str, str, tuple]]  # (unit, file, values in edition.cells order)
    fee_decimals: int | None = None


def add_summary_sheets(workbook, styles: Any, data: SummaryData) -> None:
    """Add the four sheets (``styles``, the writer's formats, are not needed)."""
    fmt = _Formats(workbook, data.edition, data.fee_decimals)
    _status_sheet(workbook, fmt, data)
    _detail_sheet(workbook, fmt, data)
    _findings_sheet(workbook, fmt, data)
    _charts_sheet(workbook, fmt, data)


class _Formats:
    def __init__(self, wb, ed: Edition, fee_decimals: int | None):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True,
                                   "bg_color": "#DDEBF7"})
        self.text = wb.add_format({**base, "border": 1})
        self.wrap = wb.add_format({**base, "border": 1, "text_wrap": True})
        self.note = wb.add_format({**base, "text_wrap": True, "italic": True})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.total_text = wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2"})
        self._num: dict[tuple[int, bool], Any] = {}
        self._wb, self._base = wb, base
        self.ed, self.fee_decimals = ed, fee_decimals

    def number(self, cell: CellSpec | None, total: bool = False):
        places = self.ed.decimals(cell.value_type, self.fee_decimals) if cell else 0
        key = (places, total)
        if key not in self._num:
            spec = {**self._base, "border": 1, "num_format": "0" + ("." + "0" * places if places else "")}
            if total:
                spec.update(bold=True, bg_color="#F2F2F2")
            self._num[key] = self._wb.add_format(spec)
        return self._num[key]


def _columns(ed: Edition) -> list[CellSpec]:
    return [c for c in ed.cells.values() if c.is_input]


def detail_labels(cell: CellSpec) -> tuple[str, str, str]:
    """The labels of a cell's row in 分单位明细: table sheet, row, column."""
    return cell.table.sheet, cell.row_label or cell.block.title or "", cell.col_label


def detail_keys(ed: Edition) -> dict[tuple[str, str, str], str]:
    """Cell key of each row of 分单位明细, by its labels (how a summary is verified)."""
    return {detail_labels(c): c.key for c in _columns(ed)}


# -- 分单位明细 -------------------------------------------------------------------

_LABEL_COLUMNS = HEADER_COLUMNS["detail"]  # table, row, column (workbook.headers.detail), then the totals (workbook.labels.total)
DETAIL_UNITS_FROM = _LABEL_COLUMNS + 1  # first column of the units in 分单位明细 (after the totals)
_LABEL_WIDTHS = (6, 36, 26, 11)
_UNIT_WIDTH = 10
# Landscape A4 at 100 %, in Excel character units; narrower than this/_MIN_SCALE
# (the label columns and up to ~17 units) is printed one page wide.
_PAGE_CHARS, _MIN_SCALE = 146, 0.6
LINE_PT = 12.5  # one line of 10-point text


def _lines(text: str, width: float) -> int:
    """Lines of 10-point text in a column ``width`` units (of the 11-point default font) wide."""
    return wrapped_lines(text, width * 1.1)


def _add_streamed_sheet(wb, name: str):
    """A worksheet in xlsxwriter's constant-memory mode, this sheet only.

    分单位明细 is as wide as the number of units; in this mode each row goes
    to a temporary file as soon as the next one starts, so the memory used
    does not grow with the number of units.  Rows must be written top to bottom.
    """
    saved = wb.constant_memory
    wb.constant_memory = True
    try:
        return wb.add_worksheet(name)
    finally:
        wb.constant_memory = saved


def _detail_sheet(wb, fmt: _Formats, data: SummaryData) -> None:
    """One row per input cell (table, row, column labels), its total, and one
    column per unit included: it prints one page wide with the unit names
    repeated on every page, and filters by table, row or column."""
    ed = data.edition
    ws = _add_streamed_sheet(wb, ed.summary_sheets["detail"])
    index = {k: i for i, k in enumerate(ed.cells)}
    head = (*ed.headers["detail"], ed.workbook_labels["total"])
    left = len(head)
    units = list(data.units)
    last_col = left + len(units) - 1
    for c, width in enumerate(_LABEL_WIDTHS):
        ws.set_column(c, c, width)
    if units:
        ws.set_column(left, last_col, _UNIT_WIDTH)
    head_lines = max([_lines(u, _UNIT_WIDTH) for u, _, _ in units] or [1])
    ws.set_row(0, 4 + LINE_PT * min(head_lines, 6))
    for c, text in enumerate(head):
        ws.write_string(0, c, text, fmt.head)
    for c, (unit, _file, _values) in enumerate(units, start=left):
        ws.write_string(0, c, unit, fmt.head)
    r = 0
    for r, cell in enumerate(_columns(ed), start=1):
        _sheet, row_label, _col = detail_labels(cell)
        lines = max(_lines(row_label, _LABEL_WIDTHS[1]), _lines(cell.col_label, _LABEL_WIDTHS[2]))
        ws.set_row(r, 4 + LINE_PT * lines)  # before the row's cells: rows go to disk in order
        ws.write_string(r, 0, cell.table.sheet, fmt.wrap)
        ws.write_string(r, 1, row_label, fmt.wrap)
        ws.write_string(r, 2, cell.col_label, fmt.wrap)
        i = index[cell.key]
        cached = sum((Decimal(v[i]) for _, _, v in units), Decimal(0))
        formula = f"=SUM({a1(r, left)}:{a1(r, last_col)})" if units else "=0"
        ws.write_formula(r, left - 1, formula, fmt.number(cell, total=True), excel_number(cached))
        for c, (_unit, _file, values) in enumerate(units, start=left):
            ws.write_number(r, c, excel_number(values[i]), fmt.number(cell))
    ws.autofilter(0, 0, max(r, 1), max(last_col, left - 1))
    ws.freeze_panes(1, left)
    chars = sum(_LABEL_WIDTHS) + _UNIT_WIDTH * len(units)
    wide = chars > _PAGE_CHARS / _MIN_SCALE
    # a few units: portrait holds more rows a page (A4 portrait is ~0.68 of landscape's width)
    _print_setup(ws, 0, fit_width=not wide, repeat_cols=left if wide else 0,
                 landscape=chars > 0.68 * _PAGE_CHARS / 0.8)


# -- 校验问题 ------------------------------------------------------------------------

_FINDING_WIDTHS = (22, 7, 24, 16, 60, 22)


def _findings_sheet(wb, fmt: _Formats, data: SummaryData) -> None:
    res, ed = data.result, data.edition
    ws = wb.add_worksheet(ed.summary_sheets["findings"])
    rows = [(u, f, x) for u, f, x in res.unit_findings]
    own = ed.workbook_labels["summary_row"].format(name=res.name)
    rows += [(own, res.out.name, x) for x in res.summary_findings]
    _table(ws, fmt, ed.headers["findings"], _FINDING_WIDTHS,
           ([u, severity_label(x.severity), finding_title(x, ed), x.where, x.message, file] for u, file, x in rows))


def _table(ws, fmt: _Formats, head: Sequence[str], widths: Sequence[int], rows, top: int = 0) -> int:
    """A plain filterable table of strings and numbers, text wrapped and rows
    as tall as their longest cell (so nothing overprints); returns the last row."""
    for c, (text, width) in enumerate(zip(head, widths)):
        ws.write_string(top, c, text, fmt.head)
        ws.set_column(c, c, width)
    ws.set_row(top, 4 + LINE_PT * max(_lines(t, w) for t, w in zip(head, widths)))
    r = top
    for r, row in enumerate(rows, start=top + 1):
        lines = 1
        for c, v in enumerate(row):
            if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                ws.write_number(r, c, excel_number(v), fmt.number(None))
            else:
                text = "" if v is None else str(v)
                ws.write_string(r, c, text, fmt.wrap)
                lines = max(lines, _lines(text, widths[c]))
        ws.set_row(r, 4 + LINE_PT * lines)
    ws.autofilter(top, 0, max(r, top), len(head) - 1)
    ws.freeze_panes(top + 1, 0)
    _print_setup(ws, top, fit_width=True)
    return r


def _print_setup(ws, header_row: int, *, fit_width: bool, repeat_cols: int = 0, landscape: bool = True) -> None:
    """A4 (landscape unless told), header rows (and label columns) repeated on
    every page, the sheet's name and the page number in the footer."""
    ws.set_paper(9)
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(PAGE_FOOTER)
    ws.repeat_rows(0, header_row)
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    if fit_width:
        ws.fit_to_pages(1, 0)


# -- 报送情况 --------------------------------------------------------------------------

_STATUS_WIDTHS = (5, 24, 10, 14, 13, 30, 6, 6, 6, 40)


def status_line(res, ed: Edition | None = None) -> str:
    """The line above 报送情况: how many units were summed, and only what is true
    of this batch (units left out for errors or doubtful figures, units that
    sent a blank workbook or nothing).  ``ed``: the summary's edition (else
    the one ``res`` names)."""
    from .consolidate import HELD_BACK, MISSING, NOT_FILLED
    from .spec import load_edition

    ed = ed or load_edition(res.edition)

    text = ed.workbook_texts
    parts = [text["status_summed"].format(name=res.name, year=res.year or "", n=res.included)]
    if res.include_errors and res.included_with_errors:
        parts.append(text["status_errors_included"].format(n=res.included_with_errors))
    if res.excluded_for_errors:
        parts.append(text["status_errors_excluded"].format(n=res.excluded_for_errors,
                                                           findings=ed.summary_sheets["findings"]))
    held = res.count(HELD_BACK, included=False)
    if held:
        parts.append(text["status_held"].format(n=held))
    if res.count(NOT_FILLED):
        parts.append(text["status_not_filled"].format(n=res.count(NOT_FILLED)))
    if any(s.on_roster is not None for s in res.statuses) and res.count(MISSING):
        parts.append(text["status_missing"].format(n=res.count(MISSING)))
    return "".join(parts)


def _status_sheet(wb, fmt: _Formats, data: SummaryData) -> None:
    res, ed = data.result, data.edition
    ws = wb.add_worksheet(ed.summary_sheets["status"])
    head = ed.headers["status"]
    ws.merge_range(0, 0, 0, len(head) - 1, "", fmt.note)
    line = status_line(res, data.edition)
    ws.write_string(0, 0, line, fmt.note)
    ws.set_row(0, 4 + LINE_PT * _lines(line, sum(_STATUS_WIDTHS)))
    yes, no = ed.workbook_labels["included"], ed.workbook_labels["excluded"]
    _table(ws, fmt, head, _STATUS_WIDTHS, (
        [i, s.name, s.code, s.unit_type, s.status, s.file, s.errors, s.warnings, yes if s.included else no, s.note]
        for i, s in enumerate(res.statuses, start=1)
    ), top=1)
    ws.activate()  # the summary opens on who was summed, not on the units' 填报说明


# -- 图表 --------------------------------------------------------------------------------


def _grand_total(ed: Edition) -> CellSpec | None:
    """The table cell that totals totals (a formula over formula cells)."""
    for cell in ed.cells.values():
        if cell.formula_terms and all(not ed.cells[k].is_input for k in cell.formula_terms):
            return cell
    return None


def _breakdown(ed: Edition, total: CellSpec) -> list[CellSpec]:
    """The items a grand total is the sum of along the rows (a formula rule
    whose target is the grand total, other than the one that computes it)."""
    for inst in ed.instances(kind="equation"):
        rhs = tuple(t.key for t in inst.rhs)
        if inst.rule.params.get("formula") and inst.lhs[0].key == total.key and rhs != total.formula_terms:
            return [ed.cells[k] for k in rhs]
    return []


def _first_row_cell(ed: Edition, total: CellSpec) -> CellSpec | None:
    """The first row of the grand total's block, in the grand total's column
    (table 3: 本年新收 … 总计)."""
    first = total.block.row_paths()[0]
    for cell in ed.cells.values():
        if cell.block is total.block and cell.row_path == first and cell.col_path == total.col_path:
            return cell
    return None


def _short(label: str, limit: int = 24) -> str:
    """A chart category: long official labels shortened so the bars keep room."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _ref(sheet: str, row: int, col: int) -> str:
    return sheet_ref(sheet) + a1(row, col, absolute=True)


def _item_groups(items: list[CellSpec]) -> list[tuple[str, list[CellSpec]]]:
    """Items grouped by their heading one level below what they all share
    (table 3: （一）予以公开 … （六）其他处理)."""
    paths = [c.row_path for c in items]
    depth = 0
    while all(len(p) > depth + 1 for p in paths) and len({p[depth] for p in paths}) == 1:
        depth += 1
    groups: dict[str, list[CellSpec]] = {}
    for cell in items:
        groups.setdefault(cell.row_path[depth].label, []).append(cell)
    return list(groups.items())


def _groups_pie(wb, ws, fmt: _Formats, data: SummaryData, items: list[CellSpec], lay, top: int) -> int:
    """A pie of the item groups, its data under the bar chart's; returns the last row."""
    groups = _item_groups(items)
    if len(groups) < 2:
        return top - 2
    text = data.edition.workbook_texts
    ws.write_string(top, 0, text["chart_groups_head"], fmt.head)
    ws.write_string(top, 1, data.edition.value_type(items[0]).label, fmt.head)
    for r, (label, cells) in enumerate(groups, start=top + 1):
        refs = [_ref(c.table.sheet, lay[c.table.key].cells[c.key].r1, lay[c.table.key].cells[c.key].c1) for c in cells]
        cached = sum((data.result.sums[c.key] for c in cells), Decimal(0))
        ws.write_string(r, 0, label, fmt.text)
        ws.write_formula(r, 1, "=" + "+".join(refs), fmt.number(cells[0]), excel_number(cached))
    last = top + len(groups)
    charts = data.edition.summary_sheets["charts"]
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({
        "name": text["chart_groups_series"],
        "categories": [charts, top + 1, 0, last, 0],
        "values": [charts, top + 1, 1, last, 1],
        "data_labels": {"percentage": True, "category": True, "leader_lines": True},
    })
    chart.set_title({"name": text["chart_groups"]})
    chart.set_size({"width": 620, "height": 420})
    ws.insert_chart(1, 17, chart)
    return last


def _charts_sheet(wb, fmt: _Formats, data: SummaryData) -> None:
    ed, res = data.edition, data.result
    ws = wb.add_worksheet(ed.summary_sheets["charts"])
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_footer(PAGE_FOOTER)
    ws.fit_to_pages(1, 0)  # charts are wide: print them one page wide
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 12)
    text = ed.workbook_texts
    total = _grand_total(ed)
    if total is None:
        ws.write_string(0, 0, text["chart_none"], fmt.note)
        return
    lay = layouts(ed)
    items = _breakdown(ed, total)
    ws.write_string(0, 0, text["chart_items_title"].format(table=total.table.title, column=total.col_label),
                    fmt.title)
    ws.write_string(1, 0, text["chart_items_head"], fmt.head)
    ws.write_string(1, 1, ed.value_type(total).label, fmt.head)
    for r, cell in enumerate(items, start=2):
        region = lay[cell.table.key].cells[cell.key]
        ws.write_string(r, 0, _short(cell.row_label), fmt.text)
        ws.write_formula(r, 1, "=" + _ref(cell.table.sheet, region.r1, region.c1), fmt.number(cell),
                         excel_number(res.sums[cell.key]))
    last = 1 + len(items)
    charts = ed.summary_sheets["charts"]
    if items:
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": ed.value_type(total).label,
            "categories": [charts, 2, 0, last, 0],
            "values": [charts, 2, 1, last, 1],
            "data_labels": {"value": True},
        })
        chart.set_title({"name": text["chart_items"].format(column=total.col_label)})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_size({"width": 820, "height": 620})
        ws.insert_chart(1, 3, chart)

    last = _groups_pie(wb, ws, fmt, data, items, lay, last + 2)
    per_unit = _first_row_cell(ed, total)
    if per_unit is None or not data.units:
        return
    top = max(last + 3, 34)
    ws.write_string(top, 0, text["chart_units_title"].format(row=per_unit.row_label, column=per_unit.col_label),
                    fmt.title)
    ws.write_string(top + 1, 0, text["chart_units_head"], fmt.head)
    ws.write_string(top + 1, 1, ed.value_type(per_unit).label, fmt.head)
    index = {k: i for i, k in enumerate(ed.cells)}
    for r, (unit, _file, values) in enumerate(data.units, start=top + 2):
        ws.write_string(r, 0, unit, fmt.text)
        ws.write_number(r, 1, excel_number(values[index[per_unit.key]]), fmt.number(per_unit))
    end = top + 1 + len(data.units)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": per_unit.row_label,
        "categories": [charts, top + 2, 0, end, 0],
        "values": [charts, top + 2, 1, end, 1],
    })
    chart.set_title({"name": text["chart_units"].format(row=per_unit.row_label)})
    chart.set_legend({"none": True})
    chart.set_size({"width": max(820, min(40 * len(data.units), 4000)), "height": 480})
    ws.insert_chart(top + 1, 3, chart)
