"""Build workbooks for the reader's tests, everything derived from the edition.

* :func:`write_ours` -- a workbook shaped like our template (metadata sheet,
  defined names, table sheets at the layout positions), optionally with
  rows inserted above the tables (names pointing to the shifted cells), as
  a unit's Excel would leave it.
* :func:`write_foreign` -- a body's own workbook: the official labels and
  numbers placed anywhere (several tables on one sheet, other sheet names),
  with labels rewritten (half-width brackets, aliases), tables left out.
* :func:`soffice_resave` -- the same file re-saved by LibreOffice.
"""

from __future__ import annotations

import random
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
    """Our template, filled.  ``shift`` rows are inserted above every table
    (the defined names follow, as Excel moves them); formula cells get a
    SUM formula with the value as cached result unless ``formulas`` is off;
    ``drop_names`` are cell keys whose defined name is left out; the sheets
    of ``omit_tables`` are left out (their names too)."""
    ed = ed or edition()
    wb = xlsxwriter.Workbook(str(path))
    info_ws = wb.add_worksheet(INFO_SHEET)
    fields = {"unit": unit, "unit_type": unit_type, "year": year, **(info or {})}
    for i, f in enumerate(ed.info_fields):
        info_ws.write_string(2 + i, 0, f.label + ("（必填）" if f.required else ""))
        _write_cell(info_ws, 2 + i, 1, fields.get(f.key))
        wb.define_name(defined_name(f"info.{f.key}"), f"={sheet_ref(INFO_SHEET)}{a1(2 + i, 1, True)}")
    for key, lay in layouts(ed).items():
        if key in omit_tables:
            continue
        ws = wb.add_worksheet(lay.table.sheet)
        for reg in lay.labels:
            ws.write_string(reg.r1 + shift, reg.c1, reg.text)
        for ckey, reg in lay.cells.items():
            row, col = reg.r1 + shift, reg.c1
            spec = ed.cells[ckey]
            if formulas and not spec.is_input:
                terms = ",".join(a1(lay.cells[t].r1 + shift, lay.cells[t].c1) for t in spec.formula_terms)
                ws.write_formula(row, col, f"=SUM({terms})", None, _excel(values.get(ckey, 0)))
            else:
                _write_cell(ws, row, col, values.get(ckey))
            if ckey not in drop_names:
                wb.define_name(defined_name(ckey), f"={sheet_ref(lay.table.sheet)}{a1(row, col, True)}")
    prose_ws = wb.add_worksheet(ed.prose_sheet)
    for i, s in enumerate(ed.prose_sections):
        row = 2 + 4 * i
        prose_ws.write_string(row, 0, s.label)
        prose_ws.write_string(row + 1, 0, s.hint)
        _write_cell(prose_ws, row + 2, 0, (prose or {}).get(s.key))
        wb.define_name(defined_name(f"prose.{s.key}"), f"={sheet_ref(ed.prose_sheet)}{a1(row + 2, 0, True)}")
    meta_ws = wb.add_worksheet(META_SHEET)
    rows = dict(meta_rows(edition=ed.edition, unit=unit, unit_type=unit_type, year=year))
    rows.update(meta or {})
    for r, (field, value) in enumerate(rows.items()):
        meta_ws.write_string(r, 0, field)
        meta_ws.write_string(r, 1, value)
    meta_ws.hide()
    wb.close()
    return path


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
