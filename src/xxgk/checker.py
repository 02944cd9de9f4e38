"""The checker: every rule of the edition applied to a read workbook.

Rules are not written per cell.  Each rule of the edition file has a
``kind``; one generic evaluator per kind (see :data:`EVALUATORS`) applies a
rule instance to the numbers, parameterised by the rule's YAML parameters,
and builds the message from the rule's ``message`` template.  Findings that
are not rules of the format (a total typed over its formula, a stale cached
value, a number read out of text …) use the templates in :data:`MESSAGES`
and the codes catalogued in :data:`xxgk.findings.CODES`.

How totals (cells with ``formula_terms``) get their value:

* our workbooks (``Submission.ours``): an intact formula is recomputed from
  its items (the cached value is never trusted; a different cached value is
  a ``stale-cache`` warning); a typed number is what the report shows
  (``total-typed`` warning when it equals its items, ``total-typed-wrong``
  error when not); a blank total is the sum of its items (``total-blank``).
* other workbooks: every cell is typed; R1/R2/R4 check the totals; a blank
  total is the sum of its items (``total-blank``).

Blank, placeholder and unreadable inputs count as 0, and every finding
whose arithmetic involves one says so.

Nothing here imports openpyxl, pandas or xlsxwriter: ``xxgk check`` must
start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from .findings import CODES, Finding, severity_of
from .published import PUBLISHED_SUFFIXES, taken_from_folder
from .spec import DEFAULT_EDITION, CellSpec, Edition, RuleInstance, UnitType, load_edition, term_sum
from .submission import CellValue, Submission, UnreadableFile
from .values import format_decimal
from .xlsx import parse_range

__all__ = [
    "CheckResult",
    "FileError",
    "check_submission",
    "check_values",
    "check_paths",
    "expand_paths",
    "finding_group",
    "a1_position",
    "fmt_number",
    "MESSAGES",
    "WORKBOOK_SUFFIXES",
    "REPORT_SUFFIXES",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et")
# Published reports (web pages, text, Word, PDF) are read wherever a workbook is (xxgk.published).
REPORT_SUFFIXES = (*WORKBOOK_SUFFIXES, *PUBLISHED_SUFFIXES)
INFO_PREFIX = "info."
PROSE_PREFIX = "prose."

ZERO = Decimal(0)
NO_NUMBER = ("blank", "placeholder", "unreadable")
TEXT_NUMBER = ("text-number",)

# Message templates of findings that are not rules of the format.
MESSAGES: dict[str, str] = {
    "number-in-text": "{cell_label}填写的是“{raw}”，已读作 {value}{detail}；请只填写数字。",
    "amount-in-yuan": "{cell_label}填写的是“{raw}”，单位应为{unit}：已按 {value} {unit}计算，请改填 {value}。",
    "total-typed": "{cell_label}是合计，原有公式被改成了数字 {lhs}（与各项之和一致）；请恢复公式，以免修改其他数字后合计不再自动更新。",
    "total-typed-wrong": "{cell_label}是合计，原有公式被改成了数字 {lhs}，与各项之和 {rhs} 不符，相差 {diff}；请改为 {rhs} 或恢复公式。",
    "total-blank": "{cell_label}是合计，{what}；已按各项之和计为 {value}，请填写。",
    "stale-cache": "{cell_label}的合计保存的是 {cached}，而各项之和为 {value}：工作簿保存前没有重新计算。已按 {value} 校验；请在 Excel 中重新计算（Ctrl+Alt+F9）后保存。",
    "wrong-year": "报告年度应为 {expected} 年，工作簿中为“{actual}”；请确认报送的是本年度的报告。",
    "other-year": "这是 {actual} 年度的报告，不是正在编制的 {expected} 年度；如要按 {actual} 年度校验，请加 --year {actual}。",
    "previous-other-unit": "上年报告的单位为“{previous}”，与本报告的“{unit}”不同，未核对与上年报告的衔接（上年结转、现行有效件数）。",
    "formula-changed": "{cell_label}是合计，公式被改成了“={formula}”，不再是各项之和（应为“={expected}”）；目前数值相同，请恢复公式。",
    "formula-changed-wrong": "{cell_label}是合计，公式被改成了“={formula}”，不再是各项之和（应为“={expected}”），表中显示 {shown}，各项之和为 {value}；已按 {value} 校验，请恢复公式。",
    "previous-not-comparable": "上年报告为 {edition}，没有{cells}等栏目，{rule}（{title}）未与上年比对。",
    "zero-note": "（其中 {cells} 没有可用的数字，已按 0 计算）",
    "knock-on": "（{target} 是公式，请不要在此填写数字：这是 {root} 引起的，改正 {root} 后会自动更正）",
    "not-filled": "{tables}中没有填写任何数字，视为未填写；请填写后重新报送（没有发生的事项请填 0）。",
    "info-missing": "“{sheet}”中的“{label}”未填写；请填写后重新报送。",
    "previous-blank": "上年报告中 {cells} 为空，无法核对“{title}”，未作比较。",
    "unit-type-missing": "{label}{what}，以下合理性核对未进行：{rules}。{fix}",
}

# Findings about a cell the body must fix (a total typed over, a changed
# formula): rule findings on formula cells that involve it follow from it.
ROOT_CODES = ("total-typed-wrong", "formula-changed-wrong", "formula-changed")


# -- results ------------------------------------------------------------------


@dataclass
class FileError:
    """A file that could not be checked at all (one item of :func:`check_paths`)."""

    path: str
    message: str
    code: str = "file-unreadable"

    ok = False

    def to_finding(self) -> Finding:
        return Finding(self.code, "error", self.message)


@dataclass
class CheckResult:
    """The findings about one workbook and the numbers they were based on."""

    path: str
    submission: Submission | None
    findings: list[Finding] = field(default_factory=list)
    values: dict[str, Decimal] = field(default_factory=dict)  # effective values used

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        """passed / warnings / errors."""
        return "errors" if self.errors else "warnings" if self.warnings else "passed"

    @property
    def not_filled(self) -> bool:
        return any(f.code == "not-filled" for f in self.findings)

    @property
    def verdict(self) -> str:
        if self.not_filled:
            return "未填写"
        if self.errors:
            return f"有 {len(self.errors)} 处错误"
        if self.warnings:
            return f"通过（有 {len(self.warnings)} 条提醒）"
        return "通过"


# -- helpers --------------------------------------------------------------------


fmt_number = format_decimal  # the one Decimal formatter (kept under its old name)


class _Fill(dict):
    """format_map mapping that leaves unknown placeholders visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _render(template: str, **fields: object) -> str:
    shown = {k: fmt_number(v) if isinstance(v, Decimal) else ("" if v is None else v) for k, v in fields.items()}
    return template.format_map(_Fill(shown))


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _raw_text(cv: CellValue) -> str:
    raw = cv.raw
    if raw is None:
        return ""
    if isinstance(raw, float):
        return fmt_number(Decimal(repr(raw)))
    return str(raw).strip()


_REF = r"\$?[A-Z]{1,3}\$?\d+"
_SUM_FORMULA = re.compile(rf"SUM\(({_REF}(?::{_REF})?(?:,{_REF}(?::{_REF})?)*)\)")
_PLUS_FORMULA = re.compile(rf"{_REF}(?:\+{_REF})*")


def formula_cells(formula: str) -> list[tuple[int, int]] | None:
    """The cells a plain sum formula adds ("SUM(D7:I7)", "D7+E7", "SUM(J9:J29)"),
    as (row, col) pairs; None for any other formula."""
    text = re.sub(r"\s+", "", formula.lstrip("=")).upper()
    if m := _SUM_FORMULA.fullmatch(text):
        parts = m.group(1).split(",")
    elif _PLUS_FORMULA.fullmatch(text):
        parts = text.split("+")
    else:
        return None
    cells: list[tuple[int, int]] = []
    for part in parts:
        r1, c1, r2, c2 = parse_range(part)  # type: ignore[misc]  # the regex matched a range
        cells += [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return cells


def a1_position(ref: str) -> tuple[int, int]:
    """0-based (row, col) of a cell, or of the first cell of a range
    ("D9:I9"); (-1, -1) for text that is not a cell reference."""
    rng = parse_range(ref or "")
    return (rng[0], rng[1]) if rng else (-1, -1)


def finding_group(f: Finding, edition: Edition) -> tuple[int, str]:
    """(rank, heading) of the part of the report a finding belongs to.

    Table sheets in edition order, then the prose sheet, then 基本信息;
    findings about the whole file come first (rank -1, heading "").
    """
    tables = edition.tables
    if not f.sheet and not f.cells:
        return -1, ""
    key = f.keys[0] if f.keys else ""
    for i, t in enumerate(tables):
        if (key and key in edition.cells and edition.cells[key].table is t) or (not key and f.sheet == t.sheet):
            return i, t.sheet
    if key.startswith(PROSE_PREFIX) or f.sheet == edition.prose_sheet:
        return len(tables), edition.prose_sheet
    if key.startswith(INFO_PREFIX) or f.sheet == edition.info_sheet:
        return len(tables) + 1, edition.info_sheet
    if f.sheet:
        return len(tables) + 2, f.sheet
    return -1, ""


def _sort_key(f: Finding, edition: Edition) -> tuple:
    rank, _ = finding_group(f, edition)
    row, col = a1_position(f.cells[0]) if f.cells else (0, 0)
    return (rank, row, col)


# -- one run ------------------------------------------------------------------------


class _Run:
    """State of one check: the cells, the effective values and the findings."""

    def __init__(
        self,
        edition: Edition,
        cells: Mapping[str, CellValue],
        *,
        ours: bool,
        fee_decimals: int | None,
        unit_type: UnitType | None,
        prose: Mapping[str, str],
        previous: Mapping[str, Decimal] | None,
        report_blanks: bool = True,
    ):
        self.edition = edition
        self.cells = cells
        self.ours = ours
        self.fee_decimals = fee_decimals
        self.unit_type = unit_type
        self.prose = prose
        self.previous = previous
        self.report_blanks = report_blanks
        self.values: dict[str, Decimal] = {}
        self.typed_totals: set[str] = set()  # ours: formula cells holding a typed number
        self.findings: list[Finding] = []
        self.defining = _defining_instances(edition)
        self.incomparable: dict[str, list[str]] = {}  # rule id -> last year's keys its edition lacks
        self.previous_blank: set[str] = set()  # last year's cells that held no number

    # -- positions and findings ------------------------------------------------
    def where(self, keys: Iterable[str]) -> tuple[str | None, list[str]]:
        """Sheet and A1 cells of the keys (prose and info keys name only a sheet)."""
        sheet, cells = None, []
        for key in keys:
            if key not in self.edition.cells:
                sheet = sheet or _sheet_of_key(self.edition, key)
                continue
            cv = self.cells.get(key) or _layout_cell(self.edition, key)
            sheet = sheet or cv.sheet
            if cv.sheet == sheet and cv.address not in cells:
                cells.append(cv.address)
        return sheet, cells

    def add(self, code: str, message: str, keys: Iterable[str] = (), *, rule: str | None = None,
            expected=None, actual=None, difference=None) -> None:
        """A finding; its severity is the catalogue's (the edition's rules, then
        :data:`xxgk.findings.CODES`), never chosen here."""
        keys = list(keys)
        sheet, cells = self.where(keys)
        self.findings.append(Finding(
            code=code,
            severity=severity_of(code, self.edition),
            message=message,
            rule=rule,
            sheet=sheet,
            cells=cells,
            keys=keys,
            expected=expected,
            actual=actual,
            difference=difference,
        ))

    def with_zero_note(self, message: str, keys: Iterable[str]) -> str:
        """Add which of the cells counted as 0 because they held no number (input
        cells only: a total without a stored result is computed from its items)."""
        empty = [k for k in keys if k in self.edition.cells and self.edition.cells[k].is_input
                 and _no_number(self.cells.get(k))]
        if not empty:
            return message
        note = _render(MESSAGES["zero-note"], cells="、".join(self.where(empty)[1]))
        return message[:-1] + note + "。" if message.endswith("。") else message + note

    # -- values ------------------------------------------------------------------
    def resolve(self) -> None:
        for key in self.edition.cells:
            self.value(key)

    def value(self, key: str) -> Decimal:
        if key not in self.values:
            spec = self.edition.cells[key]
            cv = self.cells.get(key)
            self.values[key] = self._input(spec, cv) if spec.is_input else self._total(spec, cv)
        return self.values[key]

    def _input(self, spec: CellSpec, cv: CellValue | None) -> Decimal:
        if cv is None or cv.value is None:
            return ZERO
        return cv.value  # already in the value type's unit (see xxgk.values)

    def _total(self, spec: CellSpec, cv: CellValue | None) -> Decimal:
        computed = self.edition.formula_value(spec.key, self.value)
        if cv is None:  # a plain map without the total: just compute it
            return computed
        if self.ours and cv.formula:
            if not self._formula_intact(spec, cv, computed):
                return computed
            self._stale(spec, cv, computed)
            return computed
        if _no_number(cv):
            if self.report_blanks and cv.status != "unreadable":  # unreadable: text-not-number
                self.add("total-blank", _render(MESSAGES["total-blank"], cell_label=spec.label,
                                                what=_what(cv), value=computed),
                         [spec.key], expected=computed)
            return computed
        if self.ours:
            self.typed_totals.add(spec.key)
        return cv.value

    def _formula_intact(self, spec: CellSpec, cv: CellValue, computed: Decimal) -> bool:
        """Does the total's formula still add exactly its items? If not, say so.

        An error when the total it shows differs from the sum of its items
        (the printed table would not add up), a warning when it happens to agree.
        """
        items = [self.cells.get(k) for k in spec.formula_terms]
        if any(c is None or c.sheet != cv.sheet for c in items):
            return True  # cannot tell where the items are: nothing to compare
        refs = formula_cells(cv.formula or "")
        if refs is not None and sorted(refs) == sorted(a1_position(c.address) for c in items):
            return True
        shown = cv.cached
        wrong = shown is not None and shown != computed
        expected = "SUM(" + ",".join(c.address for c in items) + ")"
        code = "formula-changed-wrong" if wrong else "formula-changed"
        self.add(code, _render(
            MESSAGES[code], cell_label=spec.label,
            formula=cv.formula, expected=expected, shown=shown, value=computed),
            [spec.key], expected=computed,
            actual=shown, difference=(shown - computed) if wrong else None)
        return False

    def _stale(self, spec: CellSpec, cv: CellValue, computed: Decimal) -> None:
        if cv.cached is None or cv.cached == computed:
            return
        # Excel sums text as 0: a cached value explained by that is not stale.
        as_excel = self.edition.formula_value(spec.key, self._as_excel)
        if cv.cached == as_excel:
            return
        self.add("stale-cache", _render(MESSAGES["stale-cache"], cell_label=spec.label,
                                        cached=cv.cached, value=computed),
                 [spec.key], expected=computed, actual=cv.cached, difference=cv.cached - computed)

    def _as_excel(self, key: str) -> Decimal:
        cv = self.cells.get(key)
        if cv is None:
            return self.values.get(key, ZERO)
        if cv.formula and cv.cached is not None:
            return cv.cached
        return cv.value if cv.status == "ok" and cv.value is not None else ZERO

    def term_sum(self, terms) -> Decimal | None:
        """A rule side; None without last year's figure for a previous-year term
        (no report, its edition has no such cell, or the cell was blank: said once)."""
        def value(t) -> Decimal | None:
            if not t.previous:
                return self.values[t.key]
            if self.previous is None or t.key in self.previous_blank:
                return None
            return self.previous.get(t.key)

        return term_sum(terms, value)

    # -- rules --------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.resolve()
        for inst in self.edition.rule_instances:
            EVALUATORS[inst.rule.kind](self, inst)
        self.mark_knock_on()
        return self.findings

    def mark_knock_on(self) -> None:
        """A rule finding whose target is an intact formula and which involves
        a root cell (a total typed over …) follows from that cell: it names
        it (``caused_by``) and says so, so that nobody types over the formula."""
        roots = {f.keys[0] for f in self.findings if f.code in ROOT_CODES and f.severity == "error" and f.keys}
        if not roots:
            return
        for f in self.findings:
            if not f.rule or f.code in ROOT_CODES or not f.keys:
                continue
            target, causes = f.keys[0], [k for k in f.keys if k in roots]
            spec = self.edition.cells.get(target)
            if not causes or spec is None or spec.is_input or target in roots or target in self.typed_totals:
                continue
            f.caused_by = causes
            sheet, cells = self.where([target])
            root_sheet, root_cells = self.where(causes)
            note = _render(MESSAGES["knock-on"], target=f"{sheet}!{cells[0]}" if cells else spec.label,
                           root=f"{root_sheet}!{','.join(root_cells)}")
            f.message = f.message[:-1] + note + "。" if f.message.endswith("。") else f.message + note


def _sheet_of_key(edition: Edition, key: str) -> str | None:
    if key.startswith(PROSE_PREFIX):
        return edition.prose_sheet
    if key.startswith(INFO_PREFIX):
        return edition.info_sheet
    return None


def _no_number(cv: CellValue | None) -> bool:
    return cv is not None and (cv.status in NO_NUMBER or cv.value is None)


def _what(cv: CellValue) -> str:
    raw = _raw_text(cv)
    if cv.status == "placeholder" and raw:
        return f"填写的是占位符“{raw}”"
    if cv.status == "unreadable" and raw:
        return f"填写的是无法识别的文字“{raw}”"
    return "未填写"


def _wrong_unit(run: "_Run", spec: CellSpec, cv: CellValue) -> bool:
    """A unit written that the column's label contradicts (“251000元” under 万元)."""
    vt = run.edition.value_type(spec)
    return bool(cv.unit) and vt.unit_in_label and vt.factor(cv.unit) not in (None, Decimal(1))


def _defining_instances(edition: Edition) -> dict[str, RuleInstance]:
    """The rule instance whose right-hand side is each total's formula."""
    out: dict[str, RuleInstance] = {}
    for inst in edition.rule_instances:
        if inst.rule.params.get("formula") and len(inst.lhs) == 1:
            spec = edition.cells[inst.lhs[0].key]
            if spec.formula_terms == tuple(t.key for t in inst.rhs):
                out.setdefault(spec.key, inst)
    return out


_LAYOUT_CELLS: dict[int, dict[str, CellValue]] = {}


def _layout_cell(edition: Edition, key: str) -> CellValue:
    """Where a cell sits on our template (for plain value maps)."""
    cache = _LAYOUT_CELLS.get(id(edition))
    if cache is None:
        from .layout import layouts

        cache = {
            k: CellValue(k, lay.table.sheet, reg.ref)
            for lay in layouts(edition).values()
            for k, reg in lay.cells.items()
        }
        _LAYOUT_CELLS[id(edition)] = cache
    return cache[key]


# -- evaluators, one per rule kind -----------------------------------------------------


def _eval_equation(run: _Run, inst: RuleInstance) -> None:
    if run.previous is not None:
        absent = [t.key for t in (*inst.lhs, *inst.rhs) if t.previous and t.key not in run.previous]
        if absent:  # last year's edition lacks the cells: skipped and said, never counted as 0
            run.incomparable.setdefault(inst.rule.id, []).extend(absent)
            return
    lhs, rhs = run.term_sum(inst.lhs), run.term_sum(inst.rhs)
    if lhs is None or rhs is None:  # a previous-year rule without last year's report
        return
    diff = lhs - rhs
    target = inst.lhs[0].key
    fields = dict(inst.labels, lhs=lhs, rhs=rhs, diff=diff, cell_label=run.edition.cells[target].label)
    if target in run.typed_totals and run.defining.get(target) is inst:
        if diff:
            message = run.with_zero_note(_render(MESSAGES["total-typed-wrong"], **fields), inst.keys)
            run.add("total-typed-wrong", message, inst.keys,
                    rule=inst.id, expected=rhs, actual=lhs, difference=diff)
        else:
            run.add("total-typed", _render(MESSAGES["total-typed"], **fields), [target],
                    rule=inst.id, expected=rhs, actual=lhs, difference=diff)
        return
    if diff:
        message = run.with_zero_note(_render(inst.rule.message, **fields), inst.keys)
        run.add(inst.rule.code, message, inst.keys, rule=inst.id, expected=rhs, actual=lhs, difference=diff)


def _rule_finding(run: _Run, inst: RuleInstance, keys: list[str], **fields) -> None:
    run.add(inst.rule.code, _render(inst.rule.message, **fields), keys, rule=inst.id, actual=fields.get("value"), expected=fields.get("limit"))


def _eval_unit_type_flag(run: _Run, inst: RuleInstance) -> None:
    key, flag = inst.rule.params["key"], inst.rule.params["flag"]
    value = run.values[key]
    if run.unit_type is None or run.unit_type.flags.get(flag, True) or value <= 0:
        return
    _rule_finding(run, inst, [key], value=value, unit_type=run.unit_type.label)


def _eval_unit_type_max(run: _Run, inst: RuleInstance) -> None:
    key = inst.rule.params["key"]
    value = run.values[key]
    limit = run.unit_type.flags.get(inst.rule.params["limit"]) if run.unit_type else None
    if limit is None or value <= Decimal(str(limit)):
        return
    _rule_finding(run, inst, [key], value=value, unit_type=run.unit_type.label, limit=Decimal(str(limit)))


def _eval_prose_contradiction(run: _Run, inst: RuleInstance) -> None:
    key, section = inst.rule.params["key"], inst.rule.params["section"]
    value = run.values[key]
    text = run.prose.get(section) or ""
    if value > 0 and any(re.search(p, text) for p in inst.rule.params["patterns"]):
        _rule_finding(run, inst, [key, PROSE_PREFIX + section], value=value)


def _eval_prose_length(run: _Run, inst: RuleInstance) -> None:
    section = run.edition.prose_section(inst.rule.params["section"])
    limit = section.max_chars or run.edition.settings.get("prose_max_chars")
    length = len(re.sub(r"\s+", "", run.prose.get(section.key) or ""))
    if limit and length > limit:
        run.add(inst.rule.code, _render(inst.rule.message, value=length, limit=limit),
                [PROSE_PREFIX + section.key], rule=inst.id,
                expected=Decimal(limit), actual=Decimal(length), difference=Decimal(length - limit))


def _typed_cells(run: _Run) -> Iterator[tuple[CellSpec, CellValue]]:
    """Cells whose content the body typed (inputs, and totals not left to a formula)."""
    for key, spec in run.edition.cells.items():
        cv = run.cells.get(key)
        if cv is not None and (spec.is_input or not (run.ours and cv.formula)):
            yield spec, cv


def _expected_text(run: _Run, spec: CellSpec) -> str:
    vt = run.edition.value_type(spec)
    decimals = run.edition.decimals(spec.value_type, run.fee_decimals)
    if vt.min == 0:
        text = "非负"
    elif vt.min is not None:
        text = f"不小于 {fmt_number(vt.min)} 的"
    else:
        text = ""
    if vt.max is not None:
        text += ("、" if text else "") + f"不大于 {fmt_number(vt.max)} 的"
    text += "整数" if vt.is_integer else "数"
    return text + ("" if vt.is_integer else f"，最多 {decimals} 位小数")


def _eval_cell_value(run: _Run, inst: RuleInstance) -> None:
    for spec, cv in _typed_cells(run):
        raw = _raw_text(cv)
        fields = dict(cell_label=spec.label, raw=raw, expected=_expected_text(run, spec))

        def hard(code: str, extra: str = "") -> None:
            run.add(code, _render(inst.rule.message, **fields) + extra, [spec.key], rule=inst.id,
                    expected=fields["expected"], actual=raw)

        if cv.status == "unreadable":
            hard("text-not-number", "已按 0 计算。" if spec.is_input else "已按各项之和计算。")
            continue
        if cv.value is None:
            continue
        vt = run.edition.value_type(spec)
        if _wrong_unit(run, spec, cv):
            run.add("amount-in-yuan", _render(MESSAGES["amount-in-yuan"], value=cv.value, unit=vt.unit, **fields),
                    [spec.key], expected=cv.value, actual=cv.value / vt.factor(cv.unit))
        elif cv.status in TEXT_NUMBER:
            run.add("number-in-text", _render(MESSAGES["number-in-text"], value=cv.value, **fields,
                                              detail=_note_detail(cv, raw)),
                    [spec.key], expected=cv.value, actual=raw)
        value = run.values[spec.key]
        if vt.min is not None and value < vt.min:
            hard("negative")
        elif vt.max is not None and value > vt.max:
            hard("above-max")
        elif _decimal_places(value) > run.edition.decimals(spec.value_type, run.fee_decimals):
            hard("fraction-in-count" if vt.is_integer else "too-many-decimals")


def _note_detail(cv: CellValue, raw: str) -> str:
    """What the reader's note adds to “<raw>”读作 <value> (e.g. （全角数字）)."""
    said = f"“{raw}”读作 {fmt_number(cv.value)}"
    if cv.note.startswith(said):
        return cv.note[len(said):]
    return f"（{cv.note}）" if cv.note else ""


def _eval_cell_blank(run: _Run, inst: RuleInstance) -> None:
    if not run.report_blanks:
        return
    for spec, cv in _typed_cells(run):
        if spec.is_input and cv.status in ("blank", "placeholder"):
            run.add(inst.rule.code, _render(inst.rule.message, cell_label=spec.label, what=_what(cv)), [spec.key],
                    rule=inst.id, actual=_raw_text(cv) or None)


EVALUATORS: dict[str, Callable[[_Run, RuleInstance], None]] = {
    "equation": _eval_equation,
    "unit_type_flag": _eval_unit_type_flag,
    "unit_type_max": _eval_unit_type_max,
    "prose_contradiction": _eval_prose_contradiction,
    "prose_length": _eval_prose_length,
    "cell_value": _eval_cell_value,
    "cell_blank": _eval_cell_blank,
}


# -- public entry points ----------------------------------------------------------------


def _edition_of(sub: Submission | None, edition: Edition | str | None) -> Edition:
    if isinstance(edition, Edition):
        return edition
    return load_edition(edition or (sub.edition if sub and sub.edition else DEFAULT_EDITION))


def _unit_type_text(sub: Submission, edition: Edition) -> str:
    return (sub.info.get(edition.info_key("unit_type")) or sub.unit_type or "").strip()


def previous_values(previous: Submission, edition: Edition | None = None) -> dict[str, Decimal]:
    """Effective values of last year's report (totals recomputed as for a check),
    read through last year's own edition unless ``edition`` is given."""
    ed = _edition_of(previous, edition)
    run = _Run(ed, previous.cells, ours=previous.ours, fee_decimals=None, unit_type=None, prose={}, previous=None)
    run.resolve()
    return run.values


def _say_incomparable(run: _Run, previous: Submission | None) -> None:
    """One info per previous-year rule skipped because last year's edition lacks its cells."""
    for rule_id, keys in run.incomparable.items():
        rule = run.edition.rule(rule_id)
        cells = "、".join(dict.fromkeys(f"“{run.edition.cells[k].col_label}”" for k in keys if k in run.edition.cells))
        edition = f"{previous.edition} 版格式" if previous is not None else "另一版本的格式"
        run.add("previous-not-comparable", _render(MESSAGES["previous-not-comparable"], edition=edition, cells=cells,
                                                   rule=rule.id, title=rule.title))


def _same_unit(sub: Submission, previous: Submission | None) -> bool:
    """Last year's report is usable unless it names another unit."""
    from .roster import normalise_unit_name

    if previous is None:
        return False
    return not (sub.unit and previous.unit) or normalise_unit_name(sub.unit) == normalise_unit_name(previous.unit)


def not_filled(sub: Submission, edition: Edition) -> bool:
    """True when no input cell of the tables holds anything (a blank or
    untouched template): not a report of zeros, but no report at all."""
    cells = [sub.cells.get(k) for k in edition.input_keys]
    present = [cv for cv in cells if cv is not None]
    return bool(present) and all(cv.status == "blank" and cv.value is None for cv in present)


def _missing_info(run: _Run, sub: Submission, edition: Edition) -> None:
    """Required 基本信息 left empty in our template (the report year and the unit
    type have findings of their own; other workbooks have no 基本信息 sheet)."""
    if not sub.ours:
        return
    for f in edition.info_fields:
        if not f.required or f.type == "year" or getattr(f, "choices_from", None):
            continue
        value = (sub.info.get(f.key) or "").strip() or str(getattr(sub, f.key, None) or "").strip()
        if not value:
            run.add("info-missing", _render(MESSAGES["info-missing"], sheet=edition.info_sheet, label=f.label),
                    [INFO_PREFIX + f.key])


def previous_blank_keys(previous: Submission, edition: Edition) -> set[str]:
    """Cells of last year's report whose value is not known: blank inputs, and
    totals with a blank item (their sum would count it as 0) or blank themselves."""
    blank: set[str] = set()

    def unknown(key: str) -> bool:
        spec, cv = edition.cells[key], previous.cells.get(key)
        if spec.is_input:  # a cell last year's edition lacks is said by _say_incomparable
            return cv is not None and _no_number(cv)
        if cv is not None and not cv.formula and not _no_number(cv):
            return False  # a typed total is what the report showed
        return any(unknown(k) for k in spec.formula_terms)

    for key in edition.cells:
        if unknown(key):
            blank.add(key)
    return blank


def _blank_items(edition: Edition, key: str, blank: set[str]) -> list[str]:
    """The blank input cells behind an unknown previous-year cell."""
    spec = edition.cells[key]
    if spec.is_input or not spec.formula_terms:
        return [key]
    return [k for t in spec.formula_terms if t in blank for k in _blank_items(edition, t, blank)]


def _uncompared(run: _Run, previous: Submission | None) -> None:
    """One info per previous-year rule that could not be checked because last
    year's cells were blank (no finding computed as if they were 0)."""
    if previous is None or run.previous is None or not run.previous_blank:
        return
    by_rule: dict[str, list[str]] = {}
    rules = {}
    for inst in run.edition.rule_instances:
        for t in (*inst.lhs, *inst.rhs):
            if t.previous and t.key in run.previous_blank:
                for key in _blank_items(run.edition, t.key, run.previous_blank):
                    cv = previous.cells.get(key)
                    where = f"{cv.sheet}!{cv.address}" if cv is not None and cv.address else run.edition.cells[key].label
                    if where not in by_rule.setdefault(inst.rule.id, []):
                        by_rule[inst.rule.id].append(where)
                rules[inst.rule.id] = inst.rule
    for rule_id, cells in by_rule.items():
        shown = "、".join(cells[:6]) + ("等" if len(cells) > 6 else "")
        run.add("previous-blank", _render(MESSAGES["previous-blank"], cells=shown, title=rules[rule_id].title))


def _unit_type_unknown(run: _Run, sub: Submission, edition: Edition) -> None:
    """Say which plausibility rules did not run because the unit type is
    missing or not one of the edition's (a summary has no type of its own)."""
    needing = [r for r in edition.rules if r.kind.startswith("unit_type")]
    if run.unit_type is not None or not needing or sub.kind == "summary":
        return
    text = _unit_type_text(sub, edition)
    field = next((f for f in edition.info_fields if f.choices_from), None)
    run.add("unit-type-missing", _render(
        MESSAGES["unit-type-missing"], what=f"填写的“{text}”不是可选的单位类型" if text else "未填写",
        rules="；".join(r.title for r in needing),
        fix=f"请在“{edition.info_sheet}”中从下拉列表选择。" if sub.ours else "",
        label=field.label if field else "单位类型"),
        [INFO_PREFIX + field.key] if field and sub.ours else [])


def _merge(own: list[Finding], reading: Iterable[Finding]) -> list[Finding]:
    """Own findings plus the reader's, without the same finding twice."""
    seen = {(f.code, f.sheet, tuple(f.cells)) for f in own}
    return own + [f for f in reading if (f.code, f.sheet, tuple(f.cells)) not in seen]


def check_submission(
    sub: Submission,
    edition: Edition | str | None = None,
    *,
    previous: Submission | None = None,
    fee_decimals: int | None = None,
    expected_year: int | None = None,
    year_given: bool = True,
) -> CheckResult:
    """Check one read workbook against every rule of its edition.

    ``expected_year``: the report year wanted; a workbook of another year is an
    error when the operator gave that year (``year_given``), a reminder when it
    is only the default (the year being prepared): checking last year's report
    is legitimate."""
    ed = _edition_of(sub, edition)
    empty = not_filled(sub, ed)
    run = _Run(
        ed,
        sub.cells,
        ours=sub.ours,
        fee_decimals=fee_decimals if fee_decimals is not None else sub.fee_decimals,
        unit_type=ed.unit_type(_unit_type_text(sub, ed)),
        prose=sub.prose,
        previous=previous_values(previous) if _same_unit(sub, previous) else None,
        report_blanks=not empty,  # one finding says it all
    )
    if run.previous is not None:
        run.previous_blank = previous_blank_keys(previous, _edition_of(previous, None))  # in its own edition
    run.run()
    _say_incomparable(run, previous)
    _uncompared(run, previous)
    if empty:
        run.add("not-filled", _render(MESSAGES["not-filled"], tables="、".join(t.sheet for t in ed.tables)))
    _missing_info(run, sub, ed)
    _unit_type_unknown(run, sub, ed)
    if previous is not None and run.previous is None:
        run.add("previous-other-unit", _render(MESSAGES["previous-other-unit"], unit=sub.unit,
                                               previous=previous.unit))
    if expected_year is not None and sub.year != expected_year:
        year_key = INFO_PREFIX + ed.info_key("year")
        code = "wrong-year" if year_given or sub.year is None else "other-year"
        run.add(code, _render(MESSAGES[code], expected=expected_year,
                              actual=sub.year if sub.year is not None else "未填写"),
                [year_key], expected=Decimal(expected_year),
                actual=Decimal(sub.year) if sub.year is not None else None)
    findings = _merge(run.findings, sub.findings)
    findings.sort(key=lambda f: _sort_key(f, ed))
    return CheckResult(sub.path, sub, findings, dict(run.values))


def check_values(
    values: Mapping[str, Decimal | int],
    edition: Edition | str | None = None,
    *,
    unit_type: str | None = None,
    prose: Mapping[str, str] | None = None,
    previous_values: Mapping[str, Decimal] | None = None,
    fee_decimals: int | None = None,
) -> list[Finding]:
    """Check a plain {key: number} map (e.g. summed figures).

    Missing inputs count as 0 and missing totals are computed; totals that
    are given are checked like typed numbers.  Positions are those of our
    template.
    """
    ed = _edition_of(None, edition)
    cells = {}
    for key, v in values.items():
        if key in ed.cells and v is not None:
            pos = _layout_cell(ed, key)
            cells[key] = CellValue(key, pos.sheet, pos.address, raw=v, value=Decimal(v))
    run = _Run(ed, cells, ours=False, fee_decimals=fee_decimals, unit_type=ed.unit_type(unit_type),
               prose=prose or {},
               previous={k: Decimal(v) for k, v in previous_values.items()} if previous_values else None,
               report_blanks=False)
    findings = run.run()
    findings.sort(key=lambda f: _sort_key(f, ed))
    return findings


def expand_paths(paths: Iterable[str | Path], skipped: list | None = None) -> list[Path]:
    """Files as given; a folder becomes its workbooks and published reports,
    subfolders included (sorted; lock files, broken links, pipes … skipped;
    no text file that is not a report).  Each skipped file is appended to
    ``skipped`` as :class:`xxgk.folders.Skipped` (path, reason)."""
    from .folders import find_files

    given = {str(p) for p in paths}
    files, skips = find_files(paths, REPORT_SUFFIXES)
    if skipped is not None:
        skipped += skips
    return [f for f in files if str(f) in given or taken_from_folder(f)]


def read_previous(previous: Submission | str | Path | None, edition: Edition | str | None = None) -> Submission | None:
    """Last year's report, read if given as a path (raises UnreadableFile)."""
    if previous is None or isinstance(previous, Submission):
        return previous
    from .published import read_published

    try:
        return read_published(previous, edition)
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - content no check foresaw: still one clear line
        raise UnreadableFile.unexpected(previous, exc) from None


def check_paths(
    paths: Iterable[str | Path],
    *,
    previous: Submission | str | Path | None = None,
    edition: Edition | str | None = None,
    fee_decimals: int | None = None,
    expected_year: int | None = None,
    year_given: bool = True,
    skipped: list[str] | None = None,
) -> list[CheckResult | FileError]:
    """Read and check every workbook; an unreadable file becomes a FileError.

    An annotated copy made by xxgk and not changed since, found in a folder,
    is not a submission: it is left out (its path appended to ``skipped``).

    ``previous`` is last year's report (a Submission or a path, read once; if
    it cannot be read, :class:`UnreadableFile` is raised) or a folder of last
    year's reports, each unit compared with its own (matched by unit name).
    """
    from .previous import PreviousReports, not_found_finding
    from .published import read_published

    prev = previous if isinstance(previous, PreviousReports) else PreviousReports(previous, edition)
    results: list[CheckResult | FileError] = []
    found = [(path, given.is_dir()) for given in map(Path, paths) for path in expand_paths([given])]
    for path, in_folder in found:
        try:
            sub = read_published(path, edition)
        except UnreadableFile as exc:
            results.append(FileError(str(path), exc.message, exc.code))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            err = UnreadableFile.unexpected(path, exc)
            results.append(FileError(str(path), err.message, err.code))
            continue
        if in_folder and sub.is_unchanged_annotation:  # a copy xxgk made, left among the submissions
            if skipped is not None:
                skipped.append(str(path))
            continue
        last = prev.for_unit(sub.unit)
        result = check_submission(sub, edition, previous=last, fee_decimals=fee_decimals,
                                  expected_year=expected_year, year_given=year_given)
        if prev.folder is not None and last is None:
            result.findings.insert(0, not_found_finding(sub.unit, prev.folder))
        results.append(result)
    return results
