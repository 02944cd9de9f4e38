"""Read a published report given as plain text.

Two shapes arrive, often mixed in one file:

* text copied from a page or a PDF, the cells of each table row separated by
  tabs or spaces (``seed-zhanbeilu-2021-report.txt``), rows sometimes
  broken, cells sometimes lost or misread;
* text in which a website archiver ran everything together
  (“…行政规范性文件417第二十条第（五）项…一、本年新收政府信息公开申请数量1000001二、…”).

The text is read linearly.  The report's sections are found first
(:mod:`xxgk.published.sections`); in each table's section the row labels of
the edition (and their aliases; items numbered “1.”, “1、”, “（1）”) are
found in order, and the figures are the numbers right after each label.
A row's numbers that are separated (tabs, spaces) are one cell each; digits
run together are split by :mod:`xxgk.published.split`, jointly for all
tables, by the report's own arithmetic.  In tab-separated text a row with
fewer numbers than cells is aligned by its tab columns against the block's
complete rows; cells without a number are unknown, and the rules may
determine them (noted).  Every figure keeps the line and column where it
was read (:class:`xxgk.submission.Origin`).

A table of another edition of the format (a 2019-format table 二 inside a
2021 report) is recognised by the labels only that edition has, reported,
and not read as this edition's figures.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..checker import fmt_number
from ..findings import Finding
from ..layout import a1, layouts
from ..reader import FILE_KIND_NAMES, _distinct_labels, _labels_not_found, canonical_label
from ..spec import (DEFAULT_EDITION, Block, Edition, Node, SpecError, Table, _join, _path_key, available_editions,
                    load_edition)
from ..submission import CellValue, Origin, Submission, UnreadableFile
from ..values import BLANK, OK, PLACEHOLDER, UNREADABLE
from .assemble import NOT_A_REPORT
from .encoding import decode_document
from .sections import Heading, fuzzy_pattern, identify, locate_sections, per_edition, split_sections
from .split import Outcome, Run, Token, solve

__all__ = ["read_text", "read_text_string"]

MAX_BYTES = 20 * 1024 * 1024  # a report's text is far smaller


# -- recognising a report ----------------------------------------------------------------------


@per_edition
def _report_markers(ed: Edition) -> re.Pattern[str]:
    """Words any report of the edition contains: its title's fixed part, its table titles."""
    title = re.sub(r"\{\w+\}", "", ed.report_title).lstrip("年")
    words = [title] + [re.sub(r"^[一二三四五六七八九十]+、", "", t.title) for t in ed.tables]
    return re.compile("|".join(fuzzy_pattern(w) for w in words if w))


def _looks_like_report(text: str, ed: Edition) -> bool:
    return bool(_report_markers(ed).search(text))


# -- reading -----------------------------------------------------------------------------------


def read_text(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read a published report saved as a text file."""
    path = Path(path)
    ed = edition if isinstance(edition, Edition) else load_edition(edition or DEFAULT_EDITION)  # for the markers
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableFile(path, f"文件过大（{size // 1048576} MB），不像是一份年度报告的文本")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(path, f"无法打开文件（{exc.strerror or exc}）") from None
    return read_text_string(decode_document(data, path), path, edition)


def read_text_string(text: str, path: str | Path = "", edition: Edition | str | None = None) -> Submission:
    """Read a report's text (already decoded).  Without ``edition``, the
    edition is chosen from the evidence: the labels only one edition has,
    else the year of the title (or file name)."""
    doc = _Document(text.replace("\r\n", "\n").replace("\r", "\n").translate(_FULL_WIDTH_DIGITS))
    default = edition if isinstance(edition, Edition) else load_edition(edition or DEFAULT_EDITION)
    if not _looks_like_report(doc.text, default):
        raise UnreadableFile(path, "文本中没有政府信息公开工作年度报告（找不到报告标题和官方表格），或文字编码无法识别；"
                                   "请确认文件内容，或另存为 UTF-8 编码后再读取", code=NOT_A_REPORT)
    if edition is None:
        ed, found = _edition_of_text(doc.text, path)
    else:
        ed, found = default, []
    sub = Submission(path=str(path), edition=ed.edition, ours=False, file_kind="text")
    reading = _Reading(ed, doc, sub)
    reading.read_tables()
    sub.findings[1:1] = found
    reading.settle()
    unit, year = identify(doc.text, ed)
    sub.unit = unit
    sub.year = year or _year_in(Path(str(path)).name)
    if unit:
        sub.info["unit"] = unit
    if sub.year:
        sub.info["year"] = str(sub.year)
    sub.prose = split_sections(doc.text, ed, reading.headings)
    return sub


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # same length: offsets hold


def _edition_of_text(text: str, path: str | Path) -> tuple[Edition, list[Finding]]:
    """The edition of the report year in the title (or file name): a report
    follows the edition of its year, and a table of another edition inside
    it is reported as such.  Without a year, the edition whose own labels
    (those no other edition has, nor holds within one of its labels) the
    text shows most, said in a finding when it is not the default."""
    default = load_edition(DEFAULT_EDITION)
    year = identify(text, default)[1] or _year_in(Path(str(path)).name)
    names = list(_edition_evidence())
    fits = [n for n in names if load_edition(n).covers(year)]
    if len(fits) == 1:
        return load_edition(fits[0]), []
    found = {name: [w for w, pat in pats if pat.search(text)] for name, pats in _edition_evidence().items()}
    best = max(found, key=lambda n: (len(found[n]), n == DEFAULT_EDITION)) if found else DEFAULT_EDITION
    if found.get(best) and sum(1 for n in found if len(found[n]) == len(found[best])) == 1:
        ed = load_edition(best)
        if ed.edition == DEFAULT_EDITION:
            return ed, []
        return ed, [Finding.of("edition-detected", f"按表格中的“{'”“'.join(found[best][:3])}”等栏目，判断为 {ed.edition} 版格式（{ed.document}）。",
                            actual=ed.edition)]
    return default, []


_EVIDENCE: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


def _edition_evidence() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Per edition: its own labels (see :func:`xxgk.reader.detect_edition`),
    less those written inside a label of another edition, as patterns."""
    if not _EVIDENCE:
        distinct = _distinct_labels()
        every = {name: {canonical_label(t) for table in load_edition(name).tables
                        for t in _labels_of(table)[0]} for name in distinct}
        for name, words in distinct.items():
            others = set().union(*(e for n, e in every.items() if n != name))
            _EVIDENCE[name] = [(w, re.compile(fuzzy_pattern(w))) for w in sorted(words)
                               if not any(w in o for o in others)]
    return _EVIDENCE


def _year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


class _Document:
    """The text with a line index, to turn offsets into line and column."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # digit runs continued on the next line: token start -> [(digits before the break, characters skipped)]
        self.joins: dict[int, list[tuple[int, int]]] = {}

    def source_offset(self, token_start: int, offset: int) -> int:
        """Where a digit of a token (``offset`` counted in the token's digits) is in the text."""
        shift = 0
        for index, gap in self.joins.get(token_start, ()):
            if offset - token_start >= index:
                shift += gap
        return offset + shift

    def origin(self, offset: int) -> Origin:
        i = bisect.bisect_right(self.starts, offset) - 1
        return Origin(line=i + 1, col=offset - self.starts[i] + 1)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_span(self, offset: int) -> tuple[int, int]:
        i = self.line_of(offset)
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end


# -- labels as patterns -----------------------------------------------------------------------

_NUMBERING = re.compile(r"^(?:(?P<cn>[一二三四五六七八九十]+)、|（(?P<paren>[一二三四五六七八九十]+)）|(?P<digit>\d+)\.)")
_REMARK = re.compile(r"（[^（）]*）$")


def _numbering_pattern(label: str) -> tuple[str, str, str | None]:
    """(numbering regex, rest of the label, the item's number as digits)."""
    m = _NUMBERING.match(label)
    if not m:
        return "", label, None
    rest = label[m.end():]
    if m.group("digit"):
        n = m.group("digit")
        return rf"(?:[（(]\s*{n}\s*[）)]|{n}\s*[.、．，,)）])", rest, n
    cn = m.group("cn") or m.group("paren")
    return rf"(?:[（(]\s*{cn}\s*[）)]|{cn}\s*[、.．])", rest, None


def _label_regex(texts: list[str]) -> tuple[re.Pattern[str], str | None]:
    """A regex for a row label and its aliases: numbering in any of its
    written forms (required when the rest is short, as in “（七）总计”),
    white space anywhere, a closing bracketed remark optional or reworded."""
    alts = []
    number = None
    for text in texts:
        num, rest, n = _numbering_pattern(text)
        number = number or n
        core = _REMARK.sub("", rest) if len(_REMARK.sub("", rest)) >= 2 else rest
        body = fuzzy_pattern(core) + r"(?:\s*[（(][^（）()]{0,80}[）)])?"
        if num:
            alts.append(f"{num}\\s*{body}" if len(core) < 4 else f"(?:{num}\\s*)?{body}")
        else:
            alts.append(body)
    return re.compile("|".join(f"(?:{a})" for a in alts)), number


@dataclass
class _RowSpec:
    keys: tuple[str, ...]
    label: str
    pattern: re.Pattern[str] | None
    number: str | None


@per_edition
def _row_specs(ed: Edition) -> dict[tuple[str, str], list[_RowSpec]]:
    """For each (table, block): its rows in order, with their cells and label patterns."""
    out: dict[tuple[str, str], list[_RowSpec]] = {}
    for table in ed.tables:
        for block in table.blocks:
            rows = []
            for rp in block.row_paths():
                keys = tuple(_join(table.key, _path_key(rp), _path_key(cp)) for cp in block.column_paths())
                leaf = rp[-1]
                if leaf.label:
                    pattern, number = _label_regex([leaf.label, *leaf.aliases])
                else:
                    pattern, number = None, None
                rows.append(_RowSpec(keys, leaf.label, pattern, number))
            out[(table.key, block.key)] = rows
    return out


@per_edition
def _column_pattern(ed: Edition) -> dict[tuple[str, str], re.Pattern[str]]:
    """Per block: any leaf column label (to find the end of a header)."""
    out = {}
    for table in ed.tables:
        for block in table.blocks:
            texts = {t for p in block.column_paths() for t in (p[-1].label, *p[-1].aliases) if t}
            out[(table.key, block.key)] = re.compile("|".join(fuzzy_pattern(t) for t in sorted(texts, key=len,
                                                                                             reverse=True)))
    return out


# -- numbers after a label ---------------------------------------------------------------------

_TOKEN = re.compile(r"(?P<num>-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))|(?P<ph>[/／\-—－–]+|无)|(?P<odd>[A-Za-z]{1,2}(?![A-Za-z]))")
_HSPACE = re.compile(r"[ \t\u3000\u00a0]+")
# A number followed by a unit or a date word is prose (“行政许可3件”, “规章2023年”), not a table's figure.
_PROSE_NUMBER = re.compile(r"\s*(?:件|条|项|个|次|份|宗|起|人|家|年|月|日|号|%|％|余|多)")
_WRAPPED_DIGITS = re.compile(r"\d+")
_ONLY_FIGURES = re.compile(r"[ \t\u3000\u00a0]*-?\d[\d.,]*(?:[ \t\u3000\u00a0]+-?\d[\d.,]*)*[ \t\u3000\u00a0]*(?:\n|$)")
_ITEM_AFTER = re.compile(r"\s*[.、．]\s*[^\d\s]")


@dataclass
class _Tok:
    kind: str  # num / ph / odd
    text: str
    start: int
    end: int
    tab_col: int | None = None  # index of the tab-separated field in its line


def _numbers_after(doc: _Document, pos: int, limit: int, next_number: str | None, need: int = 1) -> list[_Tok]:
    """The value tokens right after ``pos``: on the same line; if there are
    none there, on the following line(s); lines holding only figures
    continue the row while it has fewer tokens than its ``need`` cells (a
    copy with one cell per line).  Stops at any other text, at ``limit``, and
    before the next item's number run into the last figure (“00000002.其他…”)."""
    text = doc.text
    toks: list[_Tok] = []
    i = pos
    while i < limit:
        m = _HSPACE.match(text, i)
        if m:
            i = m.end()
            continue
        if text[i] == "\n":
            wrapped = _WRAPPED_DIGITS.match(text, i + 1)
            if toks and wrapped and toks[-1].end == i and toks[-1].kind == "num" and "." not in toks[-1].text \
                    and not _ONLY_FIGURES.match(text, i + 1) and wrapped.end() <= limit:
                # a line broken inside a run of digits (“…数量1000\n001二、…”): the digits go on
                last = toks[-1]
                doc.joins.setdefault(last.start, []).append((len(last.text), wrapped.start() - i))
                toks[-1] = _Tok("num", last.text + wrapped.group(), last.start, wrapped.end())
                i = wrapped.end()
                continue
            if toks and (len(toks) >= need or not _ONLY_FIGURES.match(text, i + 1)):
                break
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if not m or m.end() > limit:
            break
        kind = m.lastgroup or "num"
        if kind == "odd" and "\t" not in text[doc.line_span(i)[0]:doc.line_span(i)[1]]:
            break  # a stray letter counts as a misread cell only in tab-separated text
        toks.append(_Tok(kind, m.group(), m.start(), m.end()))
        i = m.end()
    if toks and toks[-1].kind == "num" and _ITEM_AFTER.match(text, toks[-1].end):
        last = toks[-1]
        n = next_number if next_number and last.text.endswith(next_number) else last.text[-1]
        if "." not in last.text and len(last.text) > len(n):
            toks[-1] = _Tok("num", last.text[:-len(n)], last.start, last.end - len(n))
        elif "." not in last.text:
            toks.pop()
    for t in toks:
        line_start, _ = doc.line_span(t.start)
        line = text[line_start:t.start]
        t.tab_col = line.count("\t") if "\t" in text[line_start:doc.line_span(t.start)[1]] else None
    return toks


# -- the reading -------------------------------------------------------------------------------


@dataclass
class _Row:
    """One row as found: its cells and the tokens read after its label."""

    table: Table
    spec: _RowSpec
    toks: list[_Tok]
    label_tab_col: int | None
    block_key: str
    at: int = 0  # where the row's label (or header) ends: the place of a cell without a number


@dataclass
class _Reading:
    ed: Edition
    doc: _Document
    sub: Submission
    rows: list[_Row] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    blank_at: dict[str, int] = field(default_factory=dict)  # cells without a number: where their row is
    headings: list[Heading] = field(default_factory=list)

    def read_tables(self) -> None:
        self.headings = headings = locate_sections(self.doc.text, self.ed)
        regions = _table_regions(self.ed, headings, len(self.doc.text))
        cursor = 0
        for table in self.ed.tables:
            start, end = regions.get(table.key, (cursor, len(self.doc.text)))
            start = max(start, 0)
            missing: list[str] = []
            found_keys: list[str] = []
            if self._foreign_edition(table, start, end):
                continue
            pos = start
            for block in table.blocks:
                pos = self._read_block(table, block, pos, end, missing, found_keys)
            if found_keys:
                first = min((r for r in self.rows if r.table is table and r.toks), key=lambda r: r.toks[0].start,
                            default=None)
                if first is not None:
                    self.places.append(f"{table.sheet}在第{self.doc.line_of(first.toks[0].start) + 1}行")
                cursor = max(cursor, pos)
            if missing:
                keys = [k for k in table.cell_keys() if k not in found_keys]
                self.sub.findings.append(_labels_not_found(table, missing, keys))
        where = "，".join(self.places) if self.places else "未找到任何表格"
        self.sub.findings.insert(0, Finding.of("not-our-template", f"此文件是已发布的报告（{FILE_KIND_NAMES['text']}），已按官方标签定位表格（{where}）。"))

    def _read_block(self, table: Table, block: Block, pos: int, end: int, missing: list[str],
                    found_keys: list[str]) -> int:
        specs = _row_specs(self.ed)[(table.key, block.key)]
        text = self.doc.text
        if not block.row_depth:  # no row labels (table 4): numbers after the last column header
            header = None
            for m in _column_pattern(self.ed)[(table.key, block.key)].finditer(text, pos, end):
                if header is not None and _numbers_between(text, header.end(), m.start()):
                    break
                header = m
            if header is None:
                missing.extend(p[-1].label for p in block.column_paths())
                return pos
            spec = specs[0]
            toks = _numbers_after(self.doc, header.end(), end, None, len(spec.keys))
            self.rows.append(_Row(table, spec, toks, None, block.key, header.end()))
            found_keys.extend(spec.keys)
            return toks[-1].end if toks else header.end()
        for i, spec in enumerate(specs):
            nxt = specs[i + 1].number if i + 1 < len(specs) else None
            m = self._find_label(spec, pos, end)
            if m is None:
                missing.append(spec.label)
                continue
            toks = _numbers_after(self.doc, m.end(), end, nxt, len(spec.keys))
            line_start, line_end = self.doc.line_span(m.start())
            tab_col = text[line_start:m.start()].count("\t") if "\t" in text[line_start:line_end] else None
            self.rows.append(_Row(table, spec, toks, tab_col, block.key, m.end()))
            found_keys.extend(spec.keys)
            pos = toks[-1].end if toks else m.end()
        return pos

    def _find_label(self, spec: _RowSpec, pos: int, end: int) -> re.Match[str] | None:
        """The first occurrence of the row's label followed by its numbers (or
        by the end of its line: a row left empty in a table)."""
        text = self.doc.text
        for m in spec.pattern.finditer(text, pos, end):
            after = _HSPACE.match(text, m.end())
            j = after.end() if after else m.end()
            if j >= len(text) or text[j] == "\n":
                return m
            t = _TOKEN.match(text, j)
            if t and not _PROSE_NUMBER.match(text, t.end()):
                return m
        return None

    def _foreign_edition(self, table: Table, start: int, end: int) -> bool:
        """A table of another edition: two or more labels only that edition
        has, or a row that is a single row there but a group of items here
        (2019's “（六）其他处理”) written with its numbers right after it.
        Reported, and nothing read from it."""
        text = self.doc.text
        for name, (words, leaves) in _foreign_labels(self.ed).get(table.key, {}).items():
            hits = [w for w, pat in words if pat.search(text, start, end)]
            shape = [w for w, pat in leaves if any(_value_follows(text, m.end()) for m in pat.finditer(text, start, end))]
            if len(hits) >= 2 or shape:
                what = f"有“{'”“'.join(hits[:3])}”等栏目" if len(hits) >= 2 else f"“{shape[0]}”一行没有分项"
                self.sub.findings.append(Finding.of("table-other-edition", f"{table.title}是 {name} 版格式的表格（{what}），与 {self.ed.edition} 版格式不同，"
                    f"其数字没有读取；请按 {self.ed.edition} 版格式核对。",
                    sheet=table.sheet, keys=table.cell_keys(), actual=name))
                return True
        return False

    # -- deciding the figures --------------------------------------------------------------------
    def settle(self) -> None:
        runs: list[Run] = []
        unknown: dict[str, _Tok | None] = {}
        placeholders: dict[str, _Tok] = {}
        trouble: dict[int, str] = {}
        for row in self.rows:
            self._row_runs(row, runs, unknown, placeholders, trouble)
        sol = solve(self.ed, runs, {}, unknown)
        lay = layouts(self.ed)
        for out in sol.outcomes:
            self._apply(out, lay, trouble.get(id(out.run)))
        for key, tok in unknown.items():
            spec = self.ed.cells[key]
            addr = _address(lay, key)
            origin = self.doc.origin(tok.start if tok else self.blank_at.get(key, 0))
            raw = tok.text if tok else None
            if key in sol.inferred_unknowns:
                v = sol.inferred_unknowns[key]
                what = f"原文为“{raw}”" if raw else "原文此处没有数字"
                note = f"{what}，按勾稽关系推断为 {fmt_number(v)}"
                self.sub.cells[key] = CellValue(key, spec.table.sheet, addr, raw, v, OK, note=note, origin=origin)
                self._finding("cell-inferred", f"{spec.label}{note}；请核对原报告。", [key], v, raw)
            else:
                status = UNREADABLE if raw else BLANK
                self.sub.cells[key] = CellValue(key, spec.table.sheet, addr, raw, None, status, origin=origin)
        for key, tok in placeholders.items():
            spec = self.ed.cells[key]
            self.sub.cells[key] = CellValue(key, spec.table.sheet, _address(lay, key), tok.text, None, PLACEHOLDER,
                                            origin=self.doc.origin(tok.start))
        if sol.broken:
            names = "；".join(i.description for i in sol.broken)
            self._finding("split-rules-broken",
                          f"连在一起的数字没有一种拆分能符合全部勾稽关系，已取违反规则最少的拆分（违反 {len(sol.broken)} 条：{names}）；"
                          f"请核对原报告。", sorted({k for i in sol.broken for k in i.keys}), None, None)

    def _row_runs(self, row: _Row, runs: list[Run], unknown: dict[str, _Tok | None],
                  placeholders: dict[str, _Tok], trouble: dict[int, str]) -> None:
        keys = row.spec.keys
        toks = row.toks
        if not toks:
            for k in keys:
                unknown[k] = None
                self.blank_at[k] = row.at
            return
        if len(toks) == len(keys):  # one token per cell
            for k, t in zip(keys, toks):
                self._one(k, t, runs, unknown, placeholders)
            return
        aligned = self._align(row)
        if aligned is not None:
            for k, t in zip(keys, aligned):
                if t is None:
                    unknown[k] = None
                    self.blank_at[k] = row.at
                else:
                    self._one(k, t, runs, unknown, placeholders)
            return
        if all(t.kind == "num" for t in toks) and len(toks) < len(keys):
            run = Run(keys, tuple(Token(t.text, t.start) for t in toks))
            runs.append(run)
            return
        # more numbers than cells, or placeholders among run-together digits: not readable
        run = Run(keys, tuple(Token(t.text, t.start) for t in toks if t.kind == "num"))
        runs.append(run)
        trouble[id(run)] = "too-many" if len(toks) > len(keys) else "mixed"

    def _one(self, key: str, tok: _Tok, runs: list[Run], unknown: dict[str, _Tok | None],
             placeholders: dict[str, _Tok]) -> None:
        if tok.kind == "num":
            runs.append(Run((key,), (Token(tok.text, tok.start),)))
        elif tok.kind == "ph":
            placeholders[key] = tok
        else:
            unknown[key] = tok

    def _align(self, row: _Row) -> list[_Tok | None] | None:
        """Tab-separated text: tokens placed by their tab column, judged from
        the block's complete rows (same number of tokens as cells)."""
        if any(t.tab_col is None for t in row.toks):
            return None
        if len({self.doc.line_of(t.start) for t in row.toks}) > 1:
            return None
        n = len(row.spec.keys)
        line = self.doc.line_of(row.toks[0].start)
        wanted = {t.tab_col for t in row.toks}
        complete = []  # (distance in lines, tab columns) of the block's complete rows
        for other in self.rows:
            if other.block_key == row.block_key and other.table is row.table and len(other.toks) == n \
                    and all(t.tab_col is not None for t in other.toks) \
                    and len({self.doc.line_of(t.start) for t in other.toks}) == 1:
                cols = tuple(t.tab_col for t in other.toks)
                if wanted <= set(cols):
                    complete.append((abs(self.doc.line_of(other.toks[0].start) - line), cols))
        if complete:
            cols = min(complete)[1]
        elif row.label_tab_col is not None:  # no complete row: the cells follow the label
            cols = tuple(range(row.label_tab_col + 1, row.label_tab_col + 1 + n))
        else:
            return None
        placed: list[_Tok | None] = [None] * n
        for t in row.toks:
            if t.tab_col not in cols:
                return None
            placed[cols.index(t.tab_col)] = t
        return placed

    def _apply(self, out: Outcome, lay, trouble: str | None) -> None:
        run = out.run
        raw_run = run.text
        for j, key in enumerate(run.keys):
            spec = self.ed.cells[key]
            addr = _address(lay, key)
            v = out.values[j]
            off = out.offsets[j]
            if off is not None:
                start = max((t.offset for t in run.tokens if t.offset <= off), default=off)
                off = self.doc.source_offset(start, off)
            origin = self.doc.origin(off if off is not None else run.tokens[0].offset) if run.tokens else None
            if v is None:
                self.sub.cells[key] = CellValue(key, spec.table.sheet, addr, raw_run or None, None,
                                                UNREADABLE if raw_run else BLANK, origin=origin)
                continue
            raw = fmt_number(v) if len(run.keys) > 1 else run.tokens[0].text
            note = ""
            if out.kind == "inferred":
                note = f"由连在一起的数字“{raw_run}”按勾稽关系拆分得出"
            elif out.kind == "broken":
                note = f"由连在一起的数字“{raw_run}”拆分，取违反勾稽关系最少的拆分"
            elif out.kind == "ambiguous":
                note = f"由连在一起的数字“{raw_run}”拆分（此格各种拆分一致）"
            self.sub.cells[key] = CellValue(key, spec.table.sheet, addr, raw, v, OK, note=note, origin=origin)
        where = self._where(run)
        row_label = self.ed.cells[run.keys[0]].row_label or self.ed.cells[run.keys[0]].table.title
        table = self.ed.cells[run.keys[0]].table.sheet
        if out.kind == "inferred":
            values = "、".join(fmt_number(v) for v in out.values)
            self._finding("split-inferred",
                          f"{table}“{row_label}”的数字在原文中连在一起（“{raw_run}”，{where}），"
                          f"按勾稽关系拆分为 {values}，这是唯一符合规则的拆分；请核对原报告。",
                          list(run.keys), values, raw_run)
        elif out.kind == "ambiguous":
            shown = "；".join("、".join(fmt_number(v) for v in c) for c in out.candidates[:6])
            more = f" 等 {len(out.candidates)} 种" if len(out.candidates) > 6 else ""
            blank = [k for k, v in zip(run.keys, out.values) if v is None]
            how = f"有多种拆分都符合勾稽关系（{shown}{more}）" if shown else "可能的拆分过多"
            every = "；".join("、".join(fmt_number(v) for v in c) for c in out.candidates[:50])
            self._finding("split-ambiguous",
                          f"{table}“{row_label}”的数字在原文中连在一起（“{raw_run}”，{where}），"
                          f"{how}，无法确定，{len(blank)} 个单元格留空；请按原报告填写。",
                          blank, every or None, raw_run)
        elif out.kind == "broken":
            values = "、".join(fmt_number(v) for v in out.values)
            self._finding("split-inferred",
                          f"{table}“{row_label}”的数字在原文中连在一起（“{raw_run}”，{where}），"
                          f"没有一种拆分符合全部勾稽关系，已取违反规则最少的拆分 {values}；请核对原报告。",
                          list(run.keys), values, raw_run)
        elif out.kind == "impossible" or trouble:
            why = {"too-many": "数字比单元格多", "mixed": "数字与占位符连在一起"}.get(trouble or "", "数字位数与单元格数不符")
            self._finding("split-impossible",
                          f"{table}“{row_label}”的数字（“{raw_run}”，{where}）{why}，无法拆分到 {len(run.keys)} 个单元格，"
                          f"未读取；请按原报告填写。", list(run.keys), None, raw_run)

    def _where(self, run: Run) -> str:
        if not run.tokens:
            return "原文"
        return "原文" + self.doc.origin(run.tokens[0].offset).describe()

    def _finding(self, code: str, message: str, keys: list[str], expected, actual) -> None:
        sheet = self.ed.cells[keys[0]].table.sheet if keys else None
        self.sub.findings.append(Finding.of(code, message, sheet=sheet, keys=list(keys),
                                            expected=expected, actual=actual))


def _numbers_between(text: str, a: int, b: int) -> bool:
    return bool(re.search(r"\d", text[a:b]))


def _address(lay, key: str) -> str:
    cell = lay[key.split(".", 1)[0]].cells.get(key) if key.split(".", 1)[0] in lay else None
    return a1(cell.r1, cell.c1) if cell else ""


def _table_regions(ed: Edition, headings: list[Heading], size: int) -> dict[str, tuple[int, int]]:
    """Each table's stretch of text: from its heading to the next heading."""
    keys = {t.key for t in ed.tables}
    out = {}
    for i, h in enumerate(headings):
        if h.key in keys:
            out[h.key] = (h.end, headings[i + 1].start if i + 1 < len(headings) else size)
    return out


def _value_follows(text: str, i: int) -> bool:
    """Is there a figure right after position ``i`` (not an item's number such as “1.”)?"""
    m = _HSPACE.match(text, i)
    m = _TOKEN.match(text, m.end() if m else i)
    return bool(m) and m.lastgroup == "num" and not _ITEM_AFTER.match(text, m.end())


def _labels_of(table: Table) -> tuple[set[str], set[str], set[str]]:
    """(every label, leaf row labels, group row labels) of a table, canonical."""
    every: set[str] = set()
    leaves: set[str] = set()
    groups: set[str] = set()

    def walk(node: Node, is_row: bool) -> None:
        texts = {canonical_label(t) for t in (node.label, *node.aliases) if t}
        every.update(texts)
        if is_row:
            (groups if node.children else leaves).update(texts)
        for child in node.children:
            walk(child, is_row)

    for block in table.blocks:
        if block.title:
            every.add(canonical_label(block.title))
        for node in block.columns:
            walk(node, False)
        for node in block.rows:
            walk(node, True)
    return every, leaves, groups


@per_edition
def _foreign_labels(ed: Edition) -> dict[str, dict[str, tuple[list, list]]]:
    """Per table key, per other edition: (labels only that edition has,
    leaf rows there that are groups here), each with its pattern, from the
    other editions' files."""
    out: dict[str, dict[str, tuple[list, list]]] = {}

    def add(table_key: str, name: str, words, leaves=()) -> None:
        entry = out.setdefault(table_key, {}).setdefault(name, ([], []))
        for w in words:
            if w not in {x for x, _ in entry[0]}:
                entry[0].append((w, re.compile(fuzzy_pattern(w))))
        for w in leaves:
            entry[1].append((w, re.compile(fuzzy_pattern(w))))

    ours = {t.key: _labels_of(t) for t in ed.tables}
    for name in available_editions():
        if name == ed.edition:
            continue
        try:
            other = load_edition(name)
        except SpecError:
            continue
        for table in other.tables:
            if table.key not in ours:
                continue
            every, leaves, _ = _labels_of(table)
            mine, _, my_groups = ours[table.key]
            only = [w for w in sorted(every - mine) if not any(w in m for m in mine)]  # not part of one of ours
            add(table.key, name, only, sorted(leaves & my_groups))
    return out
