"""The shipped samples: in sync with their generator, and checked as promised.

The README's demo runs on these files, so the deliberate mistakes must be
found and the consistent reports must pass.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

from xxgk.catalog import rules_markdown
from xxgk.checker import check_submission
from xxgk.cli import main
from xxgk.reader import read_workbook

from test_template import _content

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SUBMISSIONS = SAMPLES / "submissions"
MISTAKEN = {"青溪区东湖街道办事处", "青溪区住房和城乡建设局"}


def check(path: Path, previous: Path | None = None):
    prev = read_workbook(previous) if previous else None
    return check_submission(read_workbook(path), previous=prev)


def codes(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.findings:
        out.setdefault(f.code, []).append(f)
    return out


def by_unit(unit: str) -> Path:
    (path,) = SUBMISSIONS.glob(f"*{unit}*.xlsx")
    return path


def test_samples_are_current(tmp_path):
    runpy.run_path(str(SAMPLES / "generate.py"))["main"](tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*")
                       if p.is_file() and p.suffix in (".xlsx", ".csv"))
    assert fresh == committed, "样例已过期：运行 python samples/generate.py"
    for rel in fresh:
        if rel.suffix == ".csv":
            assert (tmp_path / rel).read_bytes() == (SAMPLES / rel).read_bytes()
        else:
            assert _content(tmp_path / rel) == _content(SAMPLES / rel), f"{rel} 已过期"


def test_district_has_eight_bodies_and_a_missing_one():
    units = {read_workbook(p).unit for p in SUBMISSIONS.glob("*.xlsx")}
    assert len(units) >= 8
    roster = (SAMPLES / "名册.csv").read_text("utf-8-sig")
    missing = [line.split(",")[0] for line in roster.splitlines()[1:] if line.split(",")[0] not in units]
    assert len(missing) == 1


def test_consistent_samples_pass_without_errors():
    for path in SUBMISSIONS.glob("*.xlsx"):
        result = check(path)
        if result.submission.unit not in MISTAKEN:
            assert not result.errors, (path.name, [f.message for f in result.errors])


def test_balance_mistake_and_blank_cell_are_found():
    found = codes(check(by_unit("东湖街道")))
    (balance,) = [f for f in found["t3-balance"] if "natural_person" in f.keys[0]]
    assert balance.difference == -2 and balance.severity == "error"
    assert [f.keys for f in found["cell-blank"]] == [["t2.enforcement.decisions"]]


def test_typed_total_and_text_in_number_cell_are_found():
    found = codes(check(by_unit("住房和城乡建设局")))
    (typed,) = found["total-typed-wrong"]
    assert typed.keys[0] == "t3.granted.total" and typed.actual == 30 and typed.severity == "error"
    (text,) = found["number-in-text"]
    assert text.keys == ["t3.new_received.commercial"] and "件" in text.message


def test_plausibility_warnings_only_for_the_township():
    result = check(by_unit("白沙镇"))
    assert not result.errors
    assert {"rules-by-level", "fee-magnitude", "cell-blank"} <= set(codes(result))


def test_previous_year_check_finds_the_corrected_carry_over():
    previous = next((SAMPLES / "previous").glob("*.xlsx"))
    found = codes(check(by_unit("自然资源局"), previous))
    assert {f.keys[0] for f in found["prev-carry-over"]} == {"t3.carried_over.commercial", "t3.carried_over.total"}
    assert "prev-in-force" not in found


def test_seed_report_reads_as_published():
    (path,) = (SAMPLES / "seed").glob("*.xlsx")
    result = check(path)
    sub = result.submission
    assert (sub.unit, sub.year) == ("湛北路街道办事处", 2021)
    assert "依申请公开" in sub.prose["overview"] and sub.prose["other_matters"].startswith("2021年度")
    assert not result.errors
    assert [f.keys for f in codes(result)["cell-blank"]] == [["t2.normative_docs.in_force"]]


def test_rules_doc_is_generated_from_the_edition():
    doc = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert doc == rules_markdown(), "docs/rules.md 已过期：运行 xxgk rules > docs/rules.md"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and main.commands[command].help
    assert f"xxgk {command}" in (ROOT / "README.md").read_text("utf-8")
