"""Contracts as anyone may read them: the public contract notices at /contracts/, the
contracts linked from tender and award notices, and a provider's current contracts on
its directory profile.

A contract is public once it has been in force: active, suspended, completed, and
terminated after it was in force (its status says so). A draft, a contract awaiting
signatures and one abandoned before it was ever signed are never public, whoever
asks. What a notice shows is the record of the agreement between two organizations:
the parties (names and unified social credit codes, which are public registers), value,
period, the funding split per funder, KPIs and outcome targets, the published
performance notices, the milestones and what was paid for them, amendments, and the
signed PDF. Nothing in these tables names a beneficiary; figures about people are
counts only.

Every function returns its rows in a fixed number of queries, whatever the number of
contracts, milestones or payments.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Organization
from contracts.models.contracts import LIVE_STATES, Contract, ContractEvent, ContractVersion
from contracts.models.documents import ContractDocument
from contracts.models.funding import FundingShare
from contracts.models.milestones import Milestone
from contracts.models.notices import PerformanceNotice, PerformanceRating
from contracts.models.payments import Payment, PaymentShare

ZERO = Decimal("0.00")

# Always public once reached: only a signed contract becomes active, and only an
# active one is suspended or completed.
IN_FORCE_OR_DONE = frozenset(
    {Contract.Status.ACTIVE, Contract.Status.SUSPENDED, Contract.Status.COMPLETED}
)
PUBLIC_STATES = (*sorted(IN_FORCE_OR_DONE), Contract.Status.TERMINATED)


def _money(expression):
    return Coalesce(
        expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def _was_in_force() -> Q:
    """Activated at some point: the activation time, or a move to active in the history."""
    moved_to_active = ContractEvent.objects.filter(
        contract_id=OuterRef("pk"), to_status=Contract.Status.ACTIVE
    )
    return Q(activated_at__isnull=False) | Q(Exists(moved_to_active))


def public_contracts() -> QuerySet[Contract]:
    """Every contract that is or was in force, with its parties, lot, tender and categories,
    and ``paid``: what its payments add up to."""
    paid = (
        Payment.objects.filter(contract_id=OuterRef("pk"))
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Contract.objects.filter(
            Q(status__in=IN_FORCE_OR_DONE)
            | (Q(status=Contract.Status.TERMINATED) & _was_in_force())
        )
        .select_related("lead_agency", "provider__organization", "lot", "award__tender")
        .prefetch_related("categories")
        .annotate(paid=_money(Subquery(paid)))
        .order_by("-start_date", "-pk")
    )


def current_contracts_of(provider) -> QuerySet[Contract]:
    """The provider's contracts in force now (active or suspended), for its directory profile."""
    return public_contracts().filter(provider=provider, status__in=LIVE_STATES)


def public_contracts_by_award(award_ids) -> dict[int, Contract]:
    """The public contract made from each of these awards, by award id (one query).

    Awards without a contract, or whose contract is not public, are left out.
    """
    return {
        contract.award_id: contract
        for contract in public_contracts().filter(award_id__in=list(award_ids))
    }


def public_agencies() -> list[Organization]:
    """The lead agencies of public contracts, by Chinese name (for the list's filter)."""
    return list(
        Organization.objects.filter(pk__in=public_contracts().values("lead_agency_id")).order_by(
            "name_zh", "pk"
        )
    )


# --- one notice --------------------------------------------------------------------


@dataclass(frozen=True)
class FunderLine:
    """One funder's share of the contract and what has been paid of it."""

    funder: Organization
    share: Decimal
    paid: Decimal


@dataclass
class ContractNotice:
    """Everything the public notice of one contract shows, read in a fixed number of queries."""

    contract: Contract
    funders: list[FunderLine] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    amendments: list[ContractVersion] = field(default_factory=list)
    notices: list[PerformanceNotice] = field(default_factory=list)
    signed_version: ContractVersion | None = None

    @property
    def paid(self) -> Decimal:
        return self.contract.paid

    @property
    def still_to_pay(self) -> Decimal:
        """What the contract's value leaves unpaid; nothing for a contract that has ended."""
        if self.contract.status in (Contract.Status.COMPLETED, Contract.Status.TERMINATED):
            return ZERO
        return max(self.contract.value - self.paid, ZERO)

    @property
    def signed_document(self) -> ContractDocument | None:
        return signed_document_of(self.signed_version)


def _signed_versions() -> QuerySet[ContractVersion]:
    """Versions signed by both parties whose PDF is ready, with it, oldest first."""
    return (
        ContractVersion.objects.filter(
            status=ContractVersion.Status.SIGNED,
            document__status=ContractDocument.Status.READY,
        )
        .exclude(document__file="")
        .select_related("document")
        .order_by("number")
    )


def signed_document_of(version: ContractVersion | None) -> ContractDocument | None:
    if version is None:
        return None
    return getattr(version, "document", None)


def public_contract(uuid) -> Contract | None:
    """One public contract by uuid with what its notice reads; None when not public."""
    try:
        return (
            public_contracts()
            .filter(uuid=uuid)
            .select_related("provider__organization__area")
            .prefetch_related(
                "areas",
                "kpis",
                "outcome_targets",
                Prefetch("milestones", Milestone.objects.select_related("payment")),
                Prefetch("versions", _signed_versions(), to_attr="signed_versions"),
                Prefetch(
                    "funding_shares",
                    FundingShare.objects.select_related("funder").order_by("-amount", "pk"),
                ),
                Prefetch(
                    "performance_notices",
                    PerformanceNotice.objects.filter(
                        status=PerformanceNotice.Status.PUBLISHED
                    ).prefetch_related(
                        Prefetch(
                            "ratings",
                            PerformanceRating.objects.select_related("kpi").order_by(
                                "kpi__number", "pk"
                            ),
                        )
                    ),
                    to_attr="published_notices",
                ),
            )
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        return None


def contract_notice(uuid) -> ContractNotice | None:
    """The public notice of the contract ``uuid``, or None (a draft or unknown uuid: 404)."""
    contract = public_contract(uuid)
    if contract is None:
        return None
    paid_by_share = defaultdict(lambda: ZERO)
    rows = (
        PaymentShare.objects.filter(payment__contract=contract)
        .order_by()
        .values("funding_share_id")
        .annotate(total=Sum("amount"))
        .values_list("funding_share_id", "total")
    )
    for share_id, total in rows:
        paid_by_share[share_id] = total
    versions = contract.signed_versions
    return ContractNotice(
        contract=contract,
        funders=[
            FunderLine(funder=share.funder, share=share.amount, paid=paid_by_share[share.pk])
            for share in contract.funding_shares.all()
        ],
        milestones=list(contract.milestones.all()),
        amendments=[version for version in versions if version.is_amendment],
        notices=list(contract.published_notices),
        signed_version=versions[-1] if versions else None,
    )


def public_signed_document(uuid, *, version: int | None = None) -> ContractDocument | None:
    """The signed PDF of a public contract: the latest signed version's, or version ``version``.

    None when the contract is not public, or that version was never signed by both
    parties (an unsigned draft or a withdrawn version is never served).
    """
    try:
        versions = _signed_versions().filter(
            contract__in=public_contracts().filter(uuid=uuid).values("pk")
        )
        if version is not None:
            versions = versions.filter(number=version)
        found = versions.select_related("contract").order_by("-number").first()
    except (ValueError, TypeError, ValidationError):
        return None
    return signed_document_of(found)
