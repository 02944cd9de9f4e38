"""How fast are published reports read (``xxgk import``'s reader)?

Makes reports of each kind from the figures, unit, year and prose of the
sample workbooks (``samples/submissions``): web pages in a site template
(half UTF-8, half GBK without declaration), Word documents with merged
cells, and PDF converted from those Word documents by LibreOffice (one
soffice call).  Then reads N reports of each kind with
``xxgk.published.read_published`` on one core and prints reports per second
and the peak memory (maximum resident size) after the first tenth and after
all N -- flat memory means the two are about equal.

Writing 1,000 Word documents or converting 1,000 PDFs would take far longer
than reading them, so ``--docx-files`` distinct Word documents and
``--pdf-files`` distinct PDFs are made and read in turn until N reports
have been read (each read opens and parses the file anew).

Goals on the 2-core machine: HTML >= 50/s, DOCX >= 20/s, PDF >= 5/s.

    python benchmarks/import_speed.py [-n 1000] [--kinds html,docx,pdf] [--pdf-n 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from xxgk.published import read_published  # noqa: E402
from xxgk.reader import read_workbook  # noqa: E402

GOALS = {"html": 50, "docx": 20, "pdf": 5}


def samples() -> list[tuple[dict, str, int, dict]]:
    """(figures, unit, year, prose) of every sample workbook."""
    out = []
    for path in sorted((ROOT / "samples" / "submissions").glob("*.xlsx")):
        sub = read_workbook(path)
        out.append(({k: sub.cells[k].value for k in sub.cells}, sub.unit, sub.year, sub.prose))
    return out


def make(kind: str, count: int, folder: Path) -> list[Path]:
    from published_fixtures import docx_report, html_page, soffice_pdfs

    base = samples()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        values, unit, year, prose = base[i % len(base)]
        unit = f"{unit}{i}" if i >= len(base) else unit
        if kind == "html":
            path = folder / f"{i:04d}.html"
            gbk = i % 2 == 1
            page = html_page(values, unit=unit, year=year, prose=prose, seed=i, charset=None if gbk else "utf-8")
            path.write_bytes(page.encode("gbk" if gbk else "utf-8"))
        else:
            path = docx_report(folder / f"{i:04d}.docx", values, unit=unit, year=year, prose=prose,
                               page_break_in={"t3": 14} if kind == "pdf" else None)
        paths.append(path)
    if kind == "pdf":
        paths = soffice_pdfs(paths, folder / "pdf")
    return paths


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, paths: list[Path], n: int) -> tuple[float, float, float, float, int]:
    """(reports per second of wall time, per second of this process's CPU
    time, peak MB after n/10, peak MB after n, figures read).  On a machine
    shared with other work the CPU-time rate is what one idle core gives."""
    read_published(paths[0])  # imports and caches outside the timing
    figures = 0
    tenth = max(1, n // 10)
    early = 0.0
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        sub = read_published(paths[i % len(paths)])
        if sub.file_kind != kind:
            raise SystemExit(f"{paths[i % len(paths)]} read as {sub.file_kind}")
        figures += sum(1 for c in sub.cells.values() if c.value is not None)
        if i + 1 == tenth:
            early = peak_mb()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return n / elapsed, n / cpu, early, peak_mb(), figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="reports read per kind (default 1000)")
    parser.add_argument("--pdf-n", type=int, default=None, help="reports read for PDF (default: -n)")
    parser.add_argument("--kinds", default="html,docx,pdf")
    parser.add_argument("--docx-files", type=int, default=100, help="distinct Word documents (default 100)")
    parser.add_argument("--pdf-files", type=int, default=20, help="distinct PDFs (default 20)")
    parser.add_argument("--keep", type=Path, help="keep the generated reports in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-import-bench-"))
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    counts = {"html": args.n, "docx": min(args.n, args.docx_files), "pdf": min(args.n, args.pdf_files)}
    failed = False
    try:
        for kind in kinds:
            t0 = time.perf_counter()
            paths = make(kind, counts[kind], work / kind)
            made = time.perf_counter() - t0
            n = args.pdf_n if kind == "pdf" and args.pdf_n else args.n
            load = os.getloadavg()[0]
            rate, cpu_rate, early, peak, figures = measure(kind, paths, n)
            ok = rate >= GOALS[kind]
            failed |= not ok
            print(f"{kind:5s} {n:5d} reports ({len(paths)} distinct files, made in {made:.0f} s): "
                  f"{rate:7.1f} reports/s wall, {cpu_rate:7.1f} per CPU second "
                  f"(goal >= {GOALS[kind]}: {'met' if ok else 'NOT met'} in wall time; load average {load:.1f}); "
                  f"peak memory {early:.0f} MB after {max(1, n // 10)}, {peak:.0f} MB after {n}; "
                  f"{figures} figures read", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
