"""Provider ratings as pages, the API, matching and tender scoring read them.

Ratings are public (SPEC §5: the directory shows them), so nothing here is
scoped to a user; what a rating is made of is in ``evaluation.rating_method``.
Each function runs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation import rating_method as method
from evaluation.models.ratings import ProviderRating, RatingHistory
from providers import selectors as provider_selectors


def public_ratings() -> QuerySet[ProviderRating]:
    """Ratings of the providers the public directory shows (verified), for the API."""
    return (
        ProviderRating.objects.filter(provider__in=provider_selectors.public_providers())
        .select_related("provider__organization", "category")
        .order_by("provider__organization__name_zh", "provider_id", "category__code")
    )


def public_history() -> QuerySet[RatingHistory]:
    return (
        RatingHistory.objects.filter(provider__in=provider_selectors.public_providers())
        .select_related("provider", "category")
        .order_by("provider_id", "category__code", "month")
    )


def rating_of(provider, category=None) -> ProviderRating | None:
    """The provider's overall rating, or its rating for ``category``; None without evidence."""
    return ProviderRating.objects.filter(
        provider_id=getattr(provider, "pk", provider),
        category_id=getattr(category, "pk", category),
    ).first()


def ratings_of_providers(provider_ids: Iterable[int], category=None) -> dict[int, ProviderRating]:
    """{provider pk: rating} overall (or for ``category``), in one query."""
    rows = ProviderRating.objects.filter(
        provider_id__in=list(provider_ids), category_id=getattr(category, "pk", category)
    )
    return {row.provider_id: row for row in rows}


def best_ratings_of(provider_ids: Iterable[int], category) -> dict[int, ProviderRating]:
    """{provider pk: its rating for ``category``, else its overall rating}, in one query.
    Each rating says which it is: ``is_for_category``."""
    category_id = getattr(category, "pk", category)
    rows = ProviderRating.objects.filter(provider_id__in=list(provider_ids)).filter(
        Q(category_id=category_id) | Q(category__isnull=True)
    )
    found: dict[int, ProviderRating] = {}
    for row in rows:
        row.is_for_category = row.category_id == category_id
        if row.provider_id not in found or row.is_for_category:
            found[row.provider_id] = row
    return found


def category_ratings_of(provider) -> list[ProviderRating]:
    """The provider's rating per need category, best evidenced first."""
    return list(
        ProviderRating.objects.filter(provider_id=getattr(provider, "pk", provider))
        .exclude(category__isnull=True)
        .select_related("category")
        .order_by("-evidence_count", "category__code")
    )


def history_of(provider, category=None) -> list[RatingHistory]:
    """The monthly history of the provider's overall (or one category's) rating, oldest first."""
    return list(
        RatingHistory.objects.filter(
            provider_id=getattr(provider, "pk", provider),
            category_id=getattr(category, "pk", category),
        ).order_by("month")
    )


def score_expression(*, provider_ref: str, category_ids: Iterable[int], default: float):
    """A database expression: the rating of the provider named by ``provider_ref`` for the
    first of ``category_ids`` it has one for — else its overall rating, else ``default``."""
    ids = list(category_ids)
    scored = ProviderRating.objects.filter(provider_id=OuterRef(provider_ref))
    parts = []
    if ids:
        parts.append(
            Subquery(
                scored.filter(category_id__in=ids).order_by("-evidence_count").values("score")[:1]
            )
        )
    parts.append(Subquery(scored.filter(category__isnull=True).values("score")[:1]))
    return Coalesce(*parts, Value(default), output_field=FloatField())


def providers_by_rating(queryset: QuerySet, *, provider_field: str = "pk") -> QuerySet:
    """``queryset`` annotated ``rating_score`` (overall; None without a rating)."""
    overall = ProviderRating.objects.filter(
        provider_id=OuterRef(provider_field), category__isnull=True
    ).values("score")[:1]
    return queryset.annotate(rating_score=Subquery(overall, output_field=FloatField()))


@dataclass(frozen=True)
class PastPerformance:
    """The rating a tender's past-performance criterion uses, with what it is made of."""

    score: float | None  # 1–5, None: no history in these categories
    count: int
    ratings: tuple[ProviderRating, ...]

    @property
    def has_history(self) -> bool:
        return self.score is not None


def _past(rows: tuple) -> PastPerformance:
    count = sum(row.evidence_count for row in rows)
    if not count:
        return PastPerformance(score=None, count=0, ratings=rows)
    score = sum(row.score * row.evidence_count for row in rows) / count
    return PastPerformance(score=round(score, 3), count=count, ratings=rows)


def past_performances(provider_ids: Iterable[int], category_ids: Iterable[int]):
    """{provider pk: PastPerformance} in a tender's categories: the evidence-weighted mean of
    each provider's ratings for those categories (one query). No rating there: no history."""
    ids = list(provider_ids)
    found: dict[int, list] = {pk: [] for pk in ids}
    rows = (
        ProviderRating.objects.filter(provider_id__in=ids, category_id__in=list(category_ids))
        .select_related("category")
        .order_by("category__code")
    )
    for row in rows:
        found[row.provider_id].append(row)
    return {pk: _past(tuple(rows)) for pk, rows in found.items()}


def past_performance(provider, category_ids: Iterable[int]) -> PastPerformance:
    """One provider's ``PastPerformance`` in these categories."""
    pk = getattr(provider, "pk", provider)
    return past_performances([pk], category_ids)[pk]


def in_words(rating: ProviderRating | None) -> str:
    """ "4.3 ★ from 58 outcomes" — the score and what most of it rests on."""
    if rating is None:
        return str(method.NO_RATING)
    if rating.outcome_count:
        return ngettext(
            "%(score).1f ★ from %(count)d outcome",
            "%(score).1f ★ from %(count)d outcomes",
            rating.outcome_count,
        ) % {"score": rating.score, "count": rating.outcome_count}
    return ngettext(
        "%(score).1f ★ from %(count)d piece of evidence (no outcomes yet)",
        "%(score).1f ★ from %(count)d pieces of evidence (no outcomes yet)",
        rating.evidence_count,
    ) % {"score": rating.score, "count": rating.evidence_count}


def breakdown_rows(rating: ProviderRating) -> list[dict]:
    """The components of a rating, in the method's order, ready for a table."""
    rows = []
    for component in method.COMPONENTS:
        part = (rating.breakdown or {}).get(component.name) or {}
        rows.append(
            {
                "name": component.name,
                "label": component.label,
                "share": round(component.share * 100),
                "score": part.get("score"),
                "raw": part.get("raw"),
                "count": part.get("count", 0),
                "band": part.get("band"),
                "counted": method.evidence_in_words(component.name, part.get("count", 0)),
                "at_mean": not part.get("count"),
            }
        )
    return rows


def uncertainty_in_words(rating: ProviderRating) -> str:
    return _("between %(low).1f and %(high).1f (95 %% band)") % {
        "low": rating.low,
        "high": rating.high,
    }
