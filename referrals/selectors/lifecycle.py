"""Reads of referrals: the agency's side, the provider's inbox, and the public counts.

Each list is scoped to the user — the agencies where they are a caseworker or
supervisor, or the providers where they work — and joins what it shows, so
its query count is fixed. A provider never sees a draft, nor a draft that was
recalled before it was sent.
"""

import rules
from django.db import models
from django.db.models import QuerySet

from accounts.models import Role
from accounts.rules import organizations_where
from referrals.models.assessments import Need
from referrals.models.lifecycle import (
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_LIFECYCLE,
    Referral,
)
from referrals.models.unmet_needs import UnmetNeed
from referrals.rules import PROVIDER_ROLES
from referrals.selectors.common import category_group, with_list_related


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals of the user's agencies (caseworker, supervisor): the agency side."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return Referral.objects.none()
    return with_list_related(Referral.objects.filter(agency_id__in=agencies))


def inbox_for(user) -> QuerySet[Referral]:
    """Referrals sent to the providers where the user works; drafts are never theirs."""
    organizations = organizations_where(user, *PROVIDER_ROLES)
    if not organizations:
        return Referral.objects.none()
    return with_list_related(
        Referral.objects.filter(provider__organization_id__in=organizations)
        .exclude(status=Referral.Status.DRAFT)
        # A draft recalled before it was sent never reached the provider either.
        .exclude(status=Referral.Status.RECALLED, sent_at__isnull=True)
    ).order_by(
        # Waiting for an answer first, the most pressing deadline first.
        models.Case(
            models.When(status__in=list(AWAITING_ANSWER), then=0),
            models.When(status=Referral.Status.WAITLISTED, then=1),
            default=2,
        ),
        models.F("due_at").asc(nulls_last=True),
        "-status_changed_at",
    )


def referral_for(user, uuid) -> Referral | None:
    """The referral with ``uuid`` if the user may see it (agency side or provider side)."""
    referral = (
        with_list_related(Referral.objects.filter(uuid=uuid))
        .select_related("need__assessment", "need__tier", "service__tier")
        .prefetch_related("consents", "events__actor")
        .first()
    )
    # The rules themselves, not user.has_perm: an active superuser passes every
    # has_perm, and a case is nobody's business outside its agency and provider.
    if referral is None or not rules.has_perm("referrals.view_referral", user, referral):
        return None
    return referral


def returned_to(user) -> QuerySet[Referral]:
    """Referrals that came back to the user's agencies (declined, expired) with nothing after.

    A need that was referred again since, or recorded as unmet, drops off the list.
    """
    newer = Referral.objects.filter(
        need_id=models.OuterRef("need_id"), created_at__gt=models.OuterRef("created_at")
    )
    unmet = UnmetNeed.objects.filter(
        need_id=models.OuterRef("need_id"), created_at__gt=models.OuterRef("status_changed_at")
    )
    return (
        referrals_visible_to(user)
        .filter(status__in=[Referral.Status.DECLINED, Referral.Status.EXPIRED])
        .exclude(models.Exists(newer))
        .exclude(models.Exists(unmet))
        .order_by("-status_changed_at")
    )


def returned_count(user) -> int:
    """How many referrals came back to the user's agencies and wait for a next step."""
    return returned_to(user).count()


def awaiting_answer_count(user) -> int:
    """How many referrals wait for an answer from the user's providers."""
    return inbox_for(user).filter(status__in=list(AWAITING_ANSWER)).count()


def referral_counts_for_provider(user) -> dict[str, int]:
    """How many referrals of each status the user's providers have (for the inbox tabs)."""
    rows = (
        inbox_for(user)
        .order_by()
        .values("status")
        .annotate(count=models.Count("pk"))
        .values_list("status", "count")
    )
    return dict(rows)


def referral_counts_for_agency(user) -> dict[str, int]:
    """How many referrals of each status the user's agencies have (for the list's tabs)."""
    rows = (
        referrals_visible_to(user)
        .order_by()
        .values("status")
        .annotate(count=models.Count("pk"))
        .values_list("status", "count")
    )
    return dict(rows)


def active_referral_for_need(need: Need) -> Referral | None:
    """The referral now handling ``need``, if any (at most one: a database constraint)."""
    return (
        Referral.objects.filter(need=need, status__in=ACTIVE_STATUSES)
        .select_related("provider__organization")
        .first()
    )


# --- public statistics: counts only ----------------------------------------------------
# What the public statistics page (cms.statistics) counts: one number per kind of help
# or district, never a row, a date or anything else about a person. The counts are raw;
# cms.statistics hides the small ones (1–4 become "<5", with any cell that would give
# one away) before a figure is published, in one place for all its tables.

# How a referral sent to a provider stands, in the public figures.
STANDING_OPEN = "open"
STANDING_HELPED = "helped"
STANDING_NOT_HELPED = "not_helped"
STANDING_RETURNED = "returned"
STANDINGS = (STANDING_HELPED, STANDING_NOT_HELPED, STANDING_RETURNED, STANDING_OPEN)


def referral_statistics() -> dict[str, dict[str, int]]:
    """Referrals sent to a provider, by top-level need category code and standing.

    ``helped``: completed or closed with the need met or partly met; ``not_helped``:
    the service did not go ahead, or the need was not met; ``returned``: declined,
    expired or recalled, so back with the caseworker (who may refer again: a need can
    count more than once); ``open``: waiting for an answer, waitlisted, accepted, in
    service or reopened. Drafts, sent or not, are not referrals yet.
    """
    status = Referral.Status
    standing = models.Case(
        models.When(
            status__in=[status.DECLINED, status.EXPIRED, status.RECALLED],
            then=models.Value(STANDING_RETURNED),
        ),
        models.When(
            status__in=[status.COMPLETED, status.CLOSED],
            outcome__in=[Referral.Outcome.ACHIEVED, Referral.Outcome.PARTLY],
            then=models.Value(STANDING_HELPED),
        ),
        models.When(
            status__in=[status.COMPLETED, status.CLOSED, status.FAILED],
            then=models.Value(STANDING_NOT_HELPED),
        ),
        default=models.Value(STANDING_OPEN),
    )
    rows = (
        Referral.objects.filter(sent_at__isnull=False)
        .annotate(group=category_group(), standing=standing)
        .order_by()
        .values("group", "standing")
        .annotate(count=models.Count("pk"))
        .values_list("group", "standing", "count")
    )
    counts: dict[str, dict[str, int]] = {}
    for group, standing_, count in rows:
        counts.setdefault(group, dict.fromkeys(STANDINGS, 0))[standing_] += count
    return counts


def failure_reasons() -> list[tuple[str, str]]:
    """Why a service may not go ahead: the choices, for other apps' forms."""
    return list(Referral.FailureReason.choices)


def statuses_that_may_become(target: str) -> frozenset[str]:
    """The referral statuses the lifecycle lets move to ``target`` (for other apps' offers)."""
    return REFERRAL_LIFECYCLE.sources(target)


def refuse_unless_allowed(current: str, target: str) -> None:
    """Raise the lifecycle's own ``InvalidTransition`` when ``current`` cannot become ``target``."""
    REFERRAL_LIFECYCLE.check(current, target)
