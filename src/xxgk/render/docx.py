"""The report as a Word document, laid out as a Chinese official document.

GB/T 9704 conventions: A4, margins 37/35/28/26 mm (text area 156 × 225 mm),
title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号 at a fixed line
pitch, first-level headings in 黑体, second-level (the run-in “（一）……。”)
in 楷体_GB2312, page numbers “— 1 —” at the foot.  The fonts' common
substitutes (宋体, 仿宋, 楷体) are named in the font table, so Word and WPS
on a computer without the GB2312 fonts still show the right faces.

Speed: the styles, the font table, the footer and the header are built once
with python-docx into a base package (:func:`_base`); each report only
writes its ``word/document.xml`` (paragraphs and tables as XML text) into a
copy of that package.  Tables are drawn from :class:`TableModel`: merged
header cells (``gridSpan`` / ``vMerge``), header rows repeated on every page
(``tblHeader``), no row split across pages (``cantSplit``), and a landscape
section for a table the edition lays out landscape.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from .model import Report, Section, TableModel, column_widths

__all__ = ["write_docx", "docx_bytes", "compiled_docx_bytes", "PAGE", "PAGE_LANDSCAPE", "FONTS"]

TWIPS_PER_MM = 1440 / 25.4
TWIPS_PER_PT = 20


def _mm(v: float) -> int:
    return round(v * TWIPS_PER_MM)


# A4, margins of GB/T 9704 (top, bottom, left, right), in twips.
PAGE = {"width": _mm(210), "height": _mm(297), "top": _mm(37), "bottom": _mm(35), "left": _mm(28),
        "right": _mm(26), "header": _mm(15), "footer": _mm(23)}

# A landscape page (a wide table): the long sides keep the portrait's left and right
# margins' roles, the text area is 225 mm wide.
PAGE_LANDSCAPE = {"width": PAGE["height"], "height": PAGE["width"], "top": _mm(26), "bottom": _mm(30),
                  "left": _mm(37), "right": _mm(35), "header": _mm(12), "footer": _mm(20)}

# Faces and their common substitutes (font table altName).
FONTS = {
    "title": ("方正小标宋简体", "宋体"),
    "body": ("仿宋_GB2312", "仿宋"),
    "heading1": ("黑体", "SimHei"),
    "heading2": ("楷体_GB2312", "楷体"),
    "page": ("宋体", "SimSun"),
}
LATIN = "Times New Roman"
SIZES = {"title": 22, "body": 16, "page": 14, "table": 10.5, "table_small": 9}  # 二号, 三号, 四号, 五号, 小五
BODY_PITCH = 579  # twips: 22 lines on the 225 mm text area
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_BODY_MARK = "@@XXGK-BODY@@"
_TITLE_MARK = "@@XXGK-TITLE@@"


# -- base package (built once) ----------------------------------------------------------


def _rfonts(face: str, latin: str | None = None) -> str:
    latin = latin or face
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{face}" w:cs="{latin}"/>'


def _style_rpr(face: str, size: float, *, bold: bool = False, latin: str | None = None) -> str:
    return (f"<w:rPr {W}>{_rfonts(face, latin)}{'<w:b/><w:bCs/>' if bold else ''}"
            f'<w:color w:val="000000"/><w:kern w:val="0"/><w:sz w:val="{round(size * 2)}"/>'
            f'<w:szCs w:val="{round(size * 2)}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>')


def _set_style(doc, style_id: str, face: str, size: float, ppr: str, *, bold: bool = False,
               latin: str | None = None) -> None:
    from docx.oxml import parse_xml

    el = doc.styles.element.get_by_id(style_id)
    for old in el.xpath("w:rPr | w:pPr"):
        el.remove(old)
    el.append(parse_xml(f"<w:pPr {W}>{ppr}</w:pPr>"))
    el.append(parse_xml(_style_rpr(face, size, bold=bold, latin=latin)))


def _font_table(blob: bytes) -> bytes:
    """Add the report's faces to fontTable.xml with their substitutes (altName)."""
    fonts = "".join(
        f'<w:font w:name="{face}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for face, alt in FONTS.values()
    )
    text = blob.decode("utf-8")
    return text.replace("</w:fonts>", fonts + "</w:fonts>").encode("utf-8")


def _sect_pr(landscape: bool, refs: str = "") -> str:
    p = PAGE_LANDSCAPE if landscape else PAGE
    orient = ' w:orient="landscape"' if landscape else ""
    size = f'<w:pgSz w:w="{p["width"]}" w:h="{p["height"]}"{orient}/>'
    mar = (f'<w:pgMar w:top="{p["top"]}" w:right="{p["right"]}" w:bottom="{p["bottom"]}" '
           f'w:left="{p["left"]}" w:header="{p["header"]}" w:footer="{p["footer"]}" w:gutter="0"/>')
    return f'<w:sectPr>{refs}{size}{mar}<w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="{BODY_PITCH}"/></w:sectPr>'


def text_width(landscape: bool) -> int:
    """Width of the text area in twips."""
    p = PAGE_LANDSCAPE if landscape else PAGE
    return p["width"] - p["left"] - p["right"]


def _run(text: str, rpr: str = "") -> str:
    parts = text.split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(t)}</w:t>' for t in parts)
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{inner}</w:r>"


def _page_number_paragraph() -> str:
    face = FONTS["page"][0]
    rpr = f'{_rfonts(face)}<w:sz w:val="{SIZES["page"] * 2}"/><w:szCs w:val="{SIZES["page"] * 2}"/>'
    return (f'<w:p {W}><w:pPr><w:jc w:val="center"/></w:pPr>{_run("— ", rpr)}'
            f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:rPr>{rpr}</w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
            f'{_run("1", rpr)}<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="end"/></w:r>'
            f'{_run(" —", rpr)}</w:p>')


def _stamp_paragraph(stamp: str) -> str:
    face = FONTS["heading1"][0]
    rpr = f'{_rfonts(face)}<w:b/><w:color w:val="C00000"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
    return f'<w:p {W}><w:pPr><w:jc w:val="center"/></w:pPr>{_run(stamp, rpr)}</w:p>'


@functools.lru_cache(maxsize=8)
def _base(stamp: str | None) -> tuple[dict[str, bytes], str, str]:
    """The package every report is written into: parts by name, the document
    XML around the body mark, and the sectPr references to header/footer."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    body_ppr = (f'<w:spacing w:before="0" w:after="0" w:line="{BODY_PITCH}" w:lineRule="exact"/>'
                '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/>')
    _set_style(doc, "Normal", FONTS["body"][0], SIZES["body"], body_ppr, latin=LATIN)
    _set_style(doc, "Title", FONTS["title"][0], SIZES["title"],
               '<w:keepNext/><w:spacing w:before="0" w:after="579" w:line="700" w:lineRule="exact"/>'
               '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/>')
    _set_style(doc, "Heading1", FONTS["heading1"][0], SIZES["body"],
               f'<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="{BODY_PITCH}" w:lineRule="exact"/>'
               '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/><w:outlineLvl w:val="1"/>',
               latin=FONTS["heading1"][0])
    _set_style(doc, "Heading2", FONTS["heading2"][0], SIZES["body"],
               f'<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="{BODY_PITCH}" w:lineRule="exact"/>'
               '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/><w:outlineLvl w:val="2"/>',
               latin=FONTS["heading2"][0])
    from docx.enum.style import WD_STYLE_TYPE

    for name, size in (("XXGK Table", SIZES["table"]), ("XXGK Table Small", SIZES["table_small"])):
        doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        _set_style(doc, name.replace(" ", ""), FONTS["body"][0], size,
                   '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                   '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/><w:snapToGrid w:val="0"/>',
                   latin=LATIN)
    section = doc.sections[0]
    footer = section.footer._element
    for p in list(footer):
        footer.remove(p)
    footer.append(parse_xml(_page_number_paragraph()))
    if stamp:
        header = section.header._element
        for p in list(header):
            header.remove(p)
        header.append(parse_xml(_stamp_paragraph(stamp)))
    props = doc.core_properties
    props.title, props.author, props.comments = _TITLE_MARK, "xxgk", ""
    props.last_modified_by = "xxgk"
    props.revision = 1
    import datetime as _dt

    fixed = _dt.datetime(2000, 1, 1)
    props.created = props.modified = fixed
    doc.add_paragraph(_BODY_MARK)
    buf = io.BytesIO()
    doc.save(buf)
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    parts["word/fontTable.xml"] = _font_table(parts["word/fontTable.xml"])
    _drop_parts(parts, "docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")
    document = parts.pop("word/document.xml").decode("utf-8")
    refs = "".join(re.findall(r"<w:(?:header|footer)Reference [^>]*/>", document))
    document = re.sub(r"<w:sectPr[ >].*?</w:sectPr>", "@@XXGK-SECT@@", document, flags=re.S)
    mark = document.index(_BODY_MARK)
    start = document.rindex("<w:p>", 0, mark) if "<w:p>" in document[:mark] else document.rindex("<w:p ", 0, mark)
    end = document.index("</w:p>", mark) + len("</w:p>")
    return parts, document[:start] + "@@XXGK-CONTENT@@" + document[end:], refs


def _drop_parts(parts: dict[str, bytes], *names: str) -> None:
    """Leave out optional parts of python-docx's template (a thumbnail, a second styles part)."""
    for name in names:
        parts.pop(name, None)
        target = name.rsplit("/", 1)[-1]
        for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
            text = parts[rels].decode("utf-8")
            text = re.sub(rf'<Relationship [^>]*Target="[^"]*{re.escape(target)}"[^>]*/>', "", text)
            parts[rels] = text.encode("utf-8")
        ct = parts["[Content_Types].xml"].decode("utf-8")
        ct = re.sub(rf'<Override PartName="/{re.escape(name)}"[^>]*/>', "", ct)
        parts["[Content_Types].xml"] = ct.encode("utf-8")


# -- body ---------------------------------------------------------------------------------

_RUN_IN = re.compile(r"^([（(][一二三四五六七八九十]+[）)][^。：:]{1,24}[。：:])(.*)$", re.S)


def _p(content: str, style: str | None = None, ppr: str = "", sect: str = "") -> str:
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    inner = style_xml + ppr + sect
    return f"<w:p>{f'<w:pPr>{inner}</w:pPr>' if inner else ''}{content}</w:p>"


def _prose_paragraph(text: str) -> str:
    m = _RUN_IN.match(text)
    if m:  # “（一）主动公开。” as a second-level heading run in the paragraph
        face = FONTS["heading2"][0]
        return _p(_run(m.group(1), _rfonts(face)) + _run(m.group(2)))
    return _p(_run(text))


def _mark_paragraph(text: str) -> str:
    rpr = f'{_rfonts(FONTS["heading1"][0])}<w:color w:val="C00000"/>'
    return _p(_run(text, rpr))


def _cell_xml(text: str, width: int, *, span: int, vmerge: str | None, align: str, vertical: bool,
              style: str, continuation: bool = False, keep: bool = False) -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        tcpr += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
    if vertical:
        tcpr += '<w:textDirection w:val="tbRl"/>'
    tcpr += '<w:vAlign w:val="center"/>'
    ppr = f'<w:pStyle w:val="{style}"/>' + ("<w:keepNext/>" if keep else "")
    if align != "center":
        ppr += f'<w:jc w:val="{align}"/>'
    run = "" if continuation or not text else _run(text)
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{run}</w:p></w:tc>"


def table_font(table: TableModel) -> float:
    """五号 when three header characters fit in every figure column, else 小五."""
    width = text_width(table.landscape) / TWIPS_PER_PT
    figures = table.n_cols - table.label_cols
    room = 0.55 if table.label_cols else 1.0  # row labels need the rest
    return SIZES["table"] if figures * 3.6 * SIZES["table"] <= room * width else SIZES["table_small"]


_FIGURE = "\x00"  # around a cell key in a cached table skeleton
_SKELETONS: dict[tuple, list[str]] = {}


def table_xml(table: TableModel) -> str:
    """The table as WordprocessingML.  The XML of a table's structure is built
    once per layout and cached; each report only fills in its figures."""
    sig = (table.key, table.landscape, table.header_rows, table.n_cols,
           tuple((c.row, c.col, c.rowspan, c.colspan, c.kind, c.key or c.text, c.vertical) for c in table.cells()))
    parts = _SKELETONS.get(sig)
    if parts is None:
        if len(_SKELETONS) > 64:
            _SKELETONS.clear()
        parts = _SKELETONS[sig] = _table_skeleton(table).split(_FIGURE)
    figures = {c.key: c.text for c in table.cells() if c.key}
    return "".join(escape(figures[p]) if i % 2 else p for i, p in enumerate(parts))


def _table_skeleton(table: TableModel) -> str:
    font = table_font(table)
    style = "XXGKTable" if font == SIZES["table"] else "XXGKTableSmall"
    total = text_width(table.landscape)
    widths = [round(w * TWIPS_PER_PT) for w in column_widths(table, total / TWIPS_PER_PT, font)]
    widths[-1] += total - sum(widths)
    grid = table.covering()
    out = [
        "<w:tbl><w:tblPr>",
        f'<w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>',
        "<w:tblBorders>",
        *(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
          for side in ("top", "left", "bottom", "right", "insideH", "insideV")),
        '</w:tblBorders><w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    for r in range(len(table.rows)):
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if r < table.header_rows else "")
        out.append(f"<w:tr><w:trPr>{trpr}</w:trPr>")
        c = 0
        while c < table.n_cols:
            cell = grid[r][c]
            if cell is None:  # nothing there (should not happen): an empty cell keeps the grid
                out.append(_cell_xml("", widths[c], span=1, vmerge=None, align="center", vertical=False,
                                     style=style, keep=r < len(table.rows) - 1))
                c += 1
                continue
            width = sum(widths[cell.col:cell.col + cell.colspan])
            vmerge = None
            if cell.rowspan > 1:
                vmerge = "restart" if cell.row == r else "continue"
            align = "left" if cell.kind in ("row", "note") else "center"
            text = _FIGURE + cell.key + _FIGURE if cell.key else cell.text
            out.append(_cell_xml(text, width, span=cell.colspan, vmerge=vmerge, align=align,
                                 vertical=cell.vertical, style=style, continuation=cell.row != r,
                                 keep=r < len(table.rows) - 1))
            c += cell.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _section_xml(section: Section) -> list[str]:
    out = [_p(_run(section.title), "Heading1")]
    if section.draft_mark:
        out.append(_mark_paragraph(section.draft_mark))
    out += [_prose_paragraph(t) for t in section.paragraphs]
    return out


def title_lines(report: Report) -> list[str]:
    """The title on one line, or, when too long for one, broken after the unit's
    name (GB/T 9704 breaks a long title at a natural place)."""
    per_line = text_width(False) // (SIZES["title"] * TWIPS_PER_PT)
    title, unit = report.title, report.unit
    if len(title) <= per_line or not unit or not title.startswith(unit) or len(title) == len(unit):
        return [title]
    return [unit, title[len(unit):]]


def body_xml(report: Report, refs: str) -> tuple[str, bool]:
    """The document body and whether its last section is landscape."""
    out = [_p(_run("\n".join(title_lines(report))), "Title")]
    if report.stamp:
        out.append(_p(_run(report.stamp, f'{_rfonts(FONTS["heading1"][0])}<w:color w:val="C00000"/>'),
                      ppr='<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/>'))
    out.append(_prose_paragraph(report.opening))
    landscape = False
    for section in report.sections:
        table = section.table
        if table is None:
            if landscape:  # back to portrait after a landscape table
                out.append(_p("", sect=_sect_pr(True, refs)))
                landscape = False
            out += _section_xml(section)
            continue
        if table.landscape != landscape:
            out.append(_p("", sect=_sect_pr(landscape, refs)))
            landscape = table.landscape
        out += _section_xml(section)
        out.append(table_xml(table))
        out.append(_p("", ppr='<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'))
    right = '<w:ind w:firstLine="0" w:firstLineChars="0" w:right="1280"/><w:jc w:val="right"/>'
    out.append(_p("", ppr=right))
    out.append(_p(_run(report.unit), ppr=right))
    out.append(_p(_run(report.date), ppr=right))
    return "".join(out), landscape


@functools.lru_cache(maxsize=8)
def _static_zip(stamp: str | None) -> bytes:
    """Every part of the package except the document and its properties, compressed once."""
    parts, _, _ = _base(stamp)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        order = ["[Content_Types].xml", "_rels/.rels"]
        for name in order + [n for n in parts if n not in order and n != "docProps/core.xml"]:
            z.writestr(_zipinfo(name), parts[name])
    return buf.getvalue()


def _package(stamp: str | None, document: str, title: str) -> bytes:
    parts, _, _ = _base(stamp)
    buf = io.BytesIO(_static_zip(stamp))
    buf.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        core = parts["docProps/core.xml"].replace(_TITLE_MARK.encode(), escape(title).encode("utf-8"))
        z.writestr(_zipinfo("docProps/core.xml"), core)
        z.writestr(_zipinfo("word/document.xml"), document.encode("utf-8"))
    return buf.getvalue()


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx_bytes(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    parts, document, refs = _base(report.stamp)
    body, landscape = body_xml(report, refs)
    document = document.replace("@@XXGK-CONTENT@@", body).replace("@@XXGK-SECT@@", _sect_pr(landscape, refs))
    return _package(report.stamp, document, report.title)


def compiled_docx_bytes(title: str, note: str, units: Iterable[tuple[str, list[Section]]]) -> bytes:
    """One document collecting the prose sections of many reports, unit by unit."""
    parts, document, refs = _base(None)
    out = [_p(_run(title), "Title"), _prose_paragraph(note)]
    for unit, sections in units:
        out.append(_p(_run(unit), "Heading1"))
        for section in sections:
            out.append(_p(_run(section.title), "Heading2"))
            out += [_prose_paragraph(t) for t in section.paragraphs]
    document = document.replace("@@XXGK-CONTENT@@", "".join(out)).replace("@@XXGK-SECT@@", _sect_pr(False, refs))
    return _package(None, document, title)


def write_docx(report: Report, path: str | os.PathLike) -> Path:
    """Write the report to ``path`` (through a temporary file renamed into place)."""
    from .output import atomic_write

    return atomic_write(path, docx_bytes(report))
