"""How providers answer referrals, as evidence for their ratings (``evaluation``).

One row per first answer of a provider to a referral sent to it — accepted,
put on the waiting list, declined, or left unanswered until it expired — with
the value the rating method gives it (``ANSWER_VALUES`` passed in by the
caller) and flags to count acceptances, declines and answers later than
agreed. Later moves (accepting someone from the waiting list, a waiting list
running out) are not answers to the caseworker's request and do not count.

"Later than agreed" is an answer after the SLA's full time had passed, which
the deadline clock records (``reminded_full_at``) when it reminds the provider.
"""

import datetime

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When

from referrals.models.lifecycle import Referral, ReferralEvent

S = Referral.Status
FIRST_ANSWERS = (S.ACCEPTED, S.WAITLISTED, S.DECLINED, S.EXPIRED)
# Bounds (hours) of the buckets the time to accept is counted in; the median is
# read from them (``evaluation.services.ratings``).
ACCEPT_HOUR_BUCKETS = (0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 120, 168)


def _late():
    return Q(referral__reminded_full_at__isnull=False, referral__reminded_full_at__lte=F("at"))


def answers(*, values: dict, by_category: bool, provider_id: int | None = None) -> QuerySet:
    """First answers annotated ``ev_provider``, ``ev_category``, ``ev_at``, ``ev_value``,
    ``ev_accepted``, ``ev_declined``, ``ev_late``."""
    events = ReferralEvent.objects.filter(
        from_status__in=(S.SENT, S.VIEWED), to_status__in=FIRST_ANSWERS
    )
    if provider_id is not None:
        events = events.filter(referral__provider_id=provider_id)
    late = _late()
    annotations = {
        "ev_provider": F("referral__provider_id"),
        "ev_at": F("at"),
        "ev_value": Case(
            When(
                to_status=S.ACCEPTED,
                then=Case(When(late, then=Value(values["late"])), default=Value(values["on_time"])),
            ),
            When(to_status=S.WAITLISTED, then=Value(values["waitlisted"])),
            When(to_status=S.DECLINED, then=Value(values["declined"])),
            default=Value(values["expired"]),
            output_field=FloatField(),
        ),
        "ev_accepted": Case(
            When(to_status=S.ACCEPTED, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        "ev_declined": Case(
            When(to_status=S.DECLINED, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        "ev_late": Case(
            When(to_status=S.EXPIRED, then=Value(1)),
            When(late, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    }
    if by_category:
        annotations["ev_category"] = F("referral__category_id")
    return events.annotate(**annotations)


def accept_times(*, by_category: bool, provider_id: int | None = None) -> list[dict]:
    """Per provider (and category): how many acceptances fell in each bucket of hours
    since sending (``b0`` … ``bN``; the last is "more than the last bound")."""
    events = ReferralEvent.objects.filter(
        from_status__in=(S.SENT, S.VIEWED), to_status=S.ACCEPTED, referral__sent_at__isnull=False
    )
    if provider_id is not None:
        events = events.filter(referral__provider_id=provider_id)
    keys = ["referral__provider_id"] + (["referral__category_id"] if by_category else [])
    counts = {}
    lower = None
    for index, hours in enumerate((*ACCEPT_HOUR_BUCKETS, None)):
        # at − sent_at compared as moments: at < sent_at + hours, on every database.
        condition = Q()
        if hours is not None:
            condition &= Q(at__lt=F("referral__sent_at") + datetime.timedelta(hours=hours))
        if lower is not None:
            condition &= Q(at__gte=F("referral__sent_at") + datetime.timedelta(hours=lower))
        counts[f"b{index}"] = Count("pk", filter=condition)
        lower = hours
    return list(events.values(*keys).annotate(**counts).order_by())
