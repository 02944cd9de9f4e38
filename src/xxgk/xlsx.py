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
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple
from xml.etree import ElementTree as ET

from .layout import a1 as _a1
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
    """Decode OOXML ``_xHHHH_`` escapes (used for control characters)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


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
        try:
            self._names = {_norm_member(n): n for n in self._zip.namelist()}
            self._workbook_part = self._find_workbook_part()
            self._sheets, self._defined = self._read_workbook()
        except BaseException:
            self._zip.close()
            raise
        self._shared: list[str] | None = None
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

    def _read(self, member: str) -> bytes:
        real = self._names.get(_norm_member(member))
        if real is None:
            raise KeyError(member)
        try:
            return self._zip.read(real)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise self._fail(f"文件已损坏（压缩包内“{member}”无法解压：{exc}），请重新保存后再报送") from None

    def _xml(self, member: str) -> ET.Element:
        data = self._read(member)
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            raise self._fail(f"文件已损坏（“{member}”不是有效的 XML：{exc}），请重新保存后再报送") from None

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
                    root = self._xml(member)
                    ns = _ns(root.tag)
                    self._shared = [_text_of(si, ns) for si in root.iterfind(ns + "si")]
                    break
        return self._shared

    def _parse_sheet(self, name: str) -> None:
        try:
            sheet = self._sheet(name)
        except KeyError:
            raise KeyError(f"工作簿中没有工作表“{name}”") from None
        if sheet.part is None or _norm_member(sheet.part) not in self._names:
            raise self._fail(f"文件已损坏：缺少工作表“{name}”的数据（{sheet.part or '无关系'}），请重新保存后再报送")
        root = self._xml(sheet.part)
        ns = _ns(root.tag)
        data = root.find(ns + "sheetData")
        try:
            self._cells[name] = dict(_iter_cells(data, ns, self._shared_strings)) if data is not None else {}
        except ValueError as exc:  # a malformed row or cell reference
            raise self._fail(f"文件已损坏：工作表“{name}”的单元格地址无效（{exc}），请重新保存后再报送") from None
        merged = []
        for m in root.iterfind(f"{ns}mergeCells/{ns}mergeCell"):
            rng = parse_range(m.get("ref") or "")
            if rng:
                merged.append(rng)
        self._merged[name] = merged


def _iter_cells(data: ET.Element, ns: str, shared_strings) -> Iterator[tuple[tuple[int, int], RawCell]]:
    """Cells of ``<sheetData>``; rows/cells without ``r`` follow the previous one."""
    tag_c, tag_v, tag_f, tag_is = ns + "c", ns + "v", ns + "f", ns + "is"
    masters: dict[str, tuple[int, int, str]] = {}  # shared formula si -> (row, col, text)
    row = -1
    for row_el in data.iterfind(ns + "row"):
        r_attr = row_el.get("r")
        row = int(r_attr) - 1 if r_attr else row + 1
        col = -1
        for c in row_el.iterfind(tag_c):
            ref = c.get("r")
            if ref:
                row, col = parse_a1(ref)
            else:
                col += 1
            f_el = c.find(tag_f)
            formula = _formula(f_el, row, col, masters) if f_el is not None else None
            t = c.get("t") or "n"
            v_el = c.find(tag_v)
            text = v_el.text if v_el is not None else None
            if t == "inlineStr":
                is_el = c.find(tag_is)
                cell = RawCell(_text_of(is_el, ns) if is_el is not None else "", formula, STRING)
            elif text is None:
                if formula is None:
                    continue
                cell = RawCell(None, formula, EMPTY)
            else:
                cell = _typed(t, text, formula, shared_strings)
            yield (row, col), cell


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


def _formula(f_el: ET.Element, row: int, col: int, masters: dict[str, tuple[int, int, str]]) -> str:
    """Formula text of a cell; dependents of a shared formula get the master's, moved."""
    text = f_el.text or ""
    if f_el.get("t") != "shared":
        return text
    si = f_el.get("si") or ""
    if text:
        masters[si] = (row, col, text)
        return text
    master = masters.get(si)
    if master is None:
        return SHARED_FORMULA_MARK
    return shift_formula(master[2], row - master[0], col - master[1])


# -- opening and diagnosing files --------------------------------------------------


def _norm_member(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


_OLD_FORMAT = "这是旧版 .xls/.et 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再报送"
_ENCRYPTED = "工作簿设置了打开密码，无法读取（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码）；请取消密码后再报送"
_CORRUPT = "文件已损坏或不完整（可能在下载、复制时中断），请在 Excel 或 WPS 中重新保存为 .xlsx 后再报送"


def _open_zip(path: str) -> zipfile.ZipFile:
    """Open the file as a zip, or raise UnreadableFile saying what it is instead."""
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
    with open(path, "rb") as fh:
        return marker in fh.read()


def _sniff_non_zip(path: str) -> str:
    """Say what a file that is neither zip nor OLE looks like."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
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
