"""Contracts as each person may see them.

SPEC §4: the lead agency's commissioners, finance officers and supervisors;
the provider's administrators and staff; and the finance officers of each
funder whose money backs the contract. Nobody else — not another provider,
not another agency, not a platform administrator by role alone. A contract
outside that scope is simply not in the queryset, so pages answer 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Role
from accounts.rules import organizations_where
from contracts.models.contracts import Contract
from contracts.models.funding import FundingShare
from contracts.rules import AGENCY_ROLES, PROVIDER_ROLES


def contracts_visible_to(user) -> QuerySet[Contract]:
    """The contracts the user may see, with parties, lot, award and categories, in fixed queries."""
    agencies = organizations_where(user, *AGENCY_ROLES)
    providers = organizations_where(user, *PROVIDER_ROLES)
    funders = organizations_where(user, Role.FINANCE)
    if not (agencies or providers or funders):
        return Contract.objects.none()
    scope = Q(lead_agency_id__in=agencies) | Q(provider__organization_id__in=providers)
    if funders:
        backed = FundingShare.objects.filter(funder_id__in=funders).values("contract_id")
        scope |= Q(pk__in=backed)
    return (
        Contract.objects.filter(scope)
        .select_related("lead_agency", "provider__organization", "lot", "award__tender")
        .prefetch_related("categories", "areas")
        .order_by("-created_at", "-pk")
    )


def contract_for(user, uuid) -> Contract | None:
    """One contract with its terms, funding split and versions; None outside the user's scope."""
    try:
        contracts = contracts_visible_to(user).filter(uuid=uuid)
        return contracts.prefetch_related(
            "kpis",
            "outcome_targets",
            "milestones",
            "versions",
            Prefetch(
                "funding_shares",
                queryset=FundingShare.objects.select_related("funder", "contribution"),
            ),
        ).first()
    except (ValueError, TypeError, ValidationError):
        return None
