"""How a panel's scores and a bid's price become points and ranks: the formulas, in one place.

Every criterion gives a bid points out of its weight, so a tender's points
add up to at most 100 (``TOTAL_WEIGHT``):

- **price**: lowest submitted price on the lot ÷ the bid's price × weight
  (the cheapest bid gets the full weight; one twice as dear gets half);
- **quality** and **social value**: the panel's score on the 0–10 scale ÷ 10 ×
  weight, where the score is the chair's moderated score, or the mean of the
  members' submitted scores when the chair left it as it was;
- **past performance**: ``past_performance_score`` — the bidder's provider
  rating in the lot's need categories (SPEC §5, evaluation app: 1–5 stars)
  on the 0–10 scale, (rating − 1) ÷ 4 × 10; a bidder without any rating in
  those categories gets the neutral middle of the scale, and is told so.

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
# The middle of the 0–10 scale: what a provider without a rating in the tender's
# categories scores on past performance, neither helped nor harmed by being new.
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


def past_performance_score(history, criterion) -> Decimal:
    """Points for past performance, out of ``criterion.weight``.

    ``history`` is the bidder's ``PastPerformance`` in the lot's categories
    (``evaluation.selectors.ratings.past_performances``): its 1–5 rating becomes
    (rating − 1) ÷ 4 × 10 on the panel's scale. Without a rating there, the
    neutral middle of the scale.
    """
    return panel_points(score=past_performance_on_scale(history), weight=criterion.weight)


def past_performance_on_scale(history) -> Decimal:
    """The bidder's rating on the 0–10 scale, or the neutral score without a history."""
    if history is None or history.score is None:
        return NEUTRAL_PAST_PERFORMANCE
    return _points((Decimal(str(history.score)) - 1) / 4 * SCORE_MAX)


def past_performance_basis(history) -> dict:
    """What the points rest on, to keep with the result (JSON)."""
    if history is None or history.score is None:
        return {"neutral": True, "score": None, "count": 0, "categories": []}
    return {
        "neutral": False,
        "score": history.score,
        "on_scale": str(past_performance_on_scale(history)),
        "count": history.count,
        "categories": [
            {
                "code": rating.category.code,
                "name_zh": rating.category.name_zh,
                "name_en": rating.category.name_en,
                "score": rating.score,
                "low": rating.low,
                "high": rating.high,
                "count": rating.evidence_count,
            }
            for rating in history.ratings
        ],
    }


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
