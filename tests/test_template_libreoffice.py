"""LibreOffice recalculates the template's formulas and live checks correctly."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xxgk.meta import defined_name
from xxgk.template import write_template
from xxgk.checker import check_submission
from xxgk.reader import read_workbook
from xxgk.writer import CHECK_DIFF_COL, CHECK_STATUS_COL, MARK_FILL, check_rows, write_report

from test_template import ED, FAIL, LAYOUTS, PASS, difference, random_values, value_of

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")]

# Profile setting: always recalculate OOXML files on load (never trust caches).
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def lo_recalculate(paths: list[Path], workdir: Path) -> list[Path]:
    """Open and re-save every file with LibreOffice in one call; return the copies."""
    profile = workdir / "lo_profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = workdir / "recalculated"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    "xlsx:Calc Office Open XML", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=180)
    results = [out / p.name for p in paths]
    assert all(p.exists() for p in results), "LibreOffice did not convert every file"
    return results


def fill_with_openpyxl(template: Path, values: dict, out: Path) -> Path:
    """Type values into a blank template the way a user would (openpyxl keeps no cached values)."""
    wb = openpyxl.load_workbook(template)
    for key, value in values.items():
        sheet, addr = wb.defined_names[defined_name(key)].value.split("!")
        wb[sheet.strip("'")][addr.replace("$", "")] = float(value) if isinstance(value, Decimal) else value
    wb.save(out)
    return out


def _status(wb) -> dict[str, tuple[str, float]]:
    ws = wb[ED.checks_sheet]
    diff_col, status_col = CHECK_DIFF_COL + 1, CHECK_STATUS_COL + 1
    return {inst.instance_id: (ws.cell(r + 1, status_col).value, ws.cell(r + 1, diff_col).value)
            for r, inst in check_rows(ED)}


def _assert_formulas(wb, values) -> None:
    for key in ED.formula_keys:
        cell = ED.cells[key]
        reg = LAYOUTS[cell.table.key].cells[key]
        got = wb[cell.table.sheet].cell(reg.r1 + 1, reg.c1 + 1).value
        assert got is not None and Decimal(str(got)) == value_of(key, values), key


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lo")
    good, other = random_values(seed=11), random_values(seed=12)
    broken = dict(good)
    inst = next(i for i in ED.instances(group="hard", kind="equation")
                if not i.rule.params.get("formula") and any(ED.cells[t.key].is_input for t in i.rhs))
    bumped = next(t.key for t in inst.rhs if ED.cells[t.key].is_input)
    broken[bumped] += 3
    write_report(tmp / "good.xlsx", unit="甲", year=2025, values=good)
    write_report(tmp / "broken.xlsx", unit="甲", year=2025, values=broken)
    blank = write_template(tmp / "blank.xlsx", unit="乙", year=2025)
    typed = fill_with_openpyxl(blank, other, tmp / "typed.xlsx")
    files = lo_recalculate([tmp / "good.xlsx", tmp / "broken.xlsx", typed], tmp)
    loaded = {p.stem: openpyxl.load_workbook(p, data_only=True) for p in files}
    loaded["paths"] = {p.stem: p for p in files}
    return loaded, {"good": good, "broken": broken, "typed": other, "inst": inst}


@pytest.mark.parametrize("name", ["good", "typed"])
def test_formulas_and_checks_recalculated(recalculated, name):
    books, values = recalculated
    _assert_formulas(books[name], values[name])
    assert {s for s, _ in _status(books[name]).values()} == {PASS}


def test_injected_inconsistency_fails_exactly_its_checks(recalculated):
    books, values = recalculated
    _assert_formulas(books["broken"], values["broken"])
    expected = {i.instance_id: difference(i, values["broken"]) for _, i in check_rows(ED)}
    status = _status(books["broken"])
    failed = {k for k, (s, _) in status.items() if s == FAIL}
    assert failed == {k for k, d in expected.items() if d != 0} and failed
    for k in failed:
        assert Decimal(str(status[k][1])) == expected[k]
    assert {s for k, (s, _) in status.items() if k not in failed} == {PASS}


@pytest.mark.parametrize("name", ["good", "typed", "broken"])
def test_checker_agrees_with_the_recalculated_file(recalculated, name):
    """The file as LibreOffice saved it (cached results its own) checks as ours:
    no stale cache, no changed formula; only the injected rule fails."""
    books, values = recalculated
    result = check_submission(read_workbook(books["paths"][name]))
    codes = {f.code for f in result.findings}
    assert not codes & {"stale-cache", "formula-changed", "formula-changed-wrong", "names-missing", "wrong-edition", "template-version"}
    failed = {f.rule for f in result.errors}
    assert failed == ({values["inst"].id} if name == "broken" else set())


def _pink_pixels(ppm: Path) -> int:
    """Pixels of the mark fill (#FFC7CE) in a binary PPM page image."""
    data = ppm.read_bytes()
    parts = data.split(maxsplit=4)  # P6, width, height, maxval, pixels
    width, height, pixels = int(parts[1]), int(parts[2]), parts[4]
    target = bytes.fromhex(MARK_FILL.lstrip("#"))
    return sum(1 for i in range(0, width * height * 3, 3) if pixels[i:i + 3] == target)


def test_conditional_formatting_as_libreoffice_shows_it(recalculated, tmp_path):
    """Rendered by LibreOffice: a consistent report has no red mark anywhere,
    a broken one has (the conditional formats and the 校验 status)."""
    books, _ = recalculated
    profile = tmp_path / "lo_profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    paths = [books["paths"]["good"], books["paths"]["broken"]]
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, paths)], check=True, capture_output=True, timeout=180)
    pink = {}
    for p in paths:
        subprocess.run(["pdftoppm", "-r", "20", str(tmp_path / f"{p.stem}.pdf"), str(tmp_path / p.stem)],
                       check=True, capture_output=True, timeout=120)
        pink[p.stem] = sum(_pink_pixels(f) for f in tmp_path.glob(f"{p.stem}-*.ppm"))
    assert pink["good"] == 0 and pink["broken"] > 0
