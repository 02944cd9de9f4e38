"""Bounded resources for published reports: a hostile page, Word document or text ends as
unreadable (exit 2, one line naming the limit) in little memory and time; the batch goes on."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from test_limits import read_in_child
from xxgk import published
from xxgk.cli import main
from xxgk.published import read_published, split

TITLE = "某某局2023年政府信息公开工作年度报告"


def docx_bomb(path: Path, inflated: int) -> Path:
    """A Word document whose document.xml inflates to ``inflated`` bytes of blanks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                fh.write(chunk)
    return path


def test_word_zip_bomb_refused_under_a_memory_limit(tmp_path):
    bomb = docx_bomb(tmp_path / "报告.docx", 300 << 20)
    assert bomb.stat().st_size < 2 << 20
    r = read_in_child(bomb, memory_mb=1024)
    assert r["code"] == "file-too-large" and "读取上限" in r["message"], r


def test_oversized_page_and_text_refused_before_parsing(tmp_path):
    page = tmp_path / "报告.html"
    cells = "<tr>" + "<td><span>1</span></td>" * 7 + "</tr>\n"
    page.write_text(f"<html><head><title>{TITLE}</title></head><body><table>"
                    + cells * (published.MAX_BYTES["html"] // len(cells) + 10) + "</table></body></html>", "utf-8")
    text = tmp_path / "报告.txt"
    text.write_text(TITLE + "\n" + "政府信息公开 1 2 3\n" * (published.MAX_BYTES["text"] // 20 + 10), "utf-8")
    good = tmp_path / "好.txt"
    good.write_text(Path(__file__).parent.joinpath("data", "published").glob("*.txt").__next__().read_text("utf-8"),
                    "utf-8")
    r = CliRunner().invoke(main, ["check", str(page), str(text), str(good), "--year", "2022"])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    refusals = [ln for ln in r.output.splitlines() if "读取上限" in ln]
    assert len(refusals) == 2, r.output
    for (f, kind), line in zip(((page, "html"), (text, "text")), refusals):
        assert f"读取上限 {published.MAX_BYTES[kind] >> 20} MB" in line
        assert r.output.index(f.name) < r.output.index(line)
    assert "好.txt" in r.output  # the batch went on


def test_a_long_run_of_digits_is_left_blank_not_guessed(tmp_path):
    """140 digits for the 7 cells of a row: far too many ways to cut them. The enumeration
    stops (bounded work) and the row is left blank with a finding, never a guessed number."""
    f = tmp_path / "报告.txt"
    f.write_text(TITLE + "\n一、本年新收政府信息公开申请数量" + "1000001" * 20 + "\n", "utf-8")
    sub = read_published(f)
    row = [k for k in sub.cells if k.startswith("t3.new_received.")]
    assert row and all(sub.cells[k].value is None for k in row)
    assert sub.findings


def test_split_enumeration_is_bounded():
    """The enumeration of one run's splits stops after MAX_SPLIT_STEPS steps and says its list
    is incomplete (the caller then leaves the cells blank as undecided)."""
    run = split.Run(keys=tuple(f"k{i}" for i in range(7)), tokens=(split.Token("1000001" * 20, 0),))
    out, complete = split.splits(run)
    assert not complete
    short = split.Run(keys=("a", "b"), tokens=(split.Token("105", 0),))
    out, complete = split.splits(short)
    assert complete and sorted(tuple(v for v, _ in c) for c in out) == [(10, 5)]
