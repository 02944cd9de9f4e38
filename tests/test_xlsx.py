"""The minimal .xlsx reader: what Excel-like writers and LibreOffice store,
and every kind of file that is not a readable workbook."""

import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from xxgk.submission import UnreadableFile
from xxgk.xlsx import OLE_MAGIC, RawCell, XlsxBook, parse_a1, shift_formula

sys.path.insert(0, str(Path(__file__).parent))
from reader_fixtures import soffice_available, soffice_resave, write_raw_xlsx  # noqa: E402

needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")


@pytest.fixture
def xw_book(tmp_path: Path) -> Path:
    """A workbook written by xlsxwriter (shared strings, formulas, merges, names)."""
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表 三")
    ws.write_string("A1", "标题")
    ws.write_number("B2", 12)
    ws.write_number("C2", 0.1)
    ws.write_number("D2", 123456789.125)
    ws.write_formula("E2", "=SUM(B2:D2)", None, 123456801.225)
    ws.write_rich_string("A3", "富", wb.add_format({"bold": True}), "文本")
    ws.merge_range("A5:C6", "合并")
    ws.write_boolean("A7", True)
    ws.write_string("A8", "=不是公式")
    ws.write_string("A9", "12件")
    wb.define_name("xxgk.one", "='表 三'!$E$2")
    wb.define_name("xxgk.range", "='表 三'!$B$2:$D$2")
    wb.define_name("xxgk.other", "=Other!B3")
    wb.define_name("xxgk.broken", "=#REF!")
    other = wb.add_worksheet("Other")
    other.write_string("B3", "x")
    hidden = wb.add_worksheet("_hidden")
    hidden.hide()
    wb.close()
    return path


def check_xw_book(book: XlsxBook) -> None:
    assert book.sheet_names == ["表 三", "Other", "_hidden"]
    assert book.sheet_state("表 三") == "visible"
    assert book.sheet_state("_hidden") == "hidden"
    names = book.defined_names
    assert names["xxgk.one"] == ("表 三", "E2")
    assert names["xxgk.other"] == ("Other", "B3")
    assert "xxgk.range" not in names and "xxgk.broken" not in names
    cells = book.cells("表 三")
    assert cells[(0, 0)] == RawCell("标题", None, "s")
    assert cells[(1, 1)].value == Decimal("12")
    assert cells[(1, 2)].value == Decimal("0.1")
    assert cells[(1, 3)].value == Decimal("123456789.125")
    assert cells[(1, 4)].formula == "SUM(B2:D2)"
    assert cells[(1, 4)].value == Decimal("123456801.225")
    assert cells[(2, 0)].value == "富文本"
    assert cells[(4, 0)].value == "合并"
    assert cells[(6, 0)][::2] == (True, "b")  # LibreOffice adds a formula TRUE()
    assert cells[(7, 0)] == RawCell("=不是公式", None, "s")
    assert (5, 5) not in cells
    assert book.merged("表 三") == [(4, 0, 5, 2)]
    assert book.cell("Other", "B3").value == "x"


def test_xlsxwriter_workbook(xw_book: Path):
    with XlsxBook(xw_book) as book:
        check_xw_book(book)


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_resaved_workbook(xw_book: Path, tmp_path: Path):
    resaved = soffice_resave(xw_book, tmp_path / "lo")
    with XlsxBook(resaved) as book:
        check_xw_book(book)


def test_sheets_are_parsed_only_when_asked(xw_book: Path):
    with XlsxBook(xw_book) as book:
        assert book._cells == {}
        first = book.cells("Other")
        assert list(book._cells) == ["Other"]
        assert book.cells("Other") is first


def test_inline_strings_shared_formulas_escapes_errors(tmp_path: Path):
    sheet = (
        "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>内联</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c>'
        '<c r="C1" t="s"><v>0</v></c><c r="D1" t="s"><v>1</v></c><c r="E1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c>'
        '<c r="C2"><f t="shared" ref="C2:C4" si="0">A2+B2</f><v>3</v></c></row>'
        '<row r="3"><c r="A3"><v>10</v></c><c r="B3"><v>20</v></c><c r="C3"><f t="shared" si="0"/><v>30</v></c></row>'
        '<row r="4"><c r="C4"><f t="shared" si="0"/></c><c r="D4" t="e"><v>#DIV/0!</v></c>'
        '<c r="E4" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="F4"><f t="array" ref="F4">SUM(A2:A3*B2:B3)</f><v>410</v></c></row>'
        "<row><c><v>7</v></c><c><v>8</v></c></row>"  # no r attributes: row 5, columns A and B
        "</sheetData>"
    )
    strings = [
        "<t>共享</t>",
        "<r><t>多</t></r><r><rPr><b/></rPr><t>段</t></r><rPh><t>ふりがな</t></rPh>",
        "<t>换行_x000D_符</t>",
    ]
    path = write_raw_xlsx(tmp_path / "raw.xlsx", {"S": sheet}, shared_strings=strings)
    cells = XlsxBook(path).cells("S")
    assert cells[(0, 0)].value == "内联"
    assert cells[(0, 1)].value == "富文本"
    assert [cells[(0, c)].value for c in (2, 3, 4)] == ["共享", "多段", "换行\r符"]
    assert cells[(1, 2)].formula == "A2+B2"
    assert cells[(2, 2)] == RawCell(Decimal(30), "A3+B3", "n")
    assert cells[(3, 2)] == RawCell(None, "A4+B4", "")  # formula without a cached value
    assert cells[(3, 3)] == RawCell("#DIV/0!", None, "e")
    assert cells[(3, 4)] == RawCell("ab", '"a"&"b"', "s")
    assert cells[(3, 5)].formula == "SUM(A2:A3*B2:B3)"
    assert cells[(4, 0)].value == Decimal(7) and cells[(4, 1)].value == Decimal(8)


def test_prefixed_namespace_and_absolute_targets(tmp_path: Path):
    sheet = '<x:sheetData><x:row r="3"><x:c r="C3"><x:v>5</x:v></x:c></x:row></x:sheetData>'
    path = write_raw_xlsx(tmp_path / "p.xlsx", {"表三": sheet, "Hid": "<x:sheetData/>"}, prefix="x",
                          absolute_targets=True, states={"Hid": "veryHidden"},
                          names={"xxgk.a": "表三!$C$3", "xxgk.b": "'表三'!C3", "local": "表三!$A$1:$B$2"})
    book = XlsxBook(path)
    assert book.cells("表三") == {(2, 2): RawCell(Decimal(5), None, "n")}
    assert book.sheet_state("Hid") == "veryHidden"
    assert book.defined_names == {"xxgk.a": ("表三", "C3"), "xxgk.b": ("表三", "C3")}


def test_quoted_sheet_names_in_defined_names(tmp_path: Path):
    path = write_raw_xlsx(tmp_path / "q.xlsx", {"it's": "<sheetData/>"}, names={"n": "'it''s'!$B$7"})
    assert XlsxBook(path).defined_names == {"n": ("it's", "B7")}


@pytest.mark.parametrize("formula,drow,dcol,expected", [
    ("SUM(D5:I5)", 1, 0, "SUM(D6:I6)"),
    ("SUM($D5:D$5)+$A$1", 2, 1, "SUM($D7:E$5)+$A$1"),
    ("'表 三'!B2+\"B2\"+LOG10(B2)", 0, 1, "'表 三'!C2+\"B2\"+LOG10(C2)"),
    ("A1", -1, 0, "#REF!"),
])
def test_shift_formula(formula, drow, dcol, expected):
    assert shift_formula(formula, drow, dcol) == expected


def test_parse_a1():
    assert parse_a1("A1") == (0, 0)
    assert parse_a1("$AB$10") == (9, 27)
    with pytest.raises(ValueError):
        parse_a1("A1:B2")


# -- unreadable files -----------------------------------------------------------------


def unreadable(path: Path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        XlsxBook(path)
    exc = info.value
    assert exc.path == str(path)
    assert "\n" not in str(exc) and str(exc).startswith(str(path))
    return exc


def test_file_not_found(tmp_path: Path):
    exc = unreadable(tmp_path / "none.xlsx")
    assert exc.code == "file-unreadable" and "找不到文件" in exc.message


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    exc = unreadable(path)
    assert exc.code == "file-unreadable" and "空" in exc.message


def test_directory(tmp_path: Path):
    assert "文件夹" in unreadable(tmp_path).message


def test_permission_denied(tmp_path: Path, monkeypatch, xw_book: Path):
    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("xxgk.xlsx.open", deny, raising=False)
    exc = unreadable(xw_book)
    assert exc.code == "file-unreadable" and "权限" in exc.message


def test_old_xls_or_et(tmp_path: Path):
    path = tmp_path / "old.xls"
    path.write_bytes(OLE_MAGIC + b"\x00" * 4088)
    exc = unreadable(path)
    assert exc.code == "file-not-xlsx"
    assert exc.message == "这是旧版 .xls/.et 文件，请在 Excel 或 WPS 中另存为 .xlsx 后再报送"


def test_encrypted_workbook(tmp_path: Path, xw_book: Path):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "locked.xlsx"
    with open(xw_book, "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    exc = unreadable(path)
    assert exc.code == "file-encrypted"
    assert "打开密码" in exc.message and "取消密码后再报送" in exc.message


def test_truncated_zip(tmp_path: Path, xw_book: Path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(xw_book.read_bytes()[:2000])
    exc = unreadable(path)
    assert exc.code == "file-unreadable" and "损坏" in exc.message


@pytest.mark.parametrize("content,words", [
    ("单位,年份,数量\n某街道,2021,12\n".encode("gb18030"), "CSV"),
    ("单位\t年份\n某街道\t2021\n".encode("utf-8"), "CSV"),
    ("这是一份说明文字。".encode("utf-8"), "文本文件"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
    (bytes(range(1, 256)) * 4, "无法识别"),
])
def test_not_a_workbook(tmp_path: Path, content: bytes, words: str):
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)
    exc = unreadable(path)
    assert exc.code == "file-not-xlsx" and words in exc.message


def test_docx_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    exc = unreadable(path)
    assert exc.code == "file-not-xlsx" and "Word" in exc.message


def test_zip_without_workbook(tmp_path: Path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "x")
    assert "压缩包" in unreadable(path).message


def test_missing_sheet_part(tmp_path: Path):
    path = write_raw_xlsx(tmp_path / "m.xlsx", {"表二": "<sheetData/>", "表三": "<sheetData/>"},
                          omit_parts=("xl/worksheets/sheet2.xml",))
    book = XlsxBook(path)  # the workbook part is fine ...
    assert book.cells("表二") == {}
    with pytest.raises(UnreadableFile) as info:  # ... until the missing sheet is needed
        book.cells("表三")
    assert "表三" in info.value.message and info.value.code == "file-unreadable"


def test_broken_xml(tmp_path: Path):
    path = write_raw_xlsx(tmp_path / "x.xlsx", {"S": "<sheetData><row>"})
    with pytest.raises(UnreadableFile) as info:
        XlsxBook(path).cells("S")
    assert "XML" in info.value.message


def test_bad_cell_reference(tmp_path: Path):
    path = write_raw_xlsx(tmp_path / "r.xlsx", {"S": '<sheetData><row r="x"><c r="1A"><v>1</v></c></row></sheetData>'})
    with pytest.raises(UnreadableFile) as info:
        XlsxBook(path).cells("S")
    assert "“S”" in info.value.message


def test_imports_only_the_standard_library():
    import subprocess

    code = ("import sys, xxgk.xlsx, xxgk.values; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlsxwriter', 'yaml', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
