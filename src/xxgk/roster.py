"""The roster (名册): the units a district expects a report from.

A CSV (UTF-8, UTF-8 with BOM, or GBK as Excel on Chinese Windows saves it)
or an XLSX whose first sheet has a header row with at least a unit-name
column; optional columns: unit code and unit type.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RosterEntry", "RosterError", "read_roster", "normalise_unit_name"]

NAME_HEADERS = ("单位名称", "单位", "名称", "机关名称", "unit", "name")
CODE_HEADERS = ("单位代码", "代码", "统一社会信用代码", "编码", "code")
TYPE_HEADERS = ("单位类型", "类型", "层级", "单位层级", "单位类型（层级）", "type", "unit_type")


class RosterError(ValueError):
    """The roster cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class RosterEntry:
    name: str
    code: str = ""
    unit_type: str = ""
    row: int = 0  # 1-based row in the roster file, for messages


def normalise_unit_name(name: str) -> str:
    """Unit names compared ignoring spaces and bracket width."""
    return re.sub(r"\s+", "", str(name or "")).replace("(", "（").replace(")", "）")


def _find(headers: list[str], wanted: tuple[str, ...]) -> int | None:
    norm = [re.sub(r"\s+", "", h or "").lower() for h in headers]
    for w in wanted:
        if w.lower() in norm:
            return norm.index(w.lower())
    return None


def _decode(data: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RosterError(f"名册 {path} 的编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV")


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure is a bad roster
            raise RosterError(f"名册 {path} 无法打开：{exc}") from None
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    if suffix in (".csv", ".txt", ""):
        text = _decode(path.read_bytes(), path)
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",\t;，")
        except csv.Error:  # one column, or nothing to guess from
            dialect = csv.excel
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), dialect)]
    raise RosterError(f"名册 {path} 的格式不支持，请使用 CSV 或 XLSX")


def read_roster(path: str | Path) -> list[RosterEntry]:
    """Read a roster file; raise :class:`RosterError` with a Chinese message."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"找不到名册文件 {path}")
    rows = [r for r in _rows(path)]
    header_idx = next((i for i, r in enumerate(rows) if _find(r, NAME_HEADERS) is not None), None)
    if header_idx is None:
        raise RosterError(f"名册 {path} 中找不到“单位名称”列（表头可写：{'、'.join(NAME_HEADERS[:4])}）")
    header = rows[header_idx]
    ni, ci, ti = _find(header, NAME_HEADERS), _find(header, CODE_HEADERS), _find(header, TYPE_HEADERS)
    out: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for n, r in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        def get(i: int | None) -> str:
            return r[i].strip() if i is not None and i < len(r) and r[i] else ""

        name = get(ni)
        if not name:
            continue
        key = normalise_unit_name(name)
        if key in seen:
            raise RosterError(f"名册 {path} 第 {n} 行的单位“{name}”与第 {seen[key]} 行重复")
        seen[key] = n
        out.append(RosterEntry(name=name, code=get(ci), unit_type=get(ti), row=n))
    if not out:
        raise RosterError(f"名册 {path} 中没有单位")
    return out
