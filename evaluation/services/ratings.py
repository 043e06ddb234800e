"""Provider ratings rebuilt from the evidence (``evaluation.rating_method`` says how).

Two paths give the same numbers because they run the same code on the same sums:

* ``recompute_ratings()`` rebuilds every rating, and the last
  ``HISTORY_MONTHS`` of history, for every provider (command
  ``recompute_ratings``, and beat once a day);
* ``update_ratings_of(provider_id=…)`` rebuilds one provider's ratings and this
  month's history, when new evidence of it arrives (queued after commit by
  ``schedule_rating_update``, an idempotent Celery task).

The database does the counting: each evidence source (``evaluation.selectors
.evidence.SOURCES``) is summed per provider, category and month in one
``GROUP BY`` query — pieces of evidence, sum of values, sum of squares. Python
then walks those monthly sums (never the evidence rows): the decayed weight of
month M is the weight of month M − 1 times 0.5^(1/half-life) plus M's own
evidence. The platform means (``RatingPrior``) come the same way from the sums
per month over all providers, so one provider's update uses the very priors a
full rebuild would.

Nobody writes a rating by hand, the provider least of all: the only inputs are
confirmed outcomes, survey answers, accepted assessments, published
performance notices and the provider's answers to referrals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from evaluation import rating_method as method
from evaluation.models.ratings import ProviderRating, RatingHistory, RatingPrior
from evaluation.selectors import evidence
from referrals.selectors import responsiveness

Key = tuple[int, int | None]  # (provider, category or None for overall)
MONTHLY_DECAY = method.decay(1)
BATCH = 2000


def schedule_rating_update(*, provider_id: int) -> None:
    """Queue the update of one provider's ratings once the evidence is committed."""
    from evaluation import tasks

    transaction.on_commit(lambda: tasks.update_provider_ratings.delay(provider_id))


def month_of(moment) -> datetime.date:
    """The first day of the month ``moment`` falls in, in the platform's time zone."""
    if isinstance(moment, datetime.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        moment = moment.date()
    return moment.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# --- the sums the database makes ----------------------------------------------------------


@dataclass
class Bucket:
    n: int = 0
    s: float = 0.0
    ss: float = 0.0
    flags: dict = field(default_factory=dict)


def _monthly(source, *, by_category: bool, provider_id: int | None) -> Iterable[dict]:
    """One row per provider (category) and month of the source: n, s, ss and its flags."""
    per_category = by_category and not source.provider_wide
    keys = ["ev_provider"] + (["ev_category"] if per_category else []) + ["ev_month"]
    rows = (
        source.rows(by_category=per_category, provider_id=provider_id)
        .annotate(ev_month=TruncMonth("ev_at"))
        .values(*keys)
        .annotate(
            n=Count("pk"),
            s=Sum("ev_value"),
            ss=Sum(F("ev_value") * F("ev_value")),
            **{flag: Sum(flag) for flag in source.flags},
        )
        .order_by()
    )
    return rows.iterator(chunk_size=BATCH)


def _buckets(*, by_category: bool, provider_id: int | None):
    """{component: {key: {month: Bucket}}} for every source."""
    found: dict[str, dict[Key, dict[datetime.date, Bucket]]] = {}
    for source in evidence.SOURCES:
        per_key: dict[Key, dict[datetime.date, Bucket]] = defaultdict(dict)
        found[source.component] = per_key
        if by_category and source.provider_wide:
            continue  # spread over the provider's categories by ``_build``
        per_category = by_category
        for row in _monthly(source, by_category=by_category, provider_id=provider_id):
            if per_category and row["ev_category"] is None:
                continue
            key = (row["ev_provider"], row["ev_category"] if per_category else None)
            month = month_of(row["ev_month"])
            bucket = per_key[key].setdefault(month, Bucket())
            bucket.n += row["n"]
            bucket.s += float(row["s"] or 0)
            bucket.ss += float(row["ss"] or 0)
            for flag in source.flags:
                bucket.flags[flag] = bucket.flags.get(flag, 0) + int(row[flag] or 0)
    return found


def _platform_totals(component: str) -> dict[datetime.date, tuple[int, float, float]]:
    """Σ n, values and squares per month over every provider, for one component."""
    source = next(s for s in evidence.SOURCES if s.component == component)
    rows = (
        source.rows(by_category=False)
        .annotate(ev_month=TruncMonth("ev_at"))
        .values("ev_month")
        .annotate(n=Count("pk"), s=Sum("ev_value"), ss=Sum(F("ev_value") * F("ev_value")))
        .order_by()
    )
    totals: dict[datetime.date, list] = {}
    for row in rows:
        month = month_of(row["ev_month"])
        total = totals.setdefault(month, [0, 0.0, 0.0])
        total[0] += row["n"]
        total[1] += float(row["s"] or 0)
        total[2] += float(row["ss"] or 0)
    return {month: tuple(values) for month, values in totals.items()}


# --- the priors -----------------------------------------------------------------------------


def _prior_series(
    totals: dict[datetime.date, tuple], months: list[datetime.date]
) -> dict[datetime.date, method.Prior]:
    """The prior at the start of each month: every earlier month's evidence, decayed."""
    priors = {}
    if not totals:
        return {month: method.Prior() for month in months}
    weight = total = squares = 0.0
    month = min(min(totals), months[0])
    last = months[-1]
    while month <= last:
        # Before adding month M: the evidence of months < M, decayed to M.
        priors[month] = method.prior_from(weight=weight, total=total, squares=squares)
        n, s, ss = totals.get(month, (0, 0.0, 0.0))
        weight = weight * MONTHLY_DECAY + n
        total = total * MONTHLY_DECAY + s
        squares = squares * MONTHLY_DECAY + ss
        month = next_month(month)
    return {month: priors[month] for month in months}


def _store_priors(priors: dict[str, dict[datetime.date, method.Prior]]) -> None:
    months = {month for series in priors.values() for month in series}
    RatingPrior.objects.filter(month__in=months).delete()
    RatingPrior.objects.bulk_create(
        [
            RatingPrior(month=month, component=name, mean=p.mean, sd=p.sd, weight=p.weight)
            for name, series in priors.items()
            for month, p in series.items()
        ]
    )


def priors_for(months: list[datetime.date], *, refresh: bool = False):
    """{component: {month: Prior}}: stored ones, or worked out (and stored) when missing."""
    if not refresh:
        stored = RatingPrior.objects.filter(month__in=months)
        found: dict[str, dict] = defaultdict(dict)
        for row in stored:
            found[row.component][row.month] = method.Prior(row.mean, row.sd, row.weight)
        if all(len(found[c.name]) == len(months) for c in method.COMPONENTS):
            return dict(found)
    priors = {c.name: _prior_series(_platform_totals(c.name), months) for c in method.COMPONENTS}
    _store_priors(priors)
    return priors


# --- from sums to ratings ------------------------------------------------------------------


@dataclass
class Facts:
    """What a rating shows besides its score: undecayed counts over all time."""

    flags: dict = field(default_factory=dict)
    outcome_count: int = 0
    survey_count: int = 0
    answers: int = 0


def _series(
    per_component: dict[str, dict[datetime.date, Bucket]],
    months: list[datetime.date],
    priors: dict[str, dict[datetime.date, method.Prior]],
):
    """The rating at the end of each of ``months`` (None before any evidence) and the facts."""
    first = min((min(buckets) for buckets in per_component.values() if buckets), default=months[-1])
    tallies = {name: method.Tally() for name in per_component}
    facts = Facts()
    ratings = {}
    month = min(first, months[0])
    wanted = set(months)
    while month <= months[-1]:
        for name, buckets in per_component.items():
            tally = tallies[name]
            tally.weight *= MONTHLY_DECAY
            tally.total *= MONTHLY_DECAY
            bucket = buckets.get(month)
            if bucket is not None:
                tally.add(n=bucket.n, s=bucket.s, factor=1.0)
                for flag, value in bucket.flags.items():
                    facts.flags[flag] = facts.flags.get(flag, 0) + value
        if month in wanted:
            ratings[month] = method.combine(tallies, {name: priors[name][month] for name in priors})
        month = next_month(month)
    facts.outcome_count = tallies.get("outcomes", method.Tally()).count
    facts.survey_count = tallies.get("satisfaction", method.Tally()).count
    facts.answers = tallies.get("responsiveness", method.Tally()).count
    return ratings, facts


def _median_hours(row: dict | None) -> float | None:
    """The median time to accept, read from the counts per bucket of hours (interpolated)."""
    if not row:
        return None
    bounds = (0.0, *responsiveness.ACCEPT_HOUR_BUCKETS)
    counts = [row.get(f"b{i}", 0) for i in range(len(bounds))]
    total = sum(counts)
    if not total:
        return None
    half, seen = total / 2, 0
    for index, count in enumerate(counts):
        if count and seen + count >= half:
            low = bounds[index]
            high = bounds[index + 1] if index + 1 < len(bounds) else low * 2
            return round(low + (high - low) * (half - seen) / count, 1)
        seen += count
    return None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rating_row(key: Key, rating: method.Rating, facts: Facts, accept_row, now) -> ProviderRating:
    flags = facts.flags
    answered = facts.answers
    outcomes = facts.outcome_count
    return ProviderRating(
        provider_id=key[0],
        category_id=key[1],
        score=rating.score,
        low=rating.low,
        high=rating.high,
        evidence_count=rating.evidence_count,
        breakdown=rating.breakdown,
        outcome_count=outcomes,
        success_rate=_rate(flags.get("ev_success", 0), outcomes),
        completion_rate=_rate(flags.get("ev_completed", 0), outcomes),
        survey_count=facts.survey_count,
        acceptance_rate=_rate(flags.get("ev_accepted", 0), answered),
        decline_rate=_rate(flags.get("ev_declined", 0), answered),
        sla_breaches=flags.get("ev_late", 0),
        median_accept_hours=_median_hours(accept_row),
        computed_at=now,
    )


def _build(*, provider_id: int | None, months: list[datetime.date], priors, now):
    """Ratings of the current month and history rows of ``months``, for one provider or all."""
    overall = _buckets(by_category=False, provider_id=provider_id)
    by_category = _buckets(by_category=True, provider_id=provider_id)
    # Provider-wide evidence (assessments) counts in each category the provider has
    # other evidence in.
    for source in evidence.SOURCES:
        if source.provider_wide:
            wide = overall[source.component]
            keys = {k for name, per in by_category.items() if name != source.component for k in per}
            by_category[source.component] = {
                key: wide[(key[0], None)] for key in keys if (key[0], None) in wide
            }
    accept_rows = {
        (row["referral__provider_id"], row.get("referral__category_id")): row
        for by in (False, True)
        for row in responsiveness.accept_times(by_category=by, provider_id=provider_id)
    }
    ratings, history = [], []
    for per in (overall, by_category):
        keys = {key for buckets in per.values() for key in buckets}
        for key in keys:
            per_component = {c.name: per.get(c.name, {}).get(key, {}) for c in method.COMPONENTS}
            series, facts = _series(per_component, months, priors)
            current = series.get(months[-1])
            if current is None:
                continue
            ratings.append(_rating_row(key, current, facts, accept_rows.get(key), now))
            history.extend(
                RatingHistory(
                    provider_id=key[0],
                    category_id=key[1],
                    month=month,
                    score=rating.score,
                    low=rating.low,
                    high=rating.high,
                    evidence_count=rating.evidence_count,
                )
                for month, rating in series.items()
                if rating is not None
            )
    return ratings, history


def _history_window(now) -> list[datetime.date]:
    current = month_of(now)
    first = current
    for _step in range(method.HISTORY_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return month_range(first, current)


# The key of the PostgreSQL advisory lock every rating write holds (an arbitrary number
# that no other lock of the project uses).
RATINGS_LOCK = 13_2026


def _one_writer_at_a_time() -> None:
    """Serialize rating writes until the transaction ends.

    Two updates at once (two referrals of one provider answered in the same
    moment) would both delete and insert the same ratings and priors, and one
    would fail on the unique constraints. Writes are short and run in the
    worker, so one at a time costs nothing a person waits for. SQLite already
    has one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RATINGS_LOCK])


@transaction.atomic
def recompute_ratings(*, now=None) -> int:
    """Rebuild every rating and the last ``HISTORY_MONTHS`` of history; returns the number
    of ratings. Idempotent: running it twice gives the same rows."""
    _one_writer_at_a_time()
    now = now or timezone.now()
    months = _history_window(now)
    priors = priors_for(months, refresh=True)
    ratings, history = _build(provider_id=None, months=months, priors=priors, now=now)
    ProviderRating.objects.all().delete()
    ProviderRating.objects.bulk_create(ratings, batch_size=BATCH)
    RatingHistory.objects.filter(month__in=months).delete()
    RatingHistory.objects.bulk_create(history, batch_size=BATCH)
    return len(ratings)


@transaction.atomic
def update_ratings_of(*, provider_id: int, now=None) -> int:
    """Rebuild one provider's ratings and this month's history from its evidence."""
    _one_writer_at_a_time()
    now = now or timezone.now()
    current = month_of(now)
    priors = priors_for([current])
    ratings, history = _build(provider_id=provider_id, months=[current], priors=priors, now=now)
    ProviderRating.objects.filter(provider_id=provider_id).delete()
    ProviderRating.objects.bulk_create(ratings)
    RatingHistory.objects.filter(provider_id=provider_id, month=current).delete()
    RatingHistory.objects.bulk_create(history)
    return len(ratings)
