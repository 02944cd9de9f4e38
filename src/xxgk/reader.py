"""Read a submitted workbook back into a :class:`~xxgk.submission.Submission`.

Two kinds of workbook arrive:

* **ours** -- made from our template: the hidden sheet ``_xxgk`` says which
  edition, year and unit it is, and every number cell, 基本信息 field and
  prose section carries a workbook-level defined name (``xxgk.<key>``), so
  cells are found even after a unit inserted rows.  A cell without a name
  is placed relative to the named cells of its table (the layout from
  :mod:`xxgk.layout` gives the offsets), or at its template position when
  the table has no named cell; missing names of input cells are reported
  (info finding ``names-missing``).
* **not ours** -- a body's own table or a copy pasted into a fresh file.
  The tables are located by their official labels, derived from the
  edition: row labels, then the column headers above them (group headers
  disambiguate repeated leaf labels such as table 4's 结果维持); table 4
  has no row labels, so its column headers are found first and the data row
  is the first one below them.  Finding ``not-our-template`` (info) says so;
  a table found on several sheets is read from the best one and reported
  (warning ``table-duplicated``).  Unit and year come from 基本信息-style
  labels, a title such as “XX2021年政府信息公开工作年度报告”, or the file name.

A workbook of our template whose table sheet was deleted cannot be read
(``UnreadableFile``, code ``sheet-missing``): the unit must fill a complete
template.  Cells of other workbooks that cannot be located (labels not
found) are **absent** from ``Submission.cells``, and one error finding per
table (``labels-not-found``) names them: the checker counts
an absent cell as 0 without a second, misleading per-cell finding.  Every
located cell is present with its status (see :mod:`xxgk.values`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from . import meta as M
from .findings import Finding
from .layout import Region, TableLayout, a1, layouts
from .spec import (DEFAULT_EDITION, Block, Edition, Node, SpecError, Table, ValueType, available_editions,
                   cell_key, load_edition, normalise_label)
from .submission import CellValue, Submission, UnreadableFile
from .values import BLANK, format_decimal, in_range, normalise_decimal, read_number
from .xlsx import NUMBER, RawCell, XlsxBook, parse_a1

__all__ = ["read_workbook", "read_book", "detect_edition", "canonical_label", "NAMES_MISSING", "TABLE_DUPLICATED"]

NAMES_MISSING = "names-missing"  # info: defined names of input cells missing, positions derived
TABLE_DUPLICATED = "table-duplicated"  # warning: a table found on several sheets, one was read

# How far to look for headers and values around a label (rows / columns).
HEADER_REACH = 12  # column headers at most this many rows above a block's first data row
DATA_REACH = 3  # table 4: the data row at most this many rows below its headers
VALUE_REACH = 3  # 基本信息: the value at most this many columns right of its label
PROSE_REACH = 5  # prose: the text at most this many rows below its section label

Position = tuple[str, int, int]  # sheet, row, col (0-based)


# -- public ---------------------------------------------------------------------


def read_workbook(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read one workbook; raise :class:`UnreadableFile` if it cannot be read at all."""
    with XlsxBook(path) as book:
        return read_book(book, path, edition)


def read_book(book: XlsxBook, path: str | Path, edition: Edition | str | None = None,
              file_kind: str = "workbook") -> Submission:
    """Read an opened book: an :class:`XlsxBook`, or a
    :class:`xxgk.published.grid.GridBook` holding a published report's tables
    (``file_kind`` "html", "text", "docx" or "pdf"; read by labels, every
    cell keeping its origin in the document)."""
    meta = _read_meta(book)
    labels = _LabelIndex(book)
    ed, findings = _choose_edition(edition, meta, labels, path)
    sub = Submission(path=str(path), edition=ed.edition, ours=meta is not None, file_kind=file_kind)
    sub.findings.extend(findings)
    if meta is not None:
        positions = _locate_ours(book, ed, sub)
    else:
        positions = _locate_by_labels(labels, ed, sub)
    _read_cells(book, ed, positions, sub)
    sub.info = _read_info(book, labels, ed)
    sub.prose = _read_prose(book, labels, ed)
    _identify(sub, meta, labels, ed)
    return sub


canonical_label = normalise_label  # the one label normaliser (xxgk.spec), under the reader's old name
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


# -- metadata and edition ------------------------------------------------------------


def _read_meta(book: XlsxBook) -> dict[str, object] | None:
    if not book.has_sheet(M.META_SHEET):
        return None
    cells = book.cells(M.META_SHEET)
    rows: dict[str, str] = {}
    members: list[str] = []
    for (r, c), cell in sorted(cells.items()):
        if c != 0:
            continue
        field, value = _text(cell.value), _text(cells[(r, 1)].value) if (r, 1) in cells else ""
        if field == M.MEMBER:
            members.append(value)
        else:
            rows.setdefault(field, value)
    return M.parse_meta(rows, members)


def _choose_edition(wanted: Edition | str | None, meta: dict[str, object] | None, labels: "_LabelIndex",
                    path: str | Path) -> tuple[Edition, list[Finding]]:
    """The edition to read with, from the evidence: the one asked for, else
    our metadata, else the labels found (those only one edition has), else
    the report year; with a finding when the file disagrees or the edition
    does not fit the year."""
    stated = str(meta.get("edition") or "") if meta else ""
    findings: list[Finding] = []
    if isinstance(wanted, Edition):
        ed = wanted
    elif wanted:
        ed = load_edition(wanted)
    elif stated:
        try:
            ed = load_edition(stated)
        except SpecError:
            ed = load_edition(DEFAULT_EDITION)
    else:
        ed, findings = detect_edition(labels, path)
    if stated and stated != ed.edition:
        findings.append(Finding.of("wrong-edition", f"此工作簿按 {stated} 版格式制作，但按 {ed.edition} 版格式读取，请使用 {ed.edition} 版模板填报。",
                                expected=ed.edition, actual=stated))
    if meta is not None:
        findings += _template_version(meta)
    return ed, findings


def _template_version(meta: dict[str, object]) -> list[Finding]:
    """Our workbook made by another version of the template: said, never silent."""
    version = str(meta.get("template_version") or "")
    if version == M.TEMPLATE_VERSION:
        return []
    newer = version.isdigit() and M.TEMPLATE_VERSION.isdigit() and int(version) > int(M.TEMPLATE_VERSION)
    what = "更新版本的 xxgk 生成，请升级 xxgk 后再校验" if newer else "旧版模板生成，请核对读取的数字，必要时用新模板重新填报"
    return [Finding.of("template-version", f"此工作簿的模板版本为“{version or '未知'}”，当前为“{M.TEMPLATE_VERSION}”：由{what}。",
                    expected=M.TEMPLATE_VERSION, actual=version or None)]


@functools.lru_cache(maxsize=None)
def _distinct_labels() -> dict[str, frozenset[str]]:
    """Per edition, the canonical labels (rows, columns, aliases) no other edition has."""
    own = {}
    for name in available_editions():
        try:
            ed = load_edition(name)
        except SpecError:
            continue
        own[name] = {canonical_label(t) for table in ed.tables for b in table.blocks
                     for paths in (b.row_paths(), b.column_paths()) for p in paths for t in _texts(p[-1]) if t}
    return {n: frozenset(texts - set().union(*(o for m, o in own.items() if m != n))) for n, texts in own.items()}


def detect_edition(labels: "_LabelIndex", path: str | Path = "") -> tuple[Edition, list[Finding]]:
    """The edition of a workbook that does not say: the one most of whose own
    labels (those no other edition has) are found, else the one whose report
    years hold the year of the title or file name, else the default."""
    distinct = _distinct_labels()
    found = {name: sorted(t for t in texts if labels.find([t])) for name, texts in distinct.items()}
    best = max(found, key=lambda n: (len(found[n]), n == DEFAULT_EDITION))
    default = load_edition(DEFAULT_EDITION)
    year = _from_title(labels, default).get("year") or _year_in(Path(str(path)).name)
    findings: list[Finding] = []
    if found[best] and sum(1 for n in found if len(found[n]) == len(found[best])) == 1:
        ed = load_edition(best)
        if ed.edition != DEFAULT_EDITION:
            shown = "”“".join(_display_label(ed, t) for t in found[best][:3])
            findings.append(Finding.of("edition-detected", f"按表格中的“{shown}”等栏目，判断为 {ed.edition} 版格式（{ed.document}）。",
                                    actual=ed.edition))
        if year and not ed.covers(year):
            fits = [n for n in distinct if load_edition(n).covers(year)]
            should = f"，{year} 年度应使用 {fits[0]} 版格式（{load_edition(fits[0]).document}）" if fits else ""
            findings.append(Finding.of("edition-year-mismatch", f"报告年度为 {year} 年，但表格是 {ed.edition} 版格式{should}；已按 {ed.edition} 版格式读取。",
                                    expected=fits[0] if fits else None, actual=ed.edition))
        return ed, findings
    for name in sorted(distinct, reverse=True):
        ed = load_edition(name)
        if ed.covers(year):
            return ed, findings
    return default, findings


def _display_label(ed: Edition, canonical: str) -> str:
    """The official wording of a canonical label, for messages."""
    for table in ed.tables:
        for b in table.blocks:
            for paths in (b.row_paths(), b.column_paths()):
                for p in paths:
                    if canonical in {canonical_label(t) for t in _texts(p[-1]) if t}:
                        return p[-1].label
    return canonical


# -- our workbooks: defined names ------------------------------------------------------------


def _locate_ours(book: XlsxBook, ed: Edition, sub: Submission) -> dict[str, Position]:
    """Every cell key's position from its defined name.  A cell without a
    name is placed relative to named cells of its table (same layout row
    and column), so rows inserted above a table still move it; only if the
    table has no named cell at all is the template position used.  Missing
    names of input cells are reported (info ``names-missing``)."""
    names = book.defined_names
    named: dict[str, Position] = {}
    for key in ed.cells:
        target = names.get(M.defined_name(key))
        if target and book.has_sheet(target[0]):
            named[key] = (target[0], *parse_a1(target[1]))
    positions = dict(named)
    for lay in layouts(ed).values():
        positions.update(_relative_positions(lay, named))
    unnamed = [k for k in ed.input_keys if k not in named]
    if unnamed:
        sheets = "、".join(dict.fromkeys(ed.cells[k].table.sheet for k in unnamed))
        sub.findings.append(Finding.of(NAMES_MISSING, f"工作簿中缺少 {len(unnamed)} 个单元格名称（可能被删除或复制到了新文件），"
                                    f"已按模板中的相对位置读取（{sheets}）。",
                                    keys=unnamed))
    return _drop_missing_sheets(book, ed, positions, sub)


def _relative_positions(lay: TableLayout, named: dict[str, Position]) -> dict[str, Position]:
    """Where the unnamed cells of a table are, judged from its named cells:
    moved like a named cell in the same layout row (rows) and column (columns)."""
    unnamed = [k for k in lay.cells if k not in named]
    if not unnamed:
        return {}
    by_row: dict[int, tuple[Region, Position]] = {}
    by_col: dict[int, tuple[Region, Position]] = {}
    for key in lay.cells:
        if key in named:
            reg = lay.cells[key]
            by_row.setdefault(reg.r1, (reg, named[key]))
            by_col.setdefault(reg.c1, (reg, named[key]))
    out: dict[str, Position] = {}
    for key in unnamed:
        reg = lay.cells[key]
        if not by_row:
            out[key] = (lay.table.sheet, reg.r1, reg.c1)
            continue
        row_ref = by_row.get(reg.r1) or by_row[min(by_row, key=lambda r: abs(r - reg.r1))]
        col_ref = by_col.get(reg.c1, row_ref)
        row_reg, (sheet, row, _) = row_ref
        col_reg, (_, _, col) = col_ref
        out[key] = (sheet, reg.r1 + row - row_reg.r1, reg.c1 + col - col_reg.c1)
    return out


def _drop_missing_sheets(book: XlsxBook, ed: Edition, positions: dict[str, Position],
                         sub: Submission) -> dict[str, Position]:
    """Raise ``UnreadableFile`` (sheet-missing) when a table sheet was deleted."""
    missing = sorted({p[0] for p in positions.values() if not book.has_sheet(p[0])})
    if missing:
        tables = "、".join(dict.fromkeys(ed.cells[k].table.title for k, p in positions.items() if p[0] in missing))
        sheets = "、".join(f"“{s}”" for s in missing)
        raise UnreadableFile(sub.path, f"工作簿缺少工作表{sheets}（{tables}），可能被删除；请用完整的模板重新填报",
                             code="sheet-missing")
    return positions


# -- reading located cells ---------------------------------------------------------------------


def _read_cells(book: XlsxBook, ed: Edition, positions: dict[str, Position], sub: Submission) -> None:
    origin = getattr(book, "origin", None)  # a published report's book: where each cell came from
    for key, (sheet, row, col) in positions.items():
        raw = book.cells(sheet).get((row, col))
        cv = _cell_value(key, ed.value_type(key), sheet, row, col, raw)
        if origin is not None:
            cv.origin = origin(sheet, row, col)
        sub.cells[key] = cv


def _cell_value(key: str, value_type: ValueType, sheet: str, row: int, col: int, raw: RawCell | None) -> CellValue:
    address = a1(row, col)
    if raw is None:
        return CellValue(key, sheet, address, None, None, BLANK)
    r = read_number(raw.value, value_type)
    cached = normalise_decimal(raw.value) if raw.formula is not None and raw.type == NUMBER else None
    if cached is not None and not in_range(cached):
        cached = None  # a cached result no number can be (1E+400): as if there were none
    return CellValue(key, sheet, address, _display(raw.value), r.value, r.status, raw.formula, cached, r.note, unit=r.unit)


def _display(value: object) -> object:
    """A stored value as the CellValue contract shows it (str, int, float, bool, None)."""
    if isinstance(value, Decimal):
        if not in_range(value):
            return str(value)  # shown as stored: 1E+400, Infinity
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: object) -> str:
    """A cell value as text: numbers without a trailing ".0"."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(normalise_decimal(value))
    return str(value)


# -- searching labels ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    """A text cell, with the extent of its merged range."""

    sheet: str
    row: int
    col: int
    row2: int
    col2: int
    text: str  # canonical


class _LabelIndex:
    """Text cells of a workbook by sheet, built on first use of a sheet."""

    def __init__(self, book: XlsxBook):
        self.book = book
        self._sheets: dict[str, list[_Label]] = {}
        self._rows: dict[str, dict[int, list[_Label]]] = {}
        self._exact: dict[str, dict[str, list[_Label]]] = {}
        self._memo: dict[tuple, list[_Label]] = {}  # find() answers: the same labels are asked for again

    @property
    def sheet_names(self) -> list[str]:
        """Sheets to search: visible ones first, never the metadata sheet."""
        names = [n for n in self.book.sheet_names if n != M.META_SHEET]
        return sorted(names, key=lambda n: self.book.sheet_state(n) != "visible")

    def labels(self, sheet: str) -> list[_Label]:
        if sheet not in self._sheets:
            self._build(sheet)
        return self._sheets[sheet]

    def row(self, sheet: str, row: int) -> list[_Label]:
        if sheet not in self._rows:
            self._build(sheet)
        return self._rows[sheet].get(row, [])

    def by_text(self, sheet: str) -> dict[str, list[_Label]]:
        if sheet not in self._exact:
            self._build(sheet)
        return self._exact[sheet]

    def _build(self, sheet: str) -> None:
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self.book.merged(sheet)}
        out = []
        for (r, c), cell in sorted(self.book.cells(sheet).items()):
            if isinstance(cell.value, str) and cell.type != "e" and cell.value.strip():
                r2, c2 = spans.get((r, c), (r, c))
                out.append(_Label(sheet, r, c, r2, c2, canonical_label(cell.value)))
        self._sheets[sheet] = out
        by_row: dict[int, list[_Label]] = {}
        by_text: dict[str, list[_Label]] = {}
        for lab in out:
            by_row.setdefault(lab.row, []).append(lab)
            by_text.setdefault(lab.text, []).append(lab)
        self._rows[sheet] = by_row
        self._exact[sheet] = by_text

    def find(self, texts: Iterable[str], sheets: Iterable[str] | None = None,
             rows: tuple[int, int] | None = None) -> list[_Label]:
        """Cells matching any of ``texts``, strongest kind of match only:
        exact, else abbreviated/annotated (see :func:`_match`), else containment."""
        wanted = [canonical_label(t) for t in texts if t]
        sheets = list(sheets or self.sheet_names)
        memo_key = (tuple(wanted), tuple(sheets), rows)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._find(wanted, sheets, rows)
        return list(self._memo[memo_key])

    def _find(self, wanted: list[str], sheets: list[str], rows: tuple[int, int] | None) -> list[_Label]:
        exact = {lab for sh in sheets for w in wanted for lab in self.by_text(sh).get(w, ())
                 if rows is None or rows[0] <= lab.row <= rows[1]}
        if exact:
            return sorted(exact, key=lambda lab: (sheets.index(lab.sheet), lab.row, lab.col))
        pool = [lab for sh in sheets for lab in self.labels(sh) if rows is None or rows[0] <= lab.row <= rows[1]]
        scored = [(lab, max(_match(lab.text, w) for w in wanted)) for lab in pool] if wanted else []
        for strength in (2, 1):
            hits = [lab for lab, score in scored if score >= strength]
            if hits:
                return hits
        return []

    def extent(self, lab: _Label) -> tuple[int, int]:
        """Columns a header covers: its merged range, else up to the next text on its row."""
        if lab.col2 > lab.col:
            return lab.col, lab.col2
        right = [o.col for o in self.row(lab.sheet, lab.row) if o.col > lab.col]
        return lab.col, (min(right) - 1 if right else 1 << 20)


_REMARK = re.compile(r"(?<=.)（[^（）]*）")  # a bracketed remark, not a leading （一）


@functools.lru_cache(maxsize=1 << 16)  # the same labels meet the same cells in every report
def _match(cell: str, label: str) -> int:
    """How well a cell's text matches a label (both canonical): 3 exact;
    2 one is an abbreviation of the other (a prefix with at least 4 real
    characters) or they differ only by bracketed remarks (“本年收费金额（单位：
    万元，保留4位小数）”); 1 the label is contained in a longer cell; 0 none."""
    if cell == label:
        return 3
    shorter, longer = sorted((cell, label), key=len)
    if longer.startswith(shorter) and len(_NUMBERING.sub("", shorter)) >= 4:
        return 2
    core = _REMARK.sub("", label)
    if len(_NUMBERING.sub("", core)) >= 2 and _REMARK.sub("", cell) == core:
        return 2
    if len(label) >= 6 and label in cell:
        return 1
    return 0


# -- not our workbooks: locating tables by their labels ----------------------------------------------


def _locate_by_labels(labels: _LabelIndex, ed: Edition, sub: Submission) -> dict[str, Position]:
    positions: dict[str, Position] = {}
    places: list[str] = []
    for table in ed.tables:
        sheet, rivals = _best_sheet(labels, table)
        found, missing = _locate_table(labels, table, sheet)
        positions.update(found)
        if found and rivals:
            sub.findings.append(_table_duplicated(table, sheet, rivals))
        if found:
            places.append(f"{table.sheet}在{_place(labels.book, sheet, found)}")
        if missing:
            sub.findings.append(_labels_not_found(table, missing, [k for k in table.cell_keys() if k not in found]))
    where = "，".join(places) if places else "未找到任何表格"
    if sub.file_kind == "workbook":
        message = f"此工作簿不是用本系统模板填报的，已按官方标签定位表格（{where}）。"
    else:
        message = f"此文件是已发布的报告（{FILE_KIND_NAMES.get(sub.file_kind, sub.file_kind)}），已按官方标签定位表格（{where}）。"
    sub.findings.insert(0, Finding.of("not-our-template", message))
    return positions


FILE_KIND_NAMES = {"workbook": "工作簿", "html": "网页", "text": "文本", "docx": "Word 文档", "pdf": "PDF 文件"}


def _place(book: XlsxBook, sheet: str, found: dict[str, Position]) -> str:
    """Where a table was found: its sheet, or in a published report where
    its first cell was read (“第1个表格第3行”)."""
    origin = getattr(book, "origin", None)
    if origin is None:
        return f"“{sheet}”"
    first = min(found.values(), key=lambda p: (p[1], p[2]))
    o = origin(*first)
    if o is None:
        return f"“{sheet}”"
    return replace(o, col=None).describe()


def _table_duplicated(table: Table, sheet: str, rivals: list[str]) -> Finding:
    others = "".join(f"“{r}”" for r in rivals)
    return Finding.of(TABLE_DUPLICATED, f"{table.title}在工作表“{sheet}”和{others}中都有，已读取“{sheet}”中的一份；请删除多余的表格后再报送。",
                   sheet=sheet)


def _labels_not_found(table: Table, missing: list[str], keys: list[str]) -> Finding:
    names = list(dict.fromkeys(missing))
    if len(keys) == len(table.cell_keys()):
        message = (f"找不到{table.title}：工作簿中没有这张表的官方标签（如“{names[0]}”），"
                   f"其 {len(keys)} 个数字无法读取，请使用官方格式的表格。")
    else:
        message = (f"在{table.title}中找不到以下标签：{''.join(f'“{n}”' for n in names)}；"
                   f"相应的 {len(keys)} 个数字无法读取，请使用官方格式的表格。")
    return Finding.of("labels-not-found", message, keys=keys, actual="、".join(names))


def _locate_table(labels: _LabelIndex, table: Table, sheet: str) -> tuple[dict[str, Position], list[str]]:
    """Positions of a table's cells on a sheet, and the labels not found."""
    found: dict[str, Position] = {}
    missing: list[str] = []
    prev_row = -1
    for block in table.blocks:
        if block.row_depth:
            rows, prev_row = _locate_rows(labels, sheet, block, prev_row, missing)
            first = min(rows.values(), default=None)
            cols = _locate_columns(labels, sheet, block, first, missing) if first is not None else {}
            if first is None:
                missing += [_path_text(p) for p in block.column_paths()]
        else:
            rows, cols = _locate_header_first(labels, sheet, block, missing)
        for ri, rp in enumerate(block.row_paths()):
            for ci, cp in enumerate(block.column_paths()):
                if ri in rows and ci in cols:
                    key = cell_key(table, rp, cp)
                    found[key] = (sheet, rows[ri], _data_col(labels, sheet, rows[ri], cols[ci]))
    return found, missing


def _path_text(path: tuple[Node, ...]) -> str:
    return " ".join(n.label for n in path if n.label)


def _texts(node: Node) -> list[str]:
    return [node.label, *node.aliases]


def _with_group_labels(labels: _LabelIndex, sheet: str, path: tuple[Node, ...]) -> list[_Label]:
    """Cells holding a row's label written after its group labels in one cell
    (“（六）其他处理 3.其他” when table 3 is pasted with one label column):
    a cell that starts with the group labels, the rest matching the row label."""
    groups = [canonical_label(n.label) for n in path[:-1] if n.label]
    prefixes = ["".join(groups[i:]) for i in range(len(groups))]
    own = [canonical_label(t) for t in _texts(path[-1]) if t]
    return [lab for lab in labels.labels(sheet)
            if any(lab.text.startswith(g) and any(_match(lab.text[len(g):], t) >= 2 for t in own)
                   for g in prefixes)]


def _best_sheet(labels: _LabelIndex, table: Table) -> tuple[str, list[str]]:
    """The sheet holding most of the table's leaf labels (visible sheets win
    ties), and other sheets holding (nearly) as many: copies of the table."""
    leaves = [p[-1] for b in table.blocks for paths in (b.row_paths(), b.column_paths()) for p in paths]
    texts = {t for n in leaves for t in _texts(n) if t}
    names = labels.sheet_names
    scores = {s: sum(1 for t in texts if labels.find([t], [s])) for s in names}
    best = max(names, key=lambda s: (scores[s], -names.index(s)))
    rivals = [s for s in names if s != best and scores[s] >= max(1.0, 0.8 * scores[best])]
    return best, rivals


def _locate_rows(labels: _LabelIndex, sheet: str, block: Block, prev_row: int,
                 missing: list[str]) -> tuple[dict[int, int], int]:
    """Sheet row of each leaf row label (in order, each below the previous one)."""
    rows: dict[int, int] = {}
    for i, path in enumerate(block.row_paths()):
        hits = labels.find(_texts(path[-1]), [sheet]) or _with_group_labels(labels, sheet, path)
        if not hits:
            missing.append(path[-1].label)
            continue
        below = [h for h in hits if h.row > prev_row]
        pick = min(below or hits, key=lambda h: h.row)
        rows[i] = pick.row
        prev_row = max(prev_row, pick.row)
    return rows, prev_row


def _locate_columns(labels: _LabelIndex, sheet: str, block: Block, first_row: int,
                    missing: list[str] | None) -> dict[int, tuple[int, int]]:
    """(first, last) sheet column of each leaf column header: the nearest one
    above ``first_row``.  A leaf label that repeats within the block (table
    4's 结果维持) is only accepted under its group headers; no header cell
    serves two leaves."""
    window = (max(0, first_row - HEADER_REACH), first_row - 1)
    paths = block.column_paths()
    counts = Counter(p[-1].label for p in paths)
    cols: dict[int, tuple[int, int]] = {}
    for i, path in enumerate(paths):
        hits = labels.find(_texts(path[-1]), [sheet], window)
        hits = _under_ancestors(labels, sheet, path, hits, required=counts[path[-1].label] > 1)
        used = set(cols.values())
        hits = [h for h in hits if (h.col, h.col2) not in used]
        if not hits:
            if missing is not None:
                missing.append(_path_text(path))
            continue
        nearest = max(h.row for h in hits)
        pick = min((h for h in hits if h.row == nearest), key=lambda h: h.col)
        cols[i] = (pick.col, pick.col2)
    return cols


def _under_ancestors(labels: _LabelIndex, sheet: str, path: tuple[Node, ...], hits: list[_Label],
                     *, required: bool) -> list[_Label]:
    """Header cells for a leaf that lie under its group headers.  Unless
    ``required``, group headers only decide between several candidates (and
    all are kept when none lies under them: the groups may just be missing)."""
    if len(hits) < 2 and not required:
        return hits
    kept = hits
    for anc in path[:-1]:
        if not anc.label:
            continue
        under = [h for h in kept if _covered(labels, sheet, anc, h, len(path))]
        kept = under if (under or required) else kept
    return kept


def _covered(labels: _LabelIndex, sheet: str, anc: Node, lab: _Label, depth: int) -> bool:
    window = (max(0, lab.row - depth), lab.row - 1)
    for a in labels.find(_texts(anc), [sheet], window):
        c1, c2 = labels.extent(a)
        if c1 <= lab.col <= c2:
            return True
    return False


def _locate_header_first(labels: _LabelIndex, sheet: str, block: Block,
                         missing: list[str]) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """A block without row labels (table 4): find the header, then the data row below it."""
    probes = sorted({h.row2 + 1 for p in block.column_paths() for h in labels.find(_texts(p[-1]), [sheet])})
    best: dict[int, tuple[int, int]] = {}
    best_probe = None
    for probe in probes:
        cols = _locate_columns(labels, sheet, block, probe, None)
        if len(cols) > len(best):
            best, best_probe = cols, probe
    missing += [_path_text(p) for i, p in enumerate(block.column_paths()) if i not in best]
    if best_probe is None:
        return {}, {}
    header_bottom = max(_header_bottom(labels, sheet, span, best_probe) for span in best.values())
    data_row = _first_filled_row(labels.book, sheet, header_bottom + 1, best.values())
    return {i: data_row for i in range(len(block.row_paths()))}, best


def _header_bottom(labels: _LabelIndex, sheet: str, span: tuple[int, int], probe: int) -> int:
    """Last row of the header cell at ``span`` found just above ``probe``."""
    rows = [lab.row2 for lab in labels.labels(sheet) if (lab.col, lab.col2) == span and lab.row2 < probe]
    return max(rows, default=probe - 1)


def _first_filled_row(book: XlsxBook, sheet: str, start: int, spans: Iterable[tuple[int, int]]) -> int:
    """The first row from ``start`` with a value in any of the columns (else ``start``)."""
    cells = book.cells(sheet)
    cols = [c for c1, c2 in spans for c in range(c1, c2 + 1)]
    for row in range(start, start + DATA_REACH):
        if any((row, c) in cells for c in cols):
            return row
    return start


def _data_col(labels: _LabelIndex, sheet: str, row: int, span: tuple[int, int]) -> int:
    """Under a header merged across columns, the column that holds the value."""
    cells = labels.book.cells(sheet)
    return next((c for c in range(span[0], span[1] + 1) if (row, c) in cells), span[0])


# -- 基本信息 and prose -------------------------------------------------------------------------


def _named_cell(book: XlsxBook, name: str) -> RawCell | None | bool:
    """The cell a defined name points to; False when there is no such name."""
    target = book.defined_names.get(name)
    if not target or not book.has_sheet(target[0]):
        return False
    return book.cell(*target)


def _read_info(book: XlsxBook, labels: _LabelIndex, ed: Edition) -> dict[str, str]:
    info: dict[str, str] = {}
    for f in ed.info_fields:
        cell = _named_cell(book, M.defined_name(f"info.{f.key}"))
        if cell is False:
            cell = _beside_label(labels, f.label)
        text = _info_text(cell, f.type) if cell else ""
        if text:
            info[f.key] = text
    return info


def _info_text(cell: RawCell, field_type: str) -> str:
    if field_type == "date" and isinstance(cell.value, Decimal):
        return _excel_date(cell.value)
    return _text(cell.value).strip()


def _excel_date(serial: Decimal) -> str:
    """An Excel date serial number (1900 system) as ISO text."""
    day = _dt.date(1899, 12, 30) + _dt.timedelta(days=int(serial))
    return day.isoformat()


def _beside_label(labels: _LabelIndex, label: str) -> RawCell | None:
    """The first value to the right of a label such as “单位名称（必填）”."""
    for lab in labels.find([label]):
        cells = labels.book.cells(lab.sheet)
        for col in range(lab.col2 + 1, lab.col2 + 1 + VALUE_REACH):
            cell = cells.get((lab.row, col))
            if cell is not None and _text(cell.value).strip():
                return cell
    return None


def _read_prose(book: XlsxBook, labels: _LabelIndex, ed: Edition) -> dict[str, str]:
    prose: dict[str, str] = {}
    for s in ed.prose_sections:
        cell = _named_cell(book, M.defined_name(f"prose.{s.key}"))
        if cell is False:
            cell = _below_label(labels, s.label, skip=(s.hint,))
        text = _text(cell.value).strip() if cell else ""
        if text:
            prose[s.key] = text
    return prose


def _below_label(labels: _LabelIndex, label: str, skip: tuple[str, ...]) -> RawCell | None:
    """The first text below a section label, skipping the template's hint."""
    skipped = {canonical_label(t) for t in skip}
    for lab in labels.find([label]):
        cells = labels.book.cells(lab.sheet)
        for row in range(lab.row2 + 1, lab.row2 + 1 + PROSE_REACH):
            cell = cells.get((row, lab.col))
            if cell is not None and _text(cell.value).strip() and canonical_label(cell.value) not in skipped:
                return cell
    return None


# -- year, unit, kind ------------------------------------------------------------------------------------


def _identify(sub: Submission, meta: dict[str, object] | None, labels: _LabelIndex, ed: Edition) -> None:
    meta = meta or {}
    title = {} if meta else _from_title(labels, ed)
    shown = str(sub.info.get(ed.info_key("year")) or "")
    seen = _year(shown) or _year_in(shown)  # the year the unit sees and prints (基本信息)
    made = _year(meta.get("year"))  # the year the template was made for (hidden)
    if meta:
        sub.year = seen if shown.strip() else None
        if seen and made and seen != made:
            sub.findings.append(Finding.of("year-differs", f"“{ed.info_sheet}”中的报告年度为 {seen} 年，而这份模板是按 {made} 年度生成的；已按 {seen} 年度处理"
                f"（打印的表头也是 {seen} 年）。如果报告的是 {made} 年度，请把“{ed.info_sheet}”中的报告年度改回 {made}。",
                sheet=ed.info_sheet, keys=[f"info.{_year_field(ed)}"], expected=Decimal(made), actual=Decimal(seen)))
    else:
        sub.year = seen or title.get("year") or _year_in(Path(sub.path).name)
    sub.unit = sub.info.get(ed.info_key("unit")) or str(meta.get("unit") or "") or title.get("unit") or None
    sub.unit_type = sub.info.get(ed.info_key("unit_type")) or str(meta.get("unit_type") or "") or None
    sub.kind = str(meta.get("kind") or "unit")
    sub.annotated = str(meta.get(M.ANNOTATED) or "")
    sub.members = list(meta.get("members") or [])
    sub.members_complete = bool(meta.get("members_complete", True))
    sub.template_version = str(meta.get("template_version") or "") or None
    decimals = str(meta.get("fee_decimals") or "")
    sub.fee_decimals = int(decimals) if decimals.isdigit() else None


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _year_field(ed: Edition) -> str:
    return ed.info_key("year")


def _year(value: object) -> int | None:
    m = _YEAR.fullmatch(str(value or "").strip())
    return int(m.group(1)) if m else None


def _year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def _title_pattern(ed: Edition) -> re.Pattern[str]:
    """The report title of the edition as a regex capturing unit and year."""
    parts = re.split(r"(\{unit\}|\{year\})", ed.report_title)
    groups = {"{unit}": r"(?P<unit>.+?)", "{year}": r"(?P<year>20\d{2})"}
    pattern = "".join(groups.get(p, re.escape(p)) for p in parts)
    return re.compile(pattern.replace("(?P<year>20\\d{2})年", "(?P<year>20\\d{2})年度?"))  # “2023年度…报告”


def _from_title(labels: _LabelIndex, ed: Edition) -> dict[str, object]:
    """Unit and year from a title such as “XX2021年政府信息公开工作年度报告”,
    else the year from the first text like “2021年”."""
    pattern = _title_pattern(ed)
    first_year = None
    for sheet in labels.sheet_names:
        for cell in labels.book.cells(sheet).values():
            if not isinstance(cell.value, str):
                continue
            text = re.sub(r"\s+", "", cell.value)
            m = pattern.search(text)
            if m:
                return {"unit": m.group("unit"), "year": int(m.group("year"))}
            if first_year is None:
                y = re.search(r"(?<!\d)(20\d{2})年", text)
                first_year = int(y.group(1)) if y else None
    return {"year": first_year} if first_year else {}

