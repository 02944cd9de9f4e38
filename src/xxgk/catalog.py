"""The catalogue of checks, generated from the edition and the finding codes.

`xxgk rules` prints it; docs/rules.md is this text (a test keeps them equal),
so the documentation cannot drift from what the checker does.
"""

from __future__ import annotations

from .findings import CODES, Finding, severity_label, severity_of
from .spec import Edition, load_edition

__all__ = ["rules_markdown", "finding_title"]

_GROUPS = {"hard": "硬性规则（违反即为错误）", "previous": "与上年报告比对（提醒）",
           "plausibility": "合理性检查（提醒）"}


def rules_markdown(edition: Edition | None = None) -> str:
    ed = edition or load_edition()
    lines = [
        f"# 校验规则一览（{ed.name}，{ed.edition} 版）",
        "",
        f"依据：《{ed.name}》（{ed.document}）。本文件由 `xxgk rules` 生成，请勿手工修改。",
        "",
    ]
    for group, heading in _GROUPS.items():
        lines += [f"## {heading}", "", "| 编号 | 代码 | 级别 | 规则 | 检查次数 |", "|---|---|---|---|---|"]
        for rule in ed.rules:
            if rule.group != group:
                continue
            n = sum(1 for i in ed.rule_instances if i.rule.id == rule.id)
            if rule.kind.startswith("cell_"):
                per = f"每个填报单元格（{len(ed.input_keys)} 个）"
            else:
                per = f"{n}（每行、列或组一次）" if n > 1 else "每份报告一次"
            codes = "、".join(f"`{c}`" for c in rule.codes)
            levels = "/".join(dict.fromkeys(severity_label(severity_of(c, ed)) for c in rule.codes))
            lines.append(f"| {rule.id} | {codes} | {levels} | {rule.title} | {per} |")
        lines.append("")
    lines += ["## 读取与填写问题", "", "| 代码 | 级别 | 含义 |", "|---|---|---|"]
    by_rule = {c for r in ed.rules for c in r.codes}
    for code, (severity, title) in CODES.items():
        if code not in by_rule:
            lines.append(f"| `{code}` | {severity_label(severity)} | {title} |")
    lines.append("")
    return "\n".join(lines)


def finding_title(finding: Finding, edition: Edition) -> str:
    """What kind of problem a finding is, in Chinese (for tables users print):
    the catalogued title of its code, else the title of its rule, else its code."""
    if finding.code in CODES:
        return CODES[finding.code][1]
    if finding.rule:
        try:
            return edition.rule(finding.rule).title
        except KeyError:
            pass
    return finding.code
