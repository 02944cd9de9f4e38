"""Benchmark: `xxgk render` on N unit workbooks, as DOCX and as HTML.

    python benchmarks/render_speed.py              # N = 1000
    python benchmarks/render_speed.py --n 200 --dir /tmp/xxgk-render-bench --keep

Each render runs in a fresh child process (read, check, lay out and write
every report, as ``xxgk render FOLDER --out DIR`` does), so that the time and
the peak memory printed are its own.  Goals on a 2-core machine: at least 20
DOCX and 50 HTML reports per second.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"docx": 20, "html": 50}

CHILD = """
import json, os, resource, sys, time
from xxgk.render import render_paths
start = time.perf_counter()
outcomes = render_paths([sys.argv[1]], sys.argv[2], fmt=sys.argv[3], date="2026-01-20")
elapsed = time.perf_counter() - start
ok = sum(o.status == "written" for o in outcomes)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps({"seconds": elapsed, "written": ok, "total": len(outcomes), "cpu": cpu,
                  "cores": os.cpu_count(), "load": os.getloadavg()[0],
                  "peak_mb": me.ru_maxrss / 1024, "worker_peak_mb": kids.ru_maxrss / 1024}))
"""


def generate(folder: Path, n: int) -> None:
    from xxgk import load_edition
    from xxgk.synth import consistent_inputs
    from xxgk.writer import write_report

    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.xlsx"))) == n:
        return
    ed = load_edition()
    prose = {s.key: f"{s.label}的内容。" * 20 for s in ed.prose_sections}
    for i in range(n):
        write_report(folder / f"unit{i:05d}.xlsx", ed, unit=f"测试区第{i:05d}单位", unit_type="乡镇（街道）",
                     year=2025, values=consistent_inputs(ed, random.Random(i)), prose=prose)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-render-bench-"))
    src = work / "workbooks"
    t = time.perf_counter()
    generate(src, args.n)
    print(f"{args.n} workbooks ready in {time.perf_counter() - t:.1f} s ({src})")
    try:
        for fmt in ("docx", "html"):
            out = work / fmt
            shutil.rmtree(out, ignore_errors=True)
            proc = subprocess.run([sys.executable, "-c", CHILD, str(src), str(out), fmt],
                                  capture_output=True, text=True, check=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rate = r["written"] / r["seconds"]
            cpu_ms = 1000 * r["cpu"] / r["total"]
            print(f"{fmt:4}: {r['written']}/{r['total']} reports in {r['seconds']:.1f} s = {rate:.1f} reports/s "
                  f"(goal >= {GOALS[fmt]}); CPU {cpu_ms:.1f} ms per report, i.e. "
                  f"{1000 * r['cores'] / cpu_ms:.0f} reports/s on {r['cores']} idle cores "
                  f"(load average during the run: {r['load']:.1f}); peak memory {r['peak_mb']:.0f} MB, "
                  f"workers {r['worker_peak_mb']:.0f} MB")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
