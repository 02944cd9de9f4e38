"""Issue 8 point 9: --previous takes a folder of last year's reports (matched by
unit name) for check and consolidate; a blank cell of last year's report gives
no continuity finding but an info that it could not be compared."""

from __future__ import annotations

from decimal import Decimal

from click.testing import CliRunner

from test_checker import ED, consistent_values, make_submission
from xxgk.checker import check_submission
from xxgk.cli import main
from xxgk.consolidate import consolidate
from xxgk.writer import write_report

R6 = next(i for i in ED.instances(group="previous") if i.id == "R6" and ED.cells[i.lhs[0].key].is_input)
(PREV_TERM,) = [t for t in R6.rhs if t.previous]


def write(path, unit, values, year):
    write_report(path, ED, unit=unit, unit_type="乡镇（街道）", year=year,
                 values={k: values[k] for k in ED.input_keys})


def agreeing_last_year(this):
    """Last year's figures every continuity rule agrees with."""
    last = consistent_values(7)
    for inst in ED.instances(group="previous"):
        (prev,) = [t for t in inst.rhs if t.previous]
        others = sum((t.sign * this[t.key] for t in inst.rhs if not t.previous), Decimal(0))
        last[prev.key] = sum((t.sign * this[t.key] for t in inst.lhs), Decimal(0)) - others
    return ED.compute({k: last[k] for k in ED.input_keys})


def folders(tmp_path):
    now, before = tmp_path / "报送", tmp_path / "上年"
    now.mkdir()
    before.mkdir()
    a, b = consistent_values(1), consistent_values(2)
    write(now / "甲.xlsx", "青溪区甲街道办事处", a, 2023)
    write(now / "乙.xlsx", "青溪区乙街道办事处", b, 2023)
    write(now / "丙.xlsx", "青溪区丙街道办事处", consistent_values(3), 2023)  # no report last year
    last_a = agreeing_last_year(a)
    last_b = agreeing_last_year(b)
    last_b[PREV_TERM.key] += 2  # 乙's carry-over does not follow on
    # files named unlike this year's: matched by unit name, not by file name
    write(before / "2022_1.xlsx", "青溪区乙街道办事处", last_b, 2022)
    write(before / "2022_2.xlsx", "青溪区甲街道办事处", last_a, 2022)
    return now, before


def test_check_with_a_previous_folder(tmp_path):
    now, before = folders(tmp_path)
    result = CliRunner().invoke(main, ["check", str(now), "--previous", str(before), "--year", "2023"])
    assert result.exit_code == 0, result.output
    blocks = {b.split("（")[0]: b for b in result.output.split("\n\n")}
    assert "上年" not in blocks[str(now / "甲.xlsx")]
    assert "上年结转数" in blocks[str(now / "乙.xlsx")]  # the R6 warning
    assert "没有“青溪区丙街道办事处”的报告" in blocks[str(now / "丙.xlsx")]


def test_unreadable_file_in_previous_folder_is_said_and_skipped(tmp_path):
    now, before = folders(tmp_path)
    (before / "坏.xlsx").write_bytes(b"junk")
    result = CliRunner().invoke(main, ["check", str(now / "甲.xlsx"), "--previous", str(before), "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert "坏.xlsx 无法读取" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["consolidate", str(now), "--previous", str(before), "--year", "2023",
                                       "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0 and "上年报告文件夹中 1 个文件无法读取" in result.output and "坏.xlsx" in result.output


def test_consolidate_with_a_previous_folder(tmp_path):
    now, before = folders(tmp_path)
    res = consolidate([now], out=tmp_path / "s.xlsx", year=2023, name="青溪区", previous=before)
    by_unit: dict[str, list[str]] = {}
    for unit, _, f in res.unit_findings:
        by_unit.setdefault(unit, []).append(f.code)
    assert "prev-carry-over" in by_unit["青溪区乙街道办事处"]
    assert "prev-carry-over" not in by_unit.get("青溪区甲街道办事处", [])
    assert "previous-not-found" in by_unit["青溪区丙街道办事处"]
    result = CliRunner().invoke(main, ["consolidate", str(now), "--previous", str(before), "--year", "2023",
                                       "-o", str(tmp_path / "s2.xlsx")])
    assert result.exit_code == 0, result.output


def test_blank_previous_cell_is_not_compared_as_zero():
    this = consistent_values(1)
    # an instance whose carry-over is not 0: a blank read as 0 would be a finding
    inst = next(i for i in ED.instances(group="previous")
                if i.id == "R6" and ED.cells[i.lhs[0].key].is_input and this[i.lhs[0].key] != 0)
    (prev,) = [t for t in inst.rhs if t.previous]
    last = agreeing_last_year(this)
    previous = make_submission(last, year=2022, status={prev.key: "blank"}, raw={prev.key: None})
    result = check_submission(make_submission(this), ED, previous=previous)
    assert not [f for f in result.findings if f.rule == "R6"]  # nor the 总计 column the blank is part of
    (note,) = [f for f in result.findings if f.code == "previous-blank"]
    assert note.severity == "info" and inst.rule.title in note.message and result.ok
    assert previous.cells[prev.key].address in note.message
