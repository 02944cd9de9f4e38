"""An annotated copy of a checked workbook, to send back to the body.

Every cell involved in a finding gets a fill (red for errors, yellow for
warnings) and a comment (author “xxgk”) explaining the finding(s); a sheet
校验结果 lists every finding.  The input file is never written: the copy is
saved under another name.  openpyxl is imported here only, lazily, so that
``xxgk check`` without ``--annotate`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

from .checker import INFO_PREFIX, PROSE_PREFIX, CheckResult, FileError, fmt_number
from .findings import Finding, severity_label
from .meta import defined_name
from .submission import UnreadableFile

__all__ = ["annotate", "annotate_results", "annotated_name", "annotation_targets", "RESULT_SHEET", "AUTHOR", "FILLS"]

RESULT_SHEET = "校验结果"
AUTHOR = "xxgk"
FILLS = {"error": "FF8080", "warning": "FFFF00"}  # red, yellow: stronger than the template's pale input fill
_RANK = {"error": 0, "warning": 1, "info": 2}
_COLUMNS = (("序号", 6), ("严重程度", 9), ("位置", 16), ("说明", 80), ("规则", 7), ("代码", 20),
            ("应为", 12), ("实为", 12), ("相差", 10))
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")


def annotated_name(path: str | Path) -> str:
    """File name of the annotated copy: ``<name>_批注.xlsx``."""
    return f"{Path(path).stem}_批注.xlsx"


def annotate(path: str | Path, result: CheckResult, out: str | Path) -> Path:
    """Write the annotated copy of ``path`` to ``out``; return ``out``.

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
    except Exception as exc:  # noqa: BLE001 - any failure to open is one message
        raise UnreadableFile(src, f"无法打开工作簿以生成批注副本（{exc}）。") from exc
    for (sheet, ref), findings in _targets(wb, result.findings).items():
        _mark(wb[sheet], ref, findings)
    _result_sheet(wb, result)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(dst) as tmp:
        wb.save(tmp)
    return dst


def annotation_targets(paths: list, out: str | Path) -> list[Path]:
    """Where :func:`annotate_results` may write the copies of ``paths``."""
    out = Path(out)
    if len(paths) > 1 or out.is_dir():
        return [out / annotated_name(p) for p in paths]
    return [out]


def annotate_results(results: list[CheckResult | FileError], out: str | Path) -> list[str]:
    """Annotate the checked files; return one line (Chinese) per file about what was done.

    One file and ``out`` not an existing folder: ``out`` is the copy's name.
    Otherwise ``out`` is a folder that receives ``<name>_批注.xlsx`` for each
    file with errors or warnings.
    """
    out = Path(out)
    into_folder = len(results) > 1 or out.is_dir()
    lines = []
    for r in results:
        if isinstance(r, FileError):
            continue
        if into_folder and not (r.errors or r.warnings):
            lines.append(f"无需批注（通过校验）：{r.path}")
            continue
        target = out / annotated_name(r.path) if into_folder else out
        try:
            lines.append(f"已生成批注副本：{annotate(r.path, r, target)}")
        except (UnreadableFile, ValueError, OSError) as exc:
            lines.append(f"未能生成批注副本：{exc}")
    return lines


def _targets(wb, findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    """(sheet, A1) -> findings, for every cell a finding names or whose key has a defined name."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.severity not in FILLS:
            continue
        places = [(f.sheet, ref) for ref in f.cells] if f.sheet in wb.sheetnames else []
        named = f.keys if not places else [k for k in f.keys if k.startswith((PROSE_PREFIX, INFO_PREFIX))]
        places += [p for key in named for p in _named_places(wb, key)]
        for place in places:
            out.setdefault(place, []).append(f)
    return out


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


def _mark(ws, ref: str, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    cell = ws[_top_left(ws, ref)]
    worst = min((f.severity for f in findings), key=_RANK.__getitem__)
    cell.fill = PatternFill("solid", start_color=FILLS[worst], end_color=FILLS[worst])
    text = "\n".join(f"【{severity_label(f.severity)}】{f.message}" for f in findings)
    if cell.comment is not None and cell.comment.author == AUTHOR:
        text = cell.comment.text + "\n" + text
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = 40 + 18 * (len(text) // 22 + text.count("\n") + 1)
    cell.comment = comment


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


def _result_sheet(wb, result: CheckResult) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET)
    _put(ws, 1, 1, f"校验结果：{result.verdict}（{Path(result.path).name}，由 xxgk 生成）")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(_COLUMNS, start=1):
        _put(ws, 2, col, title)
        ws.cell(row=2, column=col).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=2, column=col).column_letter].width = width
    for i, f in enumerate(result.findings, start=1):
        row = [i, severity_label(f.severity), f.where, f.message, f.rule or "", f.code,
               _shown(f.expected), _shown(f.actual), _shown(f.difference)]
        for col, value in enumerate(row, start=1):
            _put(ws, i + 2, col, value)
            ws.cell(row=i + 2, column=col).alignment = Alignment(wrap_text=True, vertical="top")
        if f.severity in FILLS:
            ws.cell(row=i + 2, column=2).fill = PatternFill("solid", start_color=FILLS[f.severity],
                                                            end_color=FILLS[f.severity])
    ws.freeze_panes = "A3"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = wb.sheetnames.index(RESULT_SHEET)
