"""Write a report workbook: the blank template, a filled sample or a summary.

Everything on the sheets is derived from the edition (tables, labels, value
types, rules, prose sections, info fields) and from :mod:`xxgk.layout`;
this module only decides how it looks.  The entry point is
:func:`write_report`.

Sheets, in order: 填报说明, 基本信息, one sheet per table, 文字部分, 校验,
any ``extra_sheets`` and the hidden metadata sheet ``_xxgk``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from . import layout as L
from .meta import META_SHEET, defined_name, meta_rows
from .spec import Edition, RuleInstance, SpecError, Term, load_edition, term_sum
from .values import format_decimal as fmt_number

__all__ = [
    "excel_number",
    "write_report",
    "Styles",
    "check_rows",
    "info_positions",
    "prose_positions",
]

# Words of the workbook's own user interface (sheet names, a check's 通过/不通过
# and the checks sheet's headers are in the edition: workbook.labels, workbook.headers).
# Printed footer: the sheet's name, so every page says which sheet it is.
PAGE_FOOTER = "&L&A&C第 &P 页，共 &N 页"
FIXED_DATE = _dt.datetime(2021, 1, 1)  # document properties: reproducible output

# Excel's limits for data-validation texts.
MAX_DV_TITLE, MAX_DV_MESSAGE = 32, 255

FONT, TITLE_FONT = "宋体", "黑体"
INPUT_FILL, FORMULA_FILL = "#FFF9DB", "#D9D9D9"
MARK_FILL, MARK_FONT = "#FFC7CE", "#9C0006"

# Row positions on the fixed-layout sheets (0-based).
INFO_TOP = 2  # first info field
PROSE_TOP = 2  # first prose section; each takes PROSE_ROWS rows
PROSE_ROWS = 4  # label, hint, input, spacer
CHECK_SUMMARY_ROW = 2  # count of failed checks
CHECK_BLANKS_ROW = 3  # count of blank input cells
CHECK_HEADER_ROW = 5
# Columns of the checks sheet (headers: the edition's workbook.headers.checks).
CHECK_LEFT_COL, CHECK_RIGHT_COL, CHECK_DIFF_COL, CHECK_STATUS_COL = 3, 4, 5, 6
CHECK_VALUE_COL = 3  # column of the two summary counts


# -- styles ----------------------------------------------------------------

_BASE = {"font_name": FONT, "font_size": 10.5, "valign": "vcenter", "font_charset": 134}
_BOX = {"border": 1, "text_wrap": True}
_STYLE_PROPS: dict[str, dict[str, Any]] = {
    "title": {"font_name": TITLE_FONT, "font_size": 14, "align": "center"},
    "subtitle": {"font_name": TITLE_FONT, "font_size": 12},
    "note": {"align": "left"},
    "status": {"align": "right", "font_size": 9, "font_color": "#595959"},
    "block_title": {**_BOX, "align": "center"},
    "corner": {**_BOX, "align": "left", "font_size": 9},
    "col_header": {**_BOX, "align": "center"},
    "row_header": {**_BOX, "align": "left"},
    "row_group": {**_BOX, "align": "center"},
    "text": {"text_wrap": True, "valign": "top"},
    "hint": {"text_wrap": True, "font_size": 9, "font_color": "#595959"},
    "label": {**_BOX, "align": "left", "bold": True},
    "head": {**_BOX, "align": "center", "bold": True, "bg_color": FORMULA_FILL},
    "cell": {**_BOX},
    "cell_centre": {**_BOX, "align": "center"},
    "calc": {**_BOX, "align": "center", "bg_color": FORMULA_FILL},
    "text_input": {**_BOX, "valign": "top", "locked": False, "bg_color": INPUT_FILL},
    "info_input": {**_BOX, "locked": False, "bg_color": INPUT_FILL, "num_format": "@"},
    "info_year": {**_BOX, "locked": False, "bg_color": INPUT_FILL, "align": "left"},
    "info_date": {**_BOX, "locked": False, "bg_color": INPUT_FILL, "align": "left",
                  "num_format": "yyyy-mm-dd"},
    "info_locked": {**_BOX, "bg_color": FORMULA_FILL, "num_format": "@"},
    "mark": {"bg_color": MARK_FILL, "font_color": MARK_FONT},
}


class Styles:
    """The workbook's cell formats, created once per workbook on first use.

    ``styles[name]`` for the named styles above; :meth:`number` for number
    cells.  Passed to ``extra_sheets`` so added sheets look the same.
    """

    def __init__(self, workbook: "xlsxwriter.Workbook") -> None:
        self.workbook = workbook
        self._cache: dict[Any, Any] = {}

    def _make(self, key: Any, props: Mapping[str, Any]) -> Any:
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self.workbook.add_format({**_BASE, **props})
        return fmt

    def __getitem__(self, name: str) -> Any:
        if name == "mark":  # conditional formats carry no font or alignment
            return self._cache.get(name) or self._cache.setdefault(
                name, self.workbook.add_format(_STYLE_PROPS[name]))
        return self._make(name, _STYLE_PROPS[name])

    def number(self, *, is_input: bool, decimals: int) -> Any:
        props = {**_BOX, "align": "center", "num_format": _num_format(decimals)}
        props.update({"locked": False, "bg_color": INPUT_FILL} if is_input else {"bg_color": FORMULA_FILL})
        return self._make(("number", is_input, decimals), props)


def _num_format(decimals: int) -> str:
    return "0." + "0" * decimals if decimals else "0"


# -- speed: the same formulas recur in every workbook ---------------------------


@functools.lru_cache(maxsize=8192)
def _prepared(formula: str, expand: bool) -> str:
    return Worksheet._prepare_formula(_NoFuture, formula, expand)  # type: ignore[arg-type]


class _NoFuture:
    use_future_functions = False


class _Sheet(Worksheet):
    """A worksheet that memoises xlsxwriter's (regex-heavy) formula preparation."""

    def _prepare_formula(self, formula, expand_future_functions=False):  # noqa: D401
        return _prepared(formula, bool(expand_future_functions))


def _add_sheet(wb: Any, name: str) -> Any:
    return wb.add_worksheet(name, worksheet_class=_Sheet)


# -- values ----------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    """The numeric value a SUM would see (text and blanks count as nothing)."""
    if value is None or isinstance(value, (str, bool, _dt.date)):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def excel_number(value: Decimal | int) -> int | float:
    """A value for write_number: whole numbers as int, others as float (Excel
    stores doubles; exact figures stay Decimal everywhere else)."""
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


@dataclass
class _Values:
    """Effective cell values: inputs, computed formula cells, overrides."""

    edition: Edition
    inputs: Mapping[str, Any]
    overrides: Mapping[str, Any]
    _memo: dict[str, Decimal] = field(default_factory=dict)

    def computed(self, key: str) -> Decimal:
        """Value of a formula cell's SUM, as a spreadsheet would compute it."""
        if key not in self._memo:
            self._memo[key] = self.edition.formula_value(key, lambda k: self.effective(k) or Decimal(0))
        return self._memo[key]

    def raw(self, key: str) -> Any:
        """What is written in the cell: an input, an override, or None for a formula."""
        if key in self.overrides:
            return self.overrides[key]
        return self.inputs.get(key) if self.edition.cells[key].is_input else None

    def effective(self, key: str) -> Decimal | None:
        if key in self.overrides or self.edition.cells[key].is_input:
            return _number(self.raw(key))
        return self.computed(key)

    def side(self, terms: Iterable[Term]) -> Decimal:
        return term_sum(terms, lambda t: self.effective(t.key) or Decimal(0))


def _check_keys(edition: Edition, values: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
    bad = [k for k in values if k not in edition.cells or not edition.cells[k].is_input]
    bad += [k for k in overrides if k not in edition.cells or edition.cells[k].is_input]
    if bad:
        raise KeyError(f"不是可填写的单元格（values）或公式单元格（overrides）：{', '.join(bad)}")


# -- references ------------------------------------------------------------


def _rects(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, col) cells with few rectangles (r1, c1, r2, c2)."""
    runs: list[tuple[int, int, int]] = []
    for r, c in sorted(set(cells)):
        if runs and runs[-1][0] == r and runs[-1][2] == c - 1:
            runs[-1] = (r, runs[-1][1], c)
        else:
            runs.append((r, c, c))
    rects: list[list[int]] = []
    last: dict[tuple[int, int], list[int]] = {}
    for r, c1, c2 in runs:
        rect = last.get((c1, c2))
        if rect is not None and rect[2] == r - 1:
            rect[2] = r
        else:
            rect = [r, c1, r, c2]
            rects.append(rect)
            last[(c1, c2)] = rect
    return [tuple(x) for x in rects]  # type: ignore[misc]


def _range(rect: tuple[int, int, int, int], absolute: bool = False) -> str:
    r1, c1, r2, c2 = rect
    first = L.a1(r1, c1, absolute)
    return first if (r1, c1) == (r2, c2) else f"{first}:{L.a1(r2, c2, absolute)}"


def _ranges(cells: Iterable[tuple[int, int]], prefix: str = "", absolute: bool = False) -> list[str]:
    return [prefix + _range(r, absolute) for r in _rects(cells)]


@dataclass
class _Book:
    """Where every number cell lives: sheet name and top-left (row, col)."""

    edition: Edition
    layouts: Mapping[str, L.TableLayout]

    def pos(self, key: str) -> tuple[str, int, int]:
        cell = self.edition.cells[key]
        reg = self.layouts[cell.table.key].cells[key]
        return cell.table.sheet, reg.r1, reg.c1

    def sum_formula(self, keys: Iterable[str], sign: int = 1, *, on_sheet: str | None = None,
                    absolute: bool = False) -> str:
        """``SUM(...)`` over keys; other sheets' cells get a sheet prefix."""
        by_sheet: dict[str, list[tuple[int, int]]] = {}
        for k in keys:
            sheet, r, c = self.pos(k)
            by_sheet.setdefault(sheet, []).append((r, c))
        parts = [
            ref
            for sheet, cells in by_sheet.items()
            for ref in _ranges(cells, "" if sheet == on_sheet else L.sheet_ref(sheet), absolute)
        ]
        return f"SUM({','.join(parts)})" if parts else "0"

    def side_formula(self, terms: Iterable[Term], **kw: Any) -> str:
        terms = [t for t in terms if not t.previous]
        plus = self.sum_formula([t.key for t in terms if t.sign > 0], **kw)
        minus = [t.key for t in terms if t.sign < 0]
        return plus + (f"-{self.sum_formula(minus, **kw)}" if minus else "")


# -- public helpers shared with readers and tests ----------------------------


def info_positions(edition: Edition) -> dict[str, tuple[int, int]]:
    """(row, col) of each 基本信息 input cell, by info field key."""
    return {f.key: (INFO_TOP + i, 1) for i, f in enumerate(edition.info_fields)}


def prose_positions(edition: Edition) -> dict[str, tuple[int, int]]:
    """(row, col) of each prose input cell on the prose sheet, by section key."""
    return {s.key: (PROSE_TOP + i * PROSE_ROWS + 2, 0) for i, s in enumerate(edition.prose_sections)}


def check_rows(edition: Edition) -> list[tuple[int, RuleInstance]]:
    """The live checks on the 校验 sheet: (0-based row, rule instance)."""
    insts = edition.instances(group="hard", kind="equation")
    return [(CHECK_HEADER_ROW + 1 + i, inst) for i, inst in enumerate(insts)]


# -- the workbook ------------------------------------------------------------


@dataclass
class _Ctx:
    edition: Edition
    book: _Book
    values: _Values
    styles: Styles
    fee_decimals: int
    unit: str
    unit_type: str
    year: Any
    info: Mapping[str, Any]
    prose: Mapping[str, str]
    lock_unit: bool
    password: str
    summary: bool = False  # a consolidated summary: nothing on it is for typing
    members: int = 0  # units summed (summaries)

    @functools.cached_property
    def failures(self) -> int:
        return sum(1 for _, inst in check_rows(self.edition) if self.difference(inst) != 0)

    def difference(self, inst: RuleInstance) -> Decimal:
        return self.values.side(inst.lhs) - self.values.side(inst.rhs)

    @functools.cached_property
    def blanks(self) -> int:
        return sum(1 for k in self.edition.input_keys if self.values.raw(k) in (None, ""))


def _protect(ws: Any, ctx: _Ctx) -> None:
    ws.protect(ctx.password, {"format_columns": True, "format_rows": True})


def _print_setup(ws: Any, *, landscape: bool = False, one_page: bool = False, fit: bool = True) -> None:
    """A4, centred, the sheet's name and page number in the footer; scaled to
    one page wide (and tall with ``one_page``) unless ``fit`` is false."""
    ws.set_paper(9)  # A4
    ws.set_landscape() if landscape else ws.set_portrait()
    if fit:
        ws.fit_to_pages(1, 1 if one_page else 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.set_footer(PAGE_FOOTER)


def _write_text(ws: Any, row: int, col: int, text: Any, fmt: Any = None) -> None:
    """Caller-supplied text: always a string cell, never a formula."""
    ws.write_string(row, col, "" if text is None else str(text), fmt)


def _write_value(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    num = _number(value)
    if num is not None:
        ws.write_number(row, col, excel_number(num), fmt)
    elif value in (None, ""):
        ws.write_blank(row, col, None, fmt)
    else:
        _write_text(ws, row, col, value, fmt)


# 填报说明 ----------------------------------------------------------------


def _rule_scope(ctx: _Ctx, rule_id: str) -> str:
    n = sum(1 for i in ctx.edition.rule_instances if i.rule.id == rule_id)
    live = any(inst.rule.id == rule_id for _, inst in check_rows(ctx.edition))
    where = f"在“{ctx.edition.checks_sheet}”工作表逐项实时显示结果" if live else "报送后由汇总单位校验"
    return f"（共 {n} 项，{where}）" if n > 1 else f"（{where}）"


def instruction_lines(ctx: _Ctx) -> list[tuple[str, str]]:
    """(style, text) lines of the 填报说明 sheet, generated from the edition."""
    ed = ctx.edition
    tables = "".join(f"“{t.sheet}”" for t in ed.tables)
    info = "、".join(f.label for f in ed.info_fields)
    prose = "、".join(s.label for s in ed.prose_sections)
    steps = [f"在“{ctx.edition.info_sheet}”工作表填写{info}。",
             f"在{tables}工作表的浅黄色单元格填写数字；灰色单元格是自动计算的合计，已锁定，不需要也不能填写。"]
    for vt in sorted({c.value_type for c in ed.cells.values() if c.is_input}):
        steps.append(_value_type_step(ctx, vt))
    steps += [
        f"在“{ed.prose_sheet}”工作表填写{prose}。",
        f"填写过程中随时查看“{ctx.edition.checks_sheet}”工作表：每一行是一项必须满足的勾稽关系，"
        f"显示“{ed.workbook_labels['pass']}”或“{ed.workbook_labels['fail']}”及差额；"
        "涉及不通过校验的单元格以红色标出，各表上方也显示总体校验结果。",
        "请勿撤销工作表保护、增删或重命名工作表、另存为 .xls 格式，也不要从往年报告整表粘贴，否则汇总时可能无法读取。",
    ]
    lines = [
        ("title", f"{ed.name}填报说明"),
        ("text", f"本工作簿按{ed.name}（{ed.document}）制作，请用 Microsoft Excel 或 WPS 表格填写，保存为 .xlsx 格式。"),
        ("subtitle", "一、怎样填写"),
        *(("text", f"{n}. {step}") for n, step in enumerate(steps, start=1)),
        ("subtitle", "二、校验规则"),
    ]
    for group, text in ed.rule_groups.items():
        rules = [r for r in ed.rules if r.group == group]
        if rules:
            lines.append(("subtitle", text))
            lines += [("text", f"{r.id}  {r.title}{_rule_scope(ctx, r.id)}") for r in rules]
    return lines


def _bounds_text(ctx: _Ctx, value_type: str) -> str:
    """“不小于 0 的整数”, “整数（可以为负数）”, “不小于 0 的数字，最多 2 位小数”."""
    vt = ctx.edition.value_types[value_type]
    decimals = ctx.edition.decimals(value_type, ctx.fee_decimals)
    bounds = [f"不小于 {fmt_number(vt.min)}" for _ in [0] if vt.min is not None]
    bounds += [f"不大于 {fmt_number(vt.max)}" for _ in [0] if vt.max is not None]
    what = "整数" if not decimals else f"数字，最多 {decimals} 位小数"
    text = ("、".join(bounds) + " 的" if bounds else "") + what
    return text + ("（减少的填负数）" if vt.min is None or vt.min < 0 else "")


def _value_type_step(ctx: _Ctx, value_type: str) -> str:
    vt = ctx.edition.value_types[value_type]
    unit = f"，单位为{vt.unit}" if vt.unit else ""
    if not vt.is_integer:
        return f"{vt.label}填写{_bounds_text(ctx, value_type)}{unit}，只填数字。"
    return (f"{vt.label}一律填写{_bounds_text(ctx, value_type)}，只填数字，不要带“件”等单位；"
            "没有发生的填 0，不要留空，也不要填“/”“-”“无”。")


def _write_instructions(wb: Any, ctx: _Ctx) -> None:
    ws = _add_sheet(wb, ctx.edition.instructions_sheet)
    ws.set_column(0, 0, 72)
    for row, (style, text) in enumerate(instruction_lines(ctx)):
        ws.write_string(row, 0, text, ctx.styles[style])
        if style == "text" and len(text) > 36:
            ws.set_row(row, 16 * (len(text) // 36 + 1))
    if not ctx.summary:  # a summary opens on its own overview (extra sheets)
        ws.activate()
    _print_setup(ws)
    _protect(ws, ctx)


# 基本信息 --------------------------------------------------------------------


def _info_value(ctx: _Ctx, key: str) -> Any:
    summary_type = ctx.edition.workbook_texts["summary_unit_type"].format(count=ctx.members)
    unit_type = ctx.unit_type or (summary_type if ctx.summary else "")
    ed = ctx.edition
    given = {ed.info_key("unit"): ctx.unit, ed.info_key("unit_type"): unit_type, ed.info_key("year"): ctx.year}
    value = given.get(key)
    return value if value not in (None, "") else ctx.info.get(key)


def _info_validation(ctx: _Ctx, f: Any) -> dict[str, Any] | None:
    ed = ctx.edition
    if f.choices_from:
        choices = [u.label for u in getattr(ed, f.choices_from)]
        if len(",".join(choices)) > MAX_DV_MESSAGE:
            raise SpecError(f"{f.label}的选项超过 Excel 下拉列表的长度限制")
        return {"validate": "list", "source": choices, "error_title": "请从下拉列表中选择",
                "error_message": f"{f.label}请从下拉列表中选择。"}
    if f.type == "year":
        return {"validate": "integer", "criteria": "between", "minimum": ed.first_year,
                "maximum": ed.last_year or 2100,
                "error_title": "年度有误", "error_message": f"{f.label}填写四位数字年份，如 {ed.first_year}。"}
    if f.type == "date":
        return {"validate": "date", "criteria": ">=", "value": _dt.date(ed.first_year, 1, 1),
                "error_title": "日期有误", "error_message": f"{f.label}请填写日期，如 {ed.first_year + 1}-01-15。"}
    return None


def _write_info(wb: Any, ctx: _Ctx) -> None:
    ed = ctx.edition
    ws = _add_sheet(wb, ctx.edition.info_sheet)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 30)
    ws.merge_range(0, 0, 0, 2, ctx.edition.info_sheet, ctx.styles["title"])
    # a roster fills and locks the unit's name and type; a type it does not give stays a drop-down for the unit
    given = {k for k in (ed.info_key("unit"), ed.info_key("unit_type")) if _info_value(ctx, k) not in (None, "")}
    locked = {f.key for f in ed.info_fields} if ctx.summary else given if ctx.lock_unit else set()
    for f in ed.info_fields:
        row, col = info_positions(ed)[f.key]
        ws.set_row(row, 24)
        ws.write_string(row, 0, f.label + ("（必填）" if f.required else ""), ctx.styles["label"])
        style = "info_locked" if f.key in locked else {"year": "info_year", "date": "info_date"}.get(f.type, "info_input")
        value = _info_value(ctx, f.key)
        if f.type in ("year", "date") and _number(value) is not None:
            _write_value(ws, row, col, value, ctx.styles[style])
        elif isinstance(value, (_dt.date, _dt.datetime)):
            ws.write_datetime(row, col, value, ctx.styles[style])
        else:
            _write_value(ws, row, col, None if value in (None, "") else str(value), ctx.styles[style])
        if f.key not in locked:
            dv = _info_validation(ctx, f)
            if dv:
                ws.data_validation(row, col, row, col, dv)
        hint = "" if ctx.summary else "已由下发单位填好" if f.key in locked else ("请从下拉列表选择" if f.choices_from else "")
        if hint:
            ws.write_string(row, col + 1, hint, ctx.styles["hint"])
        wb.define_name(defined_name(f"info.{f.key}"), f"={L.sheet_ref(ctx.edition.info_sheet)}{L.a1(row, col, True)}")
    _print_setup(ws)
    _protect(ws, ctx)


def _info_ref(ctx: _Ctx, key: str) -> str:
    row, col = info_positions(ctx.edition)[key]
    return L.sheet_ref(ctx.edition.info_sheet) + L.a1(row, col, True)


# table sheets ---------------------------------------------------------------


def _unit_row(ctx: _Ctx) -> tuple[str, str]:
    """Formula and cached text of the 填报单位 / 报告年度 line."""
    ed = ctx.edition
    year_label = ed.info_field("year").label
    unit, year = _info_ref(ctx, ed.info_key("unit")), _info_ref(ctx, ed.info_key("year"))
    unit_label = ctx.edition.workbook_labels["unit_row"]
    formula = f'="{unit_label}："&{unit}&"　　{year_label}："&IF({year}="","",{year}&"年")'
    y = _info_value(ctx, ed.info_key("year"))
    cached = f"{unit_label}：{_info_value(ctx, ed.info_key('unit')) or ''}　　{year_label}：" + (f"{y}年" if y not in (None, "") else "")
    return formula, cached


def _status_formula(ctx: _Ctx) -> tuple[str, str]:
    ed = ctx.edition
    words = {"pass": ed.workbook_labels["pass"], "fail": ed.workbook_labels["fail"], "sheet": ed.checks_sheet}
    passed = ed.workbook_texts["status_all_passed"].format(**words)
    blank_text, failed_text = (ed.workbook_texts[k].format(**words, n="{n}") for k in ("status_blanks", "status_failed"))
    fails = L.sheet_ref(ed.checks_sheet) + L.a1(CHECK_SUMMARY_ROW, CHECK_VALUE_COL, True)
    blanks = L.sheet_ref(ed.checks_sheet) + L.a1(CHECK_BLANKS_ROW, CHECK_VALUE_COL, True)

    def live(text: str, ref: str) -> str:  # the text with {n} the cell's value, as an Excel expression
        before, after = text.split("{n}")
        return f'"{before}"&{ref}&"{after}"'

    formula = f'=IF({fails}=0,"{passed}"&IF({blanks}>0,{live(blank_text, blanks)},""),{live(failed_text, fails)})'
    f, b = ctx.failures, ctx.blanks
    cached = (passed + (blank_text.format(n=b) if b else "")) if not f else failed_text.format(n=f)
    return formula, cached


# A4 printable area in points (margins as set by _print_setup, header/footer room).
_PAGE_PT = {"portrait": (595 - 72, 842 - 120), "landscape": (842 - 72, 595 - 120)}
MAX_STRETCH = (2.5, 1.6)  # widen columns / heighten rows at most this much
DEFAULT_ROW_PT = 22


def _col_pt(width: float) -> float:
    return (width * 7 + 5) * 0.75  # Excel character units -> points


def page_fit(lay: L.TableLayout) -> tuple[list[float], dict[int, float]]:
    """Column widths and row heights (points) that make the table fill one A4
    page the way the printed official table does: widen a narrow table to
    the page width, then use the vertical room the fit-to-page scale leaves."""
    page_w, page_h = _PAGE_PT[lay.table.orientation]
    widths = list(lay.col_widths)
    total_w = sum(map(_col_pt, widths))
    if total_w < page_w:
        k = min(MAX_STRETCH[0], page_w / total_w)
        widths = [w * k for w in widths]
        total_w = sum(map(_col_pt, widths))
    scale = min(1.0, page_w / total_w)
    heights = {r: 14.0 * lay.tall_rows.get(r, 1) + 8 if r in lay.tall_rows else DEFAULT_ROW_PT
               for r in range(lay.top, lay.bottom + 1)}
    above = 30 + 2 * DEFAULT_ROW_PT  # title, unit and status rows
    room = page_h / scale - above
    k = min(MAX_STRETCH[1], room / sum(heights.values()))
    if k > 1:
        heights = {r: round(h * k, 1) for r, h in heights.items()}
    return [round(w, 1) for w in widths], heights


def _merge_or_write(ws: Any, reg: L.Region, text: str, fmt: Any) -> None:
    if reg.is_merged:
        ws.merge_range(reg.r1, reg.c1, reg.r2, reg.c2, "", fmt)
    ws.write_string(reg.r1, reg.c1, text, fmt)


def _write_number_cell(ws: Any, ctx: _Ctx, key: str, reg: L.Region) -> None:
    cell = ctx.edition.cells[key]
    decimals = ctx.edition.decimals(cell.value_type, ctx.fee_decimals)
    # a summary's figures are sums, not for typing: locked and grey like totals
    fmt = ctx.styles.number(is_input=cell.is_input and not ctx.summary, decimals=decimals)
    if reg.is_merged:
        ws.merge_range(reg.r1, reg.c1, reg.r2, reg.c2, "", fmt)
    if cell.is_input or key in ctx.values.overrides:
        _write_value(ws, reg.r1, reg.c1, ctx.values.raw(key), fmt)
    else:
        formula = "=" + ctx.book.sum_formula(cell.formula_terms or (), on_sheet=cell.table.sheet)
        ws.write_formula(reg.r1, reg.c1, formula, fmt, excel_number(ctx.values.computed(key)))


def _dv_texts(ctx: _Ctx, value_type: str) -> dict[str, str]:
    vt = ctx.edition.value_types[value_type]
    what = _bounds_text(ctx, value_type)
    texts = {
        "input_title": f"请填写{vt['label']}"[:MAX_DV_TITLE],
        "input_message": f"填写{what}。没有发生的填 0，不要留空或填“/”“无”，不要带单位。",
        "error_title": "填写内容不符合要求"[:MAX_DV_TITLE],
        "error_message": f"此处应填写{vt['label']}：{what}。",
    }
    for k in ("input_message", "error_message"):
        if len(texts[k]) > MAX_DV_MESSAGE:
            raise SpecError(f"数据验证提示超过 {MAX_DV_MESSAGE} 字：{texts[k]}")
    return texts


def _region_cells(reg: L.Region) -> list[tuple[int, int]]:
    return [(r, c) for r in range(reg.r1, reg.r2 + 1) for c in range(reg.c1, reg.c2 + 1)]


def _validate(ws: Any, refs: list[str], opts: dict[str, Any]) -> None:
    ws.data_validation(*_rects_of(refs[0]), {**opts, "multi_range": " ".join(refs)})


def _input_validations(ws: Any, ctx: _Ctx, regions: list[tuple[str, L.Region]]) -> None:
    """Whole numbers: one validation over all such cells of the sheet; decimals
    (the fee): a custom rule per cell, since it refers to the cell itself."""
    by_type: dict[str, list[L.Region]] = {}
    for key, reg in regions:
        by_type.setdefault(ctx.edition.cells[key].value_type, []).append(reg)
    for vt, regs in by_type.items():
        decimals = ctx.edition.decimals(vt, ctx.fee_decimals)
        spec = ctx.edition.value_types[vt]
        texts = _dv_texts(ctx, vt)
        if not decimals:
            refs = _ranges([cell for reg in regs for cell in _region_cells(reg)])
            _validate(ws, refs, {"validate": "integer", **_integer_bounds(spec), **texts})
            continue
        for reg in regs:
            ref = L.a1(reg.r1, reg.c1)
            bounds = "".join(f",{ref}{op}{excel_number(b)}" for op, b in ((">=", spec.min), ("<=", spec.max))
                             if b is not None)
            rule = f"=AND(ISNUMBER({ref}){bounds},ROUND({ref},{decimals})={ref})"
            _validate(ws, _ranges(_region_cells(reg)), {"validate": "custom", "value": rule, **texts})


EXCEL_INT = 2147483647  # data validation of whole numbers needs bounds; Excel's widest


def _integer_bounds(vt: Any) -> dict[str, Any]:
    low = excel_number(vt.min) if vt.min is not None else -EXCEL_INT
    high = excel_number(vt.max) if vt.max is not None else EXCEL_INT
    return {"criteria": "between", "minimum": low, "maximum": high}


def _rects_of(ref: str) -> tuple[int, int, int, int]:
    from xlsxwriter.utility import xl_cell_to_rowcol

    a, _, b = ref.partition(":")
    r1, c1 = xl_cell_to_rowcol(a)
    r2, c2 = xl_cell_to_rowcol(b or a)
    return r1, c1, r2, c2


def _conditional_marks(ws: Any, ctx: _Ctx, sheet: str) -> None:
    """Mark the cells of every broken hard rule on this sheet (same-sheet terms only)."""
    for _, inst in check_rows(ctx.edition):
        if any(ctx.book.pos(k)[0] != sheet for k in inst.keys):
            continue
        lhs = ctx.book.side_formula(inst.lhs, on_sheet=sheet, absolute=True)
        rhs = ctx.book.side_formula(inst.rhs, on_sheet=sheet, absolute=True)
        refs = _ranges([ctx.book.pos(k)[1:] for k in inst.keys])
        ws.conditional_format(*_rects_of(refs[0]), {
            "type": "formula", "criteria": f"=ROUND({lhs}-({rhs}),6)<>0",
            "format": ctx.styles["mark"], "multi_range": " ".join(refs)})


def _write_table(wb: Any, ctx: _Ctx, lay: L.TableLayout) -> None:
    table = lay.table
    ws = _add_sheet(wb, table.sheet)
    widths, heights = page_fit(lay)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    for row, height in heights.items():
        ws.set_row(row, height)
    last = lay.width - 1
    ws.set_row(L.TITLE_ROW, 30)
    ws.merge_range(L.TITLE_ROW, 0, L.TITLE_ROW, last, table.title, ctx.styles["title"])
    formula, cached = _unit_row(ctx)
    ws.merge_range(L.UNIT_ROW, 0, L.UNIT_ROW, last, "", ctx.styles["note"])
    ws.write_formula(L.UNIT_ROW, 0, formula, ctx.styles["note"], cached)
    formula, cached = _status_formula(ctx)
    ws.merge_range(L.STATUS_ROW, 0, L.STATUS_ROW, last, "", ctx.styles["status"])
    ws.write_formula(L.STATUS_ROW, 0, formula, ctx.styles["status"], cached)
    row_headers = {b.row_header for b in table.blocks if b.row_header}
    for reg in lay.labels:
        role = "col_header" if reg.role == "corner" and reg.text in row_headers else reg.role
        _merge_or_write(ws, reg, reg.text, ctx.styles[role])
    inputs = []
    for key, reg in lay.cells.items():
        _write_number_cell(ws, ctx, key, reg)
        if ctx.edition.cells[key].is_input:
            inputs.append((key, reg))
            wb.define_name(defined_name(key), f"={L.sheet_ref(table.sheet)}{L.a1(reg.r1, reg.c1, True)}")
    if not ctx.summary:
        _input_validations(ws, ctx, inputs)
    _conditional_marks(ws, ctx, table.sheet)
    if lay.header_rows:
        ws.repeat_rows(*lay.header_rows)
        ws.freeze_panes(lay.header_rows[1] + 1, min(c.c1 for c in lay.cells.values()))
    ws.print_area(L.TITLE_ROW, 0, lay.bottom, last)
    _print_setup(ws, landscape=table.orientation == "landscape", one_page=True)
    _protect(ws, ctx)


# 文字部分 --------------------------------------------------------------------


PROSE_WIDTH = 64  # Excel character units of the prose column
MAX_ROW_PT, LINE_PT = 409, 15.5  # Excel's tallest row; one line of 11-point text


def _prose_height(text: str, minimum: float) -> float:
    """Row height that shows all of ``text`` (as far as Excel allows)."""
    per_line = PROSE_WIDTH - 2
    lines = sum(max(1, -(-int(L.text_width(p)) // per_line)) for p in text.splitlines() or [""])
    return min(MAX_ROW_PT, max(minimum, lines * LINE_PT))


PROSE_BOX_PT = (300, 130)  # smallest box: a section with a word limit, the others
PROSE_ROW_PT = {"title": 26, "gap": 6, "label": 20, "hint_line": 13, "spacer": 10}
MIN_ONE_PAGE_SCALE = 0.7  # a sheet that fits one page at this scale is printed on one page


def fits_one_page(widths: Iterable[float], height: float, orientation: str = "portrait") -> bool:
    """Does a sheet of these column widths (Excel units) and this height
    (points) fit one A4 page when scaled no smaller than MIN_ONE_PAGE_SCALE?"""
    page_w, page_h = _PAGE_PT[orientation]
    width = sum(_col_pt(w) for w in widths)
    return min(1.0, page_w / width, page_h / height) >= MIN_ONE_PAGE_SCALE


def _prose_rows(ctx: _Ctx) -> list[tuple[int, float]]:
    """(first row, height in points) of each prose section: label, hint, box, spacer."""
    ed, h = ctx.edition, PROSE_ROW_PT
    out = []
    for s in ed.prose_sections:
        row, _ = prose_positions(ed)[s.key]
        hint_lines = max(1, -(-int(L.text_width(s.hint)) // (PROSE_WIDTH + 6)))
        box = _prose_height(str(ctx.prose.get(s.key) or ""), PROSE_BOX_PT[0] if s.max_chars else PROSE_BOX_PT[1])
        out.append((row - 2, h["label"] + hint_lines * h["hint_line"] + box + h["spacer"]))
    return out


def _paginate(top: float, blocks: list[tuple[int, float]], page: float) -> list[int]:
    """Rows to break the page before, so that no block is split or left alone
    at the top of an almost empty page (blocks taller than a page start one)."""
    breaks, used = [], top
    for row, height in blocks:
        if used + height > page and used > 0:
            breaks.append(row)
            used = 0
        used += height
    return breaks


def _write_prose(wb: Any, ctx: _Ctx) -> None:
    ed = ctx.edition
    ws = _add_sheet(wb, ed.prose_sheet)
    ws.set_column(0, 0, PROSE_WIDTH)
    ws.set_column(1, 1, 12)
    ws.set_row(0, PROSE_ROW_PT["title"])
    ws.set_row(1, PROSE_ROW_PT["gap"])
    ws.write_string(0, 0, ed.prose_sheet, ctx.styles["title"])
    blocks = dict(_prose_rows(ctx))
    for s in ed.prose_sections:
        row, col = prose_positions(ed)[s.key]
        ws.set_row(row - 2, PROSE_ROW_PT["label"])
        ws.write_string(row - 2, col, s.label, ctx.styles["subtitle"])
        ws.write_string(row - 1, col, s.hint, ctx.styles["hint"])
        text = ctx.prose.get(s.key)
        box = _prose_height(str(text or ""), PROSE_BOX_PT[0] if s.max_chars else PROSE_BOX_PT[1])
        ws.set_row(row - 1, blocks[row - 2] - PROSE_ROW_PT["label"] - box - PROSE_ROW_PT["spacer"])
        ws.set_row(row, box)
        ws.set_row(row + 1, PROSE_ROW_PT["spacer"])
        _write_value(ws, row, col, None if text in (None, "") else str(text), ctx.styles["text_input"])
        wb.define_name(defined_name(f"prose.{s.key}"), f"={L.sheet_ref(ed.prose_sheet)}{L.a1(row, col, True)}")
        if s.max_chars:
            ref = L.a1(row, col)
            ws.write_formula(row - 1, col + 1, f'="字数："&LEN({ref})&"/{s.max_chars}"', ctx.styles["hint"],
                             f"字数：{len(str(text or ''))}/{s.max_chars}")
    top = PROSE_ROW_PT["title"] + PROSE_ROW_PT["gap"]
    page = _PAGE_PT["portrait"][1]
    one_page = fits_one_page((PROSE_WIDTH, 12), top + sum(blocks.values()))
    _print_setup(ws, one_page=one_page, fit=one_page)
    if not one_page:  # whole sections per page, at full size
        ws.set_h_pagebreaks(_paginate(top, list(blocks.items()), page))
    _protect(ws, ctx)


# 校验 ----------------------------------------------------------------------


def _write_checks(wb: Any, ctx: _Ctx) -> None:
    ed = ctx.edition
    ws = _add_sheet(wb, ctx.edition.checks_sheet)
    widths = (5, 5, CHECK_TEXT_WIDTH, 8, 8, 8, 8)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    head, FAIL = ed.headers["checks"], ed.workbook_labels["fail"]
    last = len(head) - 1
    ws.merge_range(0, 0, 0, last, ed.workbook_texts["checks_title"].format(sheet=ed.checks_sheet), ctx.styles["title"])
    rows = check_rows(ed)
    status_col = CHECK_STATUS_COL
    status_range = _range((rows[0][0], status_col, rows[-1][0], status_col), True) if rows else "A1"
    blanks = "+".join(f"COUNTBLANK({r})" for refs in _inputs_by_sheet(ctx).values() for r in refs) or "0"
    summary = [
        (CHECK_SUMMARY_ROW, ed.workbook_texts["checks_failed_count"].format(fail=FAIL),
         f'=COUNTIF({status_range},"{FAIL}")', ctx.failures),
        (CHECK_BLANKS_ROW, ed.workbook_texts["checks_blank_count"], "=" + blanks, ctx.blanks),
    ]
    for row, text, formula, cached in summary:
        ws.merge_range(row, 0, row, CHECK_VALUE_COL - 1, text, ctx.styles["label"])
        ws.write_formula(row, CHECK_VALUE_COL, formula, ctx.styles["calc"], cached)
    for c, text in enumerate(head):
        ws.write_string(CHECK_HEADER_ROW, c, text, ctx.styles["head"])
    for n, (row, inst) in enumerate(rows, start=1):
        _write_check_row(ws, ctx, row, n, inst)
    if rows:
        ws.conditional_format(rows[0][0], status_col, rows[-1][0], status_col, {
            "type": "cell", "criteria": "==", "value": f'"{FAIL}"', "format": ctx.styles["mark"]})
        ws.freeze_panes(CHECK_HEADER_ROW + 1, 0)
        ws.repeat_rows(CHECK_HEADER_ROW)
    height = 30 + 3 * DEFAULT_ROW_PT + sum(_check_row_height(inst) for _, inst in rows)
    _print_setup(ws, one_page=fits_one_page(widths, height))
    _protect(ws, ctx)


CHECK_TEXT_WIDTH = 84  # Excel character units of the 校验内容 column


def _check_row_height(inst: RuleInstance) -> float:
    """Points that show the whole description (wrapped)."""
    lines = -(-int(L.text_width(inst.description)) // (CHECK_TEXT_WIDTH - 1))
    return 4 + 14 * max(1, lines)


def _inputs_by_sheet(ctx: _Ctx) -> dict[str, list[str]]:
    cells: dict[str, list[tuple[int, int]]] = {}
    for k in ctx.edition.input_keys:
        sheet, r, c = ctx.book.pos(k)
        cells.setdefault(sheet, []).append((r, c))
    return {s: _ranges(v, L.sheet_ref(s)) for s, v in cells.items()}


def _write_check_row(ws: Any, ctx: _Ctx, row: int, n: int, inst: RuleInstance) -> None:
    st = ctx.styles
    lhs, rhs = ctx.values.side(inst.lhs), ctx.values.side(inst.rhs)
    left, right, diff = (L.a1(row, c) for c in (CHECK_LEFT_COL, CHECK_RIGHT_COL, CHECK_DIFF_COL))
    PASS, FAIL = ctx.edition.workbook_labels["pass"], ctx.edition.workbook_labels["fail"]
    ws.write_number(row, 0, n, st["cell_centre"])
    ws.write_string(row, 1, inst.rule.id, st["cell_centre"])
    ws.write_string(row, 2, inst.description, st["cell"])  # "cell" wraps
    ws.write_formula(row, CHECK_LEFT_COL, "=" + ctx.book.side_formula(inst.lhs), st["calc"], excel_number(lhs))
    ws.write_formula(row, CHECK_RIGHT_COL, "=" + ctx.book.side_formula(inst.rhs), st["calc"], excel_number(rhs))
    ws.write_formula(row, CHECK_DIFF_COL, f"={left}-{right}", st["calc"], excel_number(lhs - rhs))
    ws.write_formula(row, CHECK_STATUS_COL, f'=IF(ROUND({diff},6)=0,"{PASS}","{FAIL}")', st["calc"],
                     PASS if lhs == rhs else FAIL)
    ws.set_row(row, _check_row_height(inst))


# _xxgk ------------------------------------------------------------------------


def _write_meta(wb: Any, ctx: _Ctx, kind: str, members: Iterable[str]) -> None:
    ws = _add_sheet(wb, META_SHEET)
    rows = meta_rows(edition=ctx.edition.edition, kind=kind, unit=ctx.unit or "",
                     unit_type=ctx.unit_type or "", year="" if ctx.year is None else ctx.year,
                     fee_decimals=ctx.fee_decimals, members=members)
    for r, (name, value) in enumerate(rows):
        ws.write_string(r, 0, name)
        ws.write_string(r, 1, value)
    ws.hide()
    _protect(ws, ctx)


# structure protection (xlsxwriter has no API for it) ------------------------


def _password_hash(password: str) -> str:
    from xlsxwriter.worksheet import Worksheet

    return Worksheet._encode_password(None, password)  # type: ignore[arg-type]


def protect_structure(src: zipfile.ZipFile, dst: Any, password: str | None = None) -> None:
    """Copy the workbook zip ``src`` to the file object ``dst``, inserting
    ``<workbookProtection lockStructure="1"/>`` before <bookViews>.

    Parts are streamed one at a time, so a large summary is never held in
    memory whole.
    """
    attrs = ' lockStructure="1"' + (f' workbookPassword="{_password_hash(password)}"' if password else "")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "xl/workbook.xml":
                body = re.sub(rb"<workbookProtection[^>]*/>", b"", src.read(info))
                body = body.replace(b"<bookViews>", f"<workbookProtection{attrs}/><bookViews>".encode(), 1)
                out.writestr(part, body)
                continue
            with src.open(info) as fin, out.open(part, "w") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)


# entry point -----------------------------------------------------------------


def write_report(
    target: str | os.PathLike | io.BufferedIOBase,
    edition: Edition | str | None = None,
    *,
    unit: str = "",
    unit_type: str = "",
    year: int | str | None = None,
    values: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    prose: Mapping[str, str] | None = None,
    info: Mapping[str, Any] | None = None,
    lock_unit: bool = False,
    password: str | None = None,
    fee_decimals: int = 4,
    kind: str = "unit",
    members: Iterable[str] = (),
    extra_sheets: Callable[[Any, Styles], None] | None = None,
) -> None:
    """Write one report workbook to ``target`` (a path or a binary file object).

    ``values``: input cells by key (numbers, or a str written as text);
    ``overrides``: formula cells replaced by a typed value (a simulated
    mistake); ``prose``: prose sections by key; ``info``: other 基本信息
    fields by key.  Formula cells carry their computed value as cached
    result.  ``extra_sheets(workbook, styles)`` may add sheets.
    """
    ed = edition if isinstance(edition, Edition) else load_edition(edition or "2021")
    values, overrides = dict(values or {}), dict(overrides or {})
    members = list(members)
    _check_keys(ed, values, overrides)
    # Small reports are built in memory (fast for 1,000 templates); a summary
    # with extra sheets goes through a private scratch folder (removed in any
    # case), so its size in memory does not grow with the number of units.
    scratch_dir = None if extra_sheets is None else tempfile.TemporaryDirectory(prefix="xxgk-")
    try:
        _write_report(target, ed, scratch_dir.name if scratch_dir else None, unit=unit, unit_type=unit_type,
                      year=year, values=values, overrides=overrides, prose=prose, info=info,
                      lock_unit=lock_unit, password=password, fee_decimals=fee_decimals, kind=kind,
                      members=members, extra_sheets=extra_sheets)
    finally:
        if scratch_dir:
            scratch_dir.cleanup()


def _write_report(target, ed: Edition, scratch_dir: str | None, *, unit, unit_type, year, values, overrides,
                  prose, info, lock_unit, password, fee_decimals, kind, members, extra_sheets) -> None:
    from .safeio import atomic_output

    buf = io.BytesIO()
    source = os.path.join(scratch_dir, "report.xlsx") if scratch_dir else buf
    options = {"in_memory": scratch_dir is None,
               "default_format_properties": {"font_name": FONT, "font_size": 11}}
    if scratch_dir:
        options["tmpdir"] = scratch_dir
    wb = xlsxwriter.Workbook(source, options)
    wb.set_properties({"title": ed.title_for(unit, year if year is not None else ""),
                       "subject": ed.name, "author": "xxgk", "created": FIXED_DATE})
    ctx = _Ctx(ed, _Book(ed, L.layouts(ed)), _Values(ed, values, overrides), Styles(wb), fee_decimals,
               unit, unit_type, year, dict(info or {}), dict(prose or {}), lock_unit, password or "",
               summary=kind == "summary", members=len(members))
    _write_instructions(wb, ctx)
    _write_info(wb, ctx)
    for table in ed.tables:
        _write_table(wb, ctx, L.layouts(ed)[table.key])
    _write_prose(wb, ctx)
    _write_checks(wb, ctx)
    if extra_sheets:
        extra_sheets(wb, ctx.styles)
    _write_meta(wb, ctx, kind, members)
    wb.close()
    with zipfile.ZipFile(source) as src:
        if hasattr(target, "write"):
            protect_structure(src, target, password)
        else:
            with atomic_output(target) as tmp, open(tmp, "wb") as fh:
                protect_structure(src, fh, password)
