"""Build workbooks for the reader's tests, everything derived from the edition.

* :func:`write_ours` -- our template as the real writer fills it, optionally
  changed at the file level as a unit's Excel would leave it (rows inserted
  above the tables, names lost, totals typed over, sheets deleted).
* :func:`write_foreign` -- a body's own workbook: the official labels and
  numbers placed anywhere (several tables on one sheet, other sheet names),
  with labels rewritten (half-width brackets, aliases), tables left out.
* :func:`soffice_resave` -- the same file re-saved by LibreOffice.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

import xlsxwriter

from xxgk import load_edition
from xxgk.layout import a1, layouts, sheet_ref
from xxgk.meta import META_SHEET, defined_name, meta_rows
from xxgk.spec import Edition
from xxgk.synth import consistent_inputs

INFO_SHEET = load_edition().info_sheet


def edition() -> Edition:
    return load_edition("2021")


def sample_values(seed: int = 1, ed: Edition | None = None) -> dict[str, Decimal]:
    """Consistent input values, and every formula cell computed."""
    ed = ed or edition()
    return ed.compute(consistent_inputs(ed, random.Random(seed)))


def _excel(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _write_cell(ws: Any, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, _excel(value))


def write_ours(
    path: Path,
    values: Mapping[str, Any],
    *,
    ed: Edition | None = None,
    unit: str = "某某街道办事处",
    unit_type: str = "乡镇（街道）",
    year: int = 2021,
    shift: int = 0,
    formulas: bool = True,
    drop_names: tuple[str, ...] = (),
    prose: Mapping[str, str] | None = None,
    info: Mapping[str, Any] | None = None,
    meta: Mapping[str, str] | None = None,
    omit_tables: tuple[str, ...] = (),
) -> Path:
    """Our template, filled by the real writer (:func:`xxgk.writer.write_report`),
    then changed the way a unit's Excel would leave it, at the file level so
    every cached result stays: ``shift`` rows inserted above every table
    (references and defined names follow, as in Excel); ``formulas`` off: every
    total typed over its formula; ``drop_names``: cell keys whose defined name
    is gone; ``meta``: fields of the metadata sheet changed; ``omit_tables``:
    table sheets deleted."""
    from unittest import mock

    from xxgk import writer

    ed = ed or edition()
    inputs = {k: v for k, v in values.items() if ed.cells[k].is_input}
    typed = {} if formulas else {k: v for k, v in values.items() if not ed.cells[k].is_input}
    rows = writer.meta_rows
    info = dict(info or {})
    # what staff typed in 基本信息 may differ from what the district wrote in the metadata
    shown = {"unit": info.pop("unit", unit), "unit_type": info.pop("unit_type", unit_type), "year": info.pop("year", year)}
    meta = {"unit": unit, "unit_type": unit_type, "year": str(year), **(meta or {})}

    def with_meta(**kw: Any) -> list[tuple[str, str]]:
        return [(f, meta.get(f, v)) for f, v in rows(**kw)]

    with mock.patch.object(writer, "meta_rows", with_meta):
        writer.write_report(path, ed, **shown, values=inputs, overrides=typed, prose=prose, info=info)
    sheets = {ed.table(t).sheet for t in omit_tables}
    if shift or drop_names or sheets:
        _edit_zip(path, ed, shift, {defined_name(k) for k in drop_names}, sheets)
    return path


_CELL_REF = re.compile(r"(?<![A-Za-z0-9_!'.])(\$?[A-Z]{1,3}\$?)(\d+)(?![0-9(])")


def _shift_refs(text: str, rows: int) -> str:
    """Move every same-sheet A1 reference down ``rows`` rows (absolute ones too:
    inserting rows moves everything below)."""
    return _CELL_REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + rows}", text)


def _edit_zip(path: Path, ed: Edition, shift: int, dropped: set[str], omitted: set[str]) -> None:
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    book = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    sheet_files = {}
    for m in re.finditer(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"/>', book):
        target = re.search(rf'Id="{m.group(2)}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'Target="([^"]+)"[^>]*Id="{m.group(2)}"', rels)
        sheet_files[m.group(1)] = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    tables = {t.sheet for t in ed.tables}

    def name_entry(m: re.Match[str]) -> str:
        name, ref = m.group(1), m.group(2)
        sheet = ref.split("!")[0].strip("=").strip("'")
        if name in dropped or sheet in omitted:
            return ""
        if shift and sheet in tables:
            head, _, cell = ref.partition("!")
            return f'<definedName name="{name}">{head}!{_shift_refs(cell, shift)}</definedName>'
        return m.group(0)

    book = re.sub(r'<definedName name="([^"]+)">([^<]*)</definedName>', name_entry, book)
    for sheet in omitted:
        book = re.sub(rf'<sheet name="{re.escape(sheet)}"[^>]*/>', "", book)
        del parts[sheet_files[sheet]]
    parts["xl/workbook.xml"] = book.encode("utf-8")
    if shift:
        for sheet in tables - omitted:
            xml = parts[sheet_files[sheet]].decode("utf-8")
            xml = re.sub(r'(<(?:row|c|mergeCell|dataValidation|conditionalFormatting|selection|pane|dimension)\b[^>]*?'
                         r'\b(?:r|ref|sqref|topLeftCell|activeCell)=")([^"]*)"',
                         lambda m: m.group(1) + _shift_refs(m.group(2), shift) + '"', xml)
            xml = re.sub(r"(<(?:f|formula)>)([^<]*)(</(?:f|formula)>)",
                         lambda m: m.group(1) + _shift_refs(m.group(2), shift) + m.group(3), xml)
            parts[sheet_files[sheet]] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


Transform = Callable[[str], str]


def half_width(text: str) -> str:
    """Labels as typed on a keyboard without Chinese punctuation."""
    return text.replace("（", "(").replace("）", ")").replace("：", ":")


def write_foreign(
    path: Path,
    values: Mapping[str, Any],
    *,
    ed: Edition | None = None,
    places: Mapping[str, tuple[str, int, int]] | None = None,
    label: Transform = lambda t: t,
    omit: tuple[str, ...] = (),
    merge: bool = True,
    title: str | None = None,
) -> Path:
    """A body's own workbook: each table's labels and numbers at
    ``places[table_key] = (sheet, row offset, col offset)`` (default: all
    tables one below the other on one sheet, indented by one column),
    labels passed through ``label``, tables in ``omit`` left out."""
    ed = ed or edition()
    lays = layouts(ed)
    if places is None:
        places, top = {}, 1
        for key, lay in lays.items():
            places[key] = ("Sheet1", top - lay.top, 1)
            top += lay.bottom - lay.top + 3
    wb = xlsxwriter.Workbook(str(path))
    sheets: dict[str, Any] = {}

    def sheet(name: str) -> Any:
        if name not in sheets:
            sheets[name] = wb.add_worksheet(name)
        return sheets[name]

    if title:
        sheet(next(iter(places.values()))[0]).write_string(0, 0, title)
    for key, lay in lays.items():
        if key in omit:
            continue
        name, dr, dc = places[key]
        ws = sheet(name)
        for reg in lay.labels:
            text = label(reg.text)
            if merge and reg.is_merged:
                ws.merge_range(reg.r1 + dr, reg.c1 + dc, reg.r2 + dr, reg.c2 + dc, text)
            else:
                ws.write_string(reg.r1 + dr, reg.c1 + dc, text)
        for ckey, reg in lay.cells.items():
            value = values.get(ckey)
            if merge and reg.is_merged:
                ws.merge_range(reg.r1 + dr, reg.c1 + dc, reg.r2 + dr, reg.c2 + dc, None)
            _write_cell(ws, reg.r1 + dr, reg.c1 + dc, value)
    wb.close()
    return path


def soffice_available() -> bool:
    return shutil.which("soffice") is not None


def soffice_resave(path: Path, out_dir: Path) -> Path:
    """Re-save a workbook with LibreOffice (as a unit using it would)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir.resolve().parent / f"lo_profile_{out_dir.name}").as_uri()  # never shared with another run
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xlsx",
         "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / (path.stem + ".xlsx")


# -- hand-written OOXML, for the parts other writers never produce ------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_raw_xlsx(
    path: Path,
    sheets: Mapping[str, str],
    *,
    shared_strings: list[str] | None = None,
    names: Mapping[str, str] | None = None,
    states: Mapping[str, str] | None = None,
    absolute_targets: bool = False,
    prefix: str = "",
    omit_parts: tuple[str, ...] = (),
) -> Path:
    """A workbook from raw ``<sheetData>`` XML per sheet.  ``shared_strings``
    are raw ``<si>`` bodies; ``prefix`` writes every element with a
    namespace prefix (``x:``) as some generators do; ``absolute_targets``
    writes relationship targets as ``/xl/...``; ``omit_parts`` leaves
    members out of the zip (a damaged file)."""
    import zipfile

    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    base = "/xl/" if absolute_targets else ""
    sheet_entries, rels, parts = [], [], {}
    for i, (name, body) in enumerate(sheets.items(), start=1):
        state = (states or {}).get(name)
        attr = f' state="{state}"' if state else ""
        sheet_entries.append(f'<{p}sheet name="{name}" sheetId="{i}"{attr} r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="{base}worksheets/sheet{i}.xml"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>{body}</{p}worksheet>'
        )
    if shared_strings is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{_RELS}/sharedStrings" Target="{base}sharedStrings.xml"/>')
        items = "".join(f"<{p}si>{s}</{p}si>" for s in shared_strings)
        parts["xl/sharedStrings.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><{p}sst {xmlns}>{items}</{p}sst>'
    defined = "".join(f'<{p}definedName name="{n}">{t}</{p}definedName>' for n, t in (names or {}).items())
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {xmlns} xmlns:r="{_RELS}">'
        f'<{p}sheets>{"".join(sheet_entries)}</{p}sheets>'
        + (f"<{p}definedNames>{defined}</{p}definedNames>" if defined else "")
        + f"</{p}workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{_PKG}">{"".join(rels)}</Relationships>'
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_RELS}/officeDocument" '
        f'Target="{"/" if absolute_targets else ""}xl/workbook.xml"/></Relationships>'
    )
    parts["[Content_Types].xml"] = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in parts.items():
            if member not in omit_parts:
                zf.writestr(member, text)
    return path
