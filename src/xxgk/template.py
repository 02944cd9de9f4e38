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

from .roster import RosterEntry, read_roster
from .spec import DEFAULT_EDITION, Edition, load_edition

__all__ = ["write_template", "write_roster_templates", "template_file_name", "safe_file_name"]

# Characters Windows does not allow in file names, and control characters.
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
PARALLEL_FROM = 40  # below this many units, one process is faster


def safe_file_name(text: str) -> str:
    """Replace characters illegal in Windows file names by "_"."""
    name = _ILLEGAL.sub("_", text).strip().rstrip(". ")
    return name or "_"


def template_file_name(unit: str, year: int | str) -> str:
    return safe_file_name(f"{year}年政府信息公开工作年度报告_{unit}") + ".xlsx"


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
    known = ed.unit_type(unit_type)
    out = Path(out)
    write_report(out, ed, unit=unit, unit_type=known.label if known else unit_type, year=year,
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
