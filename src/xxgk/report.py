"""Rendering check results: a terminal report and a stable JSON document.

Text
----
Grouped by file, then by part of the report (表二, 表三, 表四, 文字部分,
基本信息; findings about the whole file first).  One line per finding::

    错误  表三!B7:H7  表三“一、本年新收政府信息公开申请数量”一行，总计应等于……

then one verdict line per file and, for several files, a closing line.
Colour (click.style) is stripped by ``click.echo`` when not writing to a
terminal; ``NO_COLOR`` turns it off everywhere (see :func:`use_color`).

JSON (``xxgk check --format json``)
-----------------------------------
Schema, version 1 (keys are never removed or renamed; new keys may be added)::

    {
      "xxgk_version": "0.1.0",            # version of xxgk that checked
      "edition": "2021",                  # edition of the report format
      "files": [                          # one entry per file, in the order checked
        {
          "path": "街道/城关街道.xlsx",     # as given or found in a folder
          "status": "passed" | "warnings" | "errors" | "unreadable",
          "unit": "城关街道办事处" | null,   # 单位名称 (null when unreadable)
          "unit_type": "乡镇（街道）" | null,
          "year": 2023 | null,
          "ours": true | false | null,      # made from an xxgk template
          "file_kind": "workbook" | "html" | "text" | "docx" | "pdf" | null,  # what kind of file was read
          "errors": 0,                      # number of findings of severity error
          "warnings": 2,                    # number of findings of severity warning
          "findings": [                     # sorted by table, then row
            {
              "code": "t3-row-total",       # stable kebab-case code
              "severity": "error" | "warning" | "info",
              "message": "…",               # plain Chinese, says what to fix and where
              "rule": "R1" | null,          # rule of the edition, when it is one
              "sheet": "表三" | null,
              "cells": ["H7", "B7"],         # A1 addresses on `sheet`
              "keys": ["t3.new_received.total", …],  # cell keys of the format
              "expected": number | string | null,
              "actual": number | string | null,
              "difference": number | string | null,  # actual − expected
              "origins": ["第2页第15行", …]  # published reports only: where its figures were read
            }
          ],
          "values": {"t2.rules.issued": 0, "t2.fees.amount": "1.25", …},
          "origins": {"t3.new_received.natural": {"page": 2, "line": 15}, …}  # published reports:
                                            # where each figure was read (page/line or table/row/col)
        }
      ]
    }

Numbers are exact: a whole number is a JSON integer, any other number a
string holding the exact decimal ("1.2500" is written "1.25").  ``values``
holds every number cell of the format by key, as the checker used it (totals
recomputed, “12件” read as 12); ``null`` marks an input cell that held no
number (blank, placeholder or unreadable text) and was counted as 0.  An
unreadable file has ``status`` "unreadable", one finding (its ``code`` says
why, e.g. ``file-encrypted``), ``errors`` 1 and empty ``values``.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from decimal import Decimal
from typing import Iterable, Sequence

import click

from . import __version__
from .checker import NO_NUMBER, CheckResult, FileError, a1_position, finding_group
from .findings import Finding, _json_number, severity_label
from .safeio import display_path
from .spec import Edition
from .submission import Submission

__all__ = ["finding_lines", "finding_origins", "render_text", "render_json", "json_document", "file_entry", "use_color", "compact_cells", "exit_code"]

_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}, "info": {"fg": "cyan"}}
Result = CheckResult | FileError


def use_color() -> bool | None:
    """``color`` argument for click.echo: None (auto: only on a terminal), False under NO_COLOR."""
    return False if os.environ.get("NO_COLOR") else None


def exit_code(results: Iterable[Result]) -> int:
    """2 if a file could not be read, else 1 if any error was found, else 0."""
    results = list(results)
    if any(isinstance(r, FileError) for r in results):
        return 2
    return 1 if any(not r.ok for r in results) else 0


# -- text ------------------------------------------------------------------------------


def compact_cells(cells: Sequence[str]) -> str:
    """["B7","C7","D7","H7"] -> "B7:D7,H7"; ["J30","J9","J10","J11"] -> "J30,J9:J11".

    Runs of cells adjacent along one row or down one column become ranges.
    """
    runs: list[tuple[list[str], tuple[int, int] | None]] = []  # (refs, step)
    last: tuple[int, int] | None = None
    for ref in cells:
        pos = a1_position(ref)
        step = (pos[0] - last[0], pos[1] - last[1]) if last else None
        if runs and step in ((0, 1), (1, 0)) and runs[-1][1] in (None, step):
            runs[-1] = (runs[-1][0] + [ref], step)
        else:
            runs.append(([ref], None))
        last = pos
    return ",".join(refs[0] if len(refs) == 1 else f"{refs[0]}:{refs[-1]}" for refs, _ in runs)


def _location(f: Finding, sub: Submission | None = None) -> str:
    origins = finding_origins(f, sub)
    if origins:
        return "、".join(origins[:3]) + ("等" if len(origins) > 3 else "")
    if not f.sheet:
        return ""
    if sub is not None and sub.file_kind != "workbook":
        return ""  # sheets and cells of the reading mean nothing in a published report (the group heading says the table)
    return f"{f.sheet}!{compact_cells(f.cells)}" if f.cells else f.sheet


def finding_origins(f: Finding, sub: Submission | None) -> list[str]:
    """A published report's finding: where in the document its figures were
    read, cells of one row (or page) together: “第2个表格第4行第4、5、10列”,
    “第2页第15、16行”; [] for a workbook."""
    if sub is None or sub.file_kind == "workbook":
        return []
    groups: dict[str, list[int]] = {}
    for key in f.keys:
        cv = sub.cells.get(key)
        o = cv.origin if cv is not None else None
        if o is None:
            continue
        if o.col is not None:
            head, n, unit = replace(o, col=None).describe(), o.col, "列"
        elif o.line is not None:
            head, n, unit = replace(o, line=None).describe(), o.line, "行"
        else:
            head, n, unit = o.describe(), None, ""
        numbers = groups.setdefault(head + "\0" + unit, [])
        if n is not None and n not in numbers:
            numbers.append(n)
    out = []
    for head, numbers in groups.items():
        text, unit = head.split("\0")
        out.append(f"{text}第{'、'.join(map(str, sorted(numbers)))}{unit}" if numbers else text)
    return out


def finding_lines(f: Finding, sub: Submission | None = None) -> list[str]:
    """A finding as printed: severity, where (cells, or in a published report
    where its figures were read), message."""
    label = click.style(severity_label(f.severity), **_STYLE.get(f.severity, {}))
    where = _location(f, sub)
    head = f"  {label}  {where}" if where else f"  {label}"
    return [head, f"        {f.message}"] if len(where) > 24 else [f"{head}  {f.message}"]


def _heading(result: Result) -> str:
    if isinstance(result, FileError):
        return click.style(display_path(result.path), bold=True)
    sub = result.submission
    about = []
    if sub is not None:
        if sub.unit:
            about.append(sub.unit)
        if sub.year:
            about.append(f"{sub.year} 年度")
        if sub.kind == "summary":
            about.append("汇总表")
    extra = f"（{'，'.join(about)}）" if about else ""
    return click.style(display_path(result.path), bold=True) + extra


def _verdict(result: Result) -> str:
    if isinstance(result, FileError):
        return click.style("结论：无法读取", fg="red", bold=True)
    style = _STYLE["error"] if result.errors else _STYLE["warning"] if result.warnings else {"fg": "green"}
    return click.style(f"结论：{result.verdict}", **style)


# Findings summarised per table row unless --verbose (one line per blank cell is too many).
PER_ROW_CODES = ("cell-blank",)


def _row_of(f: Finding, edition: Edition) -> tuple[str, str] | None:
    """(sheet, row or group label) of a one-cell finding about a table cell."""
    spec = edition.cells.get(f.keys[0]) if len(f.keys) == 1 else None
    if spec is None:
        return None
    head = spec.row_label or next((n.label for n in spec.col_path if n.label), "")
    return spec.table.sheet, head


def summarise_rows(findings: Sequence[Finding], edition: Edition) -> list[Finding]:
    """Findings with the blank cells of one table row (表四: of one group) merged
    into one finding, placed where the row's first one was."""
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        row = _row_of(f, edition) if f.code in PER_ROW_CODES else None
        if row is not None:
            groups.setdefault((f.code, *row), []).append(f)
    out: list[Finding] = []
    for f in findings:
        row = _row_of(f, edition) if f.code in PER_ROW_CODES else None
        if row is None:
            out.append(f)
            continue
        same = groups[(f.code, *row)]
        if len(same) == 1:
            out.append(f)
        elif same[0] is f:
            sheet, head = row
            what = f"{sheet}“{head}”{'行' if edition.cells[f.keys[0]].row_label else ''}"
            out.append(Finding(
                f.code, f.severity,
                f"{what}有 {len(same)} 个单元格未填写（或填了“/”“无”等），已按 0 计算；没有发生请填 0。",
                rule=f.rule, sheet=f.sheet, cells=[c for g in same for c in g.cells],
                keys=[k for g in same for k in g.keys]))
    return out


def _file_text(result: Result, edition: Edition, verbose: bool = False) -> list[str]:
    lines = [_heading(result)]
    if isinstance(result, FileError):
        lines.append(f"  {click.style(severity_label('error'), **_STYLE['error'])}  {result.message}")
    else:
        group = None
        shown = result.findings if verbose else summarise_rows(result.findings, edition)
        for f in shown:
            _, heading = finding_group(f, edition)
            if heading != group:
                group = heading
                if heading:
                    lines.append(f" {heading}")
            lines.extend(finding_lines(f, result.submission))
        if len(shown) < len(result.findings):
            lines.append("  （同一行中未填写的单元格合并为一条；加 --verbose 逐个列出）")
    lines.append(_verdict(result))
    return lines


def _closing(results: Sequence[Result]) -> str:
    unreadable = sum(isinstance(r, FileError) for r in results)
    errors = sum(isinstance(r, CheckResult) and not r.ok for r in results)
    passed = len(results) - unreadable - errors
    parts = [f"共 {len(results)} 个文件", f"{passed} 个通过", f"{errors} 个有错误"]
    if unreadable:
        parts.append(f"{unreadable} 个无法读取")
    return "，".join(parts) + "。"


def render_text(results: Sequence[Result], edition: Edition, verbose: bool = False) -> str:
    """The terminal report (with click styles; click.echo strips them off a terminal).
    Blank cells are summarised per table row unless ``verbose``."""
    blocks = ["\n".join(_file_text(r, edition, verbose)) for r in results]
    if len(results) > 1:
        blocks.append(click.style(_closing(results), bold=True))
    return "\n\n".join(blocks)


# -- JSON ------------------------------------------------------------------------------


def _number(v: Decimal | None) -> int | str | None:
    return None if v is None else _json_number(Decimal(v))


def _values(result: CheckResult) -> dict[str, int | str | None]:
    cells = result.submission.cells if result.submission else {}
    out = {}
    for key, value in result.values.items():
        cv = cells.get(key)
        empty = cv is not None and (cv.status in NO_NUMBER or cv.value is None) and not cv.formula
        out[key] = None if empty and value == 0 else _number(value)
    return out


def file_entry(result: Result) -> dict:
    """One element of the JSON ``files`` list."""
    if isinstance(result, FileError):
        return {
            "path": display_path(result.path), "status": "unreadable", "unit": None, "unit_type": None, "year": None,
            "ours": None, "file_kind": None, "errors": 1, "warnings": 0, "findings": [result.to_finding().to_dict()],
            "values": {}, "origins": {},
        }
    sub = result.submission
    return {
        "path": display_path(result.path),
        "status": result.status,
        "unit": sub.unit if sub else None,
        "unit_type": (sub.info.get("unit_type") or sub.unit_type) if sub else None,
        "year": sub.year if sub else None,
        "ours": sub.ours if sub else None,
        "file_kind": sub.file_kind if sub else None,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "findings": [_finding_dict(f, sub) for f in result.findings],
        "values": _values(result),
        "origins": {k: cv.origin.to_dict() for k, cv in sub.cells.items() if cv.origin is not None} if sub else {},
    }


def _finding_dict(f: Finding, sub: Submission | None) -> dict:
    d = f.to_dict()
    origins = finding_origins(f, sub)
    if origins:
        d["origins"] = origins
    return d


def json_document(results: Iterable[Result], edition: Edition) -> dict:
    return {"xxgk_version": __version__, "edition": edition.edition, "files": [file_entry(r) for r in results]}


def render_json(results: Iterable[Result], edition: Edition) -> str:
    return json.dumps(json_document(results, edition), ensure_ascii=False, indent=2)
