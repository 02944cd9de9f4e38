"""Split run-together digits into cells by the report's own arithmetic.

A website archiver (or a copy from a PDF) often loses the separators between
the cells of a row: “1000001” for 1, 0, 0, 0, 0, 0, 1, “291000030” for a row
whose figures have more than one digit.  The cells a run of digits covers
are known (the row's columns, in order); where the cuts go is not.  Two
things decide it, both taken from the edition:

* a number has no leading zero (a lone 0 is fine), and each cell holds at
  least one digit;
* the hard equation rules (row 总计 = the six applicant columns, （七）总计 =
  the items, table 4's group totals, 一 + 二 = （七） + 四 …), applied jointly
  to every run, every number read directly and every cell that is unknown
  (blank or unreadable in the text: a rule with one unknown left determines
  it).

:func:`solve` searches all splits (branch and bound: the rules local to one
run filter its candidates; a rule whose remaining terms all have one sign
is known to fail as soon as its partial sum has the other sign) and returns,
for every cell, its value and how it was found.  When exactly one
combination satisfies every rule, its figures are taken and marked
*inferred*; when several do, the cells on which they differ are
*ambiguous* and left blank with the candidates; when none does, the
combinations breaking the fewest rules are taken (cells on which those
differ are again ambiguous) and the broken rules named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from ..spec import Edition, RuleInstance

__all__ = ["Token", "Run", "Outcome", "Solution", "solve", "splits", "hard_equations"]

MAX_SPLITS = 20000  # candidate splits of one run considered at most
MAX_SPLIT_STEPS = 100000  # steps of the enumeration of one run's splits; beyond, its list is incomplete
MAX_NODES = 300000  # search nodes at most; beyond, undecided runs are ambiguous
MAX_KEPT = 200  # optimal combinations remembered at most (enough to see disagreement)


@dataclass(frozen=True)
class Token:
    """Digits between two separators, and where they start in the document."""

    text: str
    offset: int


@dataclass(frozen=True)
class Run:
    """Tokens (in order) that together hold the cells ``keys`` (in order).

    A separator between two tokens is always a cut; inside a token the cuts
    are to be found.  A token with a decimal point is one number.
    """

    keys: tuple[str, ...]
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


@dataclass
class Outcome:
    """How the cells of one run were decided."""

    run: Run
    kind: str  # direct / inferred / ambiguous / broken / impossible
    values: tuple[Decimal | None, ...]  # per key; None where not determined
    offsets: tuple[int | None, ...]  # where each number starts in the document
    candidates: list[tuple[Decimal, ...]] = field(default_factory=list)  # ambiguous: the splits still possible


@dataclass
class Solution:
    """What :func:`solve` found."""

    outcomes: list[Outcome]
    inferred_unknowns: dict[str, Decimal]  # unknown cells determined by the rules
    broken: list[RuleInstance]  # rules broken by the chosen split (fewest possible)
    exhausted: bool = False  # search stopped at MAX_NODES


_HARD: dict[int, tuple[Edition, list[RuleInstance]]] = {}


def hard_equations(ed: Edition) -> list[RuleInstance]:
    """The edition's hard equation rules about this year's figures."""
    hit = _HARD.get(id(ed))
    if hit is None or hit[0] is not ed:
        hit = _HARD[id(ed)] = (ed, [i for i in ed.instances(group="hard", kind="equation") if not i.uses_previous])
    return hit[1]


def splits(run: Run, check=None, limit: int = MAX_SPLITS) -> tuple[list[tuple[tuple[Decimal, int], ...]], bool]:
    """Ways to cut the run's tokens into ``len(run.keys)`` numbers without
    leading zeros, each number with the offset of its first digit; and
    whether the list is complete (False when ``limit`` was reached, or the
    enumeration took more than :data:`MAX_SPLIT_STEPS` steps: a run of a
    hundred digits has too many ways to be cut to list them all).

    ``check(values, digits_left)`` is asked after each number is placed
    (``values`` so far, digits still to place) and prunes the branch when it
    says False.
    """
    need = len(run.keys)
    # Each token as (sign, integer digits, fraction, offset of the digits): a
    # fraction belongs to the token's last number, a minus sign to its first
    # (“2648-18538”: …, -18, 538).  Thousands separators make one number.
    parts = []
    for t in run.tokens:
        sign = "-" if t.text.startswith("-") else ""
        body = t.text[len(sign):]
        whole, _, frac = body.partition(".")
        if not whole.isdigit():  # 1,234: one number
            parts.append((sign, None, body.replace(",", ""), t.offset))
        else:
            parts.append((sign, whole, frac, t.offset + len(sign)))
    sizes = [len(w) if w is not None else 1 for _, w, _, _ in parts]
    after = [sum(sizes[i + 1:]) for i in range(len(parts))]  # digits in later tokens
    out: list[tuple[tuple[Decimal, int], ...]] = []
    acc: list[tuple[Decimal, int]] = []
    values: list[Decimal] = []
    complete = True
    steps = 0

    def place(value: Decimal, offset: int, digits_left: int) -> bool:
        acc.append((value, offset))
        values.append(value)
        if check is not None and not check(values, digits_left):
            acc.pop()
            values.pop()
            return False
        return True

    def rec(ti: int, pi: int) -> None:
        nonlocal complete, steps
        steps += 1
        if len(out) >= limit or steps > MAX_SPLIT_STEPS:
            complete = False
            return
        if ti == len(parts):
            if len(acc) == need:
                out.append(tuple(acc))
            return
        sign, whole, frac, offset = parts[ti]
        left = need - len(acc)  # numbers still to place, this one included
        later = len(parts) - ti - 1
        if whole is None:
            if left >= 1 + later and place(Decimal(sign + frac), offset, after[ti]):
                rec(ti + 1, 0)
                acc.pop()
                values.pop()
            return
        if pi == len(whole):
            rec(ti + 1, 0)
            return
        lengths = [1] if whole[pi] == "0" else range(1, len(whole) - pi + 1)
        for length in lengths:
            rest = len(whole) - pi - length
            cells_after = left - 1
            if cells_after < later + (1 if rest else 0) or cells_after > rest + after[ti]:
                continue
            number = (sign if pi == 0 else "") + whole[pi:pi + length] + ("." + frac if frac and not rest else "")
            if place(Decimal(number), offset + pi, rest + after[ti]):
                rec(ti, pi + length)
                acc.pop()
                values.pop()
            if not complete:
                return

    rec(0, 0)
    return out, complete


# -- the search ------------------------------------------------------------------------------


class _Problem:
    def __init__(self, ed: Edition, runs: Sequence[Run], fixed: Mapping[str, Decimal], unknown: Iterable[str],
                 excluded: set[str] = frozenset()):
        self.runs = list(runs)
        self.fixed = dict(fixed)
        self.unknown = [k for k in dict.fromkeys(unknown) if k not in self.fixed]
        owner: dict[str, tuple[int, int]] = {}
        for r, run in enumerate(self.runs):
            for j, key in enumerate(run.keys):
                owner[key] = (r, j)
        self.owner = owner
        known = set(owner) | set(self.fixed) | set(self.unknown)
        self.rules: list[RuleInstance] = []
        self.terms: list[list[tuple[str, int]]] = []
        for inst in hard_equations(ed):
            terms = [(t.key, t.sign) for t in inst.lhs] + [(t.key, -t.sign) for t in inst.rhs]
            if all(k in known and k not in excluded for k, _ in terms) \
                    and any(k in owner or k in self.unknown for k, _ in terms):
                self.rules.append(inst)
                self.terms.append(terms)
        self.rule_runs = [sorted({owner[k][0] for k, _ in terms if k in owner}) for terms in self.terms]
        self.rule_unknown = [any(k in self.unknown for k, _ in terms) for terms in self.terms]
        self.by_run: list[list[int]] = [[] for _ in self.runs]
        for c, rs in enumerate(self.rule_runs):
            for r in rs:
                self.by_run[r].append(c)


def solve(ed: Edition, runs: Sequence[Run], fixed: Mapping[str, Decimal] | None = None,
          unknown: Iterable[str] = ()) -> Solution:
    """Decide every run's split (see the module's docstring).

    ``fixed``: cells read directly; ``unknown``: cells with no number in the
    text (blank, unreadable), which the rules may determine.
    """
    runs, unknown = list(runs), list(unknown)
    fixed = dict(fixed or {})
    # A run the digits alone split one way only is read directly: a figure like any other.
    direct: dict[int, Outcome] = {}
    for r, run in enumerate(runs):
        only, complete = splits(run, limit=2)
        if complete and len(only) == 1:
            (cand,) = only
            direct[r] = Outcome(run, "direct", tuple(v for v, _ in cand), tuple(o for _, o in cand))
            fixed.update(zip(run.keys, (v for v, _ in cand)))
    rest = [run for r, run in enumerate(runs) if r not in direct]
    solutions = [_solve_one(ed, [rest[i] for i in rs], fixed, us) for rs, us in _components(ed, rest, unknown)]
    by_run = {id(o.run): o for sol in solutions for o in sol.outcomes}
    by_run.update({id(o.run): o for o in direct.values()})
    return Solution([by_run[id(r)] for r in runs],
                    {k: v for sol in solutions for k, v in sol.inferred_unknowns.items()},
                    [b for sol in solutions for b in sol.broken],
                    any(sol.exhausted for sol in solutions))


def _components(ed: Edition, runs: list[Run], unknown: list[str]) -> list[tuple[list[int], list[str]]]:
    """Runs (by index) and unknown cells grouped by the rules that link them."""
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    node = {key: ("run", i) for i, run in enumerate(runs) for key in run.keys}
    node.update({k: ("unknown", k) for k in unknown if k not in node})
    for inst in hard_equations(ed):
        linked = [node[t.key] for t in (*inst.lhs, *inst.rhs) if t.key in node]
        for other in linked[1:]:
            parent[find(other)] = find(linked[0])
    groups: dict[object, tuple[list[int], list[str]]] = {}
    for i in range(len(runs)):
        groups.setdefault(find(("run", i)), ([], []))[0].append(i)
    for k in unknown:
        if node.get(k) == ("unknown", k):
            groups.setdefault(find(("unknown", k)), ([], []))[1].append(k)
    return list(groups.values())


def _local_check(ed_rules: list[list[tuple[str, int]]], run: Run, fixed: Mapping[str, Decimal]):
    """A check for :func:`splits`: the rules about this run's cells and fixed
    figures only.  A rule is tested exactly once its last cell is placed;
    before, it is bounded: every cell still to place lies between 0 and the
    largest number the digits left can make."""
    pos = {k: i for i, k in enumerate(run.keys)}
    rules = [[(pos.get(k), fixed.get(k), s) for k, s in terms] for terms in ed_rules
             if all(k in pos or k in fixed for k, _ in terms) and any(k in pos for k, _ in terms)]
    if not rules:
        return None
    bounded = all(t.text.isdigit() for t in run.tokens)  # no sign, fraction or separator: the bound holds
    need = len(run.keys)

    def check(values: list[Decimal], digits_left: int) -> bool:
        placed = len(values)
        cells_left = need - placed
        top = Decimal(10) ** (digits_left - cells_left + 1) - 1 if cells_left else Decimal(0)
        for terms in rules:
            total = Decimal(0)
            lo = hi = Decimal(0)
            touched = False
            for p, fixed_value, sign in terms:
                if p is None:
                    total += fixed_value * sign
                elif p < placed:
                    total += values[p] * sign
                    touched = touched or p == placed - 1
                elif sign > 0:
                    hi += top
                else:
                    lo -= top
            if not touched:
                continue
            if lo == hi == 0:
                if total != 0:
                    return False
            elif bounded and (total + lo > 0 or total + hi < 0):
                return False
        return True

    return check


def _solve_one(ed: Edition, runs: Sequence[Run], fixed: Mapping[str, Decimal], unknown: Iterable[str]) -> Solution:
    all_terms = [[(t.key, t.sign) for t in i.lhs] + [(t.key, -t.sign) for t in i.rhs] for i in hard_equations(ed)]
    # Candidates of each run: those keeping the rules local to it; if none does,
    # all of them (the report breaks a rule).  A run with too many candidates
    # to list is undecided: its cells are left out of the search.
    found: dict[int, list] = {}
    undecided: list[Run] = []
    for r, run in enumerate(runs):
        cands, complete = splits(run, _local_check(all_terms, run, fixed))
        if complete and not cands:
            cands, complete = splits(run)
        if complete:
            found[r] = cands
        else:
            undecided.append(run)
    decided = [run for r, run in enumerate(runs) if r in found]
    excluded = {k for run in undecided for k in run.keys}
    p = _Problem(ed, decided, fixed, [k for k in unknown if k not in excluded], excluded)
    cands = [found[r] for r in range(len(runs)) if r in found]
    p.single = [len(splits(run, limit=2)[0]) == 1 for run in decided]  # one split by the digits alone
    values: dict[str, Decimal] = dict(p.fixed)
    # Candidates ordered by the rules they break on their own (rules touching
    # only this run and fixed cells): the cheapest first.
    local_cost: list[list[int]] = []
    for r, cs in enumerate(cands):
        local = [c for c in p.by_run[r] if p.rule_runs[c] == [r] and not p.rule_unknown[c]]
        costs = []
        for cand in cs:
            _assign(values, p.runs[r], cand)
            costs.append(sum(1 for c in local if _total(values, p.terms[c]) != 0))
        order = sorted(range(len(cs)), key=costs.__getitem__)
        cands[r] = [cs[i] for i in order]
        local_cost.append([costs[i] for i in order])
        for key in p.runs[r].keys:
            values.pop(key, None)
    local_rules = {c for r in range(len(cands)) for c in p.by_run[r]
                   if p.rule_runs[c] == [r] and not p.rule_unknown[c]}

    order = sorted((r for r in range(len(cands)) if cands[r]), key=lambda r: len(cands[r]))  # fewest first
    min_rest = [0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        min_rest[i] = min_rest[i + 1] + local_cost[order[i]][0]

    state = _Search(p, cands, local_cost, local_rules, order, min_rest, values)
    state.run(0, 0, frozenset())
    sol = state.result()
    for run in undecided:
        n = len(run.keys)
        sol.outcomes.append(Outcome(run, "ambiguous", (None,) * n, (None,) * n, []))
    by_run = {id(o.run): o for o in sol.outcomes}
    sol.outcomes = [by_run[id(run)] for run in runs]
    return sol


def _assign(values: dict[str, Decimal], run: Run, cand: tuple[tuple[Decimal, int], ...]) -> None:
    for key, (v, _) in zip(run.keys, cand):
        values[key] = v


def _total(values: Mapping[str, Decimal], terms: list[tuple[str, int]]) -> Decimal:
    return sum((values[k] * s for k, s in terms), Decimal(0))


class _Search:
    """Branch and bound over the runs' candidates.  Each rule keeps its
    partial sum and how many of its terms (counted with their sign) are still
    open, so that “can it still hold?” is answered in constant time."""

    def __init__(self, p: _Problem, cands, local_cost, local_rules, order, min_rest, values):
        self.p, self.cands, self.local_cost, self.local_rules = p, cands, local_cost, local_rules
        self.order, self.min_rest, self.values = order, min_rest, values
        self.best = 1 << 30
        self.kept: list[tuple[tuple[int, ...], dict[str, Decimal], frozenset[int]]] = []
        self.choice = [0] * len(cands)
        self.nodes = 0
        self.exhausted = False
        n = len(p.terms)
        self.sum = [Decimal(0)] * n
        self.open_pos = [0] * n
        self.open_neg = [0] * n
        for c, terms in enumerate(p.terms):
            for key, sign in terms:
                if key in p.fixed:
                    self.sum[c] += p.fixed[key] * sign
                elif sign > 0:
                    self.open_pos[c] += 1
                else:
                    self.open_neg[c] += 1
        # per run: (rule, [(position in the run, sign)]) for every rule it touches
        self.contrib: list[list[tuple[int, list[tuple[int, int]]]]] = []
        for r, run in enumerate(p.runs):
            pos = {k: j for j, k in enumerate(run.keys)}
            self.contrib.append([(c, [(pos[k], s) for k, s in p.terms[c] if k in pos]) for c in p.by_run[r]])

    def _move(self, r: int, cand, direction: int) -> None:
        for c, items in self.contrib[r]:
            for j, sign in items:
                self.sum[c] += cand[j][0] * sign * direction
                if sign > 0:
                    self.open_pos[c] -= direction
                else:
                    self.open_neg[c] -= direction

    def _cannot_hold(self, c: int) -> bool:
        """With every open term >= 0: can rule ``c`` no longer hold?"""
        total, pos, neg = self.sum[c], self.open_pos[c], self.open_neg[c]
        if pos and neg:
            return False
        if pos:
            return total > 0
        if neg:
            return total < 0
        return total != 0

    def run(self, depth: int, cost: int, broken: frozenset[int]) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.exhausted = True
            return
        if cost + self.min_rest[depth] > self.best:
            return
        if depth == len(self.order):
            self._leaf(cost, broken)
            return
        r = self.order[depth]
        run = self.p.runs[r]
        for i, cand in enumerate(self.cands[r]):
            _assign(self.values, run, cand)
            self._move(r, cand, 1)
            self.choice[r] = i
            new = {c for c, _ in self.contrib[r] if c not in broken and self._cannot_hold(c)}
            self.run(depth + 1, cost + len(new), broken | new if new else broken)
            self._move(r, cand, -1)
            if self.exhausted:
                break
        for key in run.keys:
            self.values.pop(key, None)

    def _leaf(self, cost: int, broken: frozenset[int]) -> None:
        solved, extra = self._unknowns(broken)
        cost += len(extra)
        if cost > self.best:
            return
        if cost < self.best:
            self.best, self.kept = cost, []
        if len(self.kept) < MAX_KEPT:
            self.kept.append((tuple(self.choice), solved, broken | extra))

    def _unknowns(self, broken: frozenset[int]) -> tuple[dict[str, Decimal], frozenset[int]]:
        """Determine unknown cells from the rules (one unknown left in a rule
        gives it); rules then still false are broken."""
        solved: dict[str, Decimal] = {}
        vals = self.values
        pending = [c for c in range(len(self.p.terms)) if self.p.rule_unknown[c] and c not in broken]
        bad: set[int] = set()
        progress = True
        while progress:
            progress = False
            for c in pending:
                if c in bad:
                    continue
                missing = [(k, s) for k, s in self.p.terms[c] if k not in vals and k not in solved]
                if len(missing) == 1:
                    key, sign = missing[0]
                    rest = sum(((vals[k] if k in vals else solved[k]) * s for k, s in self.p.terms[c] if k != key),
                               Decimal(0))
                    value = -rest * sign
                    if value < 0 or value != value.to_integral_value():
                        bad.add(c)
                    else:
                        solved[key] = value
                        progress = True
        for c in pending:
            if c in bad:
                continue
            terms = self.p.terms[c]
            if all(k in vals or k in solved for k, _ in terms):
                if sum(((vals[k] if k in vals else solved[k]) * s for k, s in terms), Decimal(0)) != 0:
                    bad.add(c)
        return solved, frozenset(bad)

    def result(self) -> Solution:
        p = self.p
        outcomes: list[Outcome] = []
        kept = self.kept
        broken = sorted(set.intersection(*(set(b) for _, _, b in kept))) if kept else []
        for r, run in enumerate(p.runs):
            cs = self.cands[r]
            if not cs:
                outcomes.append(Outcome(run, "impossible", (None,) * len(run.keys), (None,) * len(run.keys)))
                continue
            chosen = sorted({choice[r] for choice, _, _ in kept}) if kept else list(range(len(cs)))
            options = [cs[i] for i in chosen]
            vals: list[Decimal | None] = []
            offs: list[int | None] = []
            for j in range(len(run.keys)):
                seen = {o[j][0] for o in options}
                where = {o[j][1] for o in options}
                vals.append(seen.pop() if len(seen) == 1 else None)
                offs.append(where.pop() if len(where) == 1 else None)
            if p.single[r]:
                kind = "direct"
            elif self.exhausted or len(options) != 1:
                kind = "ambiguous"
                if self.exhausted:  # the search did not finish: nothing is proven
                    vals, offs = [None] * len(run.keys), [None] * len(run.keys)
                    options = options or cs[:10]
            else:
                kind = "broken" if self.best else "inferred"
            outcomes.append(Outcome(run, kind, tuple(vals), tuple(offs),
                                    [tuple(v for v, _ in o) for o in options] if kind == "ambiguous" else []))
        unknowns: dict[str, Decimal] = {}
        if kept:
            for key in p.unknown:
                seen = {solved.get(key) for _, solved, _ in kept}
                if len(seen) == 1 and None not in seen:
                    unknowns[key] = seen.pop()
        return Solution(outcomes, unknowns, [p.rules[c] for c in broken], self.exhausted)
