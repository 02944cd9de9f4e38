"""Benchmark: `xxgk consolidate` on N filled workbooks against merely opening
each of them once with ``openpyxl.load_workbook``.

    python benchmarks/consolidate.py            # N = 1000
    python benchmarks/consolidate.py --n 200 --dir /tmp/xxgk-bench --keep

The workbooks are generated in parallel with :func:`xxgk.writer.write_report`
(random figures that satisfy every hard rule).  Consolidation runs in a
fresh child process so that its peak memory (parent and worker processes,
``resource.getrusage``) is its own; it is measured on the first tenth of
the files too, to show that memory does not grow with N.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YEAR = 2023


def _generate_one(args: tuple[str, int]) -> str:
    from xxgk import load_edition
    from xxgk.synth import consistent_inputs
    from xxgk.writer import write_report

    folder, i = args
    ed = load_edition()
    path = Path(folder) / f"unit{i:05d}.xlsx"
    write_report(path, ed, unit=f"测试单位{i:05d}", unit_type="乡镇（街道）", year=YEAR,
                 values=consistent_inputs(ed, random.Random(i)), info={"date": "2024-01-15"})
    return str(path)


def generate(folder: Path, n: int, jobs: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob("unit*.xlsx"))
    if len(existing) == n:
        return existing
    for p in existing:
        p.unlink()
    with multiprocessing.Pool(jobs) as pool:
        return [Path(p) for p in pool.imap(_generate_one, [(str(folder), i) for i in range(n)], chunksize=16)]


def openpyxl_baseline(paths: list[Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    for p in paths:
        openpyxl.load_workbook(p).close()
    return time.perf_counter() - start


def _maxrss_mb(who: int) -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def consolidate_only(paths_file: str, out: str, jobs: int | None) -> None:
    """Child-process entry: consolidate the listed files, print JSON figures."""
    from xxgk.consolidate import consolidate

    paths = Path(paths_file).read_text("utf-8").split("\n")
    start = time.perf_counter()
    res = consolidate(paths, out=out, name="基准测试区", jobs=jobs)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds, "included": res.included,
        "parent_mb": _maxrss_mb(resource.RUSAGE_SELF), "worker_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
    }))


def run_consolidation(paths: list[Path], out: Path, jobs: int | None) -> dict:
    listing = out.with_suffix(".txt")
    listing.write_text("\n".join(map(str, paths)), "utf-8")
    cmd = [sys.executable, __file__, "--consolidate-only", str(listing), "--out", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = time.perf_counter() - start  # includes interpreter start
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="number of workbooks (default 1000)")
    ap.add_argument("--dir", type=Path, help="where to put the workbooks (default: a temporary folder)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ap.add_argument("--keep", action="store_true", help="keep the generated workbooks")
    ap.add_argument("--consolidate-only", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.consolidate_only:
        consolidate_only(args.consolidate_only, args.out, args.jobs)
        return

    folder = args.dir or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    jobs = args.jobs or os.cpu_count() or 1
    try:
        t = time.perf_counter()
        paths = generate(folder / "in", args.n, jobs)
        print(f"generated {len(paths)} workbooks in {time.perf_counter() - t:.1f} s ({jobs} processes)")

        small = run_consolidation(paths[: max(1, args.n // 10)], folder / "small.xlsx", args.jobs)
        full = run_consolidation(paths, folder / "summary.xlsx", args.jobs)
        baseline = openpyxl_baseline(paths)

        print(f"consolidate N={args.n}: {full['seconds']:.2f} s "
              f"({full['wall_seconds']:.2f} s with interpreter start), {full['included']} units included")
        print(f"openpyxl.load_workbook baseline (each file once, 1 process): {baseline:.2f} s")
        print(f"ratio baseline / consolidate: {baseline / full['seconds']:.2f}x")
        print(f"peak RSS N={args.n}: parent {full['parent_mb']:.0f} MB, largest worker {full['worker_mb']:.0f} MB")
        print(f"peak RSS N={len(paths[: max(1, args.n // 10)])}: parent {small['parent_mb']:.0f} MB, "
              f"largest worker {small['worker_mb']:.0f} MB")
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
