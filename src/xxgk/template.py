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

__all__ = ["write_template", "write_roster_templates", "template_file_name", "safe_file_name", "UnitTypeError"]

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
) -> Path:
    """Write a blank template; returns its path."""
    from .writer import write_report

    ed = _edition(edition)
    out = Path(out)
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
    path, entry, options = job
    return write_template(path, unit=entry.name, unit_type=entry.unit_type, lock_unit=True, **options)


def write_roster_templates(
    roster_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    year: int | str,
    password: str | None = None,
    fee_decimals: int = 4,
    edition: str | None = None,
    workers: int | None = None,
) -> list[Path]:
    """One template per roster unit, unit name and type pre-filled and locked.

    Raises :class:`xxgk.roster.RosterError` for an unusable roster.  Large
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
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < PARALLEL_FROM:
        return [_write_one(j) for j in jobs]
    _edition(options["edition"])  # load once before forking
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        return list(pool.map(_write_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
