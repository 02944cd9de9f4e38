"""PDF through LibreOffice: the DOCX converted by ``soffice --headless``.

Many documents are converted in one call (LibreOffice starts slowly), each
call with a profile of its own (``-env:UserInstallation``) so that several
conversions can run at once, and with a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

__all__ = ["PdfUnavailable", "soffice_path", "convert_to_pdf", "MISSING_MESSAGE"]

MISSING_MESSAGE = (
    "未找到 LibreOffice（soffice），无法生成 PDF。请先安装：Debian/Ubuntu 运行 "
    "sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk，Windows 从 https://www.libreoffice.org 下载安装；"
    "或改用 --format docx / html。"
)

_WINDOWS_PATHS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed; ``str(exc)`` is one line in Chinese."""


def soffice_path() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    env = os.environ.get("XXGK_SOFFICE")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _WINDOWS_PATHS if Path(p).exists()), None)


def convert_to_pdf(docx_files: Sequence[Path], outdir: Path, *, timeout: float | None = None) -> list[Path]:
    """Convert DOCX files to PDF in ``outdir`` with one LibreOffice call.

    Returns the PDF paths in the order given; raises :class:`PdfUnavailable`
    when LibreOffice is missing, times out or leaves a file unconverted.
    """
    if not docx_files:
        return []
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(MISSING_MESSAGE)
    limit = timeout if timeout is not None else 120 + 5 * len(docx_files)
    profile = Path(tempfile.mkdtemp(prefix="xxgk-lo-"))
    try:
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir), *map(str, docx_files)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=limit, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 超时（{int(limit)} 秒），未生成 PDF。") from None
        except OSError as exc:
            raise PdfUnavailable(f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [outdir / (Path(f).stem + ".pdf") for f in docx_files]
    missing = [p for p in pdfs if not p.exists()]
    if missing:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if proc.stderr else []
        raise PdfUnavailable(f"LibreOffice 未能把 {len(missing)} 份报告转换为 PDF" +
                             (f"（{detail[0]}）" if detail else "") + "。")
    return pdfs
