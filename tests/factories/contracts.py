"""Factories for contracts, built on the marketplace's.

``standing_award()`` gives an approved award whose standstill ended
yesterday, with its value committed on the pooled budget through
marketplace's ``commit_funds`` (so the ledger is the real one);
``contract_from_award()`` makes its draft contract through the service, with
one KPI and one fixed milestone unless told otherwise; ``active_contract()``
sends it for signature and has both parties sign its PDF (``activate``).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract, ContractDocument, ContractVersion
from contracts.services import create_contract_from_award, send_for_signature
from contracts.services.documents import render_document
from contracts.services.signing import sign_version
from marketplace.models import Award
from marketplace.services.budgets import commit_funds
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.marketplace import (
    AwardFactory,
    ContributionFactory,
    EvaluationTenderFactory,
    SubmittedBidFactory,
    bidder_of,
    commissioner_of,
)

VALUE = Decimal("450000.00")


def standing_award(
    *,
    value=VALUE,
    contributions=None,
    standstill_ends_at=None,
    status=Award.Status.APPROVED,
    tender=None,
) -> Award:
    """An approved award worth ``value`` whose standstill has ended, its money committed.

    ``contributions`` are the amounts of approved contributions to the pooled
    budget (by the lead agency unless ``(funder, amount)`` pairs are given);
    one covering the value by default.
    """
    tender = tender or EvaluationTenderFactory(funded=False, max_value=value)
    for contribution in contributions or [value]:
        funder, amount = (
            contribution if isinstance(contribution, tuple) else (tender.lead_agency, contribution)
        )
        ContributionFactory(budget=tender.budget, funder=funder, amount=Decimal(str(amount)))
    bid = SubmittedBidFactory(tender=tender, lot=tender.lots.get(number=1), price=value)
    now = timezone.now()
    award = AwardFactory(
        bid=bid,
        status=status,
        approved_at=now - timedelta(days=11),
        standstill_ends_at=standstill_ends_at or now - timedelta(days=1),
        notice_published_at=now - timedelta(days=11),
    )
    commit_funds(
        budget=tender.budget,
        amount=value,
        categories=list(tender.categories.all()),
        tender=tender,
        lot=award.lot,
        award=award,
    )
    return award


def kpi_input(**overrides) -> dict:
    return {
        "name_zh": "完成转介服务人数",
        "name_en": "People whose referral was completed",
        "unit": "人",
        "baseline": Decimal("0"),
        "target": Decimal("200"),
        "measured_by": "platform",
        "measure": "referrals_completed",
        **overrides,
    }


def milestone_input(contract_start=None, **overrides) -> dict:
    """A fixed milestone paying ¥100,000 on the first day of the tender's contract period."""
    return {
        "kind": "fixed",
        "title_zh": "首期服务启动款",
        "title_en": "First instalment on starting the service",
        "due_date": contract_start,
        "amount": Decimal("100000.00"),
        **overrides,
    }


def contract_from_award(award=None, *, actor=None, **kwargs) -> Contract:
    """The draft contract of ``award`` (a new standing one by default), made by the service."""
    award = award or standing_award()
    actor = actor or commissioner_of(award.tender.lead_agency)
    kwargs.setdefault("kpis", [kpi_input()])
    kwargs.setdefault("milestones", [milestone_input(award.tender.contract_start)])
    return create_contract_from_award(award=award, actor=actor, **kwargs)


def render_pending_documents(contract: Contract) -> None:
    """What the Celery task does after the commit (tests run inside one transaction)."""
    for document in ContractDocument.objects.filter(
        version__contract=contract, status=ContractDocument.Status.PREPARING
    ):
        render_document(document=document)


def awaiting_contract(award=None, **kwargs) -> Contract:
    """A contract sent for signature, its PDF rendered and ready to sign."""
    contract = contract_from_award(award, **kwargs)
    contract = send_for_signature(contract=contract, actor=commissioner_of(contract.lead_agency))
    render_pending_documents(contract)
    return contract


def signatories(contract: Contract) -> tuple:
    """The agency's commissioner and the provider's administrator (password TEST_PASSWORD)."""
    return (
        commissioner_of(contract.lead_agency),
        bidder_of(contract.provider, role="provider_admin"),
    )


def sign(version, user, *, password=TEST_PASSWORD):
    """``user`` signs ``version`` the way the signing page does: the file shown, the password."""
    document = ContractDocument.objects.get(version=version)
    return sign_version(
        version=version,
        actor=user,
        password=password,
        shown_sha256=document.sha256,
        ip_address="203.0.113.7",
    )


def activate(contract: Contract) -> Contract:
    """Make a contract awaiting signatures active: both parties sign its PDF for real."""
    contract = Contract.objects.get(pk=contract.pk)
    version = contract.versions.get(status=ContractVersion.Status.AWAITING_SIGNATURES)
    for user in signatories(contract):
        sign(version, user)
    return Contract.objects.get(pk=contract.pk)


def active_contract(award=None, **kwargs) -> Contract:
    return activate(awaiting_contract(award, **kwargs))
