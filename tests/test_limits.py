"""Bounded resources: hostile workbooks end as unreadable, naming the limit, in little memory and time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hostile_files as H
from xxgk import xlsx
from xxgk.submission import UnreadableFile
from xxgk.xlsx import XlsxBook

def read_in_child(path: Path, memory_mb: int) -> dict:
    """Read and check ``path`` in a child process whose address space is capped."""
    code = f"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))
from xxgk.checker import check_paths
r = check_paths([sys.argv[1]])[0]
print(json.dumps({{"message": getattr(r, "message", ""), "code": getattr(r, "code", "")}}, ensure_ascii=False))
"""
    p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    return json.loads(p.stdout)


@pytest.mark.skipif(sys.platform == "darwin", reason="RLIMIT_AS is not enforced on macOS")
def test_zip_bomb_under_a_memory_limit(tmp_path):
    """300 MiB of rows in a file of a few hundred KB: without limits this took gigabytes."""
    bomb = H.zip_bomb(tmp_path / "bomb.xlsx", 300 << 20)
    assert bomb.stat().st_size < 2 << 20
    r = read_in_child(bomb, memory_mb=1024)
    assert r["code"] == "file-too-large" and "读取上限" in r["message"], r


def test_shared_strings_bomb(tmp_path):
    bomb = H.zip_bomb(tmp_path / "bomb.xlsx", 64 << 20, shared_strings=True)
    with pytest.raises(UnreadableFile) as exc:
        with XlsxBook(bomb) as book:
            for name in book.sheet_names:
                book.cells(name)
    assert exc.value.code == "file-too-large"


def test_too_many_rows(tmp_path):
    path = H.million_rows(tmp_path / "rows.xlsx", rows=xlsx.MAX_ROWS + 10)
    with pytest.raises(UnreadableFile, match="行") as exc:
        with XlsxBook(path) as book:
            book.cells(book.sheet_names[0])
    assert f"{xlsx.MAX_ROWS:,}" in exc.value.message


def test_too_many_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CELLS", 1000)
    path = H.million_rows(tmp_path / "rows.xlsx", rows=600)  # 1,200 cells
    with pytest.raises(UnreadableFile, match="单元格"):
        with XlsxBook(path) as book:
            book.cells(book.sheet_names[0])


def test_shared_formula_with_many_dependents(tmp_path):
    path = H.shared_formula(tmp_path / "shared.xlsx", dependents=100_000)
    with pytest.raises(UnreadableFile, match="共享公式"):
        with XlsxBook(path) as book:
            book.cells(book.sheet_names[0])


def test_shared_formula_within_the_budget_is_expanded(tmp_path):
    path = H.shared_formula(tmp_path / "shared.xlsx", dependents=50, terms=3)
    with XlsxBook(path) as book:
        cells = book.cells(book.sheet_names[0])
    assert cells[(10, 1)].formula == "A11+A12+A13"


def test_file_too_large_is_not_read(tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(xlsx.MAX_FILE_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(UnreadableFile, match="50 MB"):
        XlsxBook(big)


def test_pipe_is_never_opened(tmp_path):
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFile, match="不是普通文件"):
        XlsxBook(fifo)  # would block forever if opened


def test_ordinary_workbooks_are_far_from_the_limits(tmp_path):
    path = H.filled(tmp_path / "ok.xlsx")
    with XlsxBook(path) as book:
        n = sum(len(book.cells(s)) for s in book.sheet_names)
    assert 0 < n < xlsx.MAX_CELLS // 20
