"""One folder of every hostile file through check (text, JSON), --annotate and consolidate:
no traceback, the documented exit code, every input byte-identical, every output absent or valid."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import hostile_files as H
from xxgk.safeio import TEMP_PREFIX


def _fingerprint(folder: Path) -> dict[str, str]:
    out = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                out[str(p)] = "special"
            else:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile") / "报送"
    (d / "子文件夹").mkdir(parents=True)
    H.filled(d / "正常.xlsx", unit="青溪区甲街道", seed=1)
    H.filled(d / "子文件夹" / "正常2.xlsx", unit="青溪区乙街道", seed=2)
    H.with_unit_text(H.filled(d / "代理字符.xlsx", unit="青溪区甲街道", seed=3), "青溪区丙_xD800_街道")
    H.with_unit_text(H.filled(d / "控制字符.xlsx", unit="青溪区甲街道", seed=4), "青溪区丁_x0001__x001B_]0;x_x0007_街道")
    H.gbk_named(d, "青溪区戊街道")
    for i, n in enumerate(["1E+400", "1e308", "inf", "9" * 40]):
        H.with_number(H.filled(d / f"数字{i}.xlsx", unit=f"青溪区数字{i}街道", seed=10 + i), n)
    H.zip_bomb(d / "炸弹.xlsx", 64 << 20)
    H.million_rows(d / "百万行.xlsx", rows=60_000)  # over MAX_ROWS
    H.shared_formula(d / "共享公式.xlsx", dependents=20_000)  # over the expansion budget
    (d / "损坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (d / "文本.xlsx").write_text("单位,数字\n甲,1\n", encoding="utf-8")
    (d / "~$正常.xlsx").write_bytes(b"lock")
    (d / "失效链接.xlsx").symlink_to(d / "不存在.xlsx")
    (d / "子文件夹" / "回环").symlink_to(d)
    os.mkfifo(d / "管道.xlsx")
    return d


def xxgk(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env={**os.environ, "XXGK_TODAY": "2024-03-01"})


def finished(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_every_hostile_file_at_once(hostile, tmp_path):
    before = _fingerprint(hostile)
    runs = [xxgk("check", hostile, cwd=tmp_path),  # all four at once: the machine has cores to spare
            xxgk("check", hostile, "--format", "json", cwd=tmp_path),
            xxgk("check", hostile, "--annotate", tmp_path / "批注", cwd=tmp_path),
            xxgk("consolidate", hostile, "--name", "青溪区", "--out", tmp_path / "汇总.xlsx",
                 "--long", tmp_path / "长表.csv", "-j", "1", cwd=tmp_path)]
    text, js, ann, cons = map(finished, runs)
    for run in (text, js, ann, cons):
        err = run.stderr.decode("utf-8")
        out = run.stdout.decode("utf-8")  # all output is valid UTF-8
        assert "Traceback" not in err + out, err[-3000:]
        assert not any(ch in out + err for ch in "\x00\x01\x07") and "\x1b]" not in out + err
    assert text.returncode == ann.returncode == js.returncode == 2  # some files unreadable
    assert cons.returncode == 0, cons.stderr.decode()
    files = json.loads(js.stdout)["files"]
    unreadable = {Path(f["path"]).name for f in files if f["status"] == "unreadable"}
    assert {"炸弹.xlsx", "百万行.xlsx", "共享公式.xlsx", "损坏.xlsx", "文本.xlsx"} <= unreadable
    assert not any(n.startswith("数字") or n.startswith("代理") for n in unreadable)
    assert any(f["path"].endswith("青溪区戊街道.xlsx") for f in files)
    err = text.stderr.decode()
    for skipped in ("~$正常.xlsx", "失效链接.xlsx", "回环", "管道.xlsx"):
        assert skipped in err
    # inputs untouched, outputs valid or absent, nothing half-written anywhere
    assert _fingerprint(hostile) == before
    outputs = [p for p in tmp_path.rglob("*.xlsx")]
    assert tmp_path / "汇总.xlsx" in outputs
    for p in outputs:
        openpyxl.load_workbook(p, read_only=True).close()
    assert not [p for p in [*tmp_path.rglob("*"), *hostile.rglob("*")] if p.name.startswith(TEMP_PREFIX)]
