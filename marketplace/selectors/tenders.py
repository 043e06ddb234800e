"""Tenders as the public, the lead agency and beat see them."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.rules import organizations_where
from marketplace.models.tenders import BIDDING_STATES, PUBLIC_STATES, Tender
from marketplace.rules import BUDGET_VIEWER_ROLES


def public_tenders() -> QuerySet[Tender]:
    """Tenders the public may read: published once, whatever became of them since."""
    return (
        Tender.objects.filter(status__in=PUBLIC_STATES)
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_visible_to(user) -> QuerySet[Tender]:
    """Public tenders, plus the drafts of the agencies where the user manages tenders.

    A draft of another agency is not in the queryset, so its page answers 404.
    """
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    return (
        Tender.objects.filter(Q(status__in=PUBLIC_STATES) | Q(lead_agency_id__in=agencies))
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_closing_soon(limit: int = 5, now=None) -> list[Tender]:
    """The public tenders still taking bids whose deadline comes first (the home page's list)."""
    now = now or timezone.now()
    return list(
        Tender.objects.filter(
            status__in=BIDDING_STATES,
            submission_deadline__gt=now,
        )
        .select_related("lead_agency")
        .order_by("submission_deadline", "reference")[:limit]
    )


def tenders_managed_by(user) -> QuerySet[Tender]:
    """Tenders of the agencies where the user is a commissioner, finance officer or supervisor."""
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    return (
        Tender.objects.filter(lead_agency_id__in=agencies)
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_due(now=None) -> QuerySet[Tender]:
    """Tenders with a timed step due: scheduled publication, enquiry or submission
    deadline, end of the standstill.

    Published tenders held open by unanswered questions, and awarded tenders
    held by an open complaint, stay in this list until that is settled; every
    other tender leaves it once it has moved on.
    """
    now = now or timezone.now()
    return Tender.objects.filter(
        Q(status=Tender.Status.DRAFT, publish_scheduled=True, publish_at__lte=now)
        | Q(status=Tender.Status.PUBLISHED, enquiry_deadline__lte=now)
        | Q(status=Tender.Status.TENDERING, submission_deadline__lte=now)
        | Q(status=Tender.Status.AWARDED, standstill_ends_at__lte=now)
    ).order_by("pk")
