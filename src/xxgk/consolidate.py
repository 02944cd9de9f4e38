"""Consolidation: many submitted reports into one district (or city) summary.

Every workbook is read and checked in a worker process (the parent only
ever holds the small per-file result: figures, findings, status), the
batch is matched against the roster, duplicates / wrong years / strangers
are resolved by explicit policies, and the figures of the units included
are summed exactly (``Decimal``).  The summary is written by
:func:`xxgk.writer.write_report` as a report of the same edition
(``kind="summary"``) with extra sheets (:mod:`xxgk.summary_sheets`), so it
can itself be checked and consolidated again (district → city).

Unit identity is the normalised unit name.  A summary's ``members`` are the
basic units its figures come from (a city summary lists the units of its
districts, not the districts), so a unit counted twice is found however
deeply the inputs nest; the roster is matched against each input's own
name (a city's roster lists its districts).

The CLI command ``xxgk consolidate`` is a thin wrapper over
:func:`consolidate`.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .findings import Finding, severity_of
from .previous import PreviousReports
from .roster import RosterEntry, RosterError, normalise_unit_name, read_roster
from .safeio import (OutputIsInput, atomic_output, clean_text, display_path, refuse_overwriting_inputs,
                     worker_signals)
from .spec import DEFAULT_EDITION, Edition, load_edition
from .submission import UnreadableFile

__all__ = [
    "ConsolidationError",
    "FileResult",
    "UnitStatus",
    "ConsolidationResult",
    "consolidate",
    "collect_paths",
    "read_files",
    "default_out_name",
    "closing_line",
    "STATUSES",
]

# Status of one row of 报送情况, in the order they are explained to users.
PASSED = "通过"
PASSED_WITH_WARNINGS = "通过（有提醒）"
HAS_ERRORS = "有错误"
UNREADABLE = "无法读取"
MISSING = "未报送"
NOT_ON_ROSTER = "不在名册"
DUPLICATE = "重复"
WRONG_YEAR = "年度不符"
NOT_FILLED = "未填写"
HELD_BACK = "待核实"
STATUSES = (PASSED, PASSED_WITH_WARNINGS, HAS_ERRORS, HELD_BACK, NOT_FILLED, UNREADABLE, MISSING, NOT_ON_ROSTER,
            DUPLICATE, WRONG_YEAR)

ON_DUPLICATE = ("error", "latest")

# Batches smaller than this are read in-process: starting workers costs more.
_MIN_PARALLEL = 8


class ConsolidationError(Exception):
    """Nothing usable could be produced; ``str(exc)`` is one line in Chinese."""


@dataclass
class FileResult:
    """What a worker returns for one file: small, picklable, no workbook."""

    path: str
    mtime: float = 0.0
    readable: bool = True
    reason: str = ""  # why the file could not be read
    code: str = ""  # finding code of an unreadable file
    unit: str = ""
    unit_type: str = ""
    year: int | None = None
    kind: str = "unit"  # unit / summary
    members: tuple[str, ...] = ()
    date: str = ""  # 填报日期, as written
    values: tuple = ()  # effective value of every cell, in edition.cells order
    edition: str = ""  # the edition the file was read in
    findings: list[Finding] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    annotated_copy: bool = False  # an unchanged annotated copy made by xxgk: not a submission
    not_filled: bool = False  # no figure filled at all (a blank template)
    held: tuple[str, ...] = ()  # figures the checker doubts (e.g. a fee in 元): where and why

    @property
    def file_name(self) -> str:
        """The file's name as a user reads it (a GBK-encoded name decoded)."""
        return Path(display_path(self.path)).name

    @property
    def name(self) -> str:
        """The unit's name, or the file name when the workbook has none."""
        return clean_text(self.unit) or Path(display_path(self.path)).stem

    @property
    def unit_key(self) -> str:
        return normalise_unit_name(self.name)

    @property
    def atoms(self) -> frozenset[str]:
        """The basic units whose figures this file carries (a summary: its members)."""
        if self.kind == "summary" and self.members:
            return frozenset(normalise_unit_name(m) for m in self.members)
        return frozenset({self.unit_key})

    def value_map(self, edition: Edition) -> dict[str, Decimal]:
        return {k: Decimal(v) for k, v in zip(edition.cells, self.values)}


@dataclass
class UnitStatus:
    """One row of 报送情况: a roster unit, a file, or both."""

    name: str
    status: str
    code: str = ""
    unit_type: str = ""
    file: str = ""  # file name ("" when nothing arrived)
    path: str = ""
    errors: int = 0
    warnings: int = 0
    included: bool = False
    on_roster: bool | None = None  # None: no roster given
    note: str = ""


@dataclass
class ConsolidationResult:
    """Everything :func:`consolidate` did; the CLI only prints from it."""

    out: Path
    name: str
    year: int | None
    edition: str
    statuses: list[UnitStatus]
    sums: dict[str, Decimal]  # every cell of the edition, totals recomputed
    members: list[str]  # basic units counted in the sums
    unit_findings: list[tuple[str, str, Finding]]  # (unit, file, finding)
    summary_findings: list[Finding]  # the rules run on the summed figures
    include_errors: bool = False
    long_out: Path | None = None
    name_source: str = "given"  # given (--name) / derived (shared area) / neutral (汇总)
    previous_unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why) in --previous folder
    skipped: list[str] = field(default_factory=list)  # unchanged annotated copies left out
    earlier_summaries: list[tuple[str, int]] = field(default_factory=list)  # (path, members) left out
    not_read: list = field(default_factory=list)  # xxgk.folders.Skipped: files not read (links, pipes …), and why

    def count(self, *statuses: str, included: bool | None = None) -> int:
        return sum(
            1 for s in self.statuses
            if (not statuses or s.status in statuses) and (included is None or s.included == included)
        )

    @property
    def included(self) -> int:
        return self.count(included=True)

    @property
    def included_with_errors(self) -> int:
        return sum(1 for s in self.statuses if s.included and s.errors)

    @property
    def excluded_for_errors(self) -> int:
        return sum(1 for s in self.statuses if not s.included and s.status == HAS_ERRORS)

    @property
    def status_counts(self) -> dict[str, int]:
        """Rows of 报送情况 by status, in the order of :data:`STATUSES`."""
        found = Counter(s.status for s in self.statuses)
        return {st: found[st] for st in STATUSES if found[st]}

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def unreadable(self) -> int:
        return self.count(UNREADABLE)


# -- finding the files --------------------------------------------------------


def collect_paths(inputs: Iterable[str | os.PathLike], *, skip: Iterable[str | os.PathLike] = (),
                  skipped: list | None = None) -> list[Path]:
    """Workbooks named directly or found in folders, as ``xxgk check`` finds
    them, each once, without ``skip`` (the output of a previous run lying in
    the same folder).  A path that does not exist is a :class:`ConsolidationError`."""
    from .checker import expand_paths

    inputs = [Path(p) for p in inputs]
    for p in inputs:
        if not p.exists():
            raise ConsolidationError(f"找不到 {p}")
    seen = {_same(p) for p in skip}
    out: list[Path] = []
    for p in expand_paths(inputs, skipped):
        if _same(p) not in seen:
            seen.add(_same(p))
            out.append(p)
    return out


def _same(p: str | os.PathLike) -> str:
    return os.path.normcase(os.path.realpath(p))


# -- reading (in worker processes) -------------------------------------------


def _compact(value: Decimal) -> int | Decimal:
    """Whole numbers as int (small ints are shared), keeping results small."""
    return int(value) if value == value.to_integral_value() else value


# Last year's reports of this process (set by read_files, in workers by _init_worker).
_PREVIOUS = None


def read_one(path: str | os.PathLike, edition: str | None = None, fee_decimals: int | None = None,
             previous=None) -> FileResult:
    """Read and check one workbook as ``xxgk check`` does; never raises.
    Without ``edition``, each file is read in the edition its evidence shows.
    ``previous`` (:class:`xxgk.previous.PreviousReports`, default: the batch's)
    gives the unit's report of last year for the continuity rules."""
    from .checker import check_submission
    from .previous import not_found_finding
    from .published import read_published
    from .submission import UnreadableFile

    path = str(path)
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        mtime = 0.0
    try:
        sub = read_published(path, load_edition(edition) if edition else None)
        ed = load_edition(sub.edition)
        previous = previous if previous is not None else _PREVIOUS
        last = previous.for_unit(sub.unit) if previous else None
        res = check_submission(sub, ed, fee_decimals=fee_decimals, previous=last)
        if previous and previous.folder is not None and last is None:
            res.findings.insert(0, not_found_finding(sub.unit, previous.folder))
    except UnreadableFile as exc:
        return FileResult(path, mtime, readable=False, reason=exc.message, code=exc.code)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
        err = UnreadableFile.unexpected(path, exc)
        return FileResult(path, mtime, readable=False, reason=err.message, code=err.code)
    if sub.is_unchanged_annotation:
        return FileResult(path, mtime, unit=(sub.unit or "").strip(), annotated_copy=True)
    full = res.values if set(res.values) >= set(ed.cells) else ed.compute(res.values)
    findings = list(res.findings)
    kind, members = sub.kind or "unit", tuple(sub.members or ())
    if kind == "summary":
        problem = summary_problem(path, sub, ed)
        if problem:  # its members must not take other units out of the sums
            findings.append(Finding.of(
                "summary-not-verified",
                message=f"该工作簿标明是汇总表，但{problem}；已按单个单位处理（不据其成员名单查重）",
            ))
            kind, members = "unit", ()
    doubted = held_back_codes(ed)
    return FileResult(
        path=path,
        mtime=mtime,
        unit=(sub.unit or "").strip(),
        unit_type=sub.unit_type or "",
        year=sub.year,
        kind=kind,
        members=members,
        date=str((sub.info or {}).get(ed.info_key("date")) or ""),
        values=tuple(_compact(full[k]) for k in ed.cells),
        edition=ed.edition,
        findings=findings,
        errors=sum(1 for f in findings if f.severity == "error"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
        not_filled=res.not_filled,
        held=tuple(_held_note(f) for f in findings if f.code in doubted),
    )


def held_back_codes(ed: Edition) -> frozenset[str]:
    """Codes of warnings whose figure is held back with its unit (rules marked
    ``hold_back`` in the edition: a fee that looks typed in 元)."""
    return frozenset(r.code for r in ed.rules if r.params.get("hold_back"))


def _held_note(f: Finding) -> str:
    from .findings import CODES

    title = (CODES[f.code][1] if f.code in CODES else f.message).rstrip("。")
    return f"{f.where}：{title}" if f.where else title


def summary_problem(path: str, sub, ed: Edition) -> str | None:
    """Why a workbook that says it is a summary cannot be trusted as one, or
    None: its member list must be whole, and every figure must equal the sum
    of the units in its 分单位明细 (the detail a summary made by xxgk carries)."""
    from .summary_sheets import DETAIL_UNITS_FROM, detail_keys
    from .xlsx import NUMBER, XlsxBook

    if getattr(sub, "file_kind", "workbook") != "workbook":
        return "它不是工作簿"
    if not sub.members:
        return "没有成员单位名单"
    if not getattr(sub, "members_complete", True):
        return "成员单位名单不完整"
    keys = detail_keys(ed)
    detail = ed.summary_sheets["detail"]
    labels: dict[int, list[str]] = {}
    sums: dict[int, Decimal] = {}
    units = 0
    with XlsxBook(path) as book:
        if not book.has_sheet(detail):
            return f"缺少“{detail}”工作表"
        for (r, c), cell in book.iter_cells(detail):
            if r == 0:
                units += c >= DETAIL_UNITS_FROM
            elif c < DETAIL_UNITS_FROM - 1:
                labels.setdefault(r, ["", "", ""])[c] = str(cell.value or "")
            elif c >= DETAIL_UNITS_FROM and cell.type == NUMBER:
                sums[r] = sums.get(r, Decimal(0)) + cell.value
    found: dict[str, Decimal] = {}
    for r, lab in labels.items():
        key = keys.get(tuple(lab))
        if key is not None:
            found[key] = sums.get(r, Decimal(0))
    if not units or set(found) != set(keys.values()):
        return f"“{detail}”不完整"
    for key, total in found.items():
        own = sub.cells[key].value if key in sub.cells and sub.cells[key].value is not None else Decimal(0)
        if abs(own - total) > Decimal("0.000001"):
            spec = ed.cells[key]
            return (f"{spec.table.sheet}“{spec.label}”为 {own}，而“{detail}”中各单位之和为 {total}")
    return None


def earlier_summaries(files: list[FileResult]) -> list[FileResult]:
    """Summaries among the inputs whose every member unit was also submitted
    on its own in this batch: an earlier run's output left in the folder,
    never a sub-summary to add (a city's district summaries have no such twins)."""
    out = []
    for s in files:
        if not (s.readable and s.kind == "summary" and s.members):
            continue
        others = set()
        for f in files:
            if f is not s and f.readable and f not in out:
                others |= f.atoms | {f.unit_key}
        if s.atoms <= others:
            out.append(s)
    return out


def _read_task(args: tuple[str, str, int | None]) -> FileResult:
    return read_one(*args)


def _previous_spec(previous) -> tuple | None:
    """What a worker needs to rebuild the batch's previous reports cheaply."""
    if not previous:
        return None
    if previous.folder is not None:
        return ("folder", str(previous.folder), previous.paths)
    return ("single", previous.single)


def _init_worker(spec: tuple | None, edition: str) -> None:
    global _PREVIOUS
    from .previous import PreviousReports

    worker_signals()
    if spec is None:
        _PREVIOUS = None
    elif spec[0] == "folder":
        _PREVIOUS = PreviousReports.from_index(spec[1], spec[2], edition)
    else:
        _PREVIOUS = PreviousReports(spec[1], edition)


def read_files(
    paths: Sequence[str | os.PathLike],
    *,
    edition: str | None = None,
    fee_decimals: int | None = None,
    jobs: int | None = None,
    previous=None,
) -> Iterator[FileResult]:
    """Read and check files, in order, on ``jobs`` processes (default: all cores);
    ``previous``: :class:`xxgk.previous.PreviousReports` for the continuity rules."""
    global _PREVIOUS
    tasks = [(str(p), edition, fee_decimals) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < _MIN_PARALLEL:
        _PREVIOUS = previous
        try:
            yield from map(_read_task, tasks)
        finally:
            _PREVIOUS = None
        return
    import multiprocessing

    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    # Leaving the block for any reason (Ctrl-C, SIGTERM) terminates the workers.
    with multiprocessing.get_context(_start_method()).Pool(
            jobs, initializer=_init_worker, initargs=(_previous_spec(previous), edition)) as pool:
        yield from pool.imap(_read_task, tasks, chunksize=chunk)


def _start_method() -> str:
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else "spawn"


# -- deciding what goes into the sums -----------------------------------------


def _target_year(files: Sequence[FileResult]) -> int | None:
    """The year most of the readable files report (the later one on a tie)."""
    years = Counter(f.year for f in files if f.readable and f.year)
    if not years:
        return None
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _newest_first(group: list[FileResult]) -> list[FileResult]:
    """Order duplicates by 填报日期 when every file has a different one, else by
    modification time (ties keep the input order)."""
    dates = [_date_key(f.date) for f in group]
    if all(dates) and len(set(dates)) == len(dates):
        return [f for _, f in sorted(zip(dates, group), key=lambda t: t[0], reverse=True)]
    return sorted(group, key=lambda f: f.mtime, reverse=True)


def _date_key(text: str) -> str:
    import re

    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", text or "")
    return f"{int(m[1]):04d}{int(m[2]):02d}{int(m[3]):02d}" if m else ""


def _overlap_groups(files: list[FileResult]) -> list[list[FileResult]]:
    """Files that share a unit (same unit twice, or a unit inside a summary),
    grouped by union-find over their basic units and their own names."""
    parent = list(range(len(files)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, f in enumerate(files):
        for atom in f.atoms | {f.unit_key}:
            if atom in owner:
                parent[find(i)] = find(owner[atom])
            else:
                owner[atom] = i
    groups: dict[int, list[FileResult]] = {}
    for i, f in enumerate(files):
        groups.setdefault(find(i), []).append(f)
    return list(groups.values())


def _shared(f: FileResult, others: list[FileResult]) -> str:
    common = set()
    for o in others:
        common |= (f.atoms | {f.unit_key}) & (o.atoms | {o.unit_key})
    return "、".join(sorted(common))


def _file_status(f: FileResult) -> str:
    if f.errors:
        return HAS_ERRORS
    if f.held:
        return HELD_BACK
    return PASSED_WITH_WARNINGS if f.warnings else PASSED


def _row(f: FileResult, status: str, *, included: bool, note: str = "") -> UnitStatus:
    return UnitStatus(
        name=f.name, status=status, unit_type=f.unit_type, file=f.file_name, path=f.path,
        errors=f.errors, warnings=f.warnings, included=included, note=note,
    )


def decide(
    files: list[FileResult],
    *,
    year: int | None,
    roster: Sequence[RosterEntry] | None,
    on_duplicate: str = "error",
    include_wrong_year: bool = False,
    include_errors: bool = False,
    include_suspect: bool = False,
    edition: Edition | None = None,
) -> tuple[list[UnitStatus], list[FileResult]]:
    """The 报送情况 rows (roster order first) and the files whose figures are summed.

    Never summed: unreadable files, blank workbooks (未填写), other years and
    duplicates (unless asked); units with errors unless ``include_errors``;
    units with a figure the checker doubts (待核实) unless ``include_suspect``.
    ``edition``: the summary's (names the sheet the errors are listed on)."""
    rows: dict[str, UnitStatus] = {}  # by path
    candidates: list[FileResult] = []
    for f in files:
        if not f.readable:
            rows[f.path] = UnitStatus(f.name, UNREADABLE, file=f.file_name, path=f.path, note=f.reason)
        elif f.not_filled:
            rows[f.path] = _row(f, NOT_FILLED, included=False,
                                note="工作簿中没有填写任何数字（空白模板），未计入汇总；请催报")
        elif year is not None and f.year is not None and f.year != year and not include_wrong_year:
            rows[f.path] = _row(f, WRONG_YEAR, included=False,
                                note=f"报告年度为 {f.year}，汇总年度为 {year}，未计入汇总")
        else:
            candidates.append(f)

    kept: list[FileResult] = []
    for group in _overlap_groups(candidates):
        if len(group) == 1:
            kept.append(group[0])
            continue
        if on_duplicate == "latest":
            newest, *older = _newest_first(group)
            kept.append(newest)
            for o in older:
                rows[o.path] = _row(o, DUPLICATE, included=False,
                                    note=f"与 {newest.file_name} 重复（{_shared(o, [newest])}），已被较新的文件取代，未计入汇总")
        else:
            for f in group:
                others = [o for o in group if o is not f]
                rows[f.path] = _row(f, DUPLICATE, included=False,
                                    note=f"与 {'、'.join(o.file_name for o in others)} 重复（{_shared(f, others)}），均未计入汇总")

    roster_keys = {normalise_unit_name(e.name) for e in roster} if roster is not None else None
    included: list[FileResult] = []
    for f in kept:
        notes = []
        if year is not None and f.year is None:
            notes.append(f"未填写报告年度，按 {year} 年计入汇总")
        elif year is not None and f.year != year:
            notes.append(f"报告年度为 {f.year}，按要求仍计入汇总")
        take = (include_errors or not f.errors) and (include_suspect or not f.held)
        if f.errors:
            findings = (edition or load_edition(f.edition or DEFAULT_EDITION)).summary_sheets["findings"]
            notes.append(f"有 {f.errors} 个错误，" + (f"已计入汇总（错误见“{findings}”表）" if take else "未计入汇总"))
        if f.held:
            notes.append("数字待核实（" + "；".join(f.held) + "），"
                         + ("按要求已计入汇总" if take else "未计入汇总，请核实后重新报送"))
        status = _file_status(f)
        if roster_keys is not None and f.unit_key not in roster_keys:
            status = NOT_ON_ROSTER
            notes.insert(0, "不在名册中" + ("，已计入汇总" if take else ""))
        rows[f.path] = _row(f, status, included=take, note="；".join(notes))
        if take:
            included.append(f)
    return _order_rows(files, rows, roster), included


def _order_rows(files: list[FileResult], rows: dict[str, UnitStatus], roster: Sequence[RosterEntry] | None) -> list[UnitStatus]:
    """Roster order (with a 未报送 row for a unit nothing arrived from), then
    files of units not on the roster, then unreadable files no roster unit
    could be matched to by file name."""
    for f in files:
        rows[f.path].on_roster = None if roster is None else False
    if roster is None:
        return [rows[f.path] for f in files]
    keys = [normalise_unit_name(e.name) for e in roster]
    by_unit: dict[str, list[FileResult]] = {}
    for f in files:
        key = f.unit_key if f.readable else _roster_key_in(f.unit_key, keys)
        if key:
            by_unit.setdefault(key, []).append(f)
    out: list[UnitStatus] = []
    placed: set[str] = set()
    for entry, key in zip(roster, keys):
        mine = by_unit.get(key, [])
        if not mine:
            out.append(UnitStatus(entry.name, MISSING, code=entry.code, unit_type=entry.unit_type, on_roster=True,
                                  note="未收到该单位的工作簿"))
        for f in mine:
            row = rows[f.path]
            row.name, row.code, row.on_roster = entry.name, entry.code, True
            row.unit_type = row.unit_type or entry.unit_type
            if not f.readable:
                row.note = f"{row.note}（按文件名对应名册单位）"
            out.append(row)
            placed.add(f.path)
    out += [rows[f.path] for f in files if f.readable and f.path not in placed]
    out += [rows[f.path] for f in files if not f.readable and f.path not in placed]
    return out


def _roster_key_in(text: str, keys: Sequence[str]) -> str | None:
    """The longest roster name contained in ``text`` (a file name), if any."""
    found = [k for k in keys if k and k in text]
    return max(found, key=len) if found else None


# -- summing -------------------------------------------------------------------


def sum_inputs(files: Iterable[FileResult], edition: Edition) -> dict[str, Decimal]:
    """Exact sums of every input cell over ``files``."""
    index = [i for i, k in enumerate(edition.cells) if edition.cells[k].is_input]
    keys = list(edition.cells)
    totals = [Decimal(0)] * len(index)
    for f in files:
        for j, i in enumerate(index):
            totals[j] += f.values[i]
    return {keys[i]: totals[j] for j, i in enumerate(index)}


def members_of(files: Iterable[FileResult]) -> list[str]:
    """Names of the basic units counted (a summary contributes its members)."""
    out: list[str] = []
    for f in files:
        out += list(f.members) if f.kind == "summary" and f.members else [f.name]
    return out


# -- the whole batch -------------------------------------------------------------


def default_out_name(name: str, year: int | str | None) -> str:
    """The summary's file name in the working folder: whatever ``name`` holds
    (``/``, ``..``, characters Windows forbids), it stays one file name."""
    from .template import safe_file_name

    return safe_file_name(f"{name}{year or ''}年政府信息公开工作年度报告汇总").lstrip(".") + ".xlsx"


def _progress(iterable: Iterator[FileResult], length: int, show: bool):
    if not (show and sys.stderr.isatty()):
        return nullcontext(iterable)
    import click

    return click.progressbar(iterable, length=length, label="读取并校验", file=sys.stderr,
                             item_show_func=lambda f: f.file_name if f else "")


def consolidate(
    inputs: Iterable[str | os.PathLike],
    *,
    out: str | os.PathLike | None = None,
    roster: str | os.PathLike | Sequence[RosterEntry] | None = None,
    name: str | None = None,
    year: int | None = None,
    on_duplicate: str = "error",
    include_wrong_year: bool = False,
    include_errors: bool = False,
    include_suspect: bool = False,
    previous: str | os.PathLike | None = None,
    fee_decimals: int | None = None,
    long_out: str | os.PathLike | None = None,
    jobs: int | None = None,
    progress: bool = False,
    edition: str | Edition | None = None,
) -> ConsolidationResult:
    """Read, check and sum submitted workbooks into one summary workbook.

    Raises :class:`ConsolidationError` (Chinese message) when no summary can be
    produced: no workbook found, none readable, output not writable;
    :class:`xxgk.roster.RosterError` for an unusable roster.
    Units with errors are left out of the sums (so the summary itself passes
    the checks) unless ``include_errors``.  ``name`` defaults to the area the
    roster's units or the inputs share (:func:`summary_name`: 青溪区 for
    青溪区教育局, 青溪区公安分局 …), else :data:`NEUTRAL_NAME` (the closing line
    then asks for ``--name``).
    """
    given = edition if isinstance(edition, Edition) else load_edition(edition) if edition else None
    name = (name or "").strip()
    if on_duplicate not in ON_DUPLICATE:
        raise ConsolidationError(f"重复文件的处理方式只能是 {'、'.join(ON_DUPLICATE)}")
    entries = _roster(roster)
    not_read: list = []
    paths = collect_paths(inputs, skipped=not_read)
    if not paths:
        raise ConsolidationError("没有找到要汇总的工作簿（.xlsx）")
    roster_path = roster if isinstance(roster, (str, os.PathLike)) else None
    previous_files = collect_paths([previous]) if previous and os.path.exists(previous) else []
    refuse_overwriting_inputs([long_out, out], [roster_path, *previous_files])
    refuse_overwriting_inputs([long_out], paths)
    if out:  # before any work: --out may only replace an earlier summary
        _refuse_out(Path(out), [read_one(p, given and given.edition) for p in paths if _same(p) == _same(out)])

    # checked as `xxgk check` does: each workbook's own fee decimals unless given
    try:
        last_year = PreviousReports(previous, given)
    except UnreadableFile as exc:
        raise ConsolidationError(f"无法读取上年报告 {exc}") from None
    stream = read_files(paths, edition=given and given.edition, fee_decimals=fee_decimals, jobs=jobs,
                        previous=last_year)
    with _progress(stream, len(paths), progress) as bar:
        files = list(bar)
    skipped = [f.path for f in files if f.annotated_copy]
    earlier = earlier_summaries(files)
    files = [f for f in files if f not in earlier]
    files = [f for f in files if not f.annotated_copy]
    ed = given or _common_edition(files)
    shown_decimals = _fee_decimals(ed, fee_decimals)
    year = year or _target_year(files)
    named = bool(name)
    name = name or summary_name(entries, files)
    neutral = not name
    name = name or NEUTRAL_NAME
    out_path = Path(out) if out else Path.cwd() / default_out_name("" if neutral else name, year)
    _refuse_out(out_path, [f for f in files if _same(f.path) == _same(out_path)])
    files = [f for f in files if _same(f.path) != _same(out_path)]  # a previous run's output
    if not any(f.readable for f in files):
        raise ConsolidationError(f"{len(files)} 个文件均无法读取，未生成汇总表")

    statuses, included = decide(files, year=year, roster=entries, on_duplicate=on_duplicate,
                                include_wrong_year=include_wrong_year, include_errors=include_errors,
                                include_suspect=include_suspect, edition=ed)
    sums_in = sum_inputs(included, ed)
    sums = ed.compute(sums_in)
    result = ConsolidationResult(
        out=out_path, name=name, year=year, edition=ed.edition, statuses=statuses, sums=sums,
        members=members_of(included),
        unit_findings=[(f.name, f.file_name, x) for f in files for x in f.findings]
        + [(f.name, f.file_name, _unreadable_finding(f)) for f in files if not f.readable],
        summary_findings=_check_sums(sums, ed, shown_decimals),
        include_errors=include_errors,
        long_out=Path(long_out) if long_out else None,
        name_source="given" if named else "neutral" if neutral else "derived",
        previous_unreadable=list(last_year.unreadable),
        skipped=skipped,
        not_read=not_read,
        earlier_summaries=[(f.path, len(f.members)) for f in earlier],
    )
    _write(result, ed, included, sums_in, shown_decimals)
    if result.long_out:
        try:
            write_long(result.long_out, included, ed)
        except OSError as exc:
            raise ConsolidationError(f"汇总表已生成（{result.out}），但无法写入长表 {result.long_out}："
                                     f"{exc.strerror or exc}") from None
    return result


def _common_edition(files: Sequence[FileResult]) -> Edition:
    """The one edition all readable files are in; files of two editions are
    never summed together (their cells differ): refused, naming the files of each."""
    by_edition: dict[str, list[str]] = {}
    for f in files:
        if f.readable and f.edition:
            by_edition.setdefault(f.edition, []).append(f.file_name)
    if len(by_edition) > 1:
        parts = "；".join(f"{name} 版格式：{'、'.join(names[:5])}{'等 %d 个' % len(names) if len(names) > 5 else ''}"
                         for name, names in sorted(by_edition.items()))
        raise ConsolidationError(f"工作簿的格式版本不一致，不能汇总在一起（{parts}）。"
                                 "请让各单位按同一版本的格式填报，或用 --edition 指定版本。")
    return load_edition(next(iter(by_edition), DEFAULT_EDITION))


def _refuse_out(out: Path, found: list[FileResult]) -> None:
    """The summary may replace the file at ``out`` only if that file is itself
    a summary (an earlier run's output), never a submission."""
    for f in found:
        if not (f.readable and f.kind == "summary"):
            raise OutputIsInput(f"输出文件 {out} 是要汇总的输入文件之一（{f.name}），不能覆盖，请另选输出文件名")


# The summary's name when none is given and none can be derived.
NEUTRAL_NAME = "汇总"


def district_name(unit_names: Sequence[str]) -> str:
    """The area the named units (or summaries) belong to, ignoring names
    that carry no area (东湖街道办事处): 青溪区教育局, 青溪区公安分局 -> 青溪区;
    某市青溪区, 某市东山区 -> 某市; "" if none."""
    from .area import common_area, parent_areas

    return common_area([n for n in unit_names if parent_areas(n)])


def summary_name(roster: Sequence[RosterEntry] | None, files: Sequence[FileResult]) -> str:
    """The summary's default name: the area the roster's units share, else the
    area the inputs belong to (a unit: the areas its name starts with; a
    district summary: the area above it, from its name or its members' names);
    "" when none is shared."""
    from .area import common_area_paths

    if roster and (area := district_name([e.name for e in roster])):
        return area
    paths = [p for f in files if f.readable for p in [_area_above(f)] if p]
    return "".join(common_area_paths(paths))


def _area_above(f: FileResult) -> list[str]:
    """The areas a file's figures belong to, above the file itself."""
    from .area import area_segments, common_area_paths, parent_areas

    above = parent_areas(f.unit)
    if above or f.kind != "summary" or not f.members:
        return above
    # a summary named only by its own area (青溪区): the areas its members share, less its own
    shared = common_area_paths([parent_areas(m) for m in f.members])
    own = area_segments(f.unit)
    if shared and own and shared[-1] == own[-1]:
        return shared[:-1]
    return []


def _fee_decimals(ed: Edition, fee_decimals: int | None) -> int:
    """Decimals shown for amounts in the summary (the edition's default unless given)."""
    amount_types = [k for k, vt in ed.value_types.items() if vt.get("kind") == "decimal"]
    return ed.decimals(amount_types[0], fee_decimals) if amount_types else 0


def _roster(roster) -> list[RosterEntry] | None:
    """The roster entries; an unusable roster file raises :class:`RosterError`."""
    if roster is None or isinstance(roster, (list, tuple)):
        return roster
    try:
        return read_roster(roster)
    except RosterError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. csv.Error: still a bad roster, not a traceback
        raise RosterError(f"名册 {roster} 无法读取：{exc}") from None


def _unreadable_finding(f: FileResult) -> Finding:
    code = f.code or "file-unreadable"
    return Finding(code=code, severity=severity_of(code), message=f.reason)


def _check_sums(sums: dict[str, Decimal], ed: Edition, fee_decimals: int | None) -> list[Finding]:
    from .checker import check_values

    return list(check_values(sums, ed, fee_decimals=fee_decimals))


def _write(result: ConsolidationResult, ed: Edition, included: list[FileResult],
           sums_in: dict[str, Decimal], fee_decimals: int | None) -> None:
    from .summary_sheets import SummaryData, add_summary_sheets
    from .writer import write_report

    data = SummaryData(
        edition=ed, result=result, units=[(f.name, f.file_name, f.values) for f in included],
        fee_decimals=fee_decimals,
    )
    try:
        result.out.parent.mkdir(parents=True, exist_ok=True)
        write_report(
            result.out, ed, unit=result.name, year=result.year, values=sums_in, kind="summary",
            members=result.members, fee_decimals=fee_decimals, info={ed.info_key("date"): _today()},
            extra_sheets=lambda workbook, styles: add_summary_sheets(workbook, styles, data),
        )
    except OSError as exc:
        raise ConsolidationError(f"无法写入汇总表 {result.out}：{exc.strerror or exc}（文件是否正在 Excel 中打开？）") from None


def _today() -> str:
    """填报日期 of a summary: the day it was made."""
    import datetime

    return datetime.date.today().isoformat()


# -- long form for analysts ----------------------------------------------------------


def long_rows(files: Iterable[FileResult], ed: Edition) -> Iterator[tuple]:
    """(unit, year, key, table, row label, column label, value as exact text)."""
    specs = list(ed.cells.values())
    for f in files:
        for spec, v in zip(specs, f.values):
            yield (f.name, f.year, spec.key, spec.table.title, spec.row_label or (spec.block.title or ""),
                   spec.col_label, str(v))


LONG_COLUMNS = ("unit", "year", "key", "table", "row_label", "col_label", "value")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def csv_safe(value: object) -> object:
    """A text cell of a CSV, neutralised as OWASP recommends: text beginning
    with = + - @ tab or CR gets a leading apostrophe, so that Excel or WPS
    shows it as text instead of running it as a formula.  Numbers (and text
    that is exactly a number, such as "-5") are left as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def write_long(path: str | os.PathLike, files: Iterable[FileResult], ed: Edition) -> Path:
    """The figures in long form: ``.parquet`` or CSV (UTF-8 with BOM for Excel).
    Values are exact decimal text, so amounts never pass through float."""
    import pandas as pd

    path = Path(path)
    df = pd.DataFrame(list(long_rows(files, ed)), columns=list(LONG_COLUMNS))
    df["year"] = df["year"].astype("Int64")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        if path.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:  # a spreadsheet opens the CSV: no text may start a formula
            for col in ("unit", "key", "table", "row_label", "col_label"):
                df[col] = df[col].map(csv_safe)
            df.to_csv(tmp, index=False, encoding="utf-8-sig")
    return path


# -- the closing line -------------------------------------------------------------


def _some_names(names: list[str], most: int = 5) -> str:
    """（甲、乙、丙） or （甲、乙、丙等）: who, when few enough to read in one line."""
    if not names:
        return ""
    shown = "、".join(names[:most])
    return f"（{shown}{'等' if len(names) > most else ''}）"


def closing_line(result: ConsolidationResult) -> str:
    """One line in Chinese for the person running the batch, naming the units
    that need attention (up to five of each kind)."""
    def names(status: str, included: bool | None = None) -> list[str]:
        return [s.name for s in result.statuses
                if s.status == status and (included is None or s.included == included)]

    parts = [f"已汇总 {result.included} 个单位"]
    among = []
    if result.included_with_errors:
        among.append(f"{result.included_with_errors} 个有错误")
    warned = sum(1 for s in result.statuses if s.included and not s.errors and s.warnings)
    if warned:
        among.append(f"{warned} 个有提醒")
    if among:
        parts[0] += f"（其中 {'、'.join(among)}）"
    if result.excluded_for_errors:
        parts.append(f"{result.excluded_for_errors} 个有错误的单位未计入，请退回改正"
                     + _some_names(names(HAS_ERRORS, included=False)))
    held = names(HELD_BACK, included=False)
    if held:
        parts.append(f"{len(held)} 个单位有待核实的数字（如收费金额疑似按“元”填写）未计入，请核实"
                     + _some_names(held))
    if result.count(NOT_FILLED):
        parts.append(f"未填写 {result.count(NOT_FILLED)} 个" + _some_names(names(NOT_FILLED)) + "，请催报")
    if result.missing:  # only with a roster, and only when true
        parts.append(f"未报送 {result.missing} 个" + _some_names(names(MISSING)))
    if result.unreadable:
        parts.append(f"无法读取 {result.unreadable} 个" + _some_names(names(UNREADABLE)))
    others = result.count(DUPLICATE, WRONG_YEAR, included=False)
    if others:
        parts.append(f"重复或年度不符未计入 {others} 个")
    if result.skipped:
        parts.append(f"跳过 xxgk 生成的未改动的批注副本 {len(result.skipped)} 个")
    if result.earlier_summaries:
        parts.append(f"跳过此前生成的汇总表 {len(result.earlier_summaries)} 个")
    line = "，".join(parts) + f"。汇总表：{result.out}"
    if result.previous_unreadable:
        line += (f"\n提示：上年报告文件夹中 {len(result.previous_unreadable)} 个文件无法读取，未用于比对"
                 + _some_names([Path(p).name for p, _ in result.previous_unreadable]) + "。")
    if result.name_source == "neutral":
        line += (f"\n提示：未能从单位名称看出所属的区（市），汇总单位名称暂用“{result.name}”；"
                 "请用 --name 指定，如 --name 某市。")
    return line
