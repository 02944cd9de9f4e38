"""Word documents: merged cells, a table split by the writer into two tables."""

import sys
import zipfile
from pathlib import Path

import pytest

from xxgk.published import read_published
from xxgk.published.docx import read_docx
from xxgk.submission import UnreadableFile

sys.path.insert(0, str(Path(__file__).parent))
from published_fixtures import ED, PROSE, UNIT, YEAR, consistent, docx_report  # noqa: E402


def exact(sub, values):
    return {k: sub.cells[k].value if k in sub.cells else "absent" for k in ED.cells} == {k: values[k] for k in ED.cells}


def test_docx_with_merged_cells_imports_exactly(tmp_path):
    values = consistent(21)
    path = docx_report(tmp_path / "report.docx", values)
    sub = read_docx(path)
    assert exact(sub, values)
    assert (sub.unit, sub.year, sub.file_kind) == (UNIT, YEAR, "docx")
    assert sub.prose == PROSE
    assert {sub.cells[k].origin.table for k in ED.cells if k.startswith("t4.")} == {3}


def test_table_split_into_two_word_tables(tmp_path):
    values = consistent(22)
    path = docx_report(tmp_path / "split.docx", values, split={"t3": 10})
    sub = read_published(path)
    assert exact(sub, values)
    assert {sub.cells[k].origin.table for k in ED.cells if k.startswith("t3.")} == {2, 3}


def test_truncated_docx(tmp_path):
    path = docx_report(tmp_path / "full.docx", consistent(23))
    cut = tmp_path / "cut.docx"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(UnreadableFile) as exc:
        read_published(cut)
    assert exc.value.code == "file-corrupt" and "Word 文档已损坏或不完整" in str(exc.value)
    assert zipfile.is_zipfile(path)


def test_report_inside_a_frame_table(tmp_path):
    """The whole report put in a one-cell table (a frame): its inner tables are read."""
    import docx

    values = consistent(24)
    path = docx_report(tmp_path / "framed.docx", values)
    document = docx.Document(str(path))
    body = document.element.body
    content = [el for el in body if not el.tag.endswith("}sectPr")]
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)._tc
    for el in content:
        cell.append(el)  # moves it into the frame
    body.remove(frame._tbl)
    body.insert(0, frame._tbl)
    document.save(str(tmp_path / "framed.docx"))
    sub = read_docx(tmp_path / "framed.docx")
    assert exact(sub, values)
    assert (sub.unit, sub.year, sub.prose) == (UNIT, YEAR, PROSE)
