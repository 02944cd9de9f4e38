"""Peak memory and time of reading hostile files (the limits of ``xxgk.xlsx`` at work).

Builds, in a temporary folder, files a district may receive by accident or
malice, then reads and checks each as ``xxgk check`` does, in a fresh child
process, and prints that process's peak memory (``ru_maxrss`` of the child,
via ``resource.getrusage(RUSAGE_CHILDREN)``) and wall time.  Goal: any input
of at most 20 MB read in under 300 MB and 10 s, ending as "unreadable" with
a message naming the limit when it is over one.

    python benchmarks/hostile.py [--keep DIR] [--only NAME]

Linux/macOS only (``resource``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile_files as H  # noqa: E402

BUILDERS = {
    "zip bomb (sheet inflates to 1 GiB)": lambda d: H.zip_bomb(d / "bomb.xlsx", 1 << 30),
    "zip bomb (shared strings, 1 GiB)": lambda d: H.zip_bomb(d / "bomb_strings.xlsx", 1 << 30, shared_strings=True),
    "1,000,000 rows of text": lambda d: H.million_rows(d / "million.xlsx"),
    "shared formula, 100,000 dependents": lambda d: H.shared_formula(d / "shared.xlsx"),
    "ordinary filled workbook": lambda d: H.filled(d / "ordinary.xlsx"),
}

# What the child does: read and check the file as `xxgk check` does.
CHILD = """
import json, sys, time
t = time.perf_counter()
from xxgk.checker import check_paths
r = check_paths([sys.argv[1]])[0]
print(json.dumps({"seconds": time.perf_counter() - t,
                  "outcome": getattr(r, "message", None) or f"已读取：{r.status}"}, ensure_ascii=False))
"""

# The measurer: runs the child, then reports the child's peak memory.
MEASURE = """
import json, resource, subprocess, sys
p = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
out = json.loads(p.stdout) if p.returncode == 0 else {"seconds": None, "outcome": p.stderr.strip()[-300:]}
out["peak_kb"] = peak * (1 if sys.platform != "darwin" else 1 / 1024)
out["returncode"] = p.returncode
print(json.dumps(out, ensure_ascii=False))
"""


def measure(path: Path) -> dict:
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", MEASURE, CHILD, str(path)], capture_output=True, text=True, check=True)
    out = json.loads(p.stdout)
    out["wall"] = time.perf_counter() - start
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, help="build the files in this folder and keep them")
    ap.add_argument("--only", help="only the files whose description contains this text")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'file':40} {'on disk':>10} {'peak MB':>8} {'seconds':>8}  outcome")
        for name, build in BUILDERS.items():
            if args.only and args.only not in name:
                continue
            path = build(folder)
            r = measure(path)
            size = path.stat().st_size / (1 << 20)
            secs = f"{r['seconds']:.2f}" if r["seconds"] is not None else "crash"
            print(f"{name:40} {size:>8.1f}MB {r['peak_kb'] / 1024:>8.0f} {secs:>8}  {r['outcome'][:90]}")


if __name__ == "__main__":
    main()
