"""How a panel's scores and a bid's price become points and ranks: the formulas, in one place.

Every criterion gives a bid points out of its weight, so a tender's points
add up to at most 100 (``TOTAL_WEIGHT``):

- **price**: lowest submitted price on the lot ÷ the bid's price × weight
  (the cheapest bid gets the full weight; one twice as dear gets half);
- **quality** and **social value**: the panel's score on the 0–10 scale ÷ 10 ×
  weight, where the score is the chair's moderated score, or the mean of the
  members' submitted scores when the chair left it as it was;
- **past performance**: ``past_performance_score`` — the one place that
  provider ratings will feed (SPEC §5, evaluation app). Until ratings exist
  every provider gets the same neutral score, so the criterion cannot change
  the ranking.

Points are rounded half up to the hundredth at the end of each criterion;
the total is the sum of the rounded points. ``services.panels.compute_results``
writes them to ``BidResult``; this module only computes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marketplace.models.panels import DISAGREEMENT_THRESHOLD, SCORE_MAX

POINTS = Decimal("0.01")
ZERO = Decimal("0.00")
# The middle of the 0–10 scale: what every provider scores on past
# performance while no ratings exist.
NEUTRAL_PAST_PERFORMANCE = Decimal("5")


def _points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


def price_points(*, price: Decimal, lowest: Decimal, weight: int) -> Decimal:
    """Lowest price ÷ this price × weight."""
    if price <= 0 or lowest <= 0:
        raise ValueError("prices must be positive")
    return _points(lowest / price * weight)


def panel_points(*, score: Decimal, weight: int) -> Decimal:
    """A 0–10 panel score as points out of the criterion's weight."""
    return _points(Decimal(score) / SCORE_MAX * weight)


def mean_score(scores: Iterable[Decimal]) -> Decimal | None:
    """The members' mean score, to the hundredth; None when nobody scored."""
    scores = list(scores)
    if not scores:
        return None
    return _points(sum(scores, ZERO) / len(scores))


def spread(scores: Iterable[Decimal]) -> Decimal:
    """How far apart the members are: highest minus lowest score."""
    scores = list(scores)
    return max(scores) - min(scores) if scores else ZERO


def is_disagreement(scores: Iterable[Decimal]) -> bool:
    """Members more than ``DISAGREEMENT_THRESHOLD`` points apart: the chair must look at it."""
    return spread(scores) > DISAGREEMENT_THRESHOLD


def past_performance_score(provider, criterion) -> Decimal:
    """Points for past performance, out of ``criterion.weight``.

    The evaluation app's provider ratings (SPEC §5: outcomes, satisfaction,
    third-party assessments, shrunk toward the mean) will feed this, and only
    this, function. Until then every provider gets the same neutral score —
    the middle of the scale — so no bidder gains or loses by it.
    """
    return panel_points(score=NEUTRAL_PAST_PERFORMANCE, weight=criterion.weight)


@dataclass
class Standing:
    """What ranking compares for one bid."""

    key: object  # the bid's id
    total: Decimal
    panel_points: Decimal  # quality + social value
    price: Decimal
    submitted_at: object


def ranked(standings: Sequence[Standing]) -> list[Standing]:
    """Best first: highest total; on a tie, the better proposal (quality and social
    value points), then the lower price, then the earlier submission. Every bid
    gets its own rank, so there is always one first-ranked bid to recommend."""
    return sorted(
        standings,
        key=lambda s: (-s.total, -s.panel_points, s.price, s.submitted_at, s.key),
    )
