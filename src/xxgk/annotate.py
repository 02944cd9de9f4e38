"""An annotated copy of a checked workbook, to send back to the body.

The cells to fix (the cells of a finding that the body typed: inputs, a
total typed over its formula, never an intact formula that merely follows
from them) get a fill (red for errors, yellow for warnings) that shows over
the template's own conditional formatting, and a comment (author “xxgk”)
explaining the finding(s); a finding that follows from another cell
(``Finding.caused_by``) is explained on that cell.  The banner of every
table sheet shows the same verdict as ``xxgk check`` until the body edits
the copy; a printable sheet (the edition's ``annotation_sheet``, 校验结果) lists every finding.  Annotating an
annotated copy again first removes the old marks and sheet.  The copy's
metadata carries the fingerprint of its content, so an unchanged copy is
never taken for a submission.  The input file is never written.  openpyxl
is imported here only, lazily, so that ``xxgk check`` without
``--annotate`` starts fast.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .checker import INFO_PREFIX, PROSE_PREFIX, CheckResult, FileError, fmt_number
from .findings import Finding, severity_label
from .layout import wrapped_lines
from .meta import ANNOTATED, META_SHEET, defined_name
from .safeio import display_path
from .spec import Edition
from .submission import UnreadableFile

__all__ = ["annotate", "annotate_results", "annotated_name", "annotation_targets", "AUTHOR", "FILLS", "MARK_FORMULA"]

AUTHOR = "xxgk"
FILLS = {"error": "FF8080", "warning": "FFFF00"}  # red, yellow: stronger than the template's pale input fill
# The conditional format that shows a mark: always true, recognisable as ours.
MARK_FORMULA = 'ISTEXT("xxgk")'
_RANK = {"error": 0, "warning": 1, "info": 2}
_WIDTHS = (5, 7, 16, 22, 56, 9, 9, 9)  # of the columns of workbook.headers.annotation
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
# The banner of an annotated copy: xxgk's verdict while the live count of
# failed checks is what it was when annotated, else the template's own text.
_BANNER = '=IF({count}={n},"{banner}",{live})'  # banner: workbook.texts.annotation_banner, begins "xxgk "
_WRAPPED = re.compile(r'^=IF\(.+?=-?\d+(?:\.\d+)?,"xxgk [^"]*",(.*)\)$', re.S)


def annotated_name(path: str | Path) -> str:
    """File name of the annotated copy: ``<name>_批注.xlsx``."""
    from .safeio import display_path

    return f"{Path(display_path(path)).stem}_批注.xlsx"


def annotate(path: str | Path, result: CheckResult, out: str | Path, edition: Edition | None = None) -> Path:
    """Write the annotated copy of ``path`` to ``out``; return ``out``.

    ``edition``: the one the file was checked in (else the one its result
    names); it names the sheet of findings (``workbook.annotation_sheet``).

    Raises :class:`UnreadableFile` when the workbook cannot be opened for
    annotation (.xls / .et files: save them as .xlsx first).
    """
    from openpyxl import load_workbook

    from .safeio import atomic_output, refuse_overwriting_inputs

    src, dst = Path(path), Path(out)
    refuse_overwriting_inputs([dst], [src])
    if src.suffix.lower() not in OPENPYXL_SUFFIXES:
        raise UnreadableFile(src, "只能为 .xlsx/.xlsm 工作簿生成批注副本，请先另存为 .xlsx。", "file-not-xlsx")
    try:
        wb = load_workbook(src)
        shown = load_workbook(src, data_only=True, read_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is one message
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise UnreadableFile(src, f"无法打开工作簿以生成批注副本（{type(exc).__name__}：{first}）。") from exc
    from .spec import load_edition

    ed = edition or _edition(result)
    _unmark(wb, (ed or load_edition()).annotation_sheet)
    marks: dict[str, dict[str, str]] = {}
    for (sheet, ref), findings in _targets(wb, result).items():
        ref = _top_left(wb[sheet], ref)
        worst = _mark(wb[sheet], ref, findings)
        if _RANK[worst] < _RANK[marks.setdefault(sheet, {}).get(ref, "info")]:
            marks[sheet][ref] = worst
    for sheet, cells in marks.items():
        _show_marks(wb[sheet], cells)
    _banners(wb, shown, result, ed)
    _result_sheet(wb, result, ed or load_edition())
    _remember(wb, result)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(dst) as tmp:
        wb.save(tmp)
    return dst


def _into_folder(count: int, out: str | Path) -> bool:
    """Is ``out`` a folder for the copies? Yes for several files, an existing
    folder, a name ending in a slash or without an .xlsx/.xlsm suffix."""
    text = os.fspath(out)
    return (count > 1 or Path(text).is_dir() or text.endswith(("/", os.sep))
            or Path(text).suffix.lower() not in OPENPYXL_SUFFIXES)


def annotation_targets(paths: list, out: str | Path) -> list[Path]:
    """Where :func:`annotate_results` may write the copies of ``paths``."""
    if _into_folder(len(paths), out):
        return [Path(out) / annotated_name(p) for p in paths]
    return [Path(out)]


def annotate_results(results: list[CheckResult | FileError], out: str | Path) -> list[str]:
    """Annotate the checked files; return one line (Chinese) per file about what was done.

    One file and ``out`` an .xlsx name (not an existing folder): ``out`` is
    the copy's name.  Otherwise ``out`` is a folder (created if missing) that
    receives ``<name>_批注.xlsx`` for each file with errors or warnings.
    """
    into_folder = _into_folder(len(results), out)
    out = Path(out)
    lines = []
    for r in results:
        if isinstance(r, FileError):
            continue
        if into_folder and not (r.errors or r.warnings):
            lines.append(f"无需批注（通过校验）：{display_path(r.path)}")
            continue
        target = out / annotated_name(r.path) if into_folder else out
        try:
            lines.append(f"已生成批注副本：{annotate(r.path, r, target)}")
        except (UnreadableFile, ValueError, OSError) as exc:
            lines.append(f"未能生成批注副本：{exc}")
    return lines


def _targets(wb, result: CheckResult) -> dict[tuple[str, str], list[Finding]]:
    """(sheet, A1) -> findings: the cells to fix of every error and warning."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        if f.severity not in FILLS:
            continue
        for place in _places(wb, result, f):
            out.setdefault(place, []).append(f)
    return out


def _places(wb, result: CheckResult, f: Finding) -> list[tuple[str, str]]:
    """The cells to mark for one finding: those it follows from if any, else
    its cells the body typed (an intact formula only when nothing else is
    named), else the cells of its info or prose keys."""
    cells = result.submission.cells if result.submission is not None else {}
    keys = f.caused_by or f.keys
    typed = [cells[k] for k in keys if k in cells and not cells[k].formula]
    formulas = [cells[k] for k in keys if k in cells and cells[k].formula]
    chosen = typed or formulas[:1]
    places = [(cv.sheet, cv.address) for cv in chosen if cv.sheet in wb.sheetnames]
    if not places and not keys and f.sheet in wb.sheetnames:
        places = [(f.sheet, ref) for ref in f.cells]
    named = [k for k in f.keys if k.startswith((PROSE_PREFIX, INFO_PREFIX))] if places else \
        [k for k in f.keys if k not in cells]
    places += [p for key in named for p in _named_places(wb, key)]
    if not places and f.sheet in wb.sheetnames:
        places = [(f.sheet, ref) for ref in f.cells]
    return list(dict.fromkeys(places))


def _named_places(wb, key: str) -> list[tuple[str, str]]:
    dn = wb.defined_names.get(defined_name(key))
    if dn is None:
        return []
    try:
        return [(s, ref.replace("$", "").split(":")[0]) for s, ref in dn.destinations if s in wb.sheetnames]
    except Exception:  # noqa: BLE001 - an odd name (a constant, #REF!) is just not a place
        return []


def _top_left(ws, ref: str) -> str:
    """Comments and fills go on the top-left cell of a merged range."""
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            return rng.start_cell.coordinate
    return ref


def _mark(ws, ref: str, findings: list[Finding]) -> str:
    """Comment the cell with its findings; return the worst severity."""
    from openpyxl.comments import Comment

    cell = ws[ref]
    worst = min((f.severity for f in findings), key=_RANK.__getitem__)
    text = "\n".join(f"【{severity_label(f.severity)}】{f.message}" for f in findings)
    if cell.comment is not None and cell.comment.author == AUTHOR:
        text = cell.comment.text + "\n" + text
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = 40 + 18 * (len(text) // 22 + text.count("\n") + 1)
    cell.comment = comment
    return worst


def _show_marks(ws, cells: dict[str, str]) -> None:
    """Fill the marked cells through conditional formats that come before the
    template's own (which would otherwise paint over a plain cell fill)."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle

    old = [(cf.sqref, rule) for cf in ws.conditional_formatting for rule in cf.rules]
    fresh = ConditionalFormattingList()
    by_severity: dict[str, list[str]] = {}
    for ref, severity in cells.items():
        by_severity.setdefault(severity, []).append(ref)
    priority = 0
    for severity in sorted(by_severity, key=_RANK.__getitem__):
        priority += 1
        fill = PatternFill("solid", start_color=FILLS[severity], end_color=FILLS[severity])
        fresh.add(" ".join(by_severity[severity]), Rule(type="expression", formula=[MARK_FORMULA], stopIfTrue=True,
                                                        dxf=DifferentialStyle(fill=fill), priority=priority))
    for sqref, rule in old:
        rule.priority = (rule.priority or 0) + priority
        fresh.add(str(sqref), rule)
    ws.conditional_formatting = fresh


def _is_mark(rule) -> bool:
    return any('"xxgk"' in str(f) for f in (rule.formula or ()))


def _edition(result: CheckResult) -> Edition | None:
    """The edition the result names (the default one without a submission;
    None for an edition unknown here)."""
    from .spec import load_edition

    sub = result.submission
    try:
        return load_edition(sub.edition) if sub is not None else load_edition()
    except Exception:  # noqa: BLE001 - an unknown edition
        return None


def _unmark(wb, result_sheet: str) -> None:
    """Remove what an earlier annotation added: comments, marks, banners, the sheet."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    if result_sheet in wb.sheetnames:
        del wb[result_sheet]
    for ws in wb.worksheets:
        kept = [(cf.sqref, rule) for cf in ws.conditional_formatting for rule in cf.rules if not _is_mark(rule)]
        if len(kept) != sum(len(cf.rules) for cf in ws.conditional_formatting):
            fresh = ConditionalFormattingList()
            for sqref, rule in kept:
                fresh.add(str(sqref), rule)
            ws.conditional_formatting = fresh
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                    _restore_fill(cell)
                if isinstance(cell.value, str) and cell.value.startswith("=IF("):
                    m = _WRAPPED.match(cell.value)
                    if m:
                        cell.value = "=" + m.group(1)


def _restore_fill(cell) -> None:
    """Copies made before marks were conditional formats carry the mark as the
    cell's fill: give the cell back the template's fill."""
    from openpyxl.styles import PatternFill

    from .writer import FORMULA_FILL, INPUT_FILL

    if (cell.fill.fgColor.rgb or "")[-6:] in FILLS.values():
        colour = (FORMULA_FILL if cell.protection.locked else INPUT_FILL).lstrip("#")
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)


def _banners(wb, shown, result: CheckResult, ed: Edition | None) -> None:
    """The banners above the tables say what ``xxgk check`` said, as long as
    the workbook's live count of failed checks is unchanged (an unknown
    edition, ``ed`` None: the banners are kept)."""
    from .layout import STATUS_ROW, a1, sheet_ref
    from .writer import CHECK_SUMMARY_ROW, CHECK_VALUE_COL

    sub = result.submission
    if sub is None or not sub.ours or ed is None:
        return
    count = a1(CHECK_SUMMARY_ROW, CHECK_VALUE_COL, True)
    if ed.checks_sheet not in shown.sheetnames:
        return
    n = shown[ed.checks_sheet][count.replace("$", "")].value
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return
    ref = a1(STATUS_ROW, 0)
    for table in ed.tables:
        if table.sheet not in wb.sheetnames:
            continue
        cell = wb[table.sheet][ref]
        if isinstance(cell.value, str) and cell.value.startswith("="):
            banner = ed.workbook_texts["annotation_banner"].format(verdict=result.verdict, sheet=ed.annotation_sheet)
            cell.value = _BANNER.format(count=sheet_ref(ed.checks_sheet) + count, n=int(n), banner=banner,
                                        live=cell.value[1:])


def _remember(wb, result: CheckResult) -> None:
    """Note in the metadata sheet what content was annotated."""
    sub = result.submission
    if sub is None or META_SHEET not in wb.sheetnames:
        return
    ws = wb[META_SHEET]
    row = next((c.row for c in ws["A"] if c.value == ANNOTATED), ws.max_row + 1)
    _put(ws, row, 1, ANNOTATED)
    _put(ws, row, 2, sub.fingerprint())


def _put(ws, row: int, col: int, value) -> None:
    """Write a value; a string is always text, never a formula."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _shown(v) -> str | int | None:
    if v is None or isinstance(v, str):
        return v
    text = fmt_number(v)
    return int(text) if text.lstrip("-").isdigit() else text


def _result_sheet(wb, result: CheckResult, ed: Edition) -> None:
    """Every finding, in Chinese, printable on A4 (landscape, one page wide,
    wrapped text, header row repeated)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from .catalog import finding_title
    from .writer import PAGE_FOOTER

    ws = wb.create_sheet(ed.annotation_sheet)
    last = len(_WIDTHS)
    _put(ws, 1, 1, ed.workbook_texts["annotation_title"].format(sheet=ed.annotation_sheet, verdict=result.verdict,
                                                                 file=Path(result.path).name))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    ws.row_dimensions[1].height = 22
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (title, width) in enumerate(zip(ed.headers["annotation"], _WIDTHS), start=1):
        cell = ws.cell(row=2, column=col)
        _put(ws, 2, col, title)
        cell.font = Font(bold=True)
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    for i, f in enumerate(result.findings, start=1):
        row = [i, severity_label(f.severity), f.where, finding_title(f, ed), f.message,
               _shown(f.expected), _shown(f.actual), _shown(f.difference)]
        lines = 1
        for col, value in enumerate(row, start=1):
            _put(ws, i + 2, col, value)
            cell = ws.cell(row=i + 2, column=col)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = box
            if isinstance(value, str):
                lines = max(lines, wrapped_lines(value, _WIDTHS[col - 1] * 0.85))  # bold/odd glyphs
        ws.row_dimensions[i + 2].height = 4 + 15 * lines
        if f.severity in FILLS:
            ws.cell(row=i + 2, column=2).fill = PatternFill("solid", start_color=FILLS[f.severity],
                                                            end_color=FILLS[f.severity])
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    footer = PAGE_FOOTER.split("&C")
    ws.oddFooter.left.text = footer[0].removeprefix("&L")
    ws.oddFooter.center.text = footer[1]
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = wb.sheetnames.index(ed.annotation_sheet)
