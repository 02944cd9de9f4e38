"""Blank templates: one for anybody, or one per unit of a roster (名册).

A roster template has the unit's name and type filled in and locked, so the
district gets back workbooks it can match to its roster without guessing.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable

from .roster import RosterEntry, RosterError, read_roster
from .spec import DEFAULT_EDITION, Edition, load_edition

__all__ = ["write_template", "write_roster_templates", "template_file_name", "safe_file_name", "UnitTypeError",
           "refuse_replacing"]

# Characters Windows does not allow in file names, and control characters.
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
PARALLEL_FROM = 40  # below this many units, one process is faster


def safe_file_name(text: str) -> str:
    """Replace characters illegal in Windows file names by "_"."""
    name = _ILLEGAL.sub("_", text).strip().rstrip(". ")
    return name or "_"


def template_file_name(unit: str, year: int | str) -> str:
    return safe_file_name(f"{year}年政府信息公开工作年度报告_{unit}") + ".xlsx"


class UnitTypeError(ValueError):
    """A unit type that is not one of the edition's; the message lists them."""


def unit_type_label(ed: Edition, text: str, where: str = "") -> str:
    """The official label of a unit type given loosely ("县级(区)人民政府");
    "" for none; :class:`UnitTypeError` for an unknown one."""
    if not text.strip():
        return ""
    known = ed.unit_type(text)
    if known is None:
        choices = "、".join(u.label for u in ed.unit_types)
        raise UnitTypeError(f"{where}单位类型“{text}”不是可选的类型，请填写其中之一：{choices}")
    return known.label


def _is_blank_template(path: Path, ed: Edition) -> bool:
    """True for a workbook xxgk made that holds no figure and no prose (the
    unit's name and type may be filled in: a roster template)."""
    from .reader import read_workbook

    try:
        sub = read_workbook(path, ed)
    except Exception:  # noqa: BLE001 - unreadable: not known to be blank, so never replaced
        return False
    return (sub.ours and sub.kind == "unit"
            and all(c.status == "blank" for k, c in sub.cells.items() if ed.cells[k].is_input)
            and not any((t or "").strip() for t in sub.prose.values()))


def refuse_replacing(paths: Iterable[Path], ed: Edition, *, force: bool = False) -> None:
    """Raise :class:`xxgk.safeio.RefusedOutput` before anything is written if a
    template would replace an existing file: a filled workbook (or any other
    file) never, a blank template only with ``force``."""
    from .safeio import RefusedOutput

    existing = [p for p in paths if os.path.lexists(p)]
    if not existing:
        return
    filled = [p for p in existing if not _is_blank_template(p, ed)]
    if filled:
        shown = "、".join(str(p) for p in filled[:5]) + (f" 等 {len(filled)} 个文件" if len(filled) > 5 else "")
        raise RefusedOutput(f"{shown} 已存在且不是空白模板（可能是已填报的工作簿），不能覆盖；"
                            "请另选输出位置，或先自行移走该文件")
    if not force:
        shown = "、".join(str(p) for p in existing[:5]) + (f" 等 {len(existing)} 个文件" if len(existing) > 5 else "")
        raise RefusedOutput(f"{shown} 已存在（空白模板）；如确需重新生成，请加 --force")


def _edition(edition: Edition | str | None) -> Edition:
    return edition if isinstance(edition, Edition) else load_edition(edition or DEFAULT_EDITION)


def write_template(
    out: str | os.PathLike,
    *,
    unit: str = "",
    unit_type: str = "",
    year: int | str | None = None,
    password: str | None = None,
    fee_decimals: int = 4,
    edition: Edition | str | None = None,
    lock_unit: bool = False,
    force: bool = False,
) -> Path:
    """Write a blank template; returns its path.

    An existing file at ``out`` is never replaced unless it is a blank
    template and ``force`` is given (:class:`xxgk.safeio.RefusedOutput`)."""
    ed = _edition(edition)
    out = Path(out)
    refuse_replacing([out], ed, force=force)
    return _write(out, ed, unit=unit, unit_type=unit_type, year=year, password=password,
                  fee_decimals=fee_decimals, lock_unit=lock_unit)


def _write(out: Path, ed: Edition, *, unit, unit_type, year, password, fee_decimals, lock_unit) -> Path:
    from .writer import write_report

    write_report(out, ed, unit=unit, unit_type=unit_type_label(ed, unit_type), year=year,
                 password=password, fee_decimals=fee_decimals, lock_unit=lock_unit)
    return out


def _roster_jobs(entries: Iterable[RosterEntry], out_dir: Path, year: int | str) -> list[tuple[Path, RosterEntry]]:
    jobs, used = [], set()
    for e in entries:
        name = template_file_name(e.name, year)
        if name.lower() in used:  # two names that differ only in illegal characters
            name = template_file_name(f"{e.name}_{e.row}", year)
        used.add(name.lower())
        jobs.append((out_dir / name, e))
    return jobs


def _write_one(job: tuple[Path, RosterEntry, dict]) -> Path:
    path, entry, options = job  # existing files were checked for the whole roster first
    options = dict(options, edition=_edition(options["edition"]))
    return _write(path, options.pop("edition"), unit=entry.name, unit_type=entry.unit_type, lock_unit=True,
                  **options)


def write_roster_templates(
    roster_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    year: int | str,
    password: str | None = None,
    fee_decimals: int = 4,
    edition: str | None = None,
    workers: int | None = None,
    force: bool = False,
) -> list[Path]:
    """One template per roster unit, unit name and type pre-filled and locked.

    Raises :class:`xxgk.roster.RosterError` for an unusable roster and
    :class:`xxgk.safeio.RefusedOutput` (before writing anything) when a
    template would replace the roster, a filled workbook, or without
    ``force`` a blank template.  Large
    rosters are written by several processes (``workers``, default: CPUs).
    """
    entries = read_roster(roster_path)
    ed = _edition(edition)
    problems = []
    for e in entries:
        try:
            unit_type_label(ed, e.unit_type)
        except UnitTypeError:
            problems.append(f"第 {e.row} 行“{e.unit_type}”")
    if problems:
        choices = "、".join(u.label for u in ed.unit_types)
        raise RosterError(f"名册 {roster_path} 中有不可选的单位类型：{'，'.join(problems)}；可选：{choices}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = {"year": year, "password": password, "fee_decimals": fee_decimals,
               "edition": edition or DEFAULT_EDITION}
    jobs = [(path, e, options) for path, e in _roster_jobs(entries, out, year)]
    from .safeio import refuse_overwriting_inputs

    refuse_overwriting_inputs([p for p, _, _ in jobs], [roster_path])
    refuse_replacing([p for p, _, _ in jobs], ed, force=force)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < PARALLEL_FROM:
        return [_write_one(j) for j in jobs]
    _edition(options["edition"])  # load once before forking
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    from .safeio import worker_signals

    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=worker_signals) as pool:
        try:
            return list(pool.map(_write_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
        except BaseException:  # Ctrl-C, SIGTERM: stop now, not after the whole roster
            pool.shutdown(wait=False, cancel_futures=True)
            raise
