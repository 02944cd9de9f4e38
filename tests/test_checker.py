"""The checker, on Submissions built directly (no workbook involved)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from xxgk import load_edition
from xxgk.checker import CheckResult, check_submission, check_values, fmt_number
from xxgk.layout import layouts
from xxgk.synth import consistent_inputs
from xxgk.submission import CellValue, Submission

ED = load_edition("2021")
POS = {k: (lay.table.sheet, reg.ref) for lay in layouts(ED).values() for k, reg in lay.cells.items()}
AMOUNT_KEYS = [k for k, c in ED.cells.items() if c.value_type == "amount"]
COUNT_INPUTS = [k for k in ED.input_keys if ED.cells[k].value_type == "count"]
# a unit type for which no plausibility rule fires on a consistent report
PERMISSIVE = next(u for u in ED.unit_types if all(v is True or isinstance(v, int) and v > 10**6
                                                  for v in u.flags.values()))
RESTRICTED = next(u for u in ED.unit_types if not all(v is True for v in u.flags.values() if isinstance(v, bool)))


def instances(rule_id: str):
    return [i for i in ED.rule_instances if i.id == rule_id]


def compute_totals(values: dict[str, Decimal]) -> dict[str, Decimal]:
    """Every cell, formula cells recomputed from their items."""
    return ED.compute(values)


def consistent_values(seed: int = 1) -> dict[str, Decimal]:
    """Random figures (every cell) that satisfy every hard rule."""
    return ED.compute(consistent_inputs(ED, random.Random(seed), scale=5, zero_share=0.1))


def make_submission(values: dict[str, Decimal] | None = None, *, ours: bool = True, unit_type: str | None = None,
                    prose: dict[str, str] | None = None, year: int = 2023, raw: dict | None = None,
                    status: dict | None = None, formula: bool = True, cached: dict | None = None,
                    typed: dict | None = None) -> Submission:
    """A Submission as the reader would return it.

    ``raw``/``status`` override what an input cell held; ``typed`` puts a
    number in a formula cell (no formula); ``cached`` sets a formula's cached value.
    """
    values = dict(values if values is not None else consistent_values())
    raw, status, cached, typed = raw or {}, status or {}, cached or {}, typed or {}
    cells = {}
    for key, spec in ED.cells.items():
        sheet, addr = POS[key]
        v = values.get(key)
        if key in typed:
            v = typed[key]
        cv = CellValue(key, sheet, addr, raw=int(v) if v is not None and v == int(v) else v, value=v)
        if not spec.is_input and ours and formula and key not in typed:
            cv.formula = "SUM(" + ",".join(POS[k][1] for k in spec.formula_terms) + ")"
            cv.cached = cached.get(key, v)
        if key in raw:
            cv.raw = raw[key]
        if key in status:
            cv.status = status[key]
            if status[key] in ("blank", "placeholder", "unreadable"):
                cv.value = None
        cells[key] = cv
    return Submission(
        path="测试单位.xlsx", edition=ED.edition, year=year, unit="测试单位",
        unit_type=unit_type or PERMISSIVE.label, ours=ours, cells=cells,
        info={"unit": "测试单位", "unit_type": unit_type or PERMISSIVE.label, "year": str(year)},
        prose=prose if prose is not None else {s.key: "本年度依法做好政府信息公开工作。" for s in ED.prose_sections},
    )


def only(result: CheckResult | list, code: str):
    findings = result.findings if isinstance(result, CheckResult) else result
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [(f.code, f.where, f.message) for f in findings]
    return found[0]


def codes(result) -> list[str]:
    findings = result.findings if isinstance(result, CheckResult) else result
    return [f.code for f in findings]


def broken(values: dict[str, Decimal], key: str, delta: int = 1) -> dict[str, Decimal]:
    out = dict(values)
    out[key] += delta
    return out


# -- the consistent report ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ours", [True, False])
def test_consistent_random_report_has_no_findings(seed, ours):
    result = check_submission(make_submission(consistent_values(seed), ours=ours), ED, expected_year=2023)
    assert result.findings == []
    assert result.verdict == "通过" and result.ok and result.status == "passed"


def test_values_are_effective_numbers():
    values = consistent_values(3)
    result = check_submission(make_submission(values), ED)
    assert result.values == values


# -- R1 R2 R4: totals computed by formulas ---------------------------------------


@pytest.mark.parametrize("rule_id", ["R1", "R2", "R4"])
def test_typed_total_rule_broken_in_not_ours_workbook_reports_once(rule_id):
    inst = instances(rule_id)[0]
    target = inst.lhs[0].key
    values = broken(consistent_values(), target, 3)
    result = check_submission(make_submission(values, ours=False), ED)
    found = [f for f in result.findings if f.rule == rule_id]
    assert len(found) == 1
    f = found[0]
    assert f.code == inst.rule.code and f.severity == "error"
    assert f.difference == 3 and f.actual - f.expected == 3
    assert f.keys == list(inst.keys)
    assert f.sheet == POS[target][0] and POS[target][1] in f.cells
    assert f.cells == [POS[k][1] for k in inst.keys]
    assert inst.labels and all(label in f.message for label in inst.labels.values())
    assert "{" not in f.message


@pytest.mark.parametrize("rule_id", ["R1", "R2", "R4"])
def test_row_rule_broken_by_an_item_reports_exactly_one_finding_for_that_row(rule_id):
    inst = instances(rule_id)[1]
    item = inst.rhs[0].key
    assert ED.cells[item].is_input
    values = consistent_values()
    typed = {k: values[k] for k in ED.formula_keys}
    values[item] += 2  # an item changed, the typed total not updated
    result = check_submission(make_submission(values, ours=False, typed=typed), ED)
    rule_findings = [f for f in result.findings if f.rule == rule_id]
    assert len(rule_findings) == 1
    assert rule_findings[0].difference == -2
    assert rule_findings[0].keys == list(inst.keys)


def test_formula_rules_hold_by_construction_in_our_workbook():
    values = consistent_values()
    for key in ED.formula_keys:
        values[key] = Decimal(999)  # whatever the reader says, our formulas are recomputed
    result = check_submission(make_submission(values), ED)
    assert not [f for f in result.findings if f.rule in ("R1", "R2", "R4")]


# -- R3 ---------------------------------------------------------------------------


def test_r3_balance_broken():
    inst = instances("R3")[0]
    key = inst.lhs[0].key
    values = compute_totals(broken(consistent_values(), key, 5))
    result = check_submission(make_submission(values), ED)
    r3 = [f for f in result.findings if f.rule == "R3"]
    # the applicant column and the 总计 column both break
    total_col = next(i for i in instances("R3") if not ED.cells[i.lhs[0].key].is_input)
    assert sorted(f.keys[0] for f in r3) == sorted([key, total_col.lhs[0].key])
    f = next(f for f in r3 if f.keys[0] == key)
    assert f.severity == "error" and f.code == "t3-balance"
    assert f.difference == 5 and f.actual == f.expected + 5
    assert f.cells == [POS[k][1] for k in inst.keys]
    assert len(result.errors) == 2 and result.verdict == "有 2 处错误" and not result.ok


def test_r3_uses_typed_total_not_the_sum():
    """A typed (wrong) total is what the report shows: R3 uses it."""
    values = consistent_values()
    inst = next(i for i in instances("R3") if ED.cells[i.lhs[0].key].is_input)
    total = inst.rhs[0].key  # （七）总计 of that column, a formula cell
    assert not ED.cells[total].is_input
    typed = {total: values[total] + 4}
    result = check_submission(make_submission(values, typed=typed), ED)
    assert only(result, "total-typed-wrong").difference == 4
    r3 = [f for f in result.findings if f.rule == "R3"]
    # its column, and the 总计 column (whose grand total adds the typed number)
    assert r3[0].keys[0] == inst.lhs[0].key and r3[0].difference == -4
    assert len(r3) == 2 and not ED.cells[r3[1].keys[0]].is_input


# -- R5 and its codes ----------------------------------------------------------------


def _one_cell(key, raw, status="ok", value="same", **kw):
    values = consistent_values()
    if value != "same":
        values[key] = value
        values = compute_totals(values)
    return check_submission(make_submission(values, raw={key: raw}, status={key: status}, **kw), ED)


def test_negative_count():
    key = COUNT_INPUTS[0]
    result = _one_cell(key, -2, value=Decimal(-2))
    f = only(result, "negative")
    assert f.rule == "R5" and f.severity == "error" and f.cells == [POS[key][1]] and f.sheet == POS[key][0]
    assert "-2" in f.message and ED.cells[key].label in f.message


def test_fraction_in_count():
    key = COUNT_INPUTS[3]
    f = only(_one_cell(key, 1.5, value=Decimal("1.5")), "fraction-in-count")
    assert f.rule == "R5" and f.severity == "error" and f.cells == [POS[key][1]]
    assert "整数" in f.message and "1.5" in f.message


def test_whole_float_is_not_a_fraction():
    key = COUNT_INPUTS[3]
    result = _one_cell(key, 3.0, value=Decimal("3.0"))
    assert result.findings == []


def test_too_many_decimals_uses_setting_and_override():
    key = AMOUNT_KEYS[0]
    result = _one_cell(key, 1.23456, value=Decimal("1.23456"))
    f = only(result, "too-many-decimals")
    assert f.severity == "warning" and f.rule == "R5" and f.cells == [POS[key][1]]
    assert "4 位小数" in f.message
    assert _one_cell(key, 1.2345, value=Decimal("1.2345")).findings == []
    values = consistent_values()
    values[key] = Decimal("1.23456")
    assert check_submission(make_submission(values), ED, fee_decimals=6).findings == []
    assert codes(check_submission(make_submission(values), ED, fee_decimals=2)) == ["too-many-decimals"]


def test_text_not_number_counts_as_zero_and_says_so():
    inst = instances("R1")[0]
    key = inst.rhs[0].key
    values = consistent_values()
    values[key] = Decimal(0)
    values = compute_totals(values)
    result = check_submission(make_submission(values, raw={key: "见附件"}, status={key: "unreadable"}), ED)
    f = only(result, "text-not-number")
    assert f.severity == "error" and f.cells == [POS[key][1]] and "见附件" in f.message and "0" in f.message
    assert result.values[key] == 0


def test_number_in_text():
    key = COUNT_INPUTS[0]
    result = _one_cell(key, "12件", status="text-number", value=Decimal(12))
    f = only(result, "number-in-text")
    assert f.severity == "warning" and f.rule is None and f.cells == [POS[key][1]]
    assert "12件" in f.message and "12" in f.message
    assert result.values[key] == 12 and result.ok


def test_plain_number_is_not_number_in_text():
    assert "number-in-text" not in codes(_one_cell(COUNT_INPUTS[0], 7, value=Decimal(7)))


def test_amount_in_yuan_is_converted():
    key = AMOUNT_KEYS[0]
    values = consistent_values()
    values[key] = Decimal("25.1")  # the reader converts into the column's unit (万元) and says so
    sub = make_submission(values, raw={key: "251000元"}, status={key: "text-number"}, unit_type=RESTRICTED.label)
    sub.cells[key].unit = "元"
    result = check_submission(sub, ED)
    f = only(result, "amount-in-yuan")
    assert f.severity == "warning" and f.cells == [POS[key][1]] and "25.1" in f.message
    assert f.expected == Decimal("25.1") and f.actual == 251000
    assert result.values[key] == Decimal("25.1")
    assert "number-in-text" not in codes(result) and "fee-magnitude" not in codes(result)


def test_amount_in_wan_yuan_is_not_amount_in_yuan():
    key = AMOUNT_KEYS[0]
    result = _one_cell(key, "25.1万元", status="text-number", value=Decimal("25.1"))
    assert codes(result) == ["number-in-text"]


# -- R11 --------------------------------------------------------------------------


@pytest.mark.parametrize("status,raw,what", [("blank", None, "未填写"), ("placeholder", "/", "“/”")])
def test_r11_blank_or_placeholder(status, raw, what):
    key = COUNT_INPUTS[0]
    values = consistent_values()
    values[key] = Decimal(0)
    values = compute_totals(values)
    result = check_submission(make_submission(values, raw={key: raw}, status={key: status}), ED)
    f = only(result, "cell-blank")
    assert f.rule == "R11" and f.severity == "warning" and f.cells == [POS[key][1]]
    assert what in f.message and "按 0" in f.message
    assert result.ok and result.verdict == "通过（有 1 条提醒）"


def test_r11_zero_is_not_blank():
    assert "cell-blank" not in codes(_one_cell(COUNT_INPUTS[0], 0, value=Decimal(0)))


def test_equation_with_blank_item_says_it_counted_as_zero():
    inst = instances("R1")[0]
    item = inst.rhs[0].key
    values = consistent_values()
    values[item] = Decimal(3)
    values = compute_totals(values)
    typed = {k: values[k] for k in ED.formula_keys}
    result = check_submission(make_submission(values, ours=False, typed=typed, raw={item: None},
                                              status={item: "blank"}), ED)
    r1 = [f for f in result.findings if f.rule == "R1"]
    assert len(r1) == 1 and POS[item][1] in r1[0].message and "按 0" in r1[0].message


# -- totals in our workbooks ---------------------------------------------------------


def test_total_typed_equal_is_a_warning():
    inst = instances("R1")[0]
    target = inst.lhs[0].key
    values = consistent_values()
    result = check_submission(make_submission(values, typed={target: values[target]}), ED)
    f = only(result, "total-typed")
    assert f.severity == "warning" and f.rule == "R1" and f.cells == [POS[target][1]]
    assert f.difference == 0 and result.ok


def test_total_typed_wrong_is_one_error_and_replaces_the_rule_finding():
    inst = instances("R4")[2]
    target = inst.lhs[0].key
    values = consistent_values()
    result = check_submission(make_submission(values, typed={target: values[target] + 1}), ED)
    f = only(result, "total-typed-wrong")
    assert f.severity == "error" and f.rule == "R4" and f.difference == 1
    assert f.cells == [POS[k][1] for k in inst.keys]
    assert codes(result) == ["total-typed-wrong"]
    assert result.values[target] == values[target] + 1


def test_not_ours_typed_totals_give_no_total_typed_findings():
    values = consistent_values()
    result = check_submission(make_submission(values, ours=False), ED)
    assert not {"total-typed", "total-typed-wrong"} & set(codes(result))


@pytest.mark.parametrize("ours", [True, False])
def test_total_blank_is_computed(ours):
    inst = instances("R1")[0]
    target = inst.lhs[0].key
    values = consistent_values()
    result = check_submission(make_submission(values, ours=ours, raw={target: None}, status={target: "blank"},
                                              typed={target: None}), ED)
    f = only(result, "total-blank")
    assert f.severity == "warning" and f.cells == [POS[target][1]] and f.expected == values[target]
    assert result.values[target] == values[target]
    assert codes(result) == ["total-blank"]


def test_stale_cache():
    inst = instances("R4")[0]
    target = inst.lhs[0].key
    values = consistent_values()
    result = check_submission(make_submission(values, cached={target: values[target] + 7}), ED)
    f = only(result, "stale-cache")
    assert f.severity == "warning" and f.cells == [POS[target][1]]
    assert f.difference == 7 and f.expected == values[target]
    assert codes(result) == ["stale-cache"]


def test_cache_explained_by_text_item_is_not_stale():
    inst = instances("R4")[0]
    target, item = inst.lhs[0].key, inst.rhs[0].key
    values = consistent_values()
    values[item] = Decimal(4)
    values = compute_totals(values)
    sub = make_submission(values, raw={item: "4件"}, status={item: "text-number"},
                          cached={target: values[target] - 4})  # Excel sums the text as 0
    assert codes(check_submission(sub, ED)) == ["number-in-text"]


# -- R6 R7: previous year -----------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["R6", "R7"])
def test_previous_year_rules(rule_id):
    this = consistent_values(1)
    last = consistent_values(2)
    # make last year agree with this year for every previous-year instance
    for inst in instances(rule_id) + [i for i in ED.instances(group="previous") if i.id != rule_id]:
        (prev_term,) = [t for t in inst.rhs if t.previous]
        others = sum((t.sign * this[t.key] for t in inst.rhs if not t.previous), Decimal(0))
        last[prev_term.key] = sum((t.sign * this[t.key] for t in inst.lhs), Decimal(0)) - others
    previous = make_submission(compute_totals(last), year=2022)
    sub = make_submission(this)
    assert check_submission(sub, ED).findings == []  # no previous report: no previous rules
    assert check_submission(sub, ED, previous=previous).findings == []
    inst = next(i for i in instances(rule_id) if ED.cells[i.lhs[0].key].is_input)
    (prev_term,) = [t for t in inst.rhs if t.previous]
    last[prev_term.key] += 2
    previous = make_submission(compute_totals(last), year=2022)
    result = check_submission(sub, ED, previous=previous)
    found = [f for f in result.findings if f.rule == rule_id and f.keys == list(inst.keys)]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "warning" and f.difference == -2 and f.cells == [POS[k][1] for k in inst.keys]
    assert result.ok


def test_previous_report_of_another_unit_is_not_compared():
    this, last = consistent_values(1), consistent_values(2)
    previous = make_submission(last, year=2022)
    previous.unit = "另一个单位"
    result = check_submission(make_submission(this), ED, previous=previous)
    assert codes(result) == ["previous-other-unit"] and result.findings[0].severity == "info"
    assert "另一个单位" in result.findings[0].message and result.verdict == "通过"


# -- R8 R9 R10 R12: plausibility -----------------------------------------------------


def _rule_key(rule_id):
    return ED.rule(rule_id).params["key"]


def test_r8_rules_by_level():
    rule = ED.rule("R8")
    key = rule.params["key"]
    no = next(u for u in ED.unit_types if not u.flags[rule.params["flag"]])
    yes = next(u for u in ED.unit_types if u.flags[rule.params["flag"]])
    values = consistent_values()
    values[key] = Decimal(2)
    values = compute_totals(values)
    f = only(check_submission(make_submission(values, unit_type=no.label), ED), rule.code)
    assert f.rule == "R8" and f.severity == "warning" and f.cells == [POS[key][1]] and no.label in f.message
    assert rule.code not in codes(check_submission(make_submission(values, unit_type=yes.label), ED))
    values[key] = Decimal(0)
    assert rule.code not in codes(check_submission(make_submission(compute_totals(values), unit_type=no.label), ED))


def test_r9_fee_magnitude():
    rule = ED.rule("R9")
    key = rule.params["key"]
    unit = min(ED.unit_types, key=lambda u: u.flags[rule.params["limit"]])
    limit = Decimal(unit.flags[rule.params["limit"]])
    values = consistent_values()
    values[key] = limit + 1
    f = only(check_submission(make_submission(values, unit_type=unit.label), ED), rule.code)
    assert f.rule == "R9" and f.cells == [POS[key][1]] and f.actual == limit + 1
    values[key] = limit
    assert rule.code not in codes(check_submission(make_submission(values, unit_type=unit.label), ED))


def test_r10_unpaid_fee_vs_prose():
    rule = ED.rule("R10")
    key, section = rule.params["key"], rule.params["section"]
    item = next(k for k in ED.cells[key].formula_terms)
    values = consistent_values()
    for k in ED.cells[key].formula_terms:
        values[k] = Decimal(0)
    values[item] = Decimal(1)
    values = compute_totals(values)
    prose = {s.key: "" for s in ED.prose_sections}
    prose[section] = "本年度未收取信息处理费。"
    sub = make_submission(values, prose=prose)
    result = check_submission(sub, ED)
    f = only(result, rule.code)
    assert f.rule == "R10" and f.severity == "warning" and f.actual == 1 and POS[key][1] in f.cells
    prose[section] = "本年度共收取信息处理费 200 元。"
    assert rule.code not in codes(check_submission(make_submission(values, prose=prose), ED))


def test_r12_prose_length():
    rule = ED.rule("R12")
    section = ED.prose_section(rule.params["section"])
    prose = {s.key: "" for s in ED.prose_sections}
    prose[section.key] = "字" * (section.max_chars + 1)
    f = only(check_submission(make_submission(prose=prose), ED), rule.code)
    assert f.rule == "R12" and f.sheet == ED.prose_sheet and f.actual == section.max_chars + 1
    assert str(section.max_chars) in f.message
    prose[section.key] = "字" * section.max_chars + "\n  "
    assert rule.code not in codes(check_submission(make_submission(prose=prose), ED))


# -- year ---------------------------------------------------------------------------


def test_wrong_year():
    sub = make_submission(year=2022)
    f = only(check_submission(sub, ED, expected_year=2023), "wrong-year")
    assert f.severity == "error" and "2023" in f.message and "2022" in f.message
    assert f.expected == 2023 and f.actual == 2022
    assert check_submission(sub, ED, expected_year=2022).findings == []
    assert check_submission(sub, ED).findings == []
    g = only(check_submission(sub, ED, expected_year=2023, year_given=False), "other-year")
    assert g.severity == "warning" and "--year 2022" in g.message


# -- ordering, merging, check_values ------------------------------------------------------


def test_findings_sorted_by_table_then_row():
    values = consistent_values()
    t4 = instances("R4")[0].lhs[0].key
    t3_late = instances("R1")[-1].lhs[0].key
    t3_early = instances("R1")[0].lhs[0].key
    typed = {k: values[k] + 1 for k in (t4, t3_late, t3_early)}
    prose = {s.key: "字" * 5000 for s in ED.prose_sections}
    result = check_submission(make_submission(values, typed=typed, prose=prose), ED)
    sheets = [f.sheet for f in result.findings]
    order = [t.sheet for t in ED.tables] + [ED.prose_sheet]
    assert sheets == sorted(sheets, key=order.index)
    t3_rows = [int(f.cells[0][1:]) for f in result.findings if f.sheet == POS[t3_early][0]]
    assert t3_rows == sorted(t3_rows)


def test_reader_findings_are_kept_without_duplicates():
    from xxgk.findings import Finding

    key = COUNT_INPUTS[0]
    values = consistent_values()
    sub = make_submission(values, raw={key: "12件"}, status={key: "text-number"})
    sheet, addr = POS[key]
    sub.findings = [Finding("number-in-text", "warning", "读者的说明", sheet=sheet, cells=[addr]),
                    Finding("info-missing", "warning", "填报人未填写", sheet="基本信息")]
    result = check_submission(sub, ED)
    assert sorted(codes(result)) == ["info-missing", "number-in-text"]


def test_check_values_plain_map():
    values = consistent_values()
    inputs = {k: values[k] for k in ED.input_keys}
    assert check_values(inputs, ED) == []
    assert check_values(values, ED) == []
    inst = instances("R2")[0]
    wrong = dict(values)
    wrong[inst.lhs[0].key] += 1
    found = check_values(wrong, ED)
    f = only(found, inst.rule.code)
    assert f.cells == [POS[k][1] for k in inst.keys] and f.difference == 1


def test_check_values_plausibility_and_previous():
    values = consistent_values()
    key = ED.rule("R8").params["key"]
    values[key] = Decimal(1)
    no = next(u for u in ED.unit_types if not u.flags[ED.rule("R8").params["flag"]])
    assert codes(check_values(values, ED, unit_type=no.label)) == [ED.rule("R8").code]
    inst = instances("R6")[0]
    prev = {inst.rhs[0].key: values[inst.lhs[0].key] + 1}
    assert ED.rule("R6").code in codes(check_values(values, ED, previous_values=prev))


def test_fmt_number():
    assert fmt_number(Decimal("12.3400")) == "12.34"
    assert fmt_number(Decimal("1E+2")) == "100"
    assert fmt_number(Decimal("-0.5")) == "-0.5"


# -- workbooks (used by the CLI and annotation tests) ---------------------------------------


def write_filled(path, values: dict[str, Decimal] | None = None, *, overrides=None, unit_type=None,
                 year: int = 2023, text: dict | None = None, prose=None) -> dict[str, Decimal]:
    """Write our template filled with ``values`` (inputs only); return the values."""
    from xxgk.writer import write_report

    values = values if values is not None else consistent_values()
    inputs = {k: values[k] for k in ED.input_keys}
    inputs.update(text or {})
    write_report(path, ED, unit="测试街道办事处", unit_type=unit_type or PERMISSIVE.label, year=year,
                 values=inputs, overrides=overrides or {}, prose=prose)
    return values
