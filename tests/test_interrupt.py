"""Real signals sent to a running `xxgk consolidate`: one line, exit 130/143, workers end,
the earlier summary intact, no temporary file left; two runs on one --out give a whole file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from xxgk import load_edition
from xxgk.safeio import TEMP_PREFIX
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

# the summary's sheets, as the edition names them
SHEET_DETAIL = load_edition("2021").summary_sheets["detail"]

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to watch the workers")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """300 submissions (copies: reading them is what takes time) and an earlier summary."""
    ed = load_edition("2021")
    root = tmp_path_factory.mktemp("batch")
    d = root / "报送"
    d.mkdir()
    write_report(d / "u0000.xlsx", ed, unit="青溪区甲街道", unit_type="乡镇（街道）", year=2023,
                 values=consistent_inputs(ed, random.Random(0)))
    data = (d / "u0000.xlsx").read_bytes()
    for i in range(1, 300):
        (d / f"u{i:04d}.xlsx").write_bytes(data)
    out = root / "汇总.xlsx"
    write_report(out, ed, unit="青溪区", year=2023, kind="summary", values=consistent_inputs(ed, random.Random(1)))
    return d, out


def _group(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry))
    return pids


def _consolidate(folder: Path, out: Path, jobs: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xxgk.cli", "consolidate", str(folder), "--name", "青溪区", "--out", str(out),
         "-j", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


@pytest.mark.parametrize("sig, whole_group, code, words", [
    (signal.SIGINT, True, 130, "已中断"),  # Ctrl-C in a terminal reaches every process of the group
    (signal.SIGTERM, False, 143, "已终止"),  # kill <pid>
])
def test_signal_during_consolidation(batch, sig, whole_group, code, words):
    folder, out = batch
    before = out.read_bytes()
    proc = _consolidate(folder, out)
    deadline = time.monotonic() + 60
    while len(_group(proc.pid)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the two workers are reading
    assert proc.poll() is None, "the batch ended before the signal could be sent"
    time.sleep(0.3)
    (os.killpg if whole_group else os.kill)(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=30)  # no hang
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and words in stderr
    assert len(stderr.strip().splitlines()) == 1
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group(proc.pid) == [], "workers outlived the run"
    assert out.read_bytes() == before
    assert not [p for p in out.parent.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_two_runs_on_one_out(batch, tmp_path):
    folder, _ = batch
    small = tmp_path / "报送"
    small.mkdir()
    for p in sorted(folder.iterdir())[:1]:
        (small / p.name).write_bytes(p.read_bytes())
    ed = load_edition("2021")
    for i, name in enumerate(["青溪区乙街道", "青溪区丙街道", "青溪区丁街道"]):
        write_report(small / f"{name}.xlsx", ed, unit=name, unit_type="乡镇（街道）", year=2023,
                     values=consistent_inputs(ed, random.Random(10 + i)))
    out = tmp_path / "汇总.xlsx"
    procs = [_consolidate(small, out, jobs=1) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    wb = openpyxl.load_workbook(out)  # one whole summary, not a mix
    assert SHEET_DETAIL in wb.sheetnames
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(TEMP_PREFIX)]
