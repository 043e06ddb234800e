"""The records of a contract's life — versions and their signatures, milestones, claims,
payments, progress reports, performance notices — as each person may see them.

The scope is the contract's (``selectors.contracts``), narrowed where the record
may say more than money: progress reports and their attachments (a narrative may
mention the people served) are read by the lead agency's staff and the provider's
people only, not by the other funders' finance officers. Every list is a
queryset with what its rows show, in a fixed number of queries.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from accounts.rules import organizations_where
from contracts.models.contracts import Contract, ContractVersion
from contracts.models.documents import Signature
from contracts.models.milestones import Milestone
from contracts.models.notices import PerformanceNotice, PerformanceRating
from contracts.models.payments import Claim, Payment, PaymentShare
from contracts.models.reports import KPIActual, ProgressReport, ReportAttachment
from contracts.rules import AGENCY_ROLES, PROVIDER_ROLES
from contracts.selectors.contracts import contracts_visible_to


def _one(queryset, **lookup):
    try:
        return queryset.filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):
        return None


def versions_visible_to(user) -> QuerySet[ContractVersion]:
    return (
        ContractVersion.objects.filter(contract__in=contracts_visible_to(user).values("pk"))
        .select_related("contract", "document")
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("signer"))
        )
        .order_by("contract_id", "number")
    )


def version_for(user, contract_uuid, number) -> ContractVersion | None:
    return _one(versions_visible_to(user), contract__uuid=contract_uuid, number=number)


def milestones_visible_to(user) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(contract__in=contracts_visible_to(user).values("pk"))
        .select_related("contract")
        .order_by("contract_id", "number")
    )


def claims_visible_to(user) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(contract__in=contracts_visible_to(user).values("pk"))
        .select_related(
            "contract__lead_agency",
            "contract__provider",
            "milestone",
            "claimed_by",
            "confirmed_by",
            "approved_by",
            "returned_by",
        )
        .order_by("-claimed_at", "-pk")
    )


def claim_for(user, uuid) -> Claim | None:
    return _one(claims_visible_to(user), uuid=uuid)


def payments_visible_to(user) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(contract__in=contracts_visible_to(user).values("pk"))
        .select_related("contract", "milestone", "approved_by")
        .prefetch_related(
            Prefetch("shares", queryset=PaymentShare.objects.select_related("funder"))
        )
        .order_by("-paid_at", "-pk")
    )


def _report_contracts(user):
    agencies = organizations_where(user, *AGENCY_ROLES)
    providers = organizations_where(user, *PROVIDER_ROLES)
    return Contract.objects.filter(lead_agency_id__in=agencies) | Contract.objects.filter(
        provider__organization_id__in=providers
    )


def reports_visible_to(user) -> QuerySet[ProgressReport]:
    """Reports of the contracts the user's agency leads or the user's provider holds."""
    return (
        ProgressReport.objects.filter(contract__in=_report_contracts(user).values("pk"))
        .select_related(
            "contract__lead_agency", "contract__provider", "submitted_by", "reviewed_by"
        )
        .prefetch_related(
            Prefetch("actuals", queryset=KPIActual.objects.select_related("kpi")),
            Prefetch("attachments", queryset=ReportAttachment.objects.order_by("uploaded_at")),
        )
        .order_by("contract_id", "number")
    )


def report_for(user, uuid) -> ProgressReport | None:
    return _one(reports_visible_to(user), uuid=uuid)


def attachment_for(user, uuid) -> ReportAttachment | None:
    return _one(
        ReportAttachment.objects.filter(
            report__in=reports_visible_to(user).values("pk")
        ).select_related("report__contract"),
        uuid=uuid,
    )


def notices_visible_to(user) -> QuerySet[PerformanceNotice]:
    """Notices of the contracts the user sees (drafts too: published ones are also public)."""
    return (
        PerformanceNotice.objects.filter(contract__in=contracts_visible_to(user).values("pk"))
        .select_related("contract__lead_agency", "contract__provider", "published_by")
        .prefetch_related(
            Prefetch("ratings", queryset=PerformanceRating.objects.select_related("kpi"))
        )
        .order_by("contract_id", "-period_end", "-pk")
    )


def notice_for(user, uuid) -> PerformanceNotice | None:
    return _one(notices_visible_to(user), uuid=uuid)
