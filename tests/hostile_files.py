"""Hostile and unlucky input files, built on demand (tests and benchmarks/hostile.py).

Each builder writes one file and returns its path.  Most start from a real
filled workbook made by our writer and change one part of its zip, so the
rest of the file is exactly what a district receives.
"""

from __future__ import annotations

import os
import random
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from xxgk import load_edition
from xxgk.meta import defined_name
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report
from xxgk.xlsx import XlsxBook


def filled(path: Path, unit: str = "青溪区甲街道", seed: int = 0, year: int = 2023, **kw) -> Path:
    ed = load_edition("2021")
    write_report(path, ed, unit=unit, unit_type="乡镇（街道）", year=year,
                 values=consistent_inputs(ed, random.Random(seed)), **kw)
    return path


def rewrite(path: Path, edits: dict[str, Callable[[bytes], bytes]], out: Path | None = None) -> Path:
    """Copy the zip ``path`` to ``out`` (default: in place) with some members edited."""
    out = out or path
    with zipfile.ZipFile(path) as src:
        parts = [(i, src.read(i)) for i in src.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            if info.filename in edits:
                data = edits.pop(info.filename)(data)
            dst.writestr(info.filename, data)
        for name, make in edits.items():  # new members
            dst.writestr(name, make(b""))
    return out


def first_input(ed=None) -> str:
    ed = ed or load_edition("2021")
    return next(k for k, c in ed.cells.items() if c.is_input)


def _place(path: Path, key: str) -> tuple[str, str]:
    """(zip member of the sheet, A1) of a cell key in one of our workbooks."""
    with XlsxBook(path) as book:
        sheet, ref = book.defined_names[defined_name(key)]
        return book._sheet(sheet).part, ref


def with_cell_xml(path: Path, key: str, cell_body: str, t: str | None = None) -> Path:
    """Replace the content of one number cell by raw XML (``<v>1E+400</v>`` …)."""
    member, ref = _place(path, key)
    attrs = f' t="{t}"' if t else ""

    def edit(data: bytes) -> bytes:
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
        new, n = pattern.subn(f'<c r="{ref}"{attrs}>{cell_body}</c>'.encode(), data, count=1)
        assert n == 1, (member, ref)
        return new

    return rewrite(path, {member: edit})


def with_number(path: Path, text: str, key: str | None = None) -> Path:
    return with_cell_xml(path, key or first_input(), f"<v>{text}</v>")


def with_unit_text(path: Path, text: str) -> Path:
    """The unit's name (a shared string) replaced by ``text`` (raw XML text, e.g. ``_xD800_``)."""
    def edit(data: bytes) -> bytes:
        return data.replace("青溪区甲街道".encode(), text.encode(), 1)

    return rewrite(path, {"xl/sharedStrings.xml": edit})


def gbk_named(folder: Path, unit: str = "青溪区乙街道") -> Path:
    """A workbook whose file name is GBK bytes (a Windows zip unpacked on Linux)."""
    tmp = filled(folder / "gbk-tmp.xlsx", unit=unit, seed=3)
    name = os.fsencode(folder) + b"/" + f"{unit}.xlsx".encode("gbk")
    os.rename(tmp, name)
    return Path(os.fsdecode(name))


# -- resource exhaustion ----------------------------------------------------------------


def zip_bomb(path: Path, inflated: int = 1 << 30, *, shared_strings: bool = False) -> Path:
    """A small workbook whose first table sheet inflates to ``inflated`` bytes of
    blank rows (compressed about 1000:1), streamed so building it takes little memory."""
    base = filled(path.with_suffix(".base.xlsx"))
    member, _ = _place(base, first_input())
    target = "xl/sharedStrings.xml" if shared_strings else member
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != target:
                dst.writestr(info.filename, src.read(info))
                continue
            data = src.read(info)
            cut = data.index(b"<sheetData>" if not shared_strings else b"<si>")
            head, tail = data[:cut], data[cut:]
            part = zipfile.ZipInfo(info.filename, info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(part, "w", force_zip64=True) as out:
                out.write(head)
                filler = b"<sheetData>" if not shared_strings else b""
                out.write(filler)
                chunk = (b"<row/>" if not shared_strings else b"<si><t>x</t></si>") * (1 << 16)
                for _ in range(max(1, inflated // len(chunk))):
                    out.write(chunk)
                out.write(tail[len(filler):] if not shared_strings else tail)
    base.unlink()
    return path


def _one_sheet(path: Path, rows: Iterator[bytes]) -> Path:
    """A minimal workbook of one sheet whose ``<sheetData>`` is the rows given, streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for row in rows:
                out.write(row)
            out.write(b"</sheetData></worksheet>")
    return path


def million_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A sheet of ``rows`` rows of distinct text cells (inline strings, two per row)."""
    return _one_sheet(path, (f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>第{r}行的说明文字</t></is></c>'
                             f'<c r="B{r}" t="inlineStr"><is><t>单位{r}</t></is></c></row>'.encode()
                             for r in range(1, rows + 1)))


def shared_formula(path: Path, dependents: int = 100_000, terms: int = 200) -> Path:
    """A sheet with one shared formula (a long SUM) and ``dependents`` cells sharing it."""
    master = "+".join(f"A{i}" for i in range(1, terms + 1))
    first = f'<row r="1"><c r="B1"><f t="shared" ref="B1:B{dependents + 1}" si="0">{master}</f><v>0</v></c></row>'
    return _one_sheet(path, [first.encode()] + [f'<row r="{r}"><c r="B{r}"><f t="shared" si="0"/><v>0</v></c></row>'
                                                .encode() for r in range(2, dependents + 2)])


_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
         '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="表一" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
