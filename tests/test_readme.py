"""The README's yearly workflow, run as written.

Every ``bash`` block of the section “一年的工作流程” is taken from README.md
and run line by line in a fresh folder holding a copy of ``samples/`` (roster →
templates → check → annotated copies → district summary → city summary →
published report).  A ``text`` block right after a command block is the output
the README promises: the command must print exactly that (the absolute path
of the folder shown as “/…/”).  Every other command has its outcome asserted
below, keyed by the command; a command the README gains without an
expectation here fails the test, so README and test cannot drift apart.
Between the template and the check step the test fills one generated template
as a unit would and checks that it passes.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xxgk import load_edition
from xxgk.meta import defined_name
from xxgk.synth import consistent_inputs

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## 一年的工作流程"


def workflow_blocks(text: str) -> list[tuple[list[str], str | None]]:
    """(command lines, promised output or None) of each bash block of the section."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else None]
    fences = re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S)
    out: list[tuple[list[str], str | None]] = []
    for i, (lang, body) in enumerate(fences):
        if lang != "bash":
            continue
        commands = [line.strip() for line in body.splitlines() if line.strip() and not line.startswith("#")]
        promised = fences[i + 1][1].rstrip("\n") if i + 1 < len(fences) and fences[i + 1][0] == "text" else None
        out.append((commands, promised))
    return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # the venv's xxgk script
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("NO_COLOR", None)
    return env


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=600)


def _shown(proc: subprocess.CompletedProcess, cwd: Path) -> str:
    return proc.stdout.rstrip("\n").replace(str(cwd) + os.sep, "/…/")


def _roster_units(cwd: Path) -> int:
    from xxgk.roster import read_roster

    return len(read_roster(cwd / "samples" / "名册.csv"))


def _fill_one_template(cwd: Path) -> Path:
    """Fill a generated template as a unit would (every yellow cell) and save it."""
    ed = load_edition("2021")
    path = sorted((cwd / "模板").glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    values = consistent_inputs(ed, random.Random(5))
    for key in ed.input_keys:
        sheet, ref = next(iter(wb.defined_names[defined_name(key)].destinations))
        wb[sheet][ref.replace("$", "").split(":")[0]] = int(values[key]) if values[key] == int(values[key]) \
            else float(values[key])
    filled = cwd / "已填写" / path.name
    filled.parent.mkdir()
    wb.save(filled)
    return filled


# What each command must achieve (besides printing its promised output, if any).
def _template(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    assert len(list((cwd / "模板").glob("*.xlsx"))) == _roster_units(cwd)
    filled = _fill_one_template(cwd)
    check = _run(f"xxgk check '{filled}' --year 2025", cwd)
    assert check.returncode == 0 and "结论：通过" in check.stdout, check.stdout + check.stderr


def _check_one(proc, cwd):
    assert proc.returncode == 1  # the sample has errors, exit code 1 as the README says


def _check_annotate(proc, cwd):
    assert proc.returncode == 1, proc.stderr
    copies = sorted(p.name for p in (cwd / "退回").iterdir())
    assert len(copies) == 3 and all(c.endswith("_批注.xlsx") for c in copies)
    for unit in ("东湖街道办事处", "住房和城乡建设局", "白沙镇人民政府"):
        assert any(unit in c for c in copies), copies


def _summary_passes(cwd: Path, name: str) -> None:
    summary = cwd / name
    assert summary.exists()
    check = _run(f"xxgk check '{summary}' --year 2025", cwd)
    assert check.returncode == 0, check.stdout  # the summary is itself a valid report


def _consolidate_district(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    _summary_passes(cwd, "青溪区2025年政府信息公开工作年度报告汇总.xlsx")


def _copy_to_city(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    assert (cwd / "各区" / "青溪区2025年政府信息公开工作年度报告汇总.xlsx").exists()


def _consolidate_city(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    _summary_passes(cwd, "某市2025年政府信息公开工作年度报告汇总.xlsx")


def _render(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    assert list((cwd / "发布").glob("*.docx"))


EXPECTATIONS = [
    (r"^xxgk template --roster ", _template),
    (r"^xxgk check .*--annotate ", _check_annotate),
    (r"^xxgk check ", _check_one),
    (r"^xxgk consolidate samples/submissions ", _consolidate_district),
    (r"^mkdir -p 各区 ", _copy_to_city),
    (r"^xxgk consolidate 各区 ", _consolidate_city),
    (r"^xxgk render ", _render),
]


def test_readme_workflow_runs_as_written(tmp_path):
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    blocks = workflow_blocks(README.read_text(encoding="utf-8"))
    commands = [c for cs, _ in blocks for c in cs]
    # the whole year is there, in order
    order = ["xxgk template --roster", "xxgk check", "--annotate", "xxgk consolidate samples", "xxgk consolidate 各区"]
    positions = [next(i for i, c in enumerate(commands) if step in c) for step in order]
    assert positions == sorted(positions), commands
    ran = []
    for lines, promised in blocks:
        for n, command in enumerate(lines):
            proc = _run(command, tmp_path)
            assert "Traceback" not in proc.stderr, proc.stderr
            if promised is not None and n == len(lines) - 1:
                assert _shown(proc, tmp_path) == promised, (command, proc.stdout, proc.stderr)
            expect = next((f for pattern, f in EXPECTATIONS if re.search(pattern, command)), None)
            if expect is None:
                pytest.fail(f"README 中的命令在测试中没有预期结果：{command}")
            expect(proc, tmp_path)
            ran.append(command)
    assert len(ran) == len(commands)
