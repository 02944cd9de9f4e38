"""Last year's reports for the continuity rules (上年结转, 现行有效件数).

``--previous`` names one report (used for every unit checked) or a folder of
last year's reports, matched to each unit by its normalised name exactly as
``xxgk consolidate`` matches units.  A unit with no report in the folder gets
an info finding saying the comparison was not made.
"""

from __future__ import annotations

import os
from pathlib import Path

from .findings import Finding
from .roster import normalise_unit_name
from .spec import Edition
from .submission import Submission, UnreadableFile

__all__ = ["PreviousReports", "not_found_finding"]


class PreviousReports:
    """One previous report for everyone, or a folder of them indexed by unit."""

    def __init__(self, source: Submission | str | os.PathLike | None, edition: Edition | str | None = None):
        self.source = source
        self.edition = edition
        self.folder: Path | None = None
        self.single: Submission | None = None
        self.paths: dict[str, str] = {}  # unit key -> path (folder)
        self.unreadable: list[tuple[str, str]] = []  # (path, message) of files in the folder
        self._read: dict[str, Submission] = {}
        if source is None:
            return
        if isinstance(source, Submission):
            self.single = source
        elif Path(source).is_dir():
            self.folder = Path(source)
            self._index()
        else:
            from .published import read_published

            try:
                self.single = read_published(source, edition)  # raises UnreadableFile
            except UnreadableFile:
                raise
            except Exception as exc:  # noqa: BLE001 - content no check foresaw: still one clear line
                raise UnreadableFile.unexpected(source, exc) from None

    @classmethod
    def from_index(cls, folder: str, paths: dict[str, str], edition: Edition | str | None = None) -> "PreviousReports":
        """A folder already indexed (in a worker process: no second scan)."""
        self = cls(None, edition)
        self.folder, self.paths = Path(folder), dict(paths)
        return self

    def __bool__(self) -> bool:
        return self.single is not None or self.folder is not None

    def _index(self) -> None:
        from .checker import expand_paths
        from .published import read_published

        for path in expand_paths([self.folder]):
            try:
                sub = read_published(path, self.edition)
            except UnreadableFile as exc:
                self.unreadable.append((str(path), exc.message))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
                self.unreadable.append((str(path), UnreadableFile.unexpected(path, exc).message))
                continue
            if sub.unit:
                key = normalise_unit_name(sub.unit)
                self.paths.setdefault(key, str(path))
                self._read.setdefault(key, sub)

    def for_unit(self, unit: str | None) -> Submission | None:
        """Last year's report of ``unit`` (the single report when one was given)."""
        if self.single is not None or self.folder is None:
            return self.single
        key = normalise_unit_name(unit or "")
        if key not in self.paths:
            return None
        if key not in self._read:
            from .published import read_published

            try:
                self._read[key] = read_published(self.paths[key], self.edition)
            except Exception:  # noqa: BLE001 - it was readable when indexed
                return None
        return self._read[key]


def not_found_finding(unit: str | None, folder: Path) -> Finding:
    """Info: the folder of last year's reports has none for this unit."""
    who = f"“{unit}”" if unit else "本单位"
    return Finding.of("previous-not-found", f"上年报告文件夹 {folder} 中没有{who}的报告（按单位名称对应），未核对与上年报告的衔接（上年结转、现行有效件数）。",
    )
