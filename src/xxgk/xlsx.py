"""A minimal, fast reader of .xlsx workbooks (zip + XML, standard library only).

Reading a report needs sheet names and states, workbook-level defined names,
cell values with their formulas, and merged ranges -- nothing of styles,
charts or drawings.  This module reads exactly that, lazily (a sheet is
parsed only when asked for, then cached), and turns every way a file can be
unreadable into one :class:`xxgk.submission.UnreadableFile` with a plain
Chinese message.  It imports only the standard library so that
``xxgk check`` starts fast.

Cells are addressed 0-based ``(row, col)``; numbers are kept exact as
:class:`decimal.Decimal` parsed from the XML text (never through float).

Resources are bounded whatever the file holds (a zip bomb, a million rows,
a formula shared by 100,000 cells): parts are decompressed and parsed as a
stream, and every limit below makes the file unreadable with a message that
names the limit (see the README, “读取上限”).  Goal: any file of at most
20 MB is read in one process in under 300 MB of memory and 10 s.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
import zipfile
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple
from xml.etree import ElementTree as ET

from .layout import a1 as _a1
from .safeio import clean_text
from .submission import UnreadableFile

__all__ = [
    "RawCell",
    "XlsxBook",
    "parse_a1",
    "parse_range",
    "shift_formula",
    "OLE_MAGIC",
    "ZIP_MAGIC",
]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et, .doc, encrypted OOXML
ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"

_REL_OFFICE_DOCUMENT = "/officeDocument"
_REL_SHARED_STRINGS = "/sharedStrings"

# Cell types of RawCell.type
NUMBER, STRING, BOOLEAN, ERROR, DATE, EMPTY = "n", "s", "b", "e", "d", ""

SHARED_FORMULA_MARK = "?"  # formula of a shared-formula dependent that could not be translated

# -- limits (documented in README.md, “读取上限”) ---------------------------------------
MB = 1 << 20
MAX_FILE_BYTES = 50 * MB  # the file on disk
MAX_PART_BYTES = 64 * MB  # one part of the zip, decompressed
MAX_TOTAL_BYTES = 256 * MB  # all parts read from one file, decompressed
MAX_RATIO = 100  # decompressed : compressed, for a part of more than RATIO_FROM bytes
RATIO_FROM = 4 * MB
MAX_ELEMENTS = 2_000_000  # XML elements in one part
MAX_ROWS = 50_000  # rows of one sheet
MAX_CELLS = 150_000  # cells kept, whole workbook
MAX_STRINGS = 200_000  # shared strings
MAX_TEXT_CHARS = 16_000_000  # characters of text kept (shared and inline strings)
MAX_FORMULA_CHARS = 8_192  # one formula (Excel's own limit)
MAX_SHARED_FORMULA_CHARS = 4_000_000  # characters of formulas made by expanding shared formulas
SNIFF_BYTES = 64 * 1024  # read to tell what a file that is not a zip is


class RawCell(NamedTuple):
    """One cell as stored.

    ``value``: Decimal (number), str (text, error or ISO date), bool, or None
    (a formula without a cached result).  ``formula``: formula text without
    "=" (shared formulas translated to this cell), or None.  ``type``: one of
    "n", "s", "b", "e", "d", "" (empty).
    """

    value: Decimal | str | bool | None
    formula: str | None
    type: str


# -- addresses ---------------------------------------------------------------

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


@functools.lru_cache(maxsize=65536)
def parse_a1(ref: str) -> tuple[int, int]:
    """``"C5"`` or ``"$C$5"`` -> 0-based ``(4, 2)``; ValueError if not a cell."""
    m = _A1.fullmatch(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """``"A1:C2"`` or ``"B7"`` -> (r1, c1, r2, c2), 0-based inclusive; None if not a range."""
    first, _, last = ref.partition(":")
    try:
        r1, c1 = parse_a1(first)
        r2, c2 = parse_a1(last or first)
    except ValueError:
        return None
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


_DEFINED_CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^'!:]+))!(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})")


@functools.lru_cache(maxsize=4096)
def _parse_defined_cell(text: str) -> tuple[str, str] | None:
    """``'表 三'!$C$5`` or ``表三!$C$5`` -> (sheet, "C5"); None for anything else."""
    m = _DEFINED_CELL.fullmatch((text or "").strip().lstrip("="))
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    row, col = parse_a1(m.group(3))
    return sheet, _a1(row, col)


# -- shared formulas -------------------------------------------------------------

_FORMULA_TOKEN = re.compile(
    r"\"(?:[^\"]|\"\")*\""  # string literal
    r"|'(?:[^']|'')*'"  # quoted sheet name
    r"|(?<![A-Za-z0-9_.$])(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})(?![0-9A-Za-z_(])"
)


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """Move the relative A1 references of a formula by (drow, dcol).

    This is how Excel derives each cell's formula from the master of a
    shared formula.  String literals and quoted sheet names are left alone.
    """

    def move(m: re.Match[str]) -> str:
        if m.group(2) is None:
            return m.group(0)
        cabs, letters, rabs, digits = m.groups()
        row, col = parse_a1(letters + digits)
        if not cabs:
            col += dcol
        if not rabs:
            row += drow
        if row < 0 or col < 0:
            return "#REF!"
        new = _a1(row, col)
        split = len(new.rstrip("0123456789"))
        return f"{cabs}{new[:split]}{rabs}{new[split:]}"

    return _FORMULA_TOKEN.sub(move, formula)


# -- XML helpers -------------------------------------------------------------

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Decode OOXML ``_xHHHH_`` escapes (used for control characters); a lone
    surrogate becomes U+FFFD and control characters are dropped, so that no
    cell text can break printing, JSON or a workbook written from it."""
    if "_x" not in text:
        return text
    return clean_text(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def _ns(tag: str) -> str:
    """``{uri}local`` -> ``{uri}`` (empty if no namespace)."""
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, local: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id in either flavour)."""
    for k, v in el.attrib.items():
        if _local(k) == local:
            return v
    return None


def _text_of(el: ET.Element, ns: str) -> str:
    """Text of a string item (``<si>`` or ``<is>``): plain or rich-text runs.

    Phonetic runs (``<rPh>``) are not part of the cell's text.
    """
    t = el.find(ns + "t")
    if t is not None:
        return _unescape(t.text or "")
    parts = [t.text or "" for r in el.iterfind(ns + "r") for t in r.iterfind(ns + "t")]
    return _unescape("".join(parts))


# -- the workbook ----------------------------------------------------------------


class _Sheet(NamedTuple):
    name: str
    state: str
    part: str | None  # zip member name, None if the relationship is missing


class XlsxBook:
    """A workbook opened for reading.

    ``XlsxBook(path)`` opens the zip and reads the workbook part (sheet list,
    defined names); sheets are parsed on first use.  Raises
    :class:`UnreadableFile` for every kind of file that is not a readable
    .xlsx workbook.  Use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._zip = _open_zip(self.path)
        self._unpacked = 0
        try:
            self._names = {_norm_member(n): n for n in self._zip.namelist()}
            self._workbook_part = self._find_workbook_part()
            self._sheets, self._defined = self._read_workbook()
        except BaseException:
            self._zip.close()
            raise
        self._shared: list[str] | None = None
        self._unpacked = 0  # bytes decompressed so far, all parts
        self._text_chars = 0
        self._cell_count = 0
        self._formula_chars = 0  # made by expanding shared formulas
        self._cells: dict[str, dict[tuple[int, int], RawCell]] = {}
        self._merged: dict[str, list[tuple[int, int, int, int]]] = {}

    # context manager ------------------------------------------------------
    def __enter__(self) -> "XlsxBook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # public API -------------------------------------------------------------
    @property
    def sheet_names(self) -> list[str]:
        """Sheet names in workbook order."""
        return [s.name for s in self._sheets]

    def has_sheet(self, name: str) -> bool:
        return any(s.name == name for s in self._sheets)

    def sheet_state(self, name: str) -> str:
        """``visible``, ``hidden`` or ``veryHidden``."""
        return self._sheet(name).state

    @property
    def defined_names(self) -> Mapping[str, tuple[str, str]]:
        """Workbook-level names that point to one cell: ``{name: (sheet, "C5")}`` (read-only)."""
        return MappingProxyType(self._defined)

    def cells(self, sheet: str) -> dict[tuple[int, int], RawCell]:
        """Every cell of a sheet that holds a value or a formula, by (row, col)."""
        if sheet not in self._cells:
            self._parse_sheet(sheet)
        return self._cells[sheet]

    def merged(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """Merged ranges of a sheet as (r1, c1, r2, c2), 0-based inclusive."""
        if sheet not in self._merged:
            self._parse_sheet(sheet)
        return self._merged[sheet]

    def iter_cells(self, sheet: str) -> Iterator[tuple[tuple[int, int], RawCell]]:
        """Every cell of a sheet in file order, streamed: nothing is kept, so the
        cell limit does not apply (a summary's 分单位明细 can be large); the
        size, element and row limits do."""
        try:
            part = self._sheet(sheet).part
        except KeyError:
            raise KeyError(f"工作簿中没有工作表“{sheet}”") from None
        if part is None or _norm_member(part) not in self._names:
            raise self._fail(f"文件已损坏：缺少工作表“{sheet}”的数据，请重新保存后再报送")
        try:
            yield from self._stream_sheet(sheet, part, [])
        except ValueError as exc:
            raise self._fail(f"文件已损坏：工作表“{sheet}”的单元格地址无效（{exc}），请重新保存后再报送") from None

    def cell(self, sheet: str, ref: str) -> RawCell | None:
        """The cell at an A1 reference, or None when it is empty."""
        return self.cells(sheet).get(parse_a1(ref))

    # internals --------------------------------------------------------------
    def _fail(self, message: str, code: str = "file-unreadable") -> UnreadableFile:
        return UnreadableFile(self.path, message, code)

    def _sheet(self, name: str) -> _Sheet:
        for s in self._sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def _open(self, member: str) -> "_Bounded":
        """A part as a stream that stops at the size and ratio limits."""
        real = self._names.get(_norm_member(member))
        if real is None:
            raise KeyError(member)
        try:
            info = self._zip.getinfo(real)
            return _Bounded(self, member, self._zip.open(info), info.compress_size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise self._fail(f"文件已损坏（压缩包内“{member}”无法解压：{exc}），请重新保存后再报送") from None

    def _read(self, member: str) -> bytes:
        with self._open(member) as fh:
            return fh.read()

    def _xml(self, member: str) -> ET.Element:
        data = self._read(member)
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            raise self._fail(f"文件已损坏（“{member}”不是有效的 XML：{exc}），请重新保存后再报送") from None

    def _events(self, member: str) -> Iterator[tuple[str, ET.Element]]:
        """(event, element) of a part, parsed as a stream: start and end events,
        at most :data:`MAX_ELEMENTS` elements."""
        count = 0
        with self._open(member) as fh:
            try:
                for event, el in ET.iterparse(fh, events=("start", "end")):
                    if event == "start":
                        count += 1
                        if count > MAX_ELEMENTS:
                            raise self._limit(f"“{member}”中的 XML 元素超过 {MAX_ELEMENTS:,} 个")
                    yield event, el
            except ET.ParseError as exc:
                raise self._fail(f"文件已损坏（“{member}”不是有效的 XML：{exc}），请重新保存后再报送") from None

    def _limit(self, what: str) -> UnreadableFile:
        return self._fail(f"{what}，超出 xxgk 的读取上限（见说明文档“读取上限”），不像是填报的报告；"
                          "请删去多余的内容后重新保存再报送", "file-too-large")

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of a part: {id: (type, target member)}."""
        folder, name = posixpath.split(part)
        rels_member = posixpath.join(folder, "_rels", name + ".rels")
        if _norm_member(rels_member) not in self._names:
            return {}
        out = {}
        for rel in self._xml(rels_member):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                member = target.lstrip("/")
            else:
                member = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = (rel.get("Type") or "", member)
        return out

    def _find_workbook_part(self) -> str:
        for rel_type, member in self._rels("").values():
            if rel_type.endswith(_REL_OFFICE_DOCUMENT) and _norm_member(member) in self._names:
                return member
        if "xl/workbook.xml" in self._names:
            return "xl/workbook.xml"
        raise self._fail(_not_a_workbook_message(self._names), "file-not-xlsx")

    def _read_workbook(self) -> tuple[list[_Sheet], dict[str, tuple[str, str]]]:
        root = self._xml(self._workbook_part)
        ns = _ns(root.tag)
        rels = self._rels(self._workbook_part)
        sheets = []
        for el in root.iterfind(f"{ns}sheets/{ns}sheet"):
            rel = rels.get(_attr(el, "id") or "")
            sheets.append(_Sheet(el.get("name") or "", el.get("state") or "visible", rel[1] if rel else None))
        if not sheets:
            raise self._fail("工作簿中没有任何工作表，文件可能已损坏")
        defined: dict[str, tuple[str, str]] = {}
        for el in root.iterfind(f"{ns}definedNames/{ns}definedName"):
            name = el.get("name")
            if not name or el.get("localSheetId") is not None:
                continue
            target = _parse_defined_cell(el.text or "")
            if target:
                defined[name] = target
        return sheets, defined

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            for rel_type, member in self._rels(self._workbook_part).values():
                if rel_type.endswith(_REL_SHARED_STRINGS) and _norm_member(member) in self._names:
                    self._shared = self._read_shared_strings(member)
                    break
        return self._shared

    def _read_shared_strings(self, member: str) -> list[str]:
        out: list[str] = []
        root = None
        ns = ""
        for event, el in self._events(member):
            if root is None:
                root, ns = el, _ns(el.tag)
                continue
            if event == "end" and el.tag == ns + "si":
                text = _text_of(el, ns)
                self._text_chars += len(text)
                out.append(text)
                root.clear()  # keep nothing of the parsed tree
                if len(out) > MAX_STRINGS:
                    raise self._limit(f"共享字符串超过 {MAX_STRINGS:,} 个")
                if self._text_chars > MAX_TEXT_CHARS:
                    raise self._limit(f"文字超过 {MAX_TEXT_CHARS:,} 个字符")
        return out

    def _count_cell(self) -> None:
        self._cell_count += 1
        if self._cell_count > MAX_CELLS:
            raise self._limit(f"有内容的单元格超过 {MAX_CELLS:,} 个")

    def _parse_sheet(self, name: str) -> None:
        try:
            sheet = self._sheet(name)
        except KeyError:
            raise KeyError(f"工作簿中没有工作表“{name}”") from None
        if sheet.part is None or _norm_member(sheet.part) not in self._names:
            raise self._fail(f"文件已损坏：缺少工作表“{name}”的数据（{sheet.part or '无关系'}），请重新保存后再报送")
        cells: dict[tuple[int, int], RawCell] = {}
        merged: list[tuple[int, int, int, int]] = []
        try:
            for pos, cell in self._stream_sheet(name, sheet.part, merged):
                cells[pos] = cell
                self._count_cell()
        except ValueError as exc:  # a malformed row or cell reference
            raise self._fail(f"文件已损坏：工作表“{name}”的单元格地址无效（{exc}），请重新保存后再报送") from None
        self._cells[name] = cells
        self._merged[name] = merged

    def _stream_sheet(self, name: str, part: str, merged: list) -> Iterator[tuple[tuple[int, int], RawCell]]:
        """Cells of a sheet part, parsed as a stream: every element is dropped
        once read, so memory does not grow with the rows; merged ranges are
        appended to ``merged``."""
        root = data = row_el = None
        ns = ""
        masters: dict[str, tuple[int, int, str]] = {}  # shared formula si -> (row, col, text)
        row, col, rows, depth = -1, -1, 0, 0
        for event, el in self._events(part):
            if root is None:
                root, ns, depth = el, _ns(el.tag), 1
                continue
            tag = el.tag
            if event == "start":
                depth += 1
                if tag == ns + "sheetData" and depth == 2:
                    data = el
                elif tag == ns + "row" and el is not None and depth == 3 and data is not None:
                    rows += 1
                    if rows > MAX_ROWS:
                        raise self._limit(f"工作表“{name}”超过 {MAX_ROWS:,} 行")
                    r_attr = el.get("r")
                    row = int(r_attr) - 1 if r_attr else row + 1
                    col = -1
                    row_el = el
                continue
            depth -= 1
            if depth == 3 and tag == ns + "c" and row_el is not None:
                ref = el.get("r")
                if ref:
                    row, col = parse_a1(ref)
                else:
                    col += 1
                cell = self._cell(el, ns, row, col, masters)
                row_el.clear()  # drops this cell (the row's attributes were read at its start)
                if cell is not None:
                    yield (row, col), cell
            elif depth == 2 and data is not None and tag == ns + "row":
                data.clear()
                row_el = None
            elif tag == ns + "mergeCell":
                rng = parse_range(el.get("ref") or "")
                if rng:
                    merged.append(rng)
            if depth == 1:
                root.clear()  # a child of the root is complete: keep nothing of it
                data = None if tag == ns + "sheetData" else data

    def _cell(self, c: ET.Element, ns: str, row: int, col: int,
              masters: dict[str, tuple[int, int, str]]) -> RawCell | None:
        f_el = c.find(ns + "f")
        formula = self._formula(f_el, row, col, masters) if f_el is not None else None
        t = c.get("t") or "n"
        v_el = c.find(ns + "v")
        text = v_el.text if v_el is not None else None
        if t == "inlineStr":
            is_el = c.find(ns + "is")
            value = _text_of(is_el, ns) if is_el is not None else ""
            self._text_chars += len(value)
            if self._text_chars > MAX_TEXT_CHARS:
                raise self._limit(f"文字超过 {MAX_TEXT_CHARS:,} 个字符")
            return RawCell(value, formula, STRING)
        if text is None:
            return None if formula is None else RawCell(None, formula, EMPTY)
        return _typed(t, text, formula, self._shared_strings)

    def _formula(self, f_el: ET.Element, row: int, col: int, masters: dict[str, tuple[int, int, str]]) -> str:
        """Formula text of a cell; dependents of a shared formula get the master's, moved."""
        text = f_el.text or ""
        if len(text) > MAX_FORMULA_CHARS:
            return SHARED_FORMULA_MARK  # no formula Excel can hold: never evaluated
        if f_el.get("t") != "shared":
            return text
        si = f_el.get("si") or ""
        if text:
            masters[si] = (row, col, text)
            return text
        master = masters.get(si)
        if master is None:
            return SHARED_FORMULA_MARK
        self._formula_chars += len(master[2])
        if self._formula_chars > MAX_SHARED_FORMULA_CHARS:
            raise self._limit(f"共享公式展开后超过 {MAX_SHARED_FORMULA_CHARS:,} 个字符")
        return shift_formula(master[2], row - master[0], col - master[1])


def _typed(t: str, text: str, formula: str | None, shared_strings) -> RawCell:
    if t == "n":
        try:
            return RawCell(Decimal(text.strip()), formula, NUMBER)
        except InvalidOperation:
            return RawCell(text, formula, STRING)
    if t == "s":
        strings = shared_strings()
        try:
            return RawCell(strings[int(text)], formula, STRING)
        except (ValueError, IndexError):
            return RawCell("", formula, STRING)
    if t == "b":
        return RawCell(text.strip() in ("1", "true"), formula, BOOLEAN)
    if t == "e":
        return RawCell(text, formula, ERROR)
    if t == "d":
        return RawCell(text, formula, DATE)
    return RawCell(_unescape(text), formula, STRING)  # "str": a formula's text result


# -- opening and diagnosing files --------------------------------------------------


def _norm_member(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


_OLD_FORMAT = "这是旧版 .xls/.et 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再报送"
_ENCRYPTED = "工作簿设置了打开密码，无法读取（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码）；请取消密码后再报送"
_CORRUPT = "文件已损坏或不完整（可能在下载、复制时中断），请在 Excel 或 WPS 中重新保存为 .xlsx 后再报送"


class _Bounded:
    """A part being decompressed, read through the limits: the part's size,
    the total of the file, and the ratio to its compressed size."""

    def __init__(self, book: "XlsxBook", member: str, raw, compressed: int):
        self._book, self._member, self._raw = book, member, raw
        self._compressed = max(compressed, 1)
        self._size = 0

    def __enter__(self) -> "_Bounded":
        return self

    def __exit__(self, *exc: object) -> None:
        self._raw.close()

    def read(self, n: int = -1) -> bytes:
        book = self._book
        try:
            data = self._raw.read(MAX_PART_BYTES + 1 - self._size if n is None or n < 0 else n)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise book._fail(f"文件已损坏（压缩包内“{self._member}”无法解压：{exc}），请重新保存后再报送") from None
        self._size += len(data)
        book._unpacked += len(data)
        if self._size > MAX_PART_BYTES:
            raise book._limit(f"压缩包内“{self._member}”解压后超过 {MAX_PART_BYTES // MB} MB")
        if book._unpacked > MAX_TOTAL_BYTES:
            raise book._limit(f"解压后的内容合计超过 {MAX_TOTAL_BYTES // MB} MB")
        if self._size > RATIO_FROM and self._size > MAX_RATIO * self._compressed:
            raise book._limit(f"压缩包内“{self._member}”的压缩比超过 {MAX_RATIO}:1（疑似“压缩炸弹”）")
        return data


def _open_zip(path: str) -> zipfile.ZipFile:
    """Open the file as a zip, or raise UnreadableFile saying what it is instead.
    Only a regular file is opened (a pipe would block forever)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(path, "找不到文件", "file-unreadable") from None
    except OSError as exc:
        raise UnreadableFile(path, f"无法打开文件：{exc.strerror or exc}", "file-unreadable") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile(path, "这是一个文件夹，不是工作簿文件", "file-unreadable")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(path, "不是普通文件（管道、设备或套接字），未打开", "file-unreadable")
    if st.st_size > MAX_FILE_BYTES:
        raise UnreadableFile(path, f"文件大小超过 {MAX_FILE_BYTES // MB} MB，超出 xxgk 的读取上限（见说明文档“读取上限”），"
                             "不像是填报的报告", "file-too-large")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UnreadableFile(path, "找不到文件", "file-unreadable") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "这是一个文件夹，不是工作簿文件", "file-unreadable") from None
    except PermissionError:
        raise UnreadableFile(path, "没有读取权限（文件可能正被其他程序占用或权限不足）", "file-unreadable") from None
    except OSError as exc:
        raise UnreadableFile(path, f"无法打开文件：{exc.strerror or exc}", "file-unreadable") from None
    if not head:
        raise UnreadableFile(path, "文件是空的（0 字节），请重新保存后再报送", "file-unreadable")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ole(path):
            raise UnreadableFile(path, _ENCRYPTED, "file-encrypted")
        raise UnreadableFile(path, _OLD_FORMAT, "file-not-xlsx")
    if not (head.startswith(ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC)):
        raise UnreadableFile(path, _sniff_non_zip(path), "file-not-xlsx")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise UnreadableFile(path, _CORRUPT, "file-unreadable") from None


def _is_encrypted_ole(path: str) -> bool:
    """An OLE compound file holding an ``EncryptionInfo`` stream: an encrypted .xlsx."""
    marker = "EncryptionInfo".encode("utf-16-le")
    tail = b""
    with open(path, "rb") as fh:  # in pieces: the file may be as large as MAX_FILE_BYTES
        while chunk := fh.read(MB):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker):]
    return False


def _sniff_non_zip(path: str) -> str:
    """Say what a file that is neither zip nor OLE looks like."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是 Excel 工作簿；请报送 .xlsx 格式的填报表"
    if head.startswith(b"{\\rtf"):
        return "这是 RTF 文档，不是 Excel 工作簿；请报送 .xlsx 格式的填报表"
    text = _decode(head)
    if text is None:
        return "这不是 Excel 工作簿（.xlsx）文件，无法识别其格式；请报送 .xlsx 格式的填报表"
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<html", "<!doctype", "<?xml", "<table", "<meta")) or "<html" in lowered[:500]:
        return "这是网页（HTML/XML）格式的文件，只是扩展名为表格；请在 Excel 或 WPS 中另存为 .xlsx 后再报送"
    lines = [ln for ln in text.splitlines() if ln.strip()][:5]
    if lines and all(("," in ln or "\t" in ln or "，" in ln) for ln in lines):
        return "这是 CSV/文本文件（以逗号或制表符分隔），只是扩展名为 .xlsx；请在 Excel 或 WPS 中另存为 .xlsx 后再报送"
    return "这是文本文件，不是 Excel 工作簿；请在 Excel 或 WPS 中另存为 .xlsx 后再报送"


def _decode(data: bytes) -> str | None:
    """Text if the bytes look like text in a usual encoding, else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            if enc == "utf-8" and exc.start >= len(data) - 3:  # cut inside a character
                return data[: exc.start].decode(enc)
    return None


def _not_a_workbook_message(names: dict[str, str]) -> str:
    """A zip without a workbook part: name what it is if we can."""
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是 Excel 工作簿；请报送 .xlsx 格式的填报表"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿；请报送 .xlsx 格式的填报表"
    if "xl/workbook.bin" in names:
        return "这是 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx 后再报送"
    if "content.xml" in names and "mimetype" in names:
        return "这是 OpenDocument 文件（.ods 等），请另存为 .xlsx 后再报送"
    return "这是一个压缩包，不是 Excel 工作簿（.xlsx）；请报送 .xlsx 格式的填报表"
