"""What the platform's own referral data says about a contract: the figures KPIs measured
from platform data take, the counts output milestones are met by, and the referrals
behind each count (by uuid only, never anybody's personal data).

A referral counts for a contract when it went to the contract's provider, for one
of the contract's service categories, from a district inside the contract's areas
(or the district a street-level area lies in), and the counted event happened in
the period asked for, inside the contract period (received: sent; accepted and
completed: that move; a referral reopened and completed again counts once).
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from contracts.models.kpis import Measure
from referrals.selectors import activity

# Evidence lists at most this many referral uuids; the count is always whole.
MAX_REFERENCES = 500


@dataclass(frozen=True)
class PlatformMeasures:
    """The contract's figures for one period, with the referrals behind each count."""

    start: date
    end: date
    received: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    median_days_to_accept: Decimal | None = None

    def value(self, measure: str) -> Decimal | None:
        """The figure of ``measure`` (a count, or the median; None when nothing was accepted)."""
        if measure == Measure.MEDIAN_DAYS_TO_ACCEPT:
            return self.median_days_to_accept
        counted = self._counted(measure)
        return None if counted is None else Decimal(len(counted))

    def references(self, measure: str) -> list[str]:
        """The uuids of the referrals a count is made of (empty for the median)."""
        return (self._counted(measure) or [])[:MAX_REFERENCES]

    def _counted(self, measure: str) -> list[str] | None:
        return {
            Measure.REFERRALS_RECEIVED: self.received,
            Measure.REFERRALS_ACCEPTED: self.accepted,
            Measure.REFERRALS_COMPLETED: self.completed,
        }.get(measure)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end, time.max), zone),
    )


def platform_measures(contract, *, start: date, end: date) -> PlatformMeasures:
    """The contract's platform figures for ``start``–``end`` (inclusive), in a fixed few queries."""
    since, until = period_bounds(max(start, contract.start_date), min(end, contract.end_date))
    scope = {
        "provider_id": contract.provider_id,
        "category_ids": [category.pk for category in contract.categories.all()],
        "areas": list(contract.areas.select_related("parent__parent")),
        "since": since,
        "until": until,
    }
    received = activity.referrals_received(**scope)
    moves = activity.referral_moves(**scope, statuses=(activity.ACCEPTED, activity.COMPLETED))
    accepted: list[str] = []
    completed: list[str] = []
    days: list[float] = []
    seen: set[tuple[str, str]] = set()
    for move in moves:
        if (move.referral, move.to_status) in seen:
            continue
        seen.add((move.referral, move.to_status))
        if move.to_status == activity.ACCEPTED:
            accepted.append(move.referral)
            if move.sent_at is not None:
                days.append((move.at - move.sent_at).total_seconds() / 86400)
        else:
            completed.append(move.referral)
    median = Decimal(str(round(statistics.median(days), 2))) if days else None
    return PlatformMeasures(
        start=start,
        end=end,
        received=received,
        accepted=accepted,
        completed=completed,
        median_days_to_accept=median,
    )


def measures_for_contract_period(contract) -> PlatformMeasures:
    """The figures for the whole contract period so far (output milestones count these)."""
    today = timezone.localdate()
    return platform_measures(contract, start=contract.start_date, end=min(today, contract.end_date))
