"""Finding the input files: folders searched recursively, nothing ever blocks.

A district's submissions folder holds whatever people copied into it:
subfolders per township, Excel's ``~$`` lock files, links (some dangling,
some looping back), sometimes a pipe or a device.  :func:`find_files`
returns the files to read and, for every other candidate, why it was
skipped — a skipped file is always listed, never silently dropped, and no
file is opened here (a FIFO would block forever).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .safeio import TEMP_PREFIX

__all__ = ["Skipped", "find_files", "regular_file_problem"]


@dataclass(frozen=True)
class Skipped:
    """A file that was not read, and why (Chinese)."""

    path: str
    reason: str


LOCK_PREFIX = "~$"  # Excel / WPS lock file of an open workbook


def regular_file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a regular file that can be read without blocking
    (None if it is one).  Follows links; never opens the file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if os.path.islink(path):
            return "链接形成循环" if exc.errno == 40 else "链接指向的文件不存在（失效的链接）"
        return f"无法访问（{exc.strerror or exc}）"
    if stat.S_ISDIR(st.st_mode):
        return "这是一个文件夹"
    if not stat.S_ISREG(st.st_mode):
        return "不是普通文件（管道、设备或套接字），未打开"
    return None


def _skip_by_name(name: str) -> str | None:
    if name.startswith(LOCK_PREFIX):
        return "Excel/WPS 打开工作簿时生成的临时锁定文件，不是报送的工作簿"
    if name.startswith(TEMP_PREFIX):
        return "xxgk 写入中断时留下的临时文件（可以删除）"
    return None


def find_files(paths: Iterable[str | os.PathLike], suffixes: Iterable[str]) -> tuple[list[Path], list[Skipped]]:
    """Files named directly, and files with one of ``suffixes`` found in
    folders and their subfolders (sorted, each once), plus what was skipped.

    A file named directly is taken whatever its suffix, unless it is not a
    regular file.  Links to folders are followed unless they lead back into
    a folder already being searched (a loop).
    """
    suffixes = tuple(s.lower() for s in suffixes)
    files: list[Path] = []
    skipped: list[Skipped] = []
    for p in map(Path, paths):
        if p.is_dir():
            _walk(p, suffixes, files, skipped, set())
            continue
        problem = regular_file_problem(p)
        if problem:
            skipped.append(Skipped(str(p), problem))
        else:
            files.append(p)
    return files, skipped


def _walk(folder: Path, suffixes: tuple[str, ...], files: list[Path], skipped: list[Skipped],
          ancestors: set[tuple[int, int]]) -> None:
    try:
        st = os.stat(folder)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        skipped.append(Skipped(str(folder), f"无法打开文件夹（{exc.strerror or exc}）"))
        return
    here = (st.st_dev, st.st_ino)
    ancestors = ancestors | {here}
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows links
        except OSError:
            is_dir = False
        if is_dir:
            try:
                target = os.stat(path)
            except OSError:
                continue
            if (target.st_dev, target.st_ino) in ancestors:
                skipped.append(Skipped(str(path), "链接指向其上级文件夹（循环）"))
                continue
            _walk(path, suffixes, files, skipped, ancestors)
            continue
        if not entry.name.lower().endswith(suffixes):
            continue
        reason = _skip_by_name(entry.name) or regular_file_problem(path)
        if reason:
            skipped.append(Skipped(str(path), reason))
        else:
            files.append(path)
