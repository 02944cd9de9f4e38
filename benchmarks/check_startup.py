"""How long `xxgk check one.xlsx` takes, interpreter start-up included.

Writes a filled workbook of our template, runs the installed ``xxgk check``
on it N times (subprocess, wall time), prints the median and the maximum,
then the slowest imports reported by ``python -X importtime``.  The target
is a median under 0.5 s.

    python benchmarks/check_startup.py [-n 15] [--top 12]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.5
HEAVY = {"openpyxl", "pandas", "xlsxwriter", "numpy"}


def make_workbook(path: Path) -> None:
    from xxgk import load_edition
    from xxgk.writer import write_report

    ed = load_edition()
    values = {k: (i % 7) for i, k in enumerate(ed.input_keys) if ed.cells[k].value_type == "count"}
    write_report(path, ed, unit="基准测试单位", unit_type=ed.unit_types[0].label, year=2023, values=values)


def time_runs(command: list[str], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def import_times(path: Path) -> list[tuple[int, int, str]]:
    """(cumulative microseconds, nesting depth, module) of every import of one check."""
    code = "import sys; from xxgk.cli import main; sys.argv = ['xxgk', 'check', sys.argv[1]]; main()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, str(path)],
                          capture_output=True, text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), len(m.group(2)) // 2, m.group(3)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="number of runs")
    parser.add_argument("--top", type=int, default=12, help="number of import offenders shown")
    args = parser.parse_args()
    exe = shutil.which("xxgk")
    if not exe:
        print("xxgk is not installed (pip install -e .)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.xlsx"
        make_workbook(path)
        env_note = f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
        times = time_runs([exe, "check", str(path)], args.n)
        median, worst = statistics.median(times), max(times)
        print(f"xxgk check one.xlsx ({args.n} runs, {env_note})")
        print(f"  median {median:.3f} s   max {worst:.3f} s   target < {TARGET_SECONDS} s"
              f"   {'OK' if median < TARGET_SECONDS else 'TOO SLOW'}")
        rows = import_times(path)
        print("slowest top-level imports (cumulative):")
        for us, _, module in sorted((r for r in rows if r[1] == 0), reverse=True)[: args.top]:
            print(f"  {us / 1000:8.1f} ms  {module}")
        heavy = sorted({m.split(".")[0] for _, _, m in rows} & HEAVY)
        print(f"heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
