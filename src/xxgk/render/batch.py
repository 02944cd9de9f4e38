"""``xxgk render``: checked reports in, publishable documents out.

:func:`render_paths` reads and checks every report given (files or
folders), refuses one with errors unless ``force`` (then every page says
草稿（未通过校验）), and writes one document per report: to the file given,
or into a folder, named like the templates (``2025年政府信息公开工作年度报告_<单位>.docx``).
One bad file never stops the batch.  :func:`compile_prose` writes one DOCX
collecting every unit's prose sections, for the office drafting its own.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..checker import CheckResult, check_submission, expand_paths, read_previous
from ..safeio import RefusedOutput, refuse_overwriting_inputs
from ..spec import DEFAULT_EDITION, Edition, load_edition
from ..submission import Submission, UnreadableFile
from . import texts
from .model import Report, Section, build_report, paragraphs

__all__ = ["FORMATS", "RenderError", "RenderOutcome", "render_paths", "render_report", "compile_prose",
           "output_name", "read_report"]

FORMATS = ("docx", "html", "pdf")


class RenderError(Exception):
    """Nothing can be rendered (usage, output path); the message is Chinese."""


@dataclass
class RenderOutcome:
    path: str  # the input
    out: Path | None  # the document written
    status: str  # written / draft / refused / unreadable / failed
    result: CheckResult | None = None  # the check (its submission kept only when refused)
    message: str = ""


def read_report(path: str | os.PathLike, edition: Edition | str | None = None) -> Submission:
    """A report as ``xxgk check`` reads it: a workbook, or a published report
    (chosen by the file's content; raises UnreadableFile)."""
    from ..published import read_published

    return read_published(path, edition)


def output_name(sub: Submission, fmt: str) -> str:
    """File name of a rendered report, like the templates' names."""
    from ..template import template_file_name

    return str(Path(template_file_name(sub.unit or Path(sub.path).stem, sub.year or "")).with_suffix("." + fmt))


def _names_document(out: Path) -> bool:
    """``out`` names one document (its extension is a format we write), not a folder."""
    return not out.is_dir() and out.suffix.lower().lstrip(".") in (*FORMATS, "htm")


def _format_of(out: Path, fmt: str | None) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if fmt and suffix in FORMATS and suffix != fmt:
        raise RenderError(f"输出文件“{out.name}”的扩展名与 --format {fmt} 不一致")
    if fmt:
        return fmt
    if suffix not in FORMATS:
        raise RenderError(f"无法从输出文件名“{out.name}”判断格式：请以 .docx、.html 或 .pdf 结尾，或用 --format 指定")
    return suffix


def render_report(report: Report, out: str | os.PathLike, fmt: str) -> Path:
    """Write one report model as DOCX, HTML or PDF."""
    from .output import atomic_write

    if fmt not in FORMATS:
        raise RenderError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}")
    data = _document_bytes(report, fmt)
    if fmt == "pdf":
        return _write_pdfs([(data, Path(out))])[0]
    return atomic_write(out, data)


def _write_pdfs(items: Sequence[tuple[bytes, Path]]) -> list[Path]:
    """Several DOCX documents to PDF with one LibreOffice call (raises PdfUnavailable)."""
    from ..safeio import atomic_output
    from .pdf import convert_to_pdf

    work = Path(tempfile.mkdtemp(prefix="xxgk-render-"))
    try:
        sources = []
        for i, (data, _) in enumerate(items):
            src = work / f"report{i:05d}.docx"
            src.write_bytes(data)
            sources.append(src)
        pdfs = convert_to_pdf(sources, work)
        written = []
        for pdf, (_, out) in zip(pdfs, items):
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(out) as tmp:
                shutil.copyfile(pdf, tmp)
            written.append(Path(out))
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _document_bytes(report: Report, kind: str) -> bytes:
    """The report as the bytes of a DOCX (also the source of a PDF) or an HTML file."""
    if kind == "html":
        from .html import html_text

        return html_text(report).encode("utf-8")
    from .docx import docx_bytes

    return docx_bytes(report)


@dataclass
class _Job:
    """What every report of a batch shares (sent once to each worker process)."""

    kind: str
    force: bool
    previous: Submission | None
    edition: str | None
    date: _dt.date | str | None


_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    from ..safeio import worker_signals

    global _JOB
    _JOB = job
    worker_signals()


def _prepare(path: str, job: _Job | None = None) -> tuple[RenderOutcome, str, bytes | None]:
    """Read, check and lay out one report: (outcome, file name, document bytes)."""
    job = job or _JOB
    try:
        sub = read_report(path, job.edition)
    except UnreadableFile as exc:
        return RenderOutcome(path, None, "unreadable", message=exc.message), "", None
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        return RenderOutcome(path, None, "unreadable", message=f"读取时出现意外错误：{exc}"), "", None
    result = check_submission(sub, job.edition, previous=job.previous)
    if result.errors and not job.force:
        return RenderOutcome(path, None, "refused", result), "", None
    report = build_report(sub, result, edition=job.edition, previous=job.previous, date=job.date)
    # the batch keeps each written report's findings, not its workbook's every cell
    outcome = RenderOutcome(path, None, "draft" if result.errors else "written",
                            dataclasses.replace(result, submission=None))
    return outcome, output_name(sub, job.kind), _document_bytes(report, job.kind)


PARALLEL_FROM = 24  # below this many reports, one process is faster


def _prepared(files: Sequence[Path], job: _Job, jobs: int | None) -> Iterator[tuple[RenderOutcome, str, bytes | None]]:
    tasks = [str(f) for f in files]
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < PARALLEL_FROM:
        yield from (_prepare(t, job) for t in tasks)
        return
    import multiprocessing

    from ..consolidate import _start_method

    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    with multiprocessing.get_context(_start_method()).Pool(jobs, initializer=_init_worker, initargs=(job,)) as pool:
        yield from pool.imap(_prepare, tasks, chunksize=chunk)


def render_paths(
    inputs: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    fmt: str | None = None,
    force: bool = False,
    previous: Submission | str | os.PathLike | None = None,
    edition: Edition | str | None = None,
    date: _dt.date | str | None = None,
    jobs: int | None = None,
) -> list[RenderOutcome]:
    """Render every report given (files or folders) to ``out``.

    One file in and ``out`` not a folder: ``out`` is the document, its format
    from the extension unless ``fmt``.  Otherwise ``out`` is a folder and each
    report gets a file named like the templates (format ``fmt``, default docx).
    ``previous`` (last year's report) is used for the check and the change
    from last year in a summary's drafted paragraph.  Many reports are read
    and laid out on ``jobs`` processes (default: all cores).  Raises
    :class:`RenderError` for unusable arguments, :class:`UnreadableFile` when
    ``previous`` cannot be read, :class:`xxgk.safeio.RefusedOutput` when the
    output is an input.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .output import atomic_write

    inputs = list(inputs)
    files = expand_paths(inputs)
    if not files:
        raise RenderError("没有找到要生成报告的工作簿或报告文件（.xlsx、.html、.docx、.pdf、.txt 等）")
    out = Path(out)
    names_document = _names_document(out)
    to_folder = (out.is_dir() or str(out).endswith(("/", os.sep))
                 or (not names_document and (len(files) > 1 or any(Path(p).is_dir() for p in inputs))))
    if fmt is not None and fmt not in FORMATS:
        raise RenderError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}")
    if not to_folder and len(files) > 1:
        raise RenderError(f"有 {len(files)} 份报告要生成，--out 应为文件夹（例如 发布/），"
                          f"而“{out}”是一个文件名")
    if to_folder:
        if out.exists() and not out.is_dir():
            raise RenderError(f"有多个报告要生成，--out 须为文件夹，而“{out}”是一个文件")
        kind = fmt or "docx"
    else:
        kind = _format_of(out, fmt)
        refuse_overwriting_inputs([out], [*files, previous if not isinstance(previous, Submission) else None])
    prev = read_previous(previous, edition)
    job = _Job(kind, force, prev, edition.edition if isinstance(edition, Edition) else edition, date)

    outcomes: list[RenderOutcome] = []
    pdf_items: list[tuple[bytes, Path, RenderOutcome]] = []
    used: set[str] = set()
    # files are written by a few threads: most of a write is waiting for the disk (fsync)
    with ThreadPoolExecutor(max_workers=4) as writers:
        writes = []
        for outcome, name, data in _prepared(files, job, jobs):
            outcomes.append(outcome)
            if data is None:
                continue
            target = out
            if to_folder:
                if name in used:
                    name = Path(outcome.path).stem + "." + kind
                used.add(name)
                target = out / name
                try:
                    refuse_overwriting_inputs([target], files)
                except RefusedOutput as exc:
                    outcome.status, outcome.message = "failed", str(exc)
                    continue
            outcome.out = target
            if kind == "pdf":
                pdf_items.append((data, target, outcome))
            else:
                writes.append((outcome, writers.submit(atomic_write, target, data)))
        for outcome, future in writes:
            try:
                future.result()
            except OSError as exc:
                outcome.message = f"无法写入“{outcome.out}”：{exc.strerror or exc}"
                outcome.status, outcome.out = "failed", None
    if pdf_items:
        from .pdf import PdfUnavailable

        try:
            _write_pdfs([(d, t) for d, t, _ in pdf_items])
        except (PdfUnavailable, OSError) as exc:
            for _, _, outcome in pdf_items:
                outcome.status, outcome.out, outcome.message = "failed", None, str(exc)
    return outcomes


def _prose_sections(sub: Submission, ed: Edition) -> list[Section]:
    missing = texts.text(ed, "compile", "missing")
    return [Section(s.number, s.label, paragraphs(sub.prose.get(s.key)) or [missing]) for s in ed.prose_sections]


def compile_prose(
    inputs: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    name: str | None = None,
    edition: Edition | str | None = None,
) -> tuple[Path | None, list[RenderOutcome]]:
    """One DOCX collecting the prose sections (一, 五, 六) of every report, unit by unit."""
    from ..consolidate import district_name
    from .docx import compiled_docx_bytes
    from .output import atomic_write

    ed = edition if isinstance(edition, Edition) else load_edition(edition or DEFAULT_EDITION)
    files = expand_paths(list(inputs))
    if not files:
        raise RenderError("没有找到要汇编的工作簿或报告文件（.xlsx、.html、.docx、.pdf、.txt 等）")
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise RenderError(f"汇编文件须为 .docx，而“{out.name}”不是")
    refuse_overwriting_inputs([out], files)
    units: list[tuple[str, list[Section]]] = []
    outcomes: list[RenderOutcome] = []
    years: Counter = Counter()
    for path in files:
        try:
            sub = read_report(path, ed)
        except UnreadableFile as exc:
            outcomes.append(RenderOutcome(str(path), None, "unreadable", message=exc.message))
            continue
        except Exception as exc:  # noqa: BLE001
            outcomes.append(RenderOutcome(str(path), None, "unreadable", message=f"读取时出现意外错误：{exc}"))
            continue
        unit = sub.unit or Path(path).stem
        units.append((unit, _prose_sections(sub, ed)))
        if sub.year:
            years[sub.year] += 1
        outcomes.append(RenderOutcome(str(path), out, "written"))
    if not units:
        return None, outcomes
    area = name or district_name([u for u, _ in units]) or ""
    year = years.most_common(1)[0][0] if years else ""
    title = texts.fill(texts.text(ed, "compile", "title"), {"unit": area, "year": year})
    atomic_write(out, compiled_docx_bytes(title, texts.text(ed, "compile", "note"), units))
    return out, outcomes
