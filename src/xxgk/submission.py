"""What the reader returns: one submitted workbook, read and normalised."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .findings import Finding

__all__ = ["CellValue", "Submission", "UnreadableFile"]


class UnreadableFile(Exception):
    """A file that cannot be read at all. ``str(exc)`` is one line in Chinese."""

    def __init__(self, path: str | Path, message: str, code: str = "file-unreadable"):
        super().__init__(message)
        self.path = str(path)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return f"{self.path}：{self.message}"


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
    ours: bool = True  # made from our template (metadata sheet found)
    template_version: str | None = None
    fee_decimals: int | None = None  # decimals the template allowed for the fee
    info: dict[str, str] = field(default_factory=dict)  # 基本信息 by field key
    cells: dict[str, CellValue] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)  # section key -> text
    findings: list[Finding] = field(default_factory=list)  # reading findings

    def value(self, key: str) -> Decimal | None:
        c = self.cells.get(key)
        return c.value if c else None

    def values(self) -> dict[str, Decimal]:
        """Every number by key, blanks and unreadable cells as 0."""
        return {k: (c.value if c.value is not None else Decimal(0)) for k, c in self.cells.items()}
