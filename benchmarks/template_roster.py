"""Time write_roster_templates for a 1,000-unit roster.

    python benchmarks/template_roster.py [units]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from xxgk import load_edition
from xxgk.template import write_roster_templates


def main(units: int = 1000) -> None:
    ed = load_edition()
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "名册.csv"
        types = [u.label for u in ed.unit_types]
        lines = ["单位名称,单位类型"] + [f"第{i:04d}街道办事处,{types[i % len(types)]}" for i in range(units)]
        roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        paths = write_roster_templates(roster, Path(tmp) / "out", year=2025)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} 份模板，{os.cpu_count()} 个 CPU：共 {seconds:.1f} 秒，"
          f"每份 {seconds / len(paths) * 1000:.1f} 毫秒，平均 {size / len(paths) / 1024:.1f} KB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
