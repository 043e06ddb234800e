"""Goal Attainment Scaling: the T-score of a set of scored goals (Kiresuk & Sherman 1968).

    T = 50 + 10 · Σ wᵢxᵢ / √((1 − ρ) Σ wᵢ² + ρ (Σ wᵢ)²)

with xᵢ the attainment of goal i (−2 … +2), wᵢ its weight and ρ the assumed
correlation between goals' scores, 0.3 as Kiresuk and Sherman proposed. All
goals at the expected level give 50; the scale is built so that T has a mean of
50 and a standard deviation of 10 when goals are set realistically.

What a T-score means for the referral's outcome in words (``outcome_in_words``):
50 or more — the goals were met as expected or better (need met); from 40 —
partly met; below 40 — not met (on average worse than "somewhat less than
expected").
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from math import sqrt

RHO = 0.3
MET_FROM = Decimal("50")
PARTLY_FROM = Decimal("40")


def t_score(goals: Iterable[tuple[int, int]], rho: float = RHO) -> Decimal:
    """The T-score of ``(attainment, weight)`` pairs, to two decimals.

    >>> t_score([(0, 1), (0, 2)])
    Decimal('50.00')
    >>> t_score([(2, 1)])
    Decimal('70.00')
    """
    pairs = [(int(x), int(w)) for x, w in goals]
    if not pairs:
        raise ValueError("a T-score needs at least one goal")
    if any(w <= 0 for _x, w in pairs):
        raise ValueError("goal weights are positive")
    weighted = sum(w * x for x, w in pairs)
    squares = sum(w * w for _x, w in pairs)
    total = sum(w for _x, w in pairs)
    value = 50 + 10 * weighted / sqrt((1 - rho) * squares + rho * total * total)
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def outcome_in_words(score: Decimal) -> str:
    """The referral's ``Referral.Outcome`` code for a T-score."""
    if score >= MET_FROM:
        return "achieved"
    if score >= PARTLY_FROM:
        return "partly"
    return "not_achieved"
