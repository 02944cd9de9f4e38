"""What the reader returns: one submitted workbook, read and normalised."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .findings import Finding

__all__ = ["CellValue", "Origin", "Submission", "UnreadableFile", "FILE_KINDS"]

# Kinds of file a submission can be read from (Submission.file_kind).
FILE_KINDS = ("workbook", "html", "text", "docx", "pdf")


class UnreadableFile(Exception):
    """A file that cannot be read at all. ``str(exc)`` is one line in Chinese."""

    def __init__(self, path: str | Path, message: str, code: str = "file-unreadable"):
        super().__init__(message)
        self.path = str(path)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        from .safeio import display_path

        return f"{display_path(self.path)}：{self.message}"

    @classmethod
    def unexpected(cls, path: str | Path, exc: BaseException) -> "UnreadableFile":
        """Any other failure while reading one file (a defect, or content no
        check foresaw): the file is unreadable, the batch goes on."""
        detail = str(exc).strip()[:200] or type(exc).__name__
        return cls(path, f"读取时出现意外错误，无法读取（{type(exc).__name__}：{detail}）；"
                         "请在 Excel 或 WPS 中重新保存为 .xlsx 后再试", "file-unreadable")


@dataclass(frozen=True)
class Origin:
    """Where a figure of a published report was read (all 1-based): page and
    line for PDF and text, table, row and column for web pages and Word."""

    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def describe(self) -> str:
        """In Chinese, e.g. “第2页第15行” or “第1个表格第3行第2列”."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None:
            parts.append(f"第{self.table}个表格")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.col is not None:
            parts.append(f"第{self.col}列")
        return "".join(parts)

    def to_dict(self) -> dict[str, int]:
        return {k: v for k, v in (("page", self.page), ("line", self.line), ("table", self.table),
                                  ("row", self.row), ("col", self.col)) if v is not None}


@dataclass
class CellValue:
    """One number cell as found in the workbook.

    ``value`` is what the checker uses: the number read (None when the cell
    is blank or unreadable; the checker then counts it as 0 where a finding
    says so).  ``raw`` is what the cell held, for messages.
    """

    key: str
    sheet: str
    address: str  # A1, where the cell was found
    raw: object = None  # value as stored (str, int, float, None)
    value: Decimal | None = None
    status: str = "ok"  # ok / blank / placeholder / text-number / unreadable
    formula: str | None = None  # formula text without "=", when the cell has one
    cached: Decimal | None = None  # cached result of a formula cell
    note: str = ""  # how a value was read out of text, e.g. "“12件”读作 12"
    origin: Origin | None = None  # published reports: where in the document it was read
    unit: str = ""  # a unit word written with the number and converted (“元”), else ""


@dataclass
class Submission:
    """A workbook read back: metadata, number cells by key, prose, findings."""

    path: str
    edition: str
    year: int | None = None
    unit: str | None = None
    unit_type: str | None = None
    kind: str = "unit"  # unit / summary
    members: list[str] = field(default_factory=list)  # summary: unit names included
    members_complete: bool = True  # False: the member list read is not the one written (cut)
    ours: bool = True  # made from our template (metadata sheet found)
    annotated: str = ""  # an annotated copy made by xxgk: the fingerprint it was made of
    file_kind: str = "workbook"  # workbook / html / text / docx / pdf (FILE_KINDS)
    template_version: str | None = None
    fee_decimals: int | None = None  # decimals the template allowed for the fee
    info: dict[str, str] = field(default_factory=dict)  # 基本信息 by field key
    cells: dict[str, CellValue] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)  # section key -> text
    findings: list[Finding] = field(default_factory=list)  # reading findings

    def value(self, key: str) -> Decimal | None:
        c = self.cells.get(key)
        return c.value if c else None

    def fingerprint(self) -> str:
        """A digest of what the body filled in (number cells as typed, formulas,
        基本信息, prose): equal for a workbook and an unchanged copy of it."""
        import hashlib
        import json

        def text(raw: object) -> str:
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return str(Decimal(repr(raw)).normalize())
            return "" if raw is None else str(raw)

        cells = sorted((k, "=" + c.formula if c.formula else text(c.raw)) for k, c in self.cells.items())
        data = [cells, sorted((k, text(v)) for k, v in self.info.items()),
                sorted((k, text(v)) for k, v in self.prose.items())]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]

    @property
    def is_unchanged_annotation(self) -> bool:
        """An annotated copy made by xxgk and not changed since: not a submission."""
        return bool(self.annotated) and self.annotated == self.fingerprint()

    def values(self) -> dict[str, Decimal]:
        """Every number by key, blanks and unreadable cells as 0."""
        return {k: (c.value if c.value is not None else Decimal(0)) for k, c in self.cells.items()}
