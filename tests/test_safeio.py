"""Nothing is lost: atomic writes, and outputs that would destroy an input are refused (exit 2)."""

from __future__ import annotations

import csv
import hashlib
import os
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xxgk import load_edition
from xxgk.cli import main
from xxgk.safeio import TEMP_PREFIX, OutputIsInput, atomic_output, refuse_overwriting_inputs
from xxgk.synth import consistent_inputs
from xxgk.template import template_file_name


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


@pytest.fixture
def filled(ed, tmp_path):
    from xxgk.writer import write_report

    d = tmp_path / "报送"
    d.mkdir()
    for i, name in enumerate(["青溪区甲街道", "青溪区乙街道", "青溪区丙街道"]):
        # returned under the name the roster template had
        write_report(d / template_file_name(name, 2023), ed, unit=name, unit_type="乡镇（街道）", year=2023,
                     values=consistent_inputs(ed, random.Random(i)))
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,单位类型\n青溪区甲街道,乡镇（街道）\n青溪区乙街道,乡镇（街道）\n青溪区丙街道,乡镇（街道）\n",
                      encoding="utf-8")
    return d, roster


# -- atomic_output -------------------------------------------------------------------


def test_success_replaces_and_keeps_permissions(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    os.chmod(target, 0o640)
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".csv" and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing at the target until complete
    assert target.read_text() == "new"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt, OSError])
def test_failure_keeps_previous_file_and_leaves_nothing(tmp_path, error):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"previous good summary")
    with pytest.raises(error):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half a summ")
            raise error()
    assert target.read_bytes() == b"previous good summary"
    assert not leftovers(tmp_path)


def test_failure_without_previous_file_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        with atomic_output(tmp_path / "new.xlsx"):
            raise ValueError
    assert list(tmp_path.iterdir()) == []


def test_new_file_gets_ordinary_permissions(tmp_path):
    with atomic_output(tmp_path / "x.txt") as tmp:
        tmp.write_text("x")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(tmp_path / "x.txt").st_mode & 0o777 == 0o666 & ~mask


def test_every_writer_we_use(tmp_path):
    import docx
    import pandas as pd
    import xlsxwriter

    with atomic_output(tmp_path / "x1.xlsx") as tmp:
        wb = xlsxwriter.Workbook(tmp)
        wb.add_worksheet().write(0, 0, 1)
        wb.close()
    with atomic_output(tmp_path / "x2.xlsx") as tmp:
        wb = openpyxl.Workbook()
        wb.active["A1"] = 2
        wb.save(tmp)
    with atomic_output(tmp_path / "x3.csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(["a", 3])
    with atomic_output(tmp_path / "x4.csv") as tmp:
        pd.DataFrame({"a": [4]}).to_csv(tmp, index=False)
    with atomic_output(tmp_path / "x5.docx") as tmp:
        d = docx.Document()
        d.add_paragraph("五")
        d.save(tmp)
    assert openpyxl.load_workbook(tmp_path / "x1.xlsx").active["A1"].value == 1
    assert openpyxl.load_workbook(tmp_path / "x2.xlsx").active["A1"].value == 2
    assert (tmp_path / "x3.csv").read_text(encoding="utf-8").strip() == "a,3"
    assert pd.read_csv(tmp_path / "x4.csv")["a"][0] == 4
    assert docx.Document(tmp_path / "x5.docx").paragraphs[0].text == "五"
    assert not leftovers(tmp_path)


def test_interrupted_summary_keeps_previous(ed, filled, tmp_path, monkeypatch):
    """A summary interrupted while being written (Ctrl-C) leaves the earlier summary whole."""
    from xxgk import summary_sheets
    from xxgk.consolidate import consolidate

    folder, _ = filled
    out = tmp_path / "汇总.xlsx"
    consolidate([folder], out=out, name="青溪区", jobs=1)
    before = out.read_bytes()

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(summary_sheets, "_charts_sheet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        consolidate([folder], out=out, name="青溪区", jobs=1)
    assert out.read_bytes() == before
    assert not leftovers(tmp_path)


# -- refuse_overwriting_inputs ---------------------------------------------------------


def test_guard_sees_through_links_and_dots(tmp_path):
    a = tmp_path / "sub" / "a.xlsx"
    a.parent.mkdir()
    a.write_bytes(b"x")
    link = tmp_path / "link.xlsx"
    link.symlink_to(a)
    for out in (a, tmp_path / "sub" / ".." / "sub" / "a.xlsx", link):
        with pytest.raises(OutputIsInput, match="不能覆盖输入文件"):
            refuse_overwriting_inputs([out], [None, a])
    refuse_overwriting_inputs([tmp_path / "b.xlsx", None], [a, link])  # no error


def test_consolidate_out_is_a_submission(filled):
    folder, _ = filled
    before = digest(folder)
    victim = folder / template_file_name("青溪区甲街道", 2023)
    result = run("consolidate", folder, "--out", victim)
    assert result.exit_code == 2, result.output
    assert "不能覆盖" in result.output and "Traceback" not in result.output
    assert digest(folder) == before
    result = run("consolidate", victim, folder / template_file_name("青溪区乙街道", 2023), "--out", victim)
    assert result.exit_code == 2 and digest(folder) == before


def test_consolidate_long_onto_roster_or_input(filled):
    folder, roster = filled
    before = roster.read_bytes()
    result = run("consolidate", folder, "--roster", roster, "--long", roster, "--out", folder.parent / "s.xlsx")
    assert result.exit_code == 2 and "不能覆盖输入文件" in result.output
    assert roster.read_bytes() == before and not (folder.parent / "s.xlsx").exists()


def test_consolidate_may_replace_its_own_summary(filled):
    folder, _ = filled
    out = folder / "青溪区汇总.xlsx"  # the summary kept next to the submissions
    assert run("consolidate", folder, "--name", "青溪区", "--out", out).exit_code == 0
    again = run("consolidate", folder, "--name", "青溪区", "--out", out)
    assert again.exit_code == 0, again.output
    assert "已汇总 3 个单位" in again.output
    assert openpyxl.load_workbook(out).sheetnames


def test_template_never_replaces_filled_workbooks(filled):
    folder, roster = filled
    before = digest(folder)
    result = run("template", "--roster", roster, "--out", folder, "--year", 2023)
    assert result.exit_code == 2, result.output
    assert "不能覆盖" in result.output and "Traceback" not in result.output
    result = run("template", "--roster", roster, "--out", folder, "--year", 2023, "--force")
    assert result.exit_code == 2
    result = run("template", "--out", folder / template_file_name("青溪区甲街道", 2023), "--force")
    assert result.exit_code == 2 and "已填报" in result.output
    assert digest(folder) == before


def test_template_over_blank_template_needs_force(tmp_path):
    out = tmp_path / "模板.xlsx"
    assert run("template", "--out", out).exit_code == 0
    before = out.read_bytes()
    result = run("template", "--out", out)
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_bytes() == before
    assert run("template", "--out", out, "--force").exit_code == 0


def test_roster_templates_over_their_own_blank_templates(filled, tmp_path):
    _, roster = filled
    out = tmp_path / "模板"
    assert run("template", "--roster", roster, "--out", out).exit_code == 0
    assert run("template", "--roster", roster, "--out", out).exit_code == 2
    assert run("template", "--roster", roster, "--out", out, "--force").exit_code == 0
    assert len(list(out.glob("*.xlsx"))) == 3 and not leftovers(out)


def test_template_does_not_replace_other_files(tmp_path):
    out = tmp_path / "notes.xlsx"
    out.write_bytes(b"not a workbook at all")
    assert run("template", "--out", out, "--force").exit_code == 2
    assert out.read_bytes() == b"not a workbook at all"


def test_annotate_onto_an_input(filled):
    folder, _ = filled
    before = digest(folder)
    one = folder / template_file_name("青溪区甲街道", 2023)
    result = run("check", one, "--annotate", one)
    assert result.exit_code == 2 and "不能覆盖输入文件" in result.output
    assert digest(folder) == before
