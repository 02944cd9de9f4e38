"""Published reports made from known figures, for the tests of xxgk.published.

The report's tables are laid out as a government site or a Word document
prints them: the official header trees with merged cells (rowspan/colspan),
built from the edition's layout; a figure of ``values`` in each number cell.
Front-end tests turn these rows into HTML pages, DOCX and PDF.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from xxgk import load_edition
from xxgk.layout import layouts
from xxgk.published.grid import GridCell
from xxgk.spec import Edition
from xxgk.synth import consistent_inputs

ED: Edition = load_edition("2021")
UNIT = "青溪区城关街道办事处"
YEAR = 2023


def consistent(seed: int, ed: Edition = ED) -> dict[str, Decimal]:
    """Every cell's figure (inputs and totals) of a consistent report."""
    return ed.compute(consistent_inputs(ed, random.Random(seed)))


def number_text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


@dataclass(frozen=True)
class Variant:
    """How a real report departs from the official form (all seen in published reports).

    ``relabel``: official label -> label as published; ``numbering``: items
    numbered “1、” / “（1）” instead of “1.”; ``drop_rows``: official row labels
    whose row is left out (the 规章 row); ``extra``: a table 信息处理费收取情况
    inserted as section 五, later sections renumbered; ``fee_decimals``: the fee
    printed with that many decimals.
    """

    relabel: Mapping[str, str] = field(default_factory=dict)
    numbering: str = "."
    drop_rows: frozenset = frozenset()
    extra: bool = False
    fee_decimals: int | None = None

    def label(self, text: str) -> str:
        text = self.relabel.get(text, text)
        m = re.match(r"^(\d+)\.(.*)$", text, re.S)
        if m and self.numbering != ".":
            text = self.numbering.replace("N", m.group(1)) + m.group(2)
        return text


PLAIN = Variant()
EXTRA_TABLE = [[GridCell("收费项目"), GridCell("收费金额（元）"), GridCell("缴费人次")],
               [GridCell("信息处理费"), GridCell("0"), GridCell("0")]]
EXTRA_HEADING = "信息处理费收取情况"
NUMERALS = "一二三四五六七八九十"


def official_tables(values: Mapping[str, Decimal], ed: Edition = ED, *,
                    split: Mapping[str, int] | None = None,
                    variant: Variant = PLAIN) -> list[tuple[str, list[list[list[GridCell]]]]]:
    """(section title, pieces) for each table of the edition; a piece is rows
    of cells with spans.  ``split``: table key -> row at which the table is
    broken in two (as Word or a page break does: a cell spanning the break
    is cut, its text stays in the first piece, the second piece gets an
    empty cell)."""
    out = []
    for lay in layouts(ed).values():
        dropped = {reg.r1 for reg in lay.labels if reg.role == "row_header" and reg.text in variant.drop_rows}
        regions = [(reg.r1, reg.c1, reg.r2, reg.c2, variant.label(reg.text)) for reg in lay.labels
                   if reg.role != "block_title" and reg.r1 not in dropped]
        regions += [(reg.r1, reg.c1, reg.r2, reg.c2, _figure(values[key], ed.cells[key].value_type, variant))
                    for key, reg in lay.cells.items() if reg.r1 not in dropped]
        regions = [(r1 - sum(1 for d in dropped if d < r1), c1, r2 - sum(1 for d in dropped if d < r2), c2, t)
                   for r1, c1, r2, c2, t in regions]
        top = min(r[0] for r in regions)
        bottom = lay.bottom - len(dropped)
        at = (split or {}).get(lay.table.key)
        bounds = [(top, bottom)] if at is None else [(top, top + at - 1), (top + at, bottom)]
        out.append((lay.table.title, [_rows(regions, lo, hi, lay.width) for lo, hi in bounds]))
    return out


def _figure(value: Decimal, value_type: str, variant: Variant) -> str:
    if value_type == "amount" and variant.fee_decimals is not None and value is not None:
        return format(value.quantize(Decimal(1).scaleb(-variant.fee_decimals)), "f")
    return number_text(value)


def outline(values: Mapping[str, Decimal], ed: Edition = ED, *, split=None, variant: Variant = PLAIN):
    """The report's sections in order: (heading, prose key or None, table pieces or None)."""
    tables = dict(official_tables(values, ed, split=split, variant=variant))
    items = sorted([(s.number, s.label, s.key, None) for s in ed.prose_sections]
                   + [(t.number, t.title, t.key, tables[t.title]) for t in ed.tables],
                   key=lambda x: NUMERALS.index(x[0]))
    prose_keys = {s.key for s in ed.prose_sections}
    out = []
    for number, heading, key, pieces in items:
        if variant.extra and heading.startswith("五、"):
            out.append(("五、" + EXTRA_HEADING, None, [EXTRA_TABLE]))
        if variant.extra and NUMERALS.index(number) >= 4:
            heading = NUMERALS[NUMERALS.index(number) + 1] + heading[len(number):]
        out.append((heading, key if key in prose_keys else None, pieces))
    return out


def _rows(regions, lo: int, hi: int, width: int) -> list[list[GridCell]]:
    """The rows lo..hi of a table given by regions (r1, c1, r2, c2, text), spans clipped."""
    starts = {}
    for r1, c1, r2, c2, text in regions:
        if r2 < lo or r1 > hi:
            continue
        first = max(r1, lo)
        starts[(first, c1)] = (min(r2, hi) - first + 1, c2 - c1 + 1, text if first == r1 else "")
    covered = {(r, c) for (r1, c1), (rs, cs, _) in starts.items() for r in range(r1, r1 + rs) for c in range(c1, c1 + cs)}
    rows = []
    for r in range(lo, hi + 1):
        row = []
        for c in range(width):
            if (r, c) in starts:
                rs, cs, text = starts[(r, c)]
                row.append(GridCell(text, rs, cs))
            elif (r, c) not in covered:
                row.append(GridCell(""))
        rows.append(row)
    return rows


def title(unit: str = UNIT, year: int = YEAR, ed: Edition = ED) -> str:
    return ed.title_for(unit, year)


PROSE = {
    "overview": "2023年，本街道认真贯彻《中华人民共和国政府信息公开条例》，主动公开政府信息126条。\n"
                "依申请公开方面，全年办理政府信息公开申请，均在法定期限内答复。",
    "problems": "一是公开内容不够全面；二是解读形式较为单一。下一步将加强培训，提升公开质量。",
    "other_matters": "本年度未收取信息处理费。",
}


def _cell_html(cell: GridCell, rng: random.Random) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f" colspan='{cell.colspan}'"
    text = cell.text.replace("\n", "<br/>")
    style = ' style="border:1px solid #000;text-align:center;padding:2px 4px;"'
    wrap = rng.choice([
        "<p style=\"margin:0\"><span style=\"font-family:仿宋_GB2312;font-size:16px\">{}</span></p>",
        "<span style=\"font-size:12pt\">{}</span>",
        "{}",
        "&nbsp;{}&nbsp;",
    ])
    return f"<td{attrs}{style}>{wrap.format(text) if text else '&nbsp;'}</td>"


def html_page(values: Mapping[str, Decimal], *, unit: str = UNIT, year: int = YEAR, seed: int = 0,
              prose: Mapping[str, str] = PROSE, split: Mapping[str, int] | None = None,
              charset: str | None = "utf-8", variant: Variant = PLAIN, ed: Edition = ED) -> str:
    """A report as a government site shows it: site header, navigation,
    breadcrumb, the report (title, sections, tables with inline styles,
    spans and &nbsp;), then the site's footer.  ``charset``: declared in a
    <meta> tag (None: not declared)."""
    rng = random.Random(seed)
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    parts = [f"<!DOCTYPE html><html><head>{meta}<title>{title(unit, year)}_青溪区人民政府</title>",
             "<script>var _hmt = _hmt || []; document.write('<table><tr><td>x</td></tr></table>');</script>",
             "<style>.nav li{float:left} td{font-size:14px}</style></head><body>",
             '<div class="header"><div class="logo">青溪区人民政府</div><ul class="nav">',
             "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(
                 ["首页", "政务公开", "政府信息公开年报", "政务服务", "互动交流", "走进青溪"])),
             "</ul></div>",
             '<table width="1000" class="layout"><tr><td class="left" width="200"><ul>',
             "<li>政府信息公开指南</li><li>政府信息公开制度</li><li>政府信息公开年报</li></ul></td>",
             '<td class="main"><div class="position">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>',
             f'<div class="article"><h1 class="title">{title(unit, year)}</h1>',
             '<div class="info">发布时间：2024-01-20　来源：区政府办　浏览次数：<span id="hits">128</span></div>',
             '<div class="content" id="zoom">',
             "<p>&nbsp;&nbsp;本报告根据《中华人民共和国政府信息公开条例》编制。</p>"]
    for heading, key, pieces in outline(values, ed, split=split, variant=variant):
        parts.append(f'<p style="text-indent:2em"><strong>{heading}</strong></p>')
        if key is not None:
            parts += [f"<p style=\"text-indent:2em\">{para}</p>" for para in prose.get(key, "").split("\n") if para]
            continue
        for piece in pieces:
            parts.append('<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:600px">')
            parts.append("<tbody>")
            for row in piece:
                parts.append("<tr>" + "".join(_cell_html(c, rng) for c in row) + "</tr>")
            parts.append("</tbody></table>")
    parts += ["</div>", '<div class="tools">【<a href="javascript:window.print()">打印本页</a>】'
              '【<a href="javascript:window.close()">关闭窗口</a>】</div></div></td></tr></table>',
              '<div class="footer"><p>主办：青溪区人民政府办公室　地址：青溪区人民路1号</p>'
              "<p>网站标识码：1234567890　备案号：京ICP备00000000号</p></div></body></html>"]
    return "\n".join(parts)


def docx_report(path, values: Mapping[str, Decimal], *, unit: str = UNIT, year: int = YEAR,
                prose: Mapping[str, str] = PROSE, split: Mapping[str, int] | None = None,
                page_break_in: Mapping[str, int] | None = None, narrow_first: str | None = None,
                variant: Variant = PLAIN, borders: bool = True, repeat_header: int = 0, ed: Edition = ED):
    """A report as a Word document: title, sections, the tables with merged
    cells (``split``: a table broken into two Word tables with a paragraph
    between; ``page_break_in``: a page break before that row of a table, so
    that a PDF made from it has the table across two pages; ``narrow_first``:
    the table whose first column is so narrow that its label stands one
    character per line; ``borders``: False for tables printed without lines;
    ``repeat_header``: that many header rows repeated on every page)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    _page_number_footer(document)
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title(unit, year))
    run.bold = True
    run.font.size = Pt(16)
    for heading, key, pieces in outline(values, ed, split=split, variant=variant):
        document.add_paragraph().add_run(heading).bold = True
        if key is not None:
            for para in prose.get(key, "").split("\n"):
                document.add_paragraph(para)
            continue
        table_key = next((t.key for t in ed.tables if t.title == heading), None)
        for n, piece in enumerate(pieces):
            if n:
                document.add_paragraph("（续表）")
            _docx_table(document, piece, (page_break_in or {}).get(table_key), table_key == narrow_first, borders,
                        repeat_header)
    return document.save(str(path)) or path


def _page_number_footer(document) -> None:
    """“— 3 —” at the foot of every page (a PAGE field), as reports print it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)
    paragraph.add_run(" —")


def _docx_table(document, rows: list[list[GridCell]], break_before: int | None, narrow_first: bool,
                borders: bool = True, repeat_header: int = 0) -> None:
    from docx.shared import Pt

    width = sum(c.colspan for c in rows[0])
    table = document.add_table(rows=len(rows), cols=width)
    if borders:
        table.style = "Table Grid"
    grid = table._cells  # all cell objects at once (table.cell() recomputes them every time)
    if narrow_first:  # a narrow first column: “三、本年度办理结果” printed one character per line
        from docx.shared import Cm

        table.autofit = False
        table.columns[0].width = Cm(0.55)
        for r in range(len(rows)):
            grid[r * width].width = Cm(0.55)
    placed = []
    occupied = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            placed.append((r, c, cell))
            c += cell.colspan
    for r, c, cell in reversed(placed):  # bottom-right first: cells not yet merged stay valid
        target = grid[r * width + c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid[(r + cell.rowspan - 1) * width + c + cell.colspan - 1])
        paragraph = target.paragraphs[0]
        if cell.text:
            paragraph.add_run(cell.text).font.size = Pt(7)
    for row in table.rows[:repeat_header]:  # header rows Word repeats at the top of every page
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    if break_before is not None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tr = table.rows[break_before]._tr
        first_p = tr.findall(".//" + qn("w:p"))[0]
        r = OxmlElement("w:r")
        br = OxmlElement("w:br")
        br.set(qn("w:type"), "page")
        r.append(br)
        first_p.insert(0, r)


def soffice_pdfs(paths, out_dir) -> list:
    """Convert documents to PDF with LibreOffice Writer in one call (own profile dir)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xxgk_lo_published_"))
    try:
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
                        "--outdir", str(out_dir), *map(str, paths)], check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return [out_dir / (Path(p).stem + ".pdf") for p in paths]


def scan_pdf(path):
    """A PDF holding only a picture of a page (a scan): no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 1000, 40):
        draw.line((80, y, 770, y), fill=0, width=2)
    image.save(str(path), "PDF", resolution=100)
    return path


def grid_as_one_path(src, dst):
    """The PDF ``src`` with every page's lines redrawn as ONE path object (as
    some PDF writers draw a whole table grid), saved as ``dst``."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(src))
    x, y = ctypes.c_float(), ctypes.c_float()
    for page in pdf:
        objs = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1))
        if not objs:
            continue
        path = raw.FPDFPageObj_CreateNewPath(0, 0)
        for obj in objs:
            m = obj.get_matrix()
            for i in range(raw.FPDFPath_CountSegments(obj.raw)):
                seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
                raw.FPDFPathSegment_GetPoint(seg, x, y)
                px, py = m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f
                if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO:
                    raw.FPDFPath_MoveTo(path, px, py)
                else:
                    raw.FPDFPath_LineTo(path, px, py)
                if raw.FPDFPathSegment_GetClose(seg):
                    raw.FPDFPath_Close(path)
            page.remove_obj(obj)
        raw.FPDFPath_SetDrawMode(path, 0, 1)
        raw.FPDFPage_InsertObject(page.raw, path)
        page.gen_content()
    pdf.save(str(dst))
    pdf.close()
    return dst
