"""Print layout: the template, a summary and an annotated copy, printed by
LibreOffice, take a sensible number of A4 pages per sheet.

Every sheet prints its own name in the footer (``&A``), so the pages of the
PDF are counted per sheet from their last line of text.  All workbooks are
converted in one ``soffice`` call.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from xxgk import load_edition
from xxgk.annotate import annotate
from xxgk.checker import check_submission
from xxgk.consolidate import consolidate
from xxgk.reader import read_workbook
from xxgk.synth import consistent_inputs
from xxgk.writer import write_report

# the summary's sheets, as the edition names them
SHEET_CHARTS = load_edition("2021").summary_sheets["charts"]
SHEET_DETAIL = load_edition("2021").summary_sheets["detail"]
SHEET_FINDINGS = load_edition("2021").summary_sheets["findings"]
SHEET_STATUS = load_edition("2021").summary_sheets["status"]
RESULT_SHEET = load_edition("2021").annotation_sheet

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                                 reason="LibreOffice (soffice) and pdftotext needed")]

ED = load_edition("2021")
UNITS = 9  # as many as the README's sample district


def pages_per_sheet(pdf: Path, sheets: list[str]) -> Counter:
    """Pages of each sheet, by the sheet name at the start of the page's footer."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    found: Counter = Counter()
    for page in text.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if not lines:
            continue
        footer = lines[-1].split()[0]
        assert footer in sheets, f"page footer without a sheet name: {lines[-1]!r}"
        found[footer] += 1
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    units = tmp / "units"
    units.mkdir()
    for i in range(UNITS):
        values = consistent_inputs(ED, random.Random(i))
        if i == 0:  # one unit with an error: 校验问题 has rows, 报送情况 says so
            values[ED.input_keys[0]] = -1
        write_report(units / f"{i}.xlsx", ED, unit=f"青溪区第{i}街道办事处", unit_type="乡镇（街道）", year=2023,
                     values=values, prose={"overview": "本年度，政务公开工作取得新进展。" * 40})
    template = tmp / "template.xlsx"
    write_report(template, ED, unit="青溪区测试局", unit_type="县级（区）政府部门", year=2023)
    summary = consolidate([units], out=tmp / "summary.xlsx", name="青溪区", jobs=1).out
    wrong = units / "0.xlsx"
    annotated = annotate(wrong, check_submission(read_workbook(wrong), ED), tmp / "annotated.xlsx")
    profile = tmp / "lo_profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "pdf"), str(template), str(summary), str(annotated)],
                   check=True, capture_output=True, timeout=240)
    return tmp / "pdf" / "template.pdf", tmp / "pdf" / "summary.pdf", tmp / "pdf" / "annotated.pdf"


def _own_sheets() -> dict[str, int]:
    """Most pages each sheet of a report may take."""
    bounds = {ED.instructions_sheet: 2, ED.info_sheet: 1, ED.prose_sheet: 2, ED.checks_sheet: 1}
    bounds.update({t.sheet: 1 for t in ED.tables})  # each table on one page, as officially printed
    return bounds


def test_template_pages_per_sheet(printed):
    bounds = _own_sheets()
    pages = pages_per_sheet(printed[0], list(bounds))
    assert set(pages) == set(bounds)
    assert {s: n for s, n in pages.items() if n > bounds[s]} == {}, pages


def test_summary_pages_per_sheet(printed):
    # 分单位明细: one row per input cell, the units across, one page wide
    per_page = 30  # rows of the detail a landscape page holds at least
    bounds = {**_own_sheets(), SHEET_STATUS: 1, SHEET_FINDINGS: 1, SHEET_CHARTS: 2,
              SHEET_DETAIL: -(-len(ED.input_keys) // per_page)}
    pages = pages_per_sheet(printed[1], list(bounds))
    assert set(pages) == set(bounds)
    assert {s: n for s, n in pages.items() if n > bounds[s]} == {}, pages
    assert sum(pages.values()) <= 20


def test_annotated_copy_pages_per_sheet(printed):
    bounds = {**_own_sheets(), RESULT_SHEET: 1}  # 校验结果: one page wide, a few findings on one page
    pages = pages_per_sheet(printed[2], list(bounds))
    assert set(pages) == set(bounds)
    assert {s: n for s, n in pages.items() if n > bounds[s]} == {}, pages
