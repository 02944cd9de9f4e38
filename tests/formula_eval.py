"""A small evaluator of the formulas our workbooks contain (SUM, ROUND,
arithmetic, comparisons, cell and range references across sheets), so tests
can compute what Excel would show without starting LibreOffice.

Only what the template writes is supported; anything else raises.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

_REF = re.compile(
    r"(?:(?P<sheet>'(?:[^']|'')+'|[^\s'!(),:+\-*/<>=&\"]+)!)?"
    r"\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?"
)
_ALLOWED = re.compile(r"^[\sA-Za-z0-9_.,()\[\]+\-*/<>=!\"']*$")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class Evaluator:
    """Evaluate formulas of an openpyxl workbook loaded *with* formulas."""

    def __init__(self, wb):
        self.wb = wb
        self._memo: dict[tuple[str, int, int], Decimal] = {}

    def cell(self, sheet: str, row: int, col: int) -> Decimal:
        key = (sheet, row, col)
        if key not in self._memo:
            v = self.wb[sheet].cell(row, col).value
            if isinstance(v, str) and v.startswith("="):
                v = self.formula(v, sheet)
            if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
                v = 0  # text and blanks count as nothing in a SUM
            self._memo[key] = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        return self._memo[key]

    def _range(self, sheet: str, c1: str, r1: str, c2: str | None, r2: str | None) -> list[Decimal]:
        rows = range(int(r1), int(r2 or r1) + 1)
        cols = range(_col(c1), _col(c2 or c1) + 1)
        return [self.cell(sheet, r, c) for r in rows for c in cols]

    def formula(self, text: str, sheet: str):
        body = text[1:] if text.startswith("=") else text
        refs: list[list[Decimal]] = []

        def ref(m: re.Match[str]) -> str:
            on = m.group("sheet")
            on = on[1:-1].replace("''", "'") if on and on.startswith("'") else (on or sheet)
            refs.append(self._range(on, m.group("c1"), m.group("r1"), m.group("c2"), m.group("r2")))
            return f"_R[{len(refs) - 1}]"

        code = _REF.sub(ref, body)
        code = code.replace("<>", "!=").replace(">=", "≥").replace("<=", "≤")
        code = re.sub(r"(?<![!=])=(?!=)", "==", code).replace("≥", ">=").replace("≤", "<=")
        code = re.sub(r"\bSUM\(", "_SUM(", code)
        code = re.sub(r"\bROUND\(", "_ROUND(", code)
        if not _ALLOWED.match(code) or re.search(r"\b(?!_SUM\b|_ROUND\b|_R\b)[A-Za-z_]\w*\(", code):
            raise ValueError(f"unsupported formula: {text}")
        code = re.sub(r"(?<![\w.\[\]])(\d+(?:\.\d+)?)(?!\])", r"_D('\1')", code)
        env = {"_R": refs, "_SUM": _sum, "_ROUND": _round, "_D": Decimal}
        result = eval(code, {"__builtins__": {}}, env)  # noqa: S307 - our own test formulas
        if isinstance(result, list):
            (result,) = result
        return result


def _sum(*args) -> Decimal:
    total = Decimal(0)
    for a in args:
        total += sum(a, Decimal(0)) if isinstance(a, list) else a
    return total


def _round(value, places) -> Decimal:
    value = value[0] if isinstance(value, list) else value
    return Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


def conditional_formulas(ws) -> list[tuple[list[str], str]]:
    """(cell ranges, formula) of every formula-type conditional format of a sheet."""
    out = []
    for cf_range, rules in ws.conditional_formatting._cf_rules.items():
        for rule in rules:
            if rule.type == "expression":
                out.append((str(cf_range.sqref).split(), "=" + rule.formula[0]))
    return out
