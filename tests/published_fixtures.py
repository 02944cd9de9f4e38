"""Published reports made from known figures, for the tests of xxgk.published.

The report's tables are laid out as a government site or a Word document
prints them: the official header trees with merged cells (rowspan/colspan),
built from the edition's layout; a figure of ``values`` in each number cell.
Front-end tests turn these rows into HTML pages, DOCX and PDF.
"""

from __future__ import annotations

import random
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


def number_text(value: Decimal) -> str:
    return format(value, "f")


def official_tables(values: Mapping[str, Decimal], ed: Edition = ED, *,
                    split: Mapping[str, int] | None = None) -> list[tuple[str, list[list[list[GridCell]]]]]:
    """(section title, pieces) for each table of the edition; a piece is rows
    of cells with spans.  ``split``: table key -> row at which the table is
    broken in two (as Word or a page break does: a cell spanning the break
    is cut, its text stays in the first piece, the second piece gets an
    empty cell)."""
    out = []
    for lay in layouts(ed).values():
        regions = [(reg.r1, reg.c1, reg.r2, reg.c2, reg.text) for reg in lay.labels if reg.role != "block_title"]
        regions += [(reg.r1, reg.c1, reg.r2, reg.c2, number_text(values[key])) for key, reg in lay.cells.items()]
        top = min(r[0] for r in regions)
        at = (split or {}).get(lay.table.key)
        bounds = [(top, lay.bottom)] if at is None else [(top, top + at - 1), (top + at, lay.bottom)]
        out.append((lay.table.title, [_rows(regions, lo, hi, lay.width) for lo, hi in bounds]))
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
              charset: str | None = "utf-8", ed: Edition = ED) -> str:
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
    sections = {s.number: s for s in ed.prose_sections}
    tables = dict((t_title, pieces) for t_title, pieces in official_tables(values, ed, split=split))
    numbered = sorted([(s.number, s.label, s.key) for s in ed.prose_sections]
                      + [(t.number, t.title, None) for t in ed.tables],
                      key=lambda x: "一二三四五六七八九十".index(x[0]))
    for _, heading, key in numbered:
        parts.append(f'<p style="text-indent:2em"><strong>{heading}</strong></p>')
        if key is not None:
            parts += [f"<p style=\"text-indent:2em\">{para}</p>" for para in prose.get(key, "").split("\n") if para]
            continue
        for piece in tables[heading]:
            parts.append('<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:600px">')
            parts.append("<tbody>")
            for row in piece:
                parts.append("<tr>" + "".join(_cell_html(c, rng) for c in row) + "</tr>")
            parts.append("</tbody></table>")
    del sections
    parts += ["</div>", '<div class="tools">【<a href="javascript:window.print()">打印本页</a>】'
              '【<a href="javascript:window.close()">关闭窗口</a>】</div></div></td></tr></table>',
              '<div class="footer"><p>主办：青溪区人民政府办公室　地址：青溪区人民路1号</p>'
              "<p>网站标识码：1234567890　备案号：京ICP备00000000号</p></div></body></html>"]
    return "\n".join(parts)


def docx_report(path, values: Mapping[str, Decimal], *, unit: str = UNIT, year: int = YEAR,
                prose: Mapping[str, str] = PROSE, split: Mapping[str, int] | None = None,
                page_break_in: Mapping[str, int] | None = None, narrow_first: str | None = None,
                ed: Edition = ED):
    """A report as a Word document: title, sections, the tables with merged
    cells (``split``: a table broken into two Word tables with a paragraph
    between; ``page_break_in``: a page break before that row of a table, so
    that a PDF made from it has the table across two pages; ``narrow_first``:
    the table whose first column is so narrow that its label stands one
    character per line)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(title(unit, year))
    run.bold = True
    run.font.size = Pt(16)
    tables = dict(official_tables(values, ed, split=split))
    numbered = sorted([(s.number, s.label, s.key) for s in ed.prose_sections]
                      + [(t.number, t.title, t.key) for t in ed.tables],
                      key=lambda x: "一二三四五六七八九十".index(x[0]))
    prose_keys = {s.key for s in ed.prose_sections}
    for _, heading, key in numbered:
        document.add_paragraph().add_run(heading).bold = True
        if key in prose_keys:
            for para in prose.get(key, "").split("\n"):
                document.add_paragraph(para)
            continue
        for n, piece in enumerate(tables[heading]):
            if n:
                document.add_paragraph("（续表）")
            _docx_table(document, piece, (page_break_in or {}).get(key), key == narrow_first)
    return document.save(str(path)) or path


def _docx_table(document, rows: list[list[GridCell]], break_before: int | None, narrow_first: bool) -> None:
    from docx.shared import Pt

    width = sum(c.colspan for c in rows[0])
    table = document.add_table(rows=len(rows), cols=width)
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
