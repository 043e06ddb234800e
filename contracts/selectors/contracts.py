"""Contracts as each person may see them.

SPEC §4: the lead agency's commissioners, finance officers and supervisors;
the provider's administrators and staff; and the finance officers of each
funder whose money backs the contract. Nobody else — not another provider,
not another agency, not a platform administrator by role alone. A contract
outside that scope is simply not in the queryset, so pages answer 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from contracts.models.contracts import Contract, ContractVersion
from contracts.models.documents import ContractDocument, Signature
from contracts.models.funding import FundingShare
from contracts.models.payments import Claim
from contracts.models.reports import OUTSTANDING_REPORT_STATES, ProgressReport
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


def waiting_count(user) -> int:
    """How many contract steps wait for ``user``: signatures, claims, reports to act on.

    A few counting queries whatever the number of contracts (the workspace card's badge).
    """
    commissioned = organizations_where(user, Role.COMMISSIONER)
    finance = organizations_where(user, Role.FINANCE)
    admin = organizations_where(user, Role.PROVIDER_ADMIN)
    if not (commissioned or finance or admin):
        return 0
    count = 0
    awaiting = ContractVersion.objects.filter(
        status=ContractVersion.Status.AWAITING_SIGNATURES,
        document__status=ContractDocument.Status.READY,
    )
    if commissioned:
        count += (
            awaiting.filter(contract__lead_agency_id__in=commissioned)
            .exclude(signatures__party=Signature.Party.AGENCY)
            .count()
        )
        count += Claim.objects.filter(
            contract__lead_agency_id__in=commissioned, status=Claim.Status.SUBMITTED
        ).count()
        count += ProgressReport.objects.filter(
            contract__lead_agency_id__in=commissioned, status=ProgressReport.Status.SUBMITTED
        ).count()
    if finance:
        count += (
            Claim.objects.filter(
                contract__lead_agency_id__in=finance, status=Claim.Status.CONFIRMED
            )
            .exclude(confirmed_by=user)
            .count()
        )
    if admin:
        count += (
            awaiting.filter(contract__provider__organization_id__in=admin)
            .exclude(signatures__party=Signature.Party.PROVIDER)
            .count()
        )
        count += ProgressReport.objects.filter(
            contract__provider__organization_id__in=admin,
            contract__status__in=(Contract.Status.ACTIVE, Contract.Status.SUSPENDED),
            status__in=OUTSTANDING_REPORT_STATES,
            period_end__lte=timezone.localdate(),
        ).count()
    return count
