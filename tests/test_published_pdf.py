"""PDF made by LibreOffice Writer from a Word document: a table across two
pages (a row broken by the page end), labels wrapped, the vertical
“三、本年度办理结果” one character per line; a scan without text refused."""

import shutil
import sys
from pathlib import Path

import pytest

from xxgk.published import read_published, sniff
from xxgk.published.pdf import read_pdf
from xxgk.submission import UnreadableFile

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import (  # noqa: E402
    ED,
    PROSE,
    UNIT,
    YEAR,
    consistent,
    docx_report,
    grid_as_one_path,
    scan_pdf,
    soffice_pdfs,
)

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")

SEEDS = {"narrow": 5, "wide": 1, "repeated": 8}
BORDERLESS = 7


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """Every PDF of this module, converted in one soffice call."""
    folder = tmp_path_factory.mktemp("pdf")
    docs = [docx_report(folder / "narrow.docx", consistent(SEEDS["narrow"]), narrow_first="t3", page_break_in={"t3": 14}),
            docx_report(folder / "wide.docx", consistent(SEEDS["wide"]), page_break_in={"t3": 20}),
            docx_report(folder / "repeated.docx", consistent(SEEDS["repeated"]), page_break_in={"t3": 16},
                        repeat_header=3),
            docx_report(folder / "borderless.docx", consistent(BORDERLESS), borders=False)]
    return {p.stem: p for p in soffice_pdfs(docs, folder / "out")}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_pdf_from_word_imports_exactly(pdfs, name):
    values = consistent(SEEDS[name])
    sub = read_published(pdfs[name])
    assert {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells} == {k: values[k] for k in ED.cells}
    assert (sub.unit, sub.year, sub.file_kind) == (UNIT, YEAR, "pdf")
    assert sub.prose == PROSE
    pages = {sub.cells[k].origin.page for k in ED.cells if k.startswith("t3.")}
    assert pages == {1, 2}  # the table runs over two pages
    assert all(sub.cells[k].origin.line for k in ED.cells)


def test_table_grid_drawn_as_one_path(pdfs, tmp_path):
    """Some writers draw a table's whole grid as one path: its segments are the lines."""
    values = consistent(SEEDS["narrow"])
    sub = read_pdf(grid_as_one_path(pdfs["narrow"], tmp_path / "one-path.pdf"))
    assert {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells} == {k: values[k] for k in ED.cells}
    assert sub.prose == PROSE


def test_table_printed_without_lines(pdfs):
    """No ruling lines: the rows are read line by line, each label's wrapped
    rest (below it, or at the top of the next page) joined to it."""
    values = consistent(BORDERLESS)
    sub = read_published(pdfs["borderless"])
    assert {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells} == {k: values[k] for k in ED.cells}
    assert sub.findings[0].code == "tables-as-text" and sub.file_kind == "pdf"
    assert sub.prose == PROSE
    assert {sub.cells[k].origin.page for k in ED.cells if k.startswith("t3.")} >= {1, 2}


def test_scan_without_text_is_refused(tmp_path):
    path = scan_pdf(tmp_path / "扫描件.pdf")
    assert sniff(path) == "pdf"
    with pytest.raises(UnreadableFile) as exc:
        read_pdf(path)
    assert exc.value.code == "pdf-no-text" and "扫描件" in str(exc.value) and "\n" not in str(exc.value)


def test_broken_pdf_is_refused(tmp_path, pdfs):
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdfs["wide"].read_bytes()[:3000])
    with pytest.raises(UnreadableFile) as exc:
        read_published(cut)
    assert exc.value.code in ("file-corrupt", "pdf-no-text")


def test_last_years_pdf_as_previous(pdfs, tmp_path):
    """`xxgk check this-year.xlsx --previous last-year.pdf`: 上年结转 compared with the PDF's 结转下年度."""
    import json

    from click.testing import CliRunner

    from xxgk.cli import main
    from xxgk.synth import balance
    from xxgk.writer import write_report

    previous = consistent(SEEDS["wide"])
    values = {k: v for k, v in consistent(61).items() if k in ED.input_keys}
    for key in values:
        if key.startswith("t3.carried_over."):
            values[key] = previous[key.replace("carried_over", "carry_forward")]
        if key.startswith("t3.new_received."):
            values[key] += 1000  # 一 + 二 larger: balancing raises 四, never 二
    balance(ED, values)
    year = YEAR + 1
    findings = {}
    for name, change in (("same", 0), ("wrong", 3)):
        path = tmp_path / f"{name}.xlsx"
        vals = dict(values)
        vals["t3.carried_over.commercial"] += change
        if change:
            vals["t3.carry_forward.commercial"] += change
        write_report(path, ED, unit=UNIT, unit_type="乡镇（街道）", year=year, values=vals)
        result = CliRunner().invoke(main, ["check", str(path), "--previous", str(pdfs["wide"]), "--year", str(year),
                                           "--format", "json"])
        assert "Traceback" not in result.output, result.output
        findings[name] = [f for f in json.loads(result.output)["files"][0]["findings"] if f["code"] == "prev-carry-over"]
    assert findings["same"] == []
    assert [f["keys"][0] for f in findings["wrong"]] == ["t3.carried_over.commercial", "t3.carried_over.total"]
