"""Generate the demo submissions in samples/ (run: python samples/generate.py).

- seed/: the real 2021 report of 湛北路街道办事处 (figures and prose as
  published, including the one cell the published report left blank);
- submissions/: the 2025 reports of the bodies of a fictional district,
  青溪区, with realistic, varied figures; three of them carry the mistakes
  staff really make (listed in MISTAKES below);
- previous/: last year's report of one body, for `xxgk check --previous`;
- 名册.csv: the district's roster, which names one body that did not submit.

The output is deterministic (fixed random seed).
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import yaml

from xxgk.spec import load_edition
from xxgk.writer import write_report

HERE = Path(__file__).resolve().parent
YEAR = 2025
DISTRICT = "青溪区"

# name, unit type, size of the body (typical new applications), fee (万元)
BODIES = [
    ("青溪区自然资源局", "县级（区）政府部门", 60, Decimal("3862.4150")),
    ("青溪区住房和城乡建设局", "县级（区）政府部门", 45, Decimal("1250.0800")),
    ("青溪区公安分局", "县级（区）政府部门", 30, Decimal("86.2300")),
    ("青溪区市场监督管理局", "县级（区）政府部门", 25, Decimal("12.5000")),
    ("青溪区教育局", "县级（区）政府部门", 12, Decimal("0")),
    ("青溪区人力资源和社会保障局", "县级（区）政府部门", 18, Decimal("0")),
    ("青溪区城关街道办事处", "乡镇（街道）", 6, Decimal("0")),
    ("青溪区东湖街道办事处", "乡镇（街道）", 4, Decimal("0")),
    ("青溪区白沙镇人民政府", "乡镇（街道）", 3, Decimal("0")),
]
MISSING = ("青溪区卫生健康委员会", "县级（区）政府部门")

# How a year's decided applications are spread over the result rows.
RESULT_SHARES = {
    "granted": 40, "partially_granted": 10,
    "withheld.state_secret": 1, "withheld.prohibited_by_law": 1, "withheld.three_safeties": 1,
    "withheld.third_party": 3, "withheld.internal_affairs": 2, "withheld.process_info": 3,
    "withheld.enforcement_files": 1, "withheld.query_matters": 2,
    "unavailable.not_held": 20, "unavailable.needs_creation": 4, "unavailable.still_unclear": 2,
    "not_processed.complaint": 3, "not_processed.repeated": 3, "not_processed.publications": 1,
    "not_processed.massive": 1, "not_processed.confirmation": 1,
    "other_handling.overdue_correction": 3, "other_handling.unpaid_fee": 0, "other_handling.other": 2,
}
APPLICANTS = {"natural_person": 80, "commercial": 12, "research": 1, "public_interest": 1,
              "legal_service": 4, "other_org": 2}

PROSE = {
    "overview": (
        "{year}年，{unit}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        "全面推进决策、执行、管理、服务、结果公开。一是主动公开方面，通过区政府门户网站信息公开专栏发布政府信息"
        "{published}条，及时公开权责清单、财政预决算、行政许可和行政处罚等信息。二是依申请公开方面，本年度新收政府信息"
        "公开申请{new}件，均在法定期限内答复。三是政府信息管理方面，严格执行公开前保密审查，动态更新政府信息公开指南。"
        "四是平台建设方面，持续优化网站栏目设置。五是监督保障方面，将政务公开纳入年度考核，开展业务培训{training}次。"
    ),
    "problems": (
        "上一年度存在的问题已整改完毕。本年度仍存在政策解读形式较为单一、部分栏目更新不够及时等问题。"
        "下一步将丰富图解、视频等解读形式，建立栏目更新台账，定期自查。"
    ),
    "other_matters": "{year}年度，{unit}未收取信息处理费。无其他需要报告的事项。",
}

# Deliberate mistakes, as staff really make them.
MISTAKES = {
    # 一 + 二 ≠ （七） + 四 in the 自然人 column, and a cell left blank.
    "青溪区东湖街道办事处": {"shift": {"t3.carry_forward.natural_person": 2},
                          "values": {"t2.enforcement.decisions": None}},
    # A total typed over its formula that disagrees with its items, and "12件".
    "青溪区住房和城乡建设局": {"override": {"t3.granted.total": 30},
                            "text": {"t3.new_received.commercial": "{}件"}},
    # Plausibility: a township reporting 规章, a fee typed in 元, a "/" placeholder.
    "青溪区白沙镇人民政府": {"values": {"t2.rules.issued": Decimal(1), "t2.fees.amount": Decimal(251000)},
                          "text": {"t4.review.upheld": "/"}},  # the body had no review case
}


def unit_figures(ed, rng: random.Random, size: int, fee: Decimal) -> dict[str, Decimal]:
    """Consistent, realistic inputs for one body."""
    v: dict[str, Decimal] = {k: Decimal(0) for k in ed.input_keys}
    for col, weight in APPLICANTS.items():
        new = int(rng.gauss(size * weight / 100, max(1.0, size * weight / 300)))
        new = max(0, new if rng.random() < 0.9 or col == "natural_person" else 0)
        carried = rng.randint(0, max(0, new // 8))
        forward = rng.randint(0, max(0, new // 6))
        decided = new + carried - forward
        items = rng.choices(list(RESULT_SHARES), weights=list(RESULT_SHARES.values()), k=decided)
        v[f"t3.new_received.{col}"] = Decimal(new)
        v[f"t3.carried_over.{col}"] = Decimal(carried)
        v[f"t3.carry_forward.{col}"] = Decimal(forward)
        for item in items:
            v[f"t3.{item}.{col}"] += 1
    for doc, scale in (("normative_docs", 6), ("rules", 0)):
        issued, repealed = rng.randint(0, scale), rng.randint(0, scale // 2)
        v[f"t2.{doc}.issued"], v[f"t2.{doc}.repealed"] = Decimal(issued), Decimal(repealed)
        v[f"t2.{doc}.in_force"] = Decimal(rng.randint(repealed, repealed + 8 * scale) + issued - repealed)
    v["t2.licensing.decisions"] = Decimal(int(size * rng.uniform(20, 80)))
    v["t2.penalty.decisions"] = Decimal(int(size * rng.uniform(2, 30)))
    v["t2.enforcement.decisions"] = Decimal(int(size * rng.uniform(0, 3)))
    v["t2.fees.amount"] = fee
    for group in ("review", "litigation.direct", "litigation.after_review"):
        cases = rng.randint(0, max(0, size // 10))
        for _ in range(cases):
            outcome = rng.choices(["upheld", "corrected", "other", "pending"], weights=[6, 1, 1, 2])[0]
            v[f"t4.{group}.{outcome}"] += 1
    return v


def prose_for(unit: str, values: dict[str, Decimal], rng: random.Random) -> dict[str, str]:
    ctx = {"unit": unit, "year": YEAR, "new": values["t3.new_received.natural_person"] + sum(
        values[f"t3.new_received.{c}"] for c in APPLICANTS if c != "natural_person"),
        "published": rng.randint(150, 900), "training": rng.randint(2, 6)}
    return {k: text.format(**ctx) for k, text in PROSE.items()}


def file_name(unit: str, year: int) -> str:
    return f"{year}年政府信息公开工作年度报告_{unit}.xlsx"


def write_seed(ed, out: Path) -> None:
    seed = yaml.safe_load((HERE / "seed_zhanbeilu_2021.yaml").read_text("utf-8"))
    values: dict[str, Decimal | None] = {k: Decimal(0) for k in ed.input_keys}
    for key in seed.get("blank", []):
        values[key] = None
    write_report(out / file_name(seed["unit"], seed["year"]), ed, unit=seed["unit"],
                 unit_type=seed["unit_type"], year=seed["year"], values=values, prose=seed["prose"],
                 info={"preparer": "", "phone": "", "date": ""})


def main(out: Path = HERE) -> None:
    ed = load_edition("2021")
    rng = random.Random(20251231)
    for sub in ("seed", "submissions", "previous"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)
    write_seed(ed, out / "seed")

    for name, unit_type, size, fee in BODIES:
        values: dict[str, object] = dict(unit_figures(ed, rng, size, fee))
        prose = prose_for(name, values, rng)
        mistake = MISTAKES.get(name, {})
        for key, delta in mistake.get("shift", {}).items():
            values[key] += delta
        values.update(mistake.get("values", {}))
        # text typed in a number cell; "{}" stands for the number the body meant
        values.update({k: t.format(values[k]) for k, t in mistake.get("text", {}).items()})
        info = {"preparer": "王敏", "phone": "0755-8888" + str(rng.randint(1000, 9999)),
                "date": f"{YEAR + 1}-01-{rng.randint(8, 20):02d}"}
        write_report(out / "submissions" / file_name(name, YEAR), ed, unit=name, unit_type=unit_type,
                     year=YEAR, values=values, overrides=mistake.get("override"), prose=prose, info=info)
        if name == "青溪区自然资源局":
            last = unit_figures(ed, rng, size, fee)
            # last year's carry-forward is this year's carried-over, except one
            # column (a later correction): `xxgk check --previous` warns on it.
            for col in APPLICANTS:
                wanted = values[f"t3.carried_over.{col}"] + (1 if col == "commercial" else 0)
                change = wanted - last[f"t3.carry_forward.{col}"]
                last[f"t3.carry_forward.{col}"] = wanted
                # keep last year's own 一 + 二 = （七） + 四
                if change > 0:
                    last[f"t3.carried_over.{col}"] += change
                else:
                    last[f"t3.granted.{col}"] -= change
            last["t2.normative_docs.in_force"] = (values["t2.normative_docs.in_force"]
                                                  - values["t2.normative_docs.issued"]
                                                  + values["t2.normative_docs.repealed"])
            write_report(out / "previous" / file_name(name, YEAR - 1), ed, unit=name,
                         unit_type=unit_type, year=YEAR - 1, values=last,
                         prose=prose_for(name, last, rng))

    with open(out / "名册.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位名称", "单位代码", "单位类型"])
        roster = [(n, t) for n, t, *_ in BODIES] + [MISSING]
        for i, (name, unit_type) in enumerate(sorted(roster), start=1):
            w.writerow([name, f"QX{i:03d}", unit_type])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
