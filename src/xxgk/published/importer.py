"""``xxgk import``: published reports to workbooks of our template.

Each report (web page, text, Word, PDF -- or a workbook of another layout)
is read with :func:`xxgk.published.read_published`, checked like a submitted
workbook, and written with :func:`xxgk.writer.write_report`: its figures,
prose sections, unit and year.  Nothing is invented: a figure that could not
be read stays blank (never 0) and a finding says why; a total published
that differs from the sum of its items is kept as published (typed over the
formula), so ``xxgk check`` on the workbook shows the report's own mistake.
Every figure is classed as read directly, to be checked (a reading finding
names it: inferred from run-together digits, read out of text …) or blank.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..checker import CheckResult, FileError, check_submission
from ..spec import Edition, load_edition
from ..submission import Submission, UnreadableFile
from ..values import OK, TEXT_NUMBER

__all__ = ["Imported", "ImportUsageError", "import_reports", "output_targets", "DIRECT", "CHECK", "BLANK"]

DIRECT, CHECK, BLANK = "direct", "check", "blank"  # how sure a figure is
SURENESS_ZH = {DIRECT: "直接读出", CHECK: "需核对", BLANK: "空缺"}


class ImportUsageError(ValueError):
    """Options that cannot work together (one output file for several reports)."""


@dataclass
class Imported:
    """One report imported (or not: ``error``)."""

    path: str
    out: str | None = None
    result: CheckResult | None = None
    error: FileError | None = None
    sureness: dict[str, str] = field(default_factory=dict)  # input key -> DIRECT / CHECK / BLANK

    @property
    def submission(self) -> Submission | None:
        return self.result.submission if self.result else None

    def count(self, how: str) -> int:
        return sum(1 for v in self.sureness.values() if v == how)


def output_targets(files: list[Path], out: str | os.PathLike) -> list[Path]:
    """The workbook written for each file: ``out`` itself when it names an
    .xlsx file (one report only), else ``out/<name of the report>.xlsx``."""
    out = Path(out)
    if out.suffix.lower() == ".xlsx" and not out.is_dir():
        if len(files) != 1:
            raise ImportUsageError(f"有 {len(files)} 份报告，--out 应为文件夹，而不是一个 .xlsx 文件")
        return [out]
    targets: list[Path] = []
    used: set[str] = set()
    for f in files:
        name = f.stem or "报告"
        n = 1
        while (candidate := f"{name}.xlsx" if n == 1 else f"{name}-{n}.xlsx").lower() in used:
            n += 1
        used.add(candidate.lower())
        targets.append(out / candidate)
    return targets


def _sureness(sub: Submission, ed: Edition) -> dict[str, str]:
    doubtful = {k for f in sub.findings if f.severity in ("error", "warning") for k in f.keys}
    out = {}
    for key in ed.input_keys:
        cv = sub.cells.get(key)
        if cv is None or cv.value is None:
            out[key] = BLANK
        elif key in doubtful or cv.status not in (OK, TEXT_NUMBER) or cv.note:
            out[key] = CHECK
        else:
            out[key] = DIRECT
    return out


def _workbook_values(sub: Submission, ed: Edition) -> tuple[dict, dict, int]:
    """Inputs to write (blank ones left out, unreadable text kept as text),
    totals that differ from their items (kept as published), fee decimals."""
    values: dict[str, object] = {}
    for key in ed.input_keys:
        cv = sub.cells.get(key)
        if cv is None:
            continue
        if cv.value is not None:
            values[key] = cv.value
        elif isinstance(cv.raw, str) and cv.raw.strip():
            values[key] = cv.raw.strip()  # “/”, “无” …: the checker says what it is
    numbers = {k: v for k, v in values.items() if isinstance(v, Decimal)}
    computed = ed.compute({k: numbers.get(k, Decimal(0)) for k in ed.input_keys})
    overrides = {}
    for key in ed.formula_keys:
        cv = sub.cells.get(key)
        if cv is not None and cv.value is not None and cv.value != computed[key]:
            overrides[key] = cv.value
    decimals = max([4] + [-v.as_tuple().exponent for v in numbers.values() if v.as_tuple().exponent < 0])
    return values, overrides, min(decimals, 10)


def import_reports(paths: Iterable[str | os.PathLike], out: str | os.PathLike, *,
                   edition: Edition | str | None = None) -> list[Imported]:
    """Read every report of ``paths`` (files and folders) and write one
    workbook each under ``out`` (see :func:`output_targets`).  A file that
    cannot be read is reported (``Imported.error``) and the batch goes on."""
    from ..checker import expand_paths
    from ..safeio import refuse_overwriting_inputs
    from ..writer import write_report
    from . import read_published

    files = expand_paths(paths)
    targets = output_targets(files, out)
    refuse_overwriting_inputs(targets, files)
    results: list[Imported] = []
    for path, target in zip(files, targets):
        item = Imported(str(path))
        results.append(item)
        try:
            sub = read_published(path, edition)  # no edition given: each report's own
        except UnreadableFile as exc:
            item.error = FileError(str(path), exc.message, exc.code)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            item.error = FileError(str(path), f"读取时出现意外错误：{exc}", "file-unreadable")
            continue
        ed = edition if isinstance(edition, Edition) else load_edition(sub.edition)
        item.result = check_submission(sub, ed)
        item.sureness = _sureness(sub, ed)
        values, overrides, decimals = _workbook_values(sub, ed)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_report(target, ed, unit=sub.unit or "", unit_type=sub.unit_type or "", year=sub.year,
                         values=values, overrides=overrides, prose=sub.prose, fee_decimals=decimals)
        except OSError as exc:
            item.error = FileError(str(path), f"无法写入 {target}：{exc.strerror or exc}", "file-unwritable")
            continue
        item.out = str(target)
    return results


# -- what is printed ---------------------------------------------------------------------


def render_import_text(items: list[Imported], edition: Edition) -> str:
    """What ``xxgk import`` prints: per report where it went, what was read
    and how sure, and the findings (with where in the document)."""
    import click

    from ..reader import FILE_KIND_NAMES
    from ..report import finding_lines

    blocks = []
    for item in items:
        if item.error is not None:
            blocks.append("\n".join([click.style(item.path, bold=True),
                                     f"  {click.style('错误', fg='red', bold=True)}  {item.error.message}",
                                     click.style("结论：无法读取，未生成工作簿", fg="red", bold=True)]))
            continue
        sub = item.submission
        about = [sub.unit or "单位名称未读出", f"{sub.year} 年度" if sub.year else "年度未读出",
                 FILE_KIND_NAMES.get(sub.file_kind, sub.file_kind)]
        counts = "；".join(f"{SURENESS_ZH[h]} {item.count(h)} 个" for h in (DIRECT, CHECK, BLANK))
        lines = [click.style(f"{item.path} → {item.out}", bold=True), "  " + "，".join(about),
                 f"  数字：{counts}；文字部分：{len(sub.prose)} 节"]
        for f in item.result.findings:
            if f.code != "not-our-template":
                lines += finding_lines(f, sub)
        verdict = "结论：已导入"
        if item.result.errors:
            verdict += f"（原报告有 {len(item.result.errors)} 处错误，数字按原报告保留）"
        if item.count(CHECK) or item.count(BLANK):
            verdict += "，请核对上面标出的数字"
        lines.append(click.style(verdict, fg="yellow" if item.result.errors else "green"))
        blocks.append("\n".join(lines))
    done = sum(1 for i in items if i.error is None)
    if len(items) > 1:
        tail = f"共 {len(items)} 份报告，已导入 {done} 份"
        if done < len(items):
            tail += f"，{len(items) - done} 份无法读取"
        blocks.append(click.style(tail + "。", bold=True))
    return "\n\n".join(blocks)


def import_json(items: list[Imported], edition: Edition) -> dict:
    """The JSON of ``xxgk import --format json``: check's document, each file
    with its ``output`` and ``sureness`` (input key -> direct/check/blank)."""
    from .. import __version__
    from ..report import file_entry

    files = []
    for item in items:
        entry = file_entry(item.error if item.error is not None else item.result)
        entry["output"] = item.out
        entry["sureness"] = dict(item.sureness)
        files.append(entry)
    return {"xxgk_version": __version__, "edition": edition.edition, "files": files}
