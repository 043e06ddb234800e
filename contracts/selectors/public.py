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

``verify_upload`` answers the public verification page: whether an uploaded PDF is a
version the platform signed (its hash is one recorded at a signature and every
signature in it validates), a copy changed after signing, or nothing of ours. It
names the contract, the version and each signing party and organization with the
time, never the person who signed or where from.
"""

import contextlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    DecimalField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Organization
from contracts.models.contracts import LIVE_STATES, Contract, ContractVersion
from contracts.models.documents import ContractDocument, Signature
from contracts.models.funding import FundingShare
from contracts.models.milestones import Milestone
from contracts.models.notices import PerformanceNotice, PerformanceRating
from contracts.models.payments import Payment, PaymentShare
from core.integrations.signing import SignatureCheck, sha256_hex, validate_pdf

ZERO = Decimal("0.00")

# A contract is public once both parties signed it and it came into force, and stays
# public whatever happens to it next (list order: how the filter offers them).
PUBLIC_STATES = (
    Contract.Status.ACTIVE,
    Contract.Status.SUSPENDED,
    Contract.Status.COMPLETED,
    Contract.Status.TERMINATED,
)


def _money(expression):
    return Coalesce(
        expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def public_contracts() -> QuerySet[Contract]:
    """Every contract that is or was in force, newest in force first, with its parties,
    lot, tender and categories, and ``paid``: what its payments add up to."""
    paid = (
        Payment.objects.filter(contract_id=OuterRef("pk"))
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    # A terminated contract is public only if it was ever in force: one abandoned
    # before both parties signed was never an agreement.
    return (
        Contract.objects.filter(status__in=PUBLIC_STATES, activated_at__isnull=False)
        .select_related("lead_agency", "provider__organization", "lot", "award__tender")
        .prefetch_related("categories")
        .annotate(paid=_money(Subquery(paid)))
        .order_by("-activated_at", "-pk")
    )


def public_contract_list(*, status: str = "", agency: str = "") -> QuerySet[Contract]:
    """The public contracts, narrowed to a status and a lead agency (by uuid) when given.

    A value that is not a public status or an agency's uuid is ignored, not an error:
    the list is a public page that anyone can reach with any query string.
    """
    contracts = public_contracts()
    if status in PUBLIC_STATES:
        contracts = contracts.filter(status=status)
    if agency:
        with contextlib.suppress(ValueError):
            contracts = contracts.filter(lead_agency__uuid=UUID(agency))
    return contracts


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


def with_public_contracts(awards) -> list[tuple]:
    """Each award with its public contract, or None, in the awards' order (one query)."""
    awards = list(awards)
    contracts = public_contracts_by_award(award.pk for award in awards)
    return [(award, contracts.get(award.pk)) for award in awards]


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


# --- checking an uploaded PDF ---------------------------------------------------------

SIGNED = "signed"
MODIFIED = "modified"
UNKNOWN = "unknown"

# What the platform writes in each signature's reason (contracts.services.signing):
# "签署合同 HT-2026-0001 第 1 版（…）/ Signs contract HT-2026-0001, version 1, for …".
CLAIMED_VERSION = re.compile(r"Signs contract (?P<reference>[\w-]+), version (?P<number>\d+)\b")


@dataclass(frozen=True)
class SignerLine:
    """One signature as the public may read it: the party and its organization, and when."""

    party: str
    organization: Organization
    signed_at: object


@dataclass(frozen=True)
class Verification:
    """What an uploaded PDF is: ``verdict`` is ``signed``, ``modified`` or ``unknown``.

    ``signers`` are the signatures the file carries (for a ``signed`` file only);
    ``fully_signed`` is False for a copy taken after the first party signed and
    before the second did.
    """

    verdict: str
    contract: Contract | None = None
    version: ContractVersion | None = None
    signers: list[SignerLine] = field(default_factory=list)
    fully_signed: bool = False


def _public_versions() -> QuerySet[ContractVersion]:
    return ContractVersion.objects.filter(
        contract__in=public_contracts().values("pk")
    ).select_related("contract__lead_agency", "contract__provider__organization")


def _version_signed_into(hashes: set[str]) -> ContractVersion | None:
    """The public version one of whose recorded signatures produced a file in ``hashes``."""
    return (
        _public_versions()
        .filter(signatures__signed_sha256__in=hashes)
        .order_by("-number", "-pk")
        .first()
    )


def _version_claimed_by(checks: list[SignatureCheck]) -> ContractVersion | None:
    """The public version the signatures' reasons name, when the hashes match nothing.

    The reason is not proof (anyone can write it), so it only ever leads to
    "modified": the file says it is this contract, and it is not as signed.
    """
    for check in reversed(checks):
        claimed = CLAIMED_VERSION.search(check.reason)
        if claimed:
            version = (
                _public_versions()
                .filter(contract__reference=claimed["reference"], number=int(claimed["number"]))
                .first()
            )
            if version is not None:
                return version
    return None


def verify_upload(data: bytes) -> Verification:
    """Whether ``data`` is a PDF the platform signed, of which contract, and unchanged since.

    ``signed``: the file is exactly one the platform recorded after a signature
    and every signature in it validates. ``modified``: the file comes from a
    signed version (a signature's revision hashes to a recorded file, or its
    reason names the version) but bytes were changed or added after signing,
    or a signature does not hold. ``unknown``: nothing in it was signed by the
    platform. Only public contracts are named; a file of one that is not public
    is ``unknown``, so the page never reveals a contract before it is in force.
    """
    digest = sha256_hex(data)
    checks = validate_pdf(data)
    revisions = {check.signed_revision_sha256 for check in checks if check.signed_revision_sha256}
    version = _version_signed_into(revisions | {digest}) or _version_claimed_by(checks)
    if version is None:
        return Verification(UNKNOWN)
    recorded = list(Signature.objects.filter(version=version).select_related("organization"))
    intact = bool(checks) and all(check.holds for check in checks)
    if not intact or digest not in {signature.signed_sha256 for signature in recorded}:
        return Verification(MODIFIED, contract=version.contract, version=version)
    carried = [signature for signature in recorded if signature.signed_sha256 in revisions]
    return Verification(
        SIGNED,
        contract=version.contract,
        version=version,
        signers=[
            SignerLine(signature.get_party_display(), signature.organization, signature.signed_at)
            for signature in carried
        ],
        fully_signed=version.status == ContractVersion.Status.SIGNED
        and {signature.party for signature in carried} == set(Signature.Party.values),
    )
