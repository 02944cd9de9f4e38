"""The format description: loaded, expanded and validated as the reference says."""

import copy
import re

import pytest
import yaml
from importlib import resources

from xxgk.layout import layouts
from xxgk.spec import SpecError, build_edition, load_edition


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


def raw_data():
    text = resources.files("xxgk.editions").joinpath("2021.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_cell_counts_match_the_reference(ed):
    # table 2: 10 input cells; table 3: 25 rows x 7 columns; table 4: 15 columns
    assert len(ed.cells_of("t2")) == 10
    assert all(c.is_input for c in ed.cells_of("t2"))
    assert len(ed.cells_of("t3")) == 25 * 7
    assert len(ed.cells_of("t4")) == 15
    assert [c.value_type for c in ed.cells_of("t2")].count("amount") == 1


def test_table3_rows_in_official_order(ed):
    block = ed.table("t3").blocks[0]
    labels = [p[-1].label for p in block.row_paths()]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert labels[1] == "二、上年结转政府信息公开申请数量"
    assert labels[4] == "1.属于国家秘密"
    assert labels[6] == "3.危及“三安全一稳定”"
    assert labels[-2] == "（七）总计"
    assert labels[-1] == "四、结转下年度继续办理"
    assert len(labels) == 25
    assert block.corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def test_computed_cells_are_exactly_the_totals(ed):
    formula = set(ed.formula_keys)
    t3_total_col = {k for k in ed.cells if k.startswith("t3.") and k.endswith(".total")}
    t3_total_row = {k for k in ed.cells if k.startswith("t3.total_results.")}
    t4_totals = {k for k in ed.cells if k.startswith("t4.") and k.endswith(".total")}
    assert formula == t3_total_col | t3_total_row | t4_totals
    assert len(t4_totals) == 3


def test_grand_total_sums_row_totals(ed):
    cell = ed.cell("t3.total_results.total")
    assert len(cell.formula_terms) == 6
    assert all(k.startswith("t3.total_results.") for k in cell.formula_terms)


def test_result_total_sums_twenty_one_items(ed):
    cell = ed.cell("t3.total_results.natural_person")
    assert len(cell.formula_terms) == 2 + 8 + 3 + 5 + 3
    assert "t3.new_received.natural_person" not in cell.formula_terms
    assert "t3.carry_forward.natural_person" not in cell.formula_terms


def test_rule_instances_one_per_row_or_column(ed):
    count = lambda rid: sum(1 for i in ed.rule_instances if i.id == rid)  # noqa: E731
    assert count("R1") == 25
    assert count("R2") == 7
    assert count("R3") == 7
    assert count("R4") == 3
    assert count("R6") == 7
    assert count("R7") == 2
    r3 = next(i for i in ed.rule_instances if i.instance_id == "R3[col=natural_person]")
    assert [t.key for t in r3.lhs] == ["t3.new_received.natural_person", "t3.carried_over.natural_person"]
    assert [t.key for t in r3.rhs] == ["t3.total_results.natural_person", "t3.carry_forward.natural_person"]
    r7 = next(i for i in ed.rule_instances if i.instance_id == "R7[doc=rules]")
    assert [(t.key, t.sign, t.previous) for t in r7.rhs] == [
        ("t2.rules.in_force", 1, True),
        ("t2.rules.issued", 1, False),
        ("t2.rules.repealed", -1, False),
    ]


def test_every_reference_rule_is_described(ed):
    assert [r.id for r in ed.rules] == [f"R{i}" for i in range(1, 13)]
    assert {r.id for r in ed.rules if r.severity == "error"} == {"R1", "R2", "R3", "R4", "R5"}


def test_keys_are_unique_and_wellformed(ed):
    for key in ed.cells:
        assert re.fullmatch(r"t[234](\.[a-z_]+)+", key), key


def test_layout_places_every_cell_once(ed):
    for table in ed.tables:
        lay = layouts(ed)[table.key]
        assert set(lay.cells) == {c.key for c in ed.cells_of(table.key)}
        spots = [(r.r1, r.c1) for r in lay.cells.values()]
        labels = [(r.r1, r.c1) for r in lay.labels]
        assert len(set(spots)) == len(spots)
        assert not set(spots) & set(labels)


def test_layout_table3_matches_official_shape(ed):
    lay = layouts(ed)["t3"]
    assert lay.width == 3 + 7  # three label columns, seven number columns
    group = next(r for r in lay.labels if r.text == "三、本年度办理结果")
    assert (group.c1, group.c2) == (0, 0) and group.r2 - group.r1 + 1 == 22
    first = next(r for r in lay.labels if r.text == "一、本年新收政府信息公开申请数量")
    assert (first.c1, first.c2) == (0, 2)  # spans all three label columns


def test_duplicate_key_is_rejected():
    data = raw_data()
    data["tables"][0]["blocks"][0]["rows"].append({"key": "rules", "label": "规章"})
    with pytest.raises(SpecError, match="重复"):
        build_edition(data)


def test_rule_naming_unknown_cell_is_rejected():
    data = raw_data()
    data["rules"][2]["lhs"] = ["t3.no_such_row.{col}"]
    with pytest.raises(SpecError, match="不存在的单元格"):
        build_edition(data)


def test_bad_sheet_name_is_rejected():
    data = copy.deepcopy(raw_data())
    data["tables"][0]["sheet"] = "表/二"
    with pytest.raises(SpecError, match="工作表名称"):
        build_edition(data)


def test_unknown_edition_names_the_available_ones():
    with pytest.raises(SpecError, match="2021"):
        load_edition("1999")


def test_unit_type_lookup_tolerates_bracket_width(ed):
    assert ed.unit_type("县级(区)人民政府").key == "county"
    assert ed.unit_type("乡镇（街道）").flags["may_issue_rules"] is False
    assert ed.unit_type("不存在") is None
    assert ed.unit_type("街道").key == "township"  # an alias staff write in rosters
    assert ed.unit_type("区政府部门").key == "county_dept"


def test_compute_recomputes_totals_of_totals(ed):
    values = {k: 1 for k in ed.input_keys}
    full = ed.compute(values)
    assert full["t3.new_received.total"] == 6
    assert full["t3.total_results.natural_person"] == 21
    assert full["t3.total_results.total"] == 126
    assert full["t4.litigation.direct.total"] == 4
    assert full["t2.fees.amount"] == 1


def test_synthetic_inputs_satisfy_every_hard_equation(ed):
    import random

    from xxgk.synth import consistent_inputs

    for seed in range(5):
        full = ed.compute(consistent_inputs(ed, random.Random(seed)))
        for inst in ed.instances(group="hard", kind="equation"):
            lhs = sum(t.sign * full[t.key] for t in inst.lhs)
            rhs = sum(t.sign * full[t.key] for t in inst.rhs)
            assert lhs == rhs, inst.instance_id
        assert all(v >= 0 for v in full.values())
