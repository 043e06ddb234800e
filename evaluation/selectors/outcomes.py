"""Reads of goals and outcomes, as each person may see them (SPEC §4).

Who sees an outcome: the caseworkers and supervisors of the agency that made
the referral, and the staff of the provider it was sent to. Goals speak of the
person, so they are read only by the provider's staff and the referral's
caseworkers (``evaluation.view_goals``), through the referral page that already
decided the referral is theirs. Supervisors see the disputes of their agencies.
Every list reads in a fixed number of queries.
"""

from django.db.models import Q, QuerySet

from accounts.models import Membership, Role
from accounts.rules import organizations_where
from core.mail import unique_addresses
from evaluation.models.outcomes import Goal, Outcome
from evaluation.rules import PROVIDER_ROLES

RELATED = ("provider__organization", "agency", "category", "district", "referral")


def goals_of(referral) -> list[Goal]:
    """The referral's goals in their order (one query)."""
    return list(Goal.objects.filter(referral_id=referral.pk).order_by("number"))


def outcome_of(referral) -> Outcome | None:
    """The referral's latest outcome (a reopened referral may have had an earlier one)."""
    return (
        Outcome.objects.filter(referral_id=referral.pk)
        .select_related("confirmed_by", "disputed_by", "resolved_by", "recorded_by")
        .order_by("-round")
        .first()
    )


def outcome_awaits_caseworker(referral) -> bool:
    """Whether the provider's latest outcome still waits for the caseworker's word."""
    return Outcome.objects.filter(referral_id=referral.pk, status=Outcome.Status.RECORDED).exists()


def outcomes_visible_to(user) -> QuerySet[Outcome]:
    """Every outcome the user may see: of the referrals of their agencies, or of their provider."""
    if not getattr(user, "is_authenticated", False):
        return Outcome.objects.none()
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    providers = organizations_where(user, *PROVIDER_ROLES)
    if not agencies and not providers:
        return Outcome.objects.none()
    return (
        Outcome.objects.filter(
            Q(agency_id__in=agencies) | Q(provider__organization_id__in=providers)
        )
        .select_related(*RELATED)
        .order_by("-recorded_at", "-pk")
    )


def outcome_for(user, uuid) -> Outcome | None:
    """One outcome in the user's scope, or None (the caller answers 404)."""
    return outcomes_visible_to(user).filter(uuid=uuid).first()


def disputes_for(user) -> QuerySet[Outcome]:
    """Disputed outcomes of the agencies where the user is a supervisor, oldest first."""
    agencies = organizations_where(user, Role.SUPERVISOR) if user.is_authenticated else set()
    return (
        Outcome.objects.filter(agency_id__in=agencies, status=Outcome.Status.DISPUTED)
        .select_related(*RELATED, "disputed_by")
        .order_by("status_changed_at", "pk")
    )


def _addresses(organization_id: int, *roles: str) -> list[str]:
    return unique_addresses(
        Membership.objects.filter(
            organization_id=organization_id, role__in=roles, is_active=True, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def supervisor_recipients(outcome: Outcome) -> list[str]:
    """The active supervisors of the agency that holds the case."""
    return _addresses(outcome.agency_id, Role.SUPERVISOR)


def provider_recipients(outcome: Outcome) -> list[str]:
    """The active administrators and staff of the provider."""
    return _addresses(outcome.provider.organization_id, *PROVIDER_ROLES)


def caseworker_recipients(outcome: Outcome) -> list[str]:
    """Whoever disputed the outcome, else the agency's caseworkers."""
    if outcome.disputed_by_id and outcome.disputed_by.email and outcome.disputed_by.is_active:
        return unique_addresses([outcome.disputed_by.email])
    return _addresses(outcome.agency_id, Role.CASEWORKER)
