"""How fast is ``read_workbook`` compared with merely opening with openpyxl?

Generates N filled workbooks (with the template writer when available,
else with the test fixture builder), then times, on one core:

* ``xxgk.reader.read_workbook`` on every file (a full Submission), and
* ``openpyxl.load_workbook`` on every file (just opening it),

and prints both and the ratio.  Target: ratio >= 5.

    python benchmarks/read_speed.py [N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from xxgk import load_edition  # noqa: E402
from xxgk.reader import read_workbook  # noqa: E402
from xxgk.synth import consistent_inputs  # noqa: E402


def _maker() -> tuple[str, Callable[[Path, int], None]]:
    """The best available way to write a filled workbook."""
    ed = load_edition()
    try:
        from xxgk.writer import write_report
    except ImportError:
        from reader_fixtures import write_ours

        def fixture(path: Path, seed: int) -> None:
            write_ours(path, ed.compute(consistent_inputs(ed, random.Random(seed))), unit=f"单位{seed}")

        return "tests/reader_fixtures.write_ours", fixture

    def writer(path: Path, seed: int) -> None:
        inputs = consistent_inputs(ed, random.Random(seed))
        write_report(path, ed, unit=f"单位{seed}", unit_type="乡镇（街道）", year=2021, values=inputs)

    return "xxgk.writer.write_report", writer


def _time(label: str, paths: list[Path], fn: Callable[[Path], object]) -> float:
    start = time.perf_counter()
    for p in paths:
        fn(p)
    elapsed = time.perf_counter() - start
    print(f"{label:<34} {elapsed:8.3f} s   {elapsed / len(paths) * 1000:7.2f} ms/file")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="write the workbooks here and keep them")
    args = parser.parse_args(argv)

    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        how, make = _maker()
        start = time.perf_counter()
        paths = []
        for i in range(args.n):
            path = folder / f"report_{i:04d}.xlsx"
            make(path, i)
            paths.append(path)
        print(f"{args.n} workbooks written with {how} in {time.perf_counter() - start:.1f} s")

        read_workbook(paths[0])  # warm-up: edition and layout caches
        ours = _time("xxgk.reader.read_workbook", paths, read_workbook)
        theirs = _time("openpyxl.load_workbook", paths, openpyxl.load_workbook)
        print(f"ratio (openpyxl / reader)          {theirs / ours:8.1f} x   (target >= 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
