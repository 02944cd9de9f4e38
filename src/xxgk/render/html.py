"""The report as one self-contained HTML page (Jinja2 template, inline CSS, no script).

Tables are semantic: header cells are ``<th>`` with ``scope`` (``col``,
``colgroup``, ``row``, ``rowgroup``), merged cells use ``rowspan`` /
``colspan``, the header rows of a long table are a ``<thead>`` (repeated on
every printed page), and ``border="1"`` keeps the grid when the page is
pasted into a website's editor that drops the style sheet.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

from .model import GridCell, Report, TableModel, column_widths
from .docx import _RUN_IN, TWIPS_PER_PT, table_font, text_width, title_lines

__all__ = ["html_text", "write_html"]


@functools.lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("xxgk.render", "templates"),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def _cell(cell: GridCell):
    from markupsafe import Markup, escape

    attrs = []
    if cell.rowspan > 1:
        attrs.append(f' rowspan="{cell.rowspan}"')
    if cell.colspan > 1:
        attrs.append(f' colspan="{cell.colspan}"')
    if cell.is_header:
        attrs.append(f' scope="{cell.scope}"')
        if cell.vertical:
            attrs.append(' class="vertical" style="writing-mode:vertical-rl"')
        return Markup(f"<th{''.join(attrs)}>{escape(cell.text)}</th>")
    cls = "note" if cell.kind == "note" else "number"
    key = f' data-key="{escape(cell.key)}"' if cell.key else ""
    text = cell.text if cell.key else escape(cell.text)  # a figure is a placeholder, escaped when filled
    return Markup(f'<td class="{cls}"{"".join(attrs)}{key}>{text}</td>')


def _tr(row: list[GridCell]) -> str:
    return "<tr>" + "".join(_cell(c) for c in row) + "</tr>"


_FIGURE = "\x00"  # around a cell key in a cached table skeleton
_SKELETONS: dict[tuple, list[str]] = {}


def table_html(table: TableModel):
    """The rows of a table (``<thead>`` and ``<tbody>``).  The markup of a
    table's structure is built once per layout; each report fills in its figures."""
    from markupsafe import Markup, escape

    sig = (table.key, table.header_rows,
           tuple((c.row, c.col, c.rowspan, c.colspan, c.kind, c.key or c.text, c.vertical) for c in table.cells()))
    parts = _SKELETONS.get(sig)
    if parts is None:
        if len(_SKELETONS) > 64:
            _SKELETONS.clear()
        blank = [[GridCell(_FIGURE + c.key + _FIGURE if c.key else c.text, c.row, c.col, c.rowspan, c.colspan,
                           c.kind, c.key, c.vertical) for c in row] for row in table.rows]
        head, body = blank[:table.header_rows], blank[table.header_rows:]
        markup = ("<thead>\n" + "\n".join(map(_tr, head)) + "\n</thead>\n" if head else "")
        markup += "<tbody>\n" + "\n".join(map(_tr, body)) + "\n</tbody>"
        parts = _SKELETONS[sig] = markup.split(_FIGURE)
    figures = {c.key: c.text for c in table.cells() if c.key}
    return Markup("".join(str(escape(figures[p])) if i % 2 else p for i, p in enumerate(parts)))


def _portrait(table: TableModel) -> TableModel:
    """A web page has no landscape pages: every table fits the portrait width."""
    return dataclasses.replace(table, landscape=False) if table.landscape else table


def _widths(table: TableModel) -> list[str]:
    table = _portrait(table)
    total = text_width(False) / TWIPS_PER_PT
    widths = column_widths(table, total, table_font(table))
    return [f"{100 * w / sum(widths):.2f}" for w in widths]


def _font(table: TableModel) -> float:
    return table_font(_portrait(table))


def _run_in(text: str) -> tuple[str, str] | None:
    m = _RUN_IN.match(text)
    return (m.group(1), m.group(2)) if m else None


def _css_string(text: str):
    """Text for a CSS string literal (every character but letters and CJK escaped)."""
    from markupsafe import Markup

    return Markup("".join(ch if ch.isalnum() else f"\\{ord(ch):06x}" for ch in text))


def html_text(report: Report) -> str:
    """The report as an HTML document (text)."""
    return _template().render(report=report, table_html=table_html, widths=_widths, run_in=_run_in,
                              font=_font, css_string=_css_string, title_lines=title_lines)


def write_html(report: Report, path: str | os.PathLike) -> Path:
    from .output import atomic_write

    return atomic_write(path, html_text(report).encode("utf-8"))
