"""Workbooks as bodies make them themselves: the report's tables copied from
Word, PDF or a web page into Excel, with known numbers.

Nothing here comes from our template or our layout module.  A workbook is
described by a :class:`Style` (how the tables were pasted: merged header
cells, or the group label repeated in every cell, or only in the first;
labels rewritten; one label column instead of three …) and a *plan* (which
sheet holds which table, at which row and column, with what text between).
The numbers written are given per cell key as the raw cell content (a
number, a text such as "12件", None for blank), so each case knows exactly
what the reader must find and what the checker must say.

:func:`cases` returns the catalogue used by ``test_foreign_layouts.py``.
"""

from __future__ import annotations

import random
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

from xxgk import load_edition
from xxgk.spec import Block, Edition, Node, Table, _join, _path_key
from xxgk.synth import balance, consistent_inputs

ED: Edition = load_edition("2021")

Raw = Any  # what is typed in a number cell: int, float, str or None


# -- how a table was pasted ----------------------------------------------------------------


def same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Style:
    """How the tables look.

    ``spans``: "merge" (Word -> Excel: merged cells), "repeat" (HTML export:
    the text of a spanning cell repeated in every cell it spans), "first"
    (the text only in the first cell of the span).
    ``relabel``: rewrites every label written (brackets, spaces, numbering).
    ``t3_rows``: "tree" (official: 3 label columns, 三、本年度办理结果 and
    （三）…（六） in columns of their own) or "combined" (one label column:
    a heading row for 三、本年度办理结果, items written “（三）不予公开 1.属于国家秘密”).
    ``corner``: table 3's note "full", "none" or "split" over two cells.
    ``leaves_bottom``: column headers of a group reach down to the bottom
    header row, groups are merged downwards (table 4: 行政复议 over two rows).
    ``formulas``: totals are Excel formulas (with the cached result Excel saves).
    ``replace_labels``: text replacing a label, by its official text.
    ``col_step``: physical columns per table column (a PDF converter's grid:
    headers merged over them) and ``value_shift``: which of them holds the
    number (not merged).  ``split_headers``: a column header longer than 4
    characters broken over two cells one below the other (“社会公益” / “组织”),
    as converters leave a wrapped header.
    """

    spans: str = "merge"
    relabel: Callable[[str], str] = same
    t3_rows: str = "tree"
    corner: str = "full"
    leaves_bottom: bool = False
    formulas: bool = False
    replace_labels: Mapping[str, str] = field(default_factory=dict)
    col_step: int = 1
    value_shift: int = 0
    split_headers: bool = False

    def label(self, text: str) -> str:
        return self.relabel(self.replace_labels.get(text, text))


# A plan: sheet name -> (first row, first column, items); an item is
# ("text", str) written in the first column, ("gap", n) empty rows, or
# ("table", table key).
Plan = Mapping[str, tuple[int, int, list[tuple[str, Any]]]]


def key_of(table: Table, rp: tuple[Node, ...], cp: tuple[Node, ...]) -> str:
    return _join(table.key, _path_key(rp), _path_key(cp))


class _Writer:
    """Writes plan items on openpyxl worksheets (0-based positions)."""

    def __init__(self, style: Style, raw: Mapping[str, Raw]):
        import openpyxl

        self.wb = openpyxl.Workbook()
        self.wb.remove(self.wb.active)
        self.style = style
        self.raw = raw
        self.pos: dict[str, tuple[str, int, int]] = {}
        self.cached: dict[tuple[str, str], Raw] = {}  # (sheet, A1) -> cached result of a formula

    def put(self, ws: Any, row: int, col: int, value: Raw) -> None:
        if value is not None:
            ws.cell(row=row + 1, column=col + 1, value=value)

    def span(self, ws: Any, r1: int, c1: int, r2: int, c2: int, text: Raw) -> None:
        """A cell spanning rows r1..r2 and columns c1..c2, as the style pastes it."""
        if self.style.spans == "merge":
            self.put(ws, r1, c1, text)
            if (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        elif self.style.spans == "repeat":
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.put(ws, r, c, text)
        else:
            self.put(ws, r1, c1, text)

    # -- tables -------------------------------------------------------------------------------
    def table(self, ws: Any, row: int, col: int, table: Table) -> int:
        for block in table.blocks:
            row = self.block(ws, row, col, table, block)
        return row

    def block(self, ws: Any, row: int, col: int, table: Table, block: Block) -> int:
        st = self.style
        paths = block.column_paths()
        depth = block.column_depth
        combined = table.key == "t3" and st.t3_rows == "combined"
        ncols = 1 if combined else block.row_depth
        width = (3 if table.key == "t2" else len(paths)) * st.col_step  # table 2: every block 3 columns wide
        step = width // len(paths)
        if block.title:
            self.span(ws, row, col, row, col + ncols + width - 1, st.label(block.title))
            row += 1
        # corner
        corner = block.row_header or block.corner
        if corner and ncols:
            text = st.label(corner)
            if block.corner and st.corner == "split":
                half = len(text) // 2
                self.put(ws, row, col, text[:half])
                self.put(ws, row + 1, col, text[half:])
            elif not (block.corner and st.corner == "none"):
                self.span(ws, row, col, row + depth - 1 + (1 if st.split_headers else 0), col + ncols - 1, text)
        # column headers
        extra = 1 if st.split_headers else 0
        first = col + ncols
        leaf_index = {tuple(map(id, p)): i for i, p in enumerate(paths)}

        def header(node: Node, start: int, prefix: tuple[Node, ...] = ()) -> None:
            leaves = [leaf_index[tuple(map(id, prefix + p))] for p in node.leaves()]
            c1, c2 = first + min(leaves) * step, first + (max(leaves) + 1) * step - 1
            if node.is_leaf:
                r2 = depth - 1
            else:
                r2 = depth - node.depth() if st.leaves_bottom else start
            text = st.label(node.label)
            if st.split_headers and node.is_leaf and r2 == start and len(text) > 4:
                self.span(ws, row + start, c1, row + start, c2, text[:4])  # the header gets one more row
                self.span(ws, row + start + 1, c1, row + start + 1, c2, text[4:])
            else:
                self.span(ws, row + start, c1, row + r2 + (extra if node.is_leaf else 0), c2, text)
            for child in node.children:
                header(child, r2 + 1, prefix + (node,))

        for node in block.columns:
            header(node, 0)
        row += depth + extra
        # row labels and values
        rpaths = block.row_paths()
        if combined:
            row = self._combined_rows(ws, row, col, table, block, rpaths, first, step)
            return row
        if ncols:
            top = row

            def label_rows(node: Node, level: int, start: int) -> int:
                n = len(list(node.leaves()))
                c2 = col + ncols - 1 if node.is_leaf else col + level
                self.span(ws, start, col + level, start + n - 1, c2, st.label(node.label))
                at = start
                for child in node.children:
                    at = label_rows(child, level + 1, at)
                return start + n

            at = top
            for node in block.rows:
                at = label_rows(node, 0, at)
        for i, rp in enumerate(rpaths):
            self._values(ws, row + i, first, step, table, rp, paths)
        return row + len(rpaths)

    def _combined_rows(self, ws, row, col, table, block, rpaths, first, step) -> int:
        st = self.style
        headed: set[int] = set()
        for rp in rpaths:
            if len(rp) > 1 and id(rp[0]) not in headed:  # 三、本年度办理结果 as a heading row
                headed.add(id(rp[0]))
                self.put(ws, row, col, st.label(rp[0].label))
                row += 1
            text = " ".join(st.label(n.label) for n in (rp[1:] if len(rp) > 1 else rp))
            self.put(ws, row, col, text)
            self._values(ws, row, first, step, table, rp, block.column_paths())
            row += 1
        return row

    def _values(self, ws, row, first, step, table, rp, paths) -> None:
        for j, cp in enumerate(paths):
            key = key_of(table, rp, cp)
            c = first + j * step
            if self.style.value_shift:
                self.pos[key] = (ws.title, row, c + self.style.value_shift)
                continue
            self.pos[key] = (ws.title, row, c)
            if step > 1 and self.style.spans == "merge":
                ws.merge_cells(start_row=row + 1, start_column=c + 1, end_row=row + 1, end_column=c + step)

    def fill(self) -> None:
        """Numbers (and formulas) once every cell's position is known."""
        from openpyxl.utils import get_column_letter

        def ref(key: str) -> str:
            _, r, c = self.pos[key]
            return f"{get_column_letter(c + 1)}{r + 1}"

        for key, (sheet, r, c) in self.pos.items():
            ws = self.wb[sheet]
            spec = ED.cells[key]
            value = self.raw.get(key)
            if self.style.formulas and spec.formula_terms and not isinstance(value, str):
                ws.cell(row=r + 1, column=c + 1, value="=SUM(" + ",".join(ref(t) for t in spec.formula_terms) + ")")
                self.cached[(sheet, ref(key))] = value
            else:
                self.put(ws, r, c, value)

    def save(self, path: Path) -> Path:
        self.wb.save(path)
        if self.cached:
            _store_cached_results(path, [ws.title for ws in self.wb.worksheets], self.cached)
        return path


def _store_cached_results(path: Path, sheets: list[str], cached: Mapping[tuple[str, str], Raw]) -> None:
    """Give formulas the result Excel would have saved with them (openpyxl writes none)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    for i, sheet in enumerate(sheets, start=1):
        member = f"xl/worksheets/sheet{i}.xml"
        text = parts[member].decode("utf-8")

        def put(m: re.Match[str]) -> str:
            value = cached.get((sheet, m.group(2)))
            return f"{m.group(1)}<v>{value}</v>" if value is not None else m.group(0)

        # openpyxl writes an empty result as <v/> (stdlib XML) or <v></v> (with lxml installed).
        text = re.sub(r'(<c r="([A-Z]+\d+)"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)', put, text)
        parts[member] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def build(path: Path, plan: Plan, raw: Mapping[str, Raw], style: Style = Style()) -> Path:
    """Write a workbook following ``plan`` with the cell contents ``raw``."""
    w = _Writer(style, raw)
    for sheet, (row, col, items) in plan.items():
        ws = w.wb.create_sheet(sheet)
        for kind, arg in items:
            if kind == "text":
                w.put(ws, row, 0 if col == 0 else col - 1, arg)
                row += 1
            elif kind == "gap":
                row += arg
            else:
                row = w.table(ws, row, col, ED.table(arg))
    w.fill()
    return w.save(path)


# -- numbers ---------------------------------------------------------------------------------


def consistent(seed: int) -> dict[str, Decimal]:
    """Every cell's value (inputs and totals) of a report satisfying every hard rule."""
    inputs = consistent_inputs(ED, random.Random(seed), zero_share=0.4)
    for key in inputs:  # no fee notice sent (section 六 says no 信息处理费 was charged)
        if key.startswith("t3.other_handling.unpaid_fee."):
            inputs[key] = Decimal(0)
    balance(ED, inputs)
    return ED.compute(inputs)


def as_cells(values: Mapping[str, Decimal]) -> dict[str, Raw]:
    """Values typed as numbers."""
    return {k: (int(v) if v == v.to_integral_value() else float(v)) for k, v in values.items()}


# -- plans -----------------------------------------------------------------------------------

TITLE = "某某区民政局2023年政府信息公开工作年度报告"
PROSE = {
    "overview": "2023年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开工作。",
    "problems": "主要问题是公开内容不够全面。下一步将加强培训。",
    "other_matters": "本年度未收取信息处理费。",
}


def section(key: str) -> str:
    return next(s.label for s in ED.prose_sections if s.key == key)


def one_sheet_with_prose(sheet: str = "Sheet1", row: int = 0, col: int = 1, title: str = TITLE) -> Plan:
    """The whole report on one sheet, as pasted from the published document."""
    t2, t3, t4 = (ED.table(k) for k in ("t2", "t3", "t4"))
    items = [("text", title), ("gap", 1), ("text", section("overview")), ("text", PROSE["overview"]),
             ("gap", 1), ("text", t2.title), ("table", "t2"), ("gap", 2),
             ("text", t3.title), ("table", "t3"), ("gap", 1),
             ("text", t4.title), ("table", "t4"), ("gap", 2),
             ("text", section("problems")), ("text", PROSE["problems"]),
             ("text", section("other_matters")), ("text", PROSE["other_matters"])]
    return {sheet: (row, col, items)}


def sheet_per_table(names: tuple[str, str, str] = ("Sheet1", "Sheet2", "Sheet3"),
                    starts: tuple[tuple[int, int], ...] = ((0, 0), (0, 0), (0, 0)),
                    titles: bool = False) -> Plan:
    plan = {}
    for name, (row, col), key in zip(names, starts, ("t2", "t3", "t4")):
        items = ([("text", ED.table(key).title)] if titles else []) + [("table", key)]
        plan[name] = (row, col, items)
    return plan


# -- label rewrites seen in published reports ------------------------------------------------


def half_width(text: str) -> str:
    return text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")


def keyboard(text: str) -> str:
    """Half-width punctuation, “1、” numbering, ASCII quotes."""
    text = re.sub(r"^(\d)\.", r"\1、", half_width(text))
    return text.replace("“", '"').replace("”", '"')


def word_wrapped(text: str) -> str:
    """Line breaks and spaces as a narrow Word column leaves them, “1．” numbering, ‘’ quotes."""
    text = re.sub(r"^(\d)\.", r"\1．", text).replace("“", "‘").replace("”", "’")
    if len(text) > 5:
        text = text[:4] + "\n" + text[4:]
    return "  " + text.replace("政府信息", "政府 信息") + " "


# -- the catalogue ---------------------------------------------------------------------------


@dataclass
class Case:
    """A workbook with the values the reader must find and the errors the checker must report.

    ``expected``: every cell key -> the Decimal to be read (None: no number);
    keys left out must be absent (a table not found).  ``errors``: (rule id or
    finding code, first key) of every error finding.  ``warnings``: codes of
    the warnings expected (None: not checked).
    """

    name: str
    plan: Plan
    raw: dict[str, Raw]
    expected: dict[str, Decimal | None]
    errors: set[tuple[str, str]] = field(default_factory=set)
    warnings: set[str] | None = field(default_factory=set)
    style: Style = Style()
    unit: str | None = None
    year: int | None = None

    def write(self, directory: Path) -> Path:
        return build(directory / f"{self.name}.xlsx", self.plan, self.raw, self.style)


def _case(name: str, seed: int, plan: Plan, style: Style = Style(), **kw: Any) -> Case:
    values = consistent(seed)
    return Case(name, plan, as_cells(values), dict(values), style=style, **kw)


def _set(case: Case, key: str, raw: Raw, value: Decimal | None | str = "same") -> Case:
    """Type ``raw`` in a cell; the reader must find ``value`` (default: raw as a number)."""
    case.raw[key] = raw
    case.expected[key] = Decimal(str(raw)) if value == "same" else value
    return case


def _nonzero_row(values: Mapping[str, Decimal], table: str = "t3") -> str:
    """A table-3 result row whose 自然人 figure is not 0 (to change it)."""
    for key, v in values.items():
        if key.startswith(f"{table}.") and key.endswith(".natural_person") and v > 0 and ED.cells[key].is_input \
                and "carried_over" not in key and "new_received" not in key and "carry_forward" not in key:
            return key.rsplit(".", 1)[0]
    raise AssertionError("no non-zero row")


def cases() -> list[Case]:
    out: list[Case] = []

    # 1. Word -> Excel: one table per sheet "Sheet1/2/3", merged headers, official layout.
    out.append(_case("sheets-merged", 1, sheet_per_table(titles=True)))

    # 2. the whole report on one sheet with prose between, title row, tables from column B.
    out.append(_case("one-sheet-prose", 2, one_sheet_with_prose(), unit="某某区民政局", year=2023))

    # 3. HTML export: named sheets, no merges, every spanning label repeated in every cell.
    out.append(_case("html-repeated", 3,
                     sheet_per_table(("主动公开", "依申请", "复议诉讼"), ((2, 1), (4, 3), (1, 2))),
                     Style(spans="repeat")))

    # 4. no merges, group label only in its first cell; keyboard punctuation, 规范性文件, (万元).
    fee = ED.cells["t2.fees.amount"].col_path[-1].label
    normative = ED.cells["t2.normative_docs.issued"].row_path[-1].label
    out.append(_case("first-only-keyboard", 4, one_sheet_with_prose("年报", 3, 0),
                     Style(spans="first", relabel=keyboard,
                           replace_labels={fee: "本年收费金额(万元)", normative: "规范性文件"})))

    # 5. line breaks, spaces, “1．”, ‘’ quotes; corner note split over two cells; fee with 保留4位小数.
    out.append(_case("wrapped-labels", 5, sheet_per_table(starts=((3, 2), (5, 1), (2, 4)), titles=True),
                     Style(relabel=word_wrapped, corner="split",
                           replace_labels={fee: "本年收费金额（单位：万元，保留4位小数）"})))

    # 6. table 3 with one label column: “（三）不予公开 1.属于国家秘密”; no corner note.
    out.append(_case("t3-combined-labels", 6, one_sheet_with_prose(col=0),
                     Style(t3_rows="combined", corner="none")))

    # 6b. the title written “2022年度…” and broken over two lines.
    out.append(_case("title-nian-du", 23, one_sheet_with_prose(title="某某镇人民政府\n2022年度政府信息公开工作年度报告"),
                     unit="某某镇人民政府", year=2022))

    # 7. table 4 with 行政复议 merged over two header rows (all outcome labels on the bottom row),
    #    tables in another order (table 4 first) on one sheet.
    plan7 = {"报表": (1, 2, [("table", "t4"), ("gap", 3), ("table", "t2"), ("gap", 3), ("table", "t3")])}
    out.append(_case("t4-leaves-bottom", 7, plan7, Style(leaves_bottom=True)))

    # 8. numbers typed as text: "0", "12件", full-width "１２", fee "12.3456" and "0.00".
    c = _case("text-values", 8, sheet_per_table())
    zero = next(k for k, v in c.expected.items() if v == 0 and ED.cells[k].is_input and k.startswith("t3."))
    _set(c, zero, "0", Decimal(0))
    row = _nonzero_row(c.expected)
    n = c.expected[f"{row}.natural_person"]
    _set(c, f"{row}.natural_person", f"{n}件", n)
    t = c.expected[f"{row}.total"]
    _set(c, f"{row}.total", str(t).translate(str.maketrans("0123456789", "０１２３４５６７８９")), t)
    _set(c, "t2.fees.amount", "12.3456", Decimal("12.3456"))
    c.warnings = {"number-in-text"}
    out.append(c)
    c = _case("fee-zero-text", 9, sheet_per_table(("主动公开", "依申请", "复议诉讼")))
    _set(c, "t2.fees.amount", "0.00", Decimal(0))
    out.append(c)

    # 9. totals are Excel formulas (with their computed results).
    out.append(_case("formulas", 10, one_sheet_with_prose(), Style(formulas=True)))

    # -- real mistakes ----------------------------------------------------------------------
    # 10. a 总计 typed that is not the row sum (and so the 总计 column does not add up either).
    c = _case("wrong-row-total", 11, sheet_per_table())
    row = _nonzero_row(c.expected)
    _set(c, f"{row}.total", int(c.expected[f"{row}.total"]) + 2)
    c.errors = {("R1", f"{row}.total"), ("R2", "t3.total_results.total")}
    out.append(c)

    # 11. a 自然人 figure changed after the totals were typed: row and column sums both off.
    c = _case("changed-item", 12, one_sheet_with_prose())
    row = _nonzero_row(c.expected)
    _set(c, f"{row}.natural_person", int(c.expected[f"{row}.natural_person"]) - 1)
    c.errors = {("R1", f"{row}.total"), ("R2", "t3.total_results.natural_person")}
    out.append(c)

    # 12. （七）总计 not the column sum, in one column.
    c = _case("wrong-results-total", 13, sheet_per_table(("主动公开", "依申请", "复议诉讼")), Style(spans="repeat"))
    col = "legal_service"
    _set(c, f"t3.total_results.{col}", int(c.expected[f"t3.total_results.{col}"]) + 1)
    c.errors = {("R2", f"t3.total_results.{col}"), ("R1", "t3.total_results.total"), ("R3", f"t3.new_received.{col}")}
    out.append(c)

    # 13. 一 + 二 ≠ （七） + 四: 结转下年度 one too many (row total updated), totals are formulas.
    c = _case("unbalanced", 14, one_sheet_with_prose(), Style(formulas=True))
    _set(c, "t3.carry_forward.natural_person", int(c.expected["t3.carry_forward.natural_person"]) + 1)
    c.expected["t3.carry_forward.total"] += 1
    c.raw["t3.carry_forward.total"] = int(c.expected["t3.carry_forward.total"])
    c.errors = {("R3", "t3.new_received.natural_person"), ("R3", "t3.new_received.total")}
    out.append(c)

    # 14. table 4: 总计 not the sum of its four items, HTML layout.
    c = _case("t4-wrong-total", 15, sheet_per_table(), Style(spans="first", relabel=half_width))
    _set(c, "t4.litigation.direct.total", int(c.expected["t4.litigation.direct.total"]) + 1)
    c.errors = {("R4", "t4.litigation.direct.total")}
    out.append(c)

    # 15. blanks and placeholders where 0 belongs (warnings only), a blank total (computed).
    c = _case("blanks-and-dashes", 16, one_sheet_with_prose())
    zeros = [k for k, v in c.expected.items() if v == 0 and ED.cells[k].is_input and k.startswith("t3.")]
    _set(c, zeros[0], None, None)
    _set(c, zeros[1], "/", None)
    _set(c, zeros[2], "—", None)
    _set(c, "t4.review.total", None, None)  # the checker computes it
    c.warnings = {"cell-blank", "total-blank"}
    out.append(c)

    # 16. a figure left blank although the totals count it: a real mistake.
    c = _case("blank-but-counted", 17, sheet_per_table(), Style(spans="first"))
    row = _nonzero_row(c.expected)
    _set(c, f"{row}.natural_person", None, None)
    c.errors = {("R1", f"{row}.total"), ("R2", "t3.total_results.natural_person")}
    c.warnings = {"cell-blank"}
    out.append(c)

    # 17. a PDF converter's grid: every table column two sheet columns wide, headers merged
    #     over both, the number in the second; wrapped headers broken over two cells;
    #     items numbered “（1）”.
    out.append(_case("pdf-grid", 18, one_sheet_with_prose(col=0),
                     Style(col_step=2, value_shift=1, split_headers=True, relabel=paren_numbering)))

    # 18. the same grid with the numbers in the first column, HTML spans, formulas.
    out.append(_case("pdf-grid-formulas", 19, sheet_per_table(starts=((1, 1), (1, 1), (1, 1))),
                     Style(col_step=2, spans="first", split_headers=True, formulas=True)))

    # 19. every number stored as text (a WPS column formatted as 文本), counts with “件”
    #     in table 4, the fee with a trailing space.
    c = _case("all-text", 22, sheet_per_table(("表一", "表二", "表三")), Style(spans="repeat", relabel=keyboard))
    c.raw = {k: str(v) for k, v in c.raw.items()}
    for k in ED.table("t4").cell_keys():
        c.raw[k] += "件"
    c.raw["t2.fees.amount"] += " "
    c.warnings = {"number-in-text"}
    out.append(c)

    # 20. 合计 written for every 总计 (an alias in the edition), （七）合计 for （七）总计.
    grand = ED.cells["t3.total_results.total"]
    out.append(_case("heji-for-zongji", 23, sheet_per_table(),
                     Style(replace_labels={grand.col_path[-1].label: "合计",
                                           grand.row_path[-1].label: "（七）合计"})))

    # -- tables genuinely absent: named, never guessed -----------------------------------------
    c = _case("no-table-4", 20, {"Sheet1": (0, 1, [("text", TITLE), ("table", "t2"), ("gap", 2), ("table", "t3"),
                                                  ("gap", 2), ("text", ED.table("t4").title),
                                                  ("text", "本年度未发生政府信息公开行政复议、行政诉讼。")])})
    _absent(c, "t4")
    out.append(c)
    normative = ED.cells["t2.normative_docs.issued"].row_path[-1].label
    c = _case("no-table-2", 21, {"主动公开": (0, 0, [("text", ED.table("t2").title),
                                                 ("text", f"本年度制发{normative}3件，行政许可决定12件。")]),
                                 "依申请": (0, 0, [("table", "t3")]), "复议诉讼": (0, 0, [("table", "t4")])})
    _absent(c, "t2")
    out.append(c)

    return out


def paren_numbering(text: str) -> str:
    """Items numbered “（1）” instead of “1.”."""
    return re.sub(r"^(\d)\.", r"（\1）", text)


def _absent(c: Case, table: str) -> None:
    """The table is not in the workbook: its cells absent, one labels-not-found error."""
    keys = ED.table(table).cell_keys()
    for k in keys:
        c.raw.pop(k)
        c.expected.pop(k)
    c.errors = {("labels-not-found", keys[0])}


def case(name: str) -> Case:
    return next(c for c in cases() if c.name == name)
