"""The report to publish (``xxgk render``): DOCX, HTML and PDF from a checked report.

* :mod:`xxgk.render.model` — the report as data (title, sections, tables as
  header and body rows with spans), derived from the edition;
* :mod:`xxgk.render.texts` — the report's own texts from the edition file;
* :mod:`xxgk.render.docx`, :mod:`xxgk.render.html`, :mod:`xxgk.render.pdf` — the writers;
* :mod:`xxgk.render.batch` — :func:`render_paths` and :func:`compile_prose`.
"""

from .batch import FORMATS, RenderError, RenderOutcome, compile_prose, render_paths, render_report
from .model import Report, build_report

__all__ = ["FORMATS", "RenderError", "RenderOutcome", "Report", "build_report", "compile_prose",
           "render_paths", "render_report"]
