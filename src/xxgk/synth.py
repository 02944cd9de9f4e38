"""Plausible, consistent report figures for samples, tests and benchmarks.

Nothing here is specific to one edition: random numbers are drawn for the
input cells, then every hard equation that is not a formula (table 3's
一 + 二 = （七） + 四) is made to hold by raising the last input term on
its smaller side.  The result satisfies every hard rule of the edition.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .spec import Edition, term_sum

__all__ = ["consistent_inputs"]


def consistent_inputs(
    edition: Edition,
    rng: random.Random,
    *,
    scale: int = 20,
    zero_share: float = 0.5,
    fee_decimals: int = 4,
) -> dict[str, Decimal]:
    """Random input values that satisfy every hard rule.

    ``scale`` is the typical size of a count; ``zero_share`` the share of
    cells left at 0 (most cells of real reports are 0).
    """
    values: dict[str, Decimal] = {}
    for key in edition.input_keys:
        vt = edition.value_type(key)
        places = edition.decimals(vt.key, fee_decimals)
        if rng.random() < zero_share:
            values[key] = Decimal(0)
        elif not vt.is_integer:
            cents = rng.randint(0, scale * 10 ** (places + 2))
            values[key] = Decimal(cents).scaleb(-places)
        else:
            values[key] = Decimal(int(rng.expovariate(1 / scale)))
        if vt.signed and rng.random() < 0.3:
            values[key] = -values[key]  # a decrease (本年增/减)
    balance(edition, values)
    return values


def balance(edition: Edition, values: dict[str, Decimal]) -> None:
    """Make every non-formula hard equation hold, in place."""
    for inst in edition.instances(group="hard", kind="equation"):
        if inst.rule.params.get("formula"):
            continue
        full = edition.compute(values)
        lhs = term_sum(inst.lhs, lambda t: full[t.key])
        rhs = term_sum(inst.rhs, lambda t: full[t.key])
        if lhs == rhs:
            continue
        side = inst.lhs if lhs < rhs else inst.rhs
        inputs = [t for t in side if edition.cells[t.key].is_input and t.sign > 0]
        if not inputs:
            continue  # e.g. an equation between totals only: holds once its items do
        values[inputs[-1].key] += abs(lhs - rhs)
