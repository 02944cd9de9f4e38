"""Reading published reports (web pages, copied text, Word, PDF).

Each front-end turns a document into a :class:`~xxgk.published.grid.GridBook`
(tables and paragraphs, every cell with its origin) and hands it to the
label-based reader (:func:`xxgk.reader.read_book`).  Heavy libraries (lxml,
python-docx, pdfplumber) are imported only inside the front-ends.

:func:`read_published` reads any report file -- a workbook or a published
report -- choosing the reader by the file's content, not its name.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..spec import Edition
from ..submission import Submission, UnreadableFile

__all__ = ["read_published", "sniff", "PUBLISHED_SUFFIXES", "taken_from_folder"]

PUBLISHED_SUFFIXES = (".html", ".htm", ".shtml", ".txt", ".docx", ".pdf")  # taken from folders too

_HTML_MARK = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|table|div|p|title|tr|td|span)[\s>/]", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".csv")


def sniff(path: str | Path) -> str:
    """The kind of a file by its content: "workbook", "docx", "pdf", "html"
    or "text" (the name's suffix decides only for a broken zip)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise UnreadableFile(path, f"无法打开文件：{exc.strerror or exc}") from None
    suffix = Path(path).suffix.lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "docx" if suffix == ".docx" else "workbook"
        if "word/document.xml" in names:
            return "docx"
        return "workbook"
    if not head:
        return _by_suffix(suffix) if suffix in PUBLISHED_SUFFIXES else "workbook"
    if head.startswith(_OLE):
        if suffix == ".docx":
            raise UnreadableFile(path, "Word 文档设置了打开密码（或不是 .docx 格式），请去掉密码另存为 .docx 后再读取",
                                 code="file-encrypted")
        if suffix in (".doc", ".wps"):
            raise UnreadableFile(path, "这是旧版 Word（.doc/.wps）文件，请在 Word 或 WPS 中另存为 .docx 后再读取",
                                 code="file-not-docx")
        return "workbook"  # .xls, .et, encrypted: the workbook reader says what it is
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if _HTML_MARK.search(head):
        return "html"  # also an “.xls” exported by a web system as an HTML table
    if suffix in _WORKBOOK_SUFFIXES:
        return "workbook"  # a CSV or anything else named .xlsx: the workbook reader says what it is
    return "text"


_REPORT_WORDS = [w.encode(enc) for w in ("政府信息公开", "年度报告") for enc in ("utf-8", "gb18030", "utf-16-le")]


def taken_from_folder(path: str | Path) -> bool:
    """Whether a file found in a folder is read as a report: a text file only
    when its beginning speaks of 政府信息公开 (a folder of reports often holds
    a 说明.txt); every other kind always (a page that is no report is said so)."""
    if Path(path).suffix.lower() != ".txt":
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return True  # the reader says why it cannot be opened
    return any(w in head for w in _REPORT_WORDS)


def _by_suffix(suffix: str) -> str:
    return {".html": "html", ".htm": "html", ".shtml": "html", ".docx": "docx", ".pdf": "pdf"}.get(suffix, "text")


# Bounds on what one published report may hold (a real one is far smaller); the workbook
# reader has its own (xxgk.xlsx).  Text is read whole, so its bounds are the tightest.
MB = 1 << 20
MAX_BYTES = {"html": 3 * MB, "text": 2 * MB, "docx": 20 * MB, "pdf": 20 * MB}
MAX_DOCX_UNPACKED = 128 * MB  # all parts of a Word document, decompressed (as declared in the zip)
MAX_DOCX_XML = 16 * MB  # one XML part (the document itself), decompressed
MAX_DOCX_RATIO = 100  # decompressed : compressed, for a part of more than 4 MB


def read_published(path: str | Path, edition: Edition | str | None = None) -> Submission:
    """Read one report file of any kind (workbook, web page, text, Word, PDF)
    into a Submission; raise :class:`UnreadableFile` with a Chinese message
    for a file that cannot be read (also one beyond the bounds above)."""
    kind = sniff(path)
    if kind == "workbook":
        from ..reader import read_workbook

        return read_workbook(path, edition)
    _within_bounds(path, kind)
    if kind == "html":
        from .html import read_html

        return read_html(path, edition)
    if kind == "docx":
        from .docx import read_docx

        return read_docx(path, edition)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path, edition)
    from .text import read_text

    return read_text(path, edition)


def _within_bounds(path: str | Path, kind: str) -> None:
    """Refuse a published report larger than any real one before a parser
    holds it in memory: its size on disk, and a Word document's parts as
    declared in its zip (zipfile never inflates more than the declared size)."""
    size = Path(path).stat().st_size
    if size > MAX_BYTES[kind]:
        raise UnreadableFile(path, f"文件超过读取上限 {MAX_BYTES[kind] // MB} MB（本文件 {size / MB:.2f} MB），"
                                   "不像是一份年度报告", code="file-too-large")
    if kind != "docx":
        return
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the Word reader says the file is broken
    total = sum(i.file_size for i in infos)
    if total > MAX_DOCX_UNPACKED:
        raise UnreadableFile(path, f"Word 文档解压后超过 {MAX_DOCX_UNPACKED // MB} MB，超过读取上限",
                             code="file-too-large")
    for i in infos:
        if i.filename.endswith(".xml") and i.file_size > MAX_DOCX_XML:
            raise UnreadableFile(path, f"Word 文档内“{i.filename}”解压后超过 {MAX_DOCX_XML // MB} MB，超过读取上限",
                                 code="file-too-large")
        if i.file_size > 4 * MB and i.file_size > MAX_DOCX_RATIO * max(i.compress_size, 1):
            raise UnreadableFile(path, f"Word 文档内“{i.filename}”的压缩比超过 {MAX_DOCX_RATIO}:1"
                                       "（疑似“压缩炸弹”），不读取", code="file-too-large")
