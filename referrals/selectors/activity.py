"""A provider's referral activity, counted without anybody's personal data: for the
contracts app's KPIs and output milestones (``contracts.selectors.measures``).

Only uuids, statuses and times leave this module: never a name, an ID number, a
reason or a note.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from places import codes
from places.models import Area
from places.selectors import district_of
from referrals.models.lifecycle import Referral, ReferralEvent


@dataclass(frozen=True)
class ReferralMove:
    """One referral reaching a status in the period: its uuid, when, and when it was sent."""

    referral: str
    to_status: str
    at: datetime
    sent_at: datetime | None


def area_scope(areas) -> Q:
    """Referrals from a district inside one of ``areas`` (or a street area's own district)."""
    scope = Q(pk__in=[])
    for area in areas:
        if area.level > Area.Level.DISTRICT:
            district = district_of(area)
            if district is not None:
                scope |= Q(district_id=district.pk)
        else:
            scope |= Q(district__code__startswith=codes.significant_prefix(area.code))
    return scope


def _referrals(*, provider_id: int, category_ids, areas):
    return Referral.objects.filter(
        area_scope(areas), provider_id=provider_id, category_id__in=list(category_ids)
    )


def referrals_received(
    *, provider_id: int, category_ids, areas, since: datetime, until: datetime
) -> list[str]:
    """Uuids of the referrals sent to the provider in the period, oldest first (one query)."""
    return [
        str(uuid)
        for uuid in _referrals(provider_id=provider_id, category_ids=category_ids, areas=areas)
        .filter(sent_at__gte=since, sent_at__lte=until)
        .order_by("sent_at", "pk")
        .values_list("uuid", flat=True)
    ]


def referral_moves(
    *, provider_id: int, category_ids, areas, since: datetime, until: datetime, statuses
) -> list[ReferralMove]:
    """Each referral's moves to ``statuses`` in the period, oldest first (one query)."""
    referrals = _referrals(provider_id=provider_id, category_ids=category_ids, areas=areas)
    rows = (
        ReferralEvent.objects.filter(
            referral__in=referrals, to_status__in=list(statuses), at__gte=since, at__lte=until
        )
        .order_by("at", "pk")
        .values_list("referral__uuid", "to_status", "at", "referral__sent_at")
    )
    return [ReferralMove(str(uuid), status, at, sent_at) for uuid, status, at, sent_at in rows]


ACCEPTED = Referral.Status.ACCEPTED
COMPLETED = Referral.Status.COMPLETED
