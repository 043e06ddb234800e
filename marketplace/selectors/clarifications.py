"""Questions about a tender and their answers, and who takes an interest in a tender.

Clarifications never reveal who asked to anyone but the asking provider and
the lead agency (``clarifications_for``).
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Organization
from accounts.rules import organizations_where
from marketplace.models.bids import Bid
from marketplace.models.clarifications import Clarification
from marketplace.models.tenders import Tender
from marketplace.rules import BUDGET_VIEWER_ROLES, PROVIDER_ROLES


def unanswered_questions(tender: Tender) -> QuerySet[Clarification]:
    return Clarification.objects.filter(tender=tender, answered_at__isnull=True)


def interested_organizations(tender: Tender) -> set[int]:
    """Provider organizations that bid on the tender or asked a question about it."""
    askers = Clarification.objects.filter(tender=tender).values_list(
        "asked_by_organization_id", flat=True
    )
    bidders = Bid.objects.filter(tender=tender).values_list("provider__organization_id", flat=True)
    return set(askers) | set(bidders)


# --- clarifications ---------------------------------------------------------


@dataclass(frozen=True)
class VisibleClarification:
    """A clarification as one user may see it.

    ``asked_by_organization`` and ``asked_by`` are None unless the user is the
    asking provider or at the lead agency: naming the asker would tell other
    bidders who their competitors are.
    """

    uuid: object
    question: str
    asked_at: object
    answer: str
    answered_at: object
    published: bool
    asked_by_us: bool
    asked_by_organization: Organization | None
    asked_by: object | None

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


def clarifications_for(user, tender: Tender) -> list[VisibleClarification]:
    """The clarifications of a tender the user may read, in the order they were asked.

    The lead agency sees every question with its asker; a provider sees the
    published answers and its own questions (answered or not), with itself
    named as asker only on its own; everyone else sees published answers
    without any asker.
    """
    agency_view = tender.lead_agency_id in organizations_where(user, *BUDGET_VIEWER_ROLES)
    own_organizations = organizations_where(user, *PROVIDER_ROLES)
    clarifications = Clarification.objects.filter(tender=tender).order_by("asked_at", "pk")
    if not agency_view:
        clarifications = clarifications.filter(
            Q(published=True) | Q(asked_by_organization_id__in=own_organizations)
        )
    clarifications = clarifications.select_related("asked_by_organization", "asked_by")
    visible = []
    for clarification in clarifications:
        ours = clarification.asked_by_organization_id in own_organizations
        show_asker = agency_view or ours
        visible.append(
            VisibleClarification(
                uuid=clarification.uuid,
                question=clarification.question,
                asked_at=clarification.asked_at,
                answer=clarification.answer if clarification.published else "",
                answered_at=clarification.answered_at if clarification.published else None,
                published=clarification.published,
                asked_by_us=ours,
                asked_by_organization=(clarification.asked_by_organization if show_asker else None),
                asked_by=clarification.asked_by if show_asker else None,
            )
        )
    return visible
