"""The contract and implementation stages of OCDS: the signed contract, each payment as
one transaction per funder (payer) to the provider (payee), its end — valid against
the bundled OCDS 1.1 schema, and nothing of a contract before both parties signed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from contracts import services
from contracts.services import payments
from marketplace.ocds import packages
from marketplace.ocds import releases as ocds
from tests.contracts.test_payments import _at
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import (
    active_contract,
    awaiting_contract,
    milestone_input,
    standing_award,
)
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of
from tests.marketplace._ocds import assert_valid

pytestmark = pytest.mark.django_db


def _package(contract, now=None):
    processes = ocds.load(
        ocds.public_processes().filter(pk=contract.award.tender_id),
        base_url="https://example.org",
        now=now,
    )
    return packages.release_package(processes, uri="https://example.org/api/v1/ocds/releases/")


def _pay(contract, milestone):
    claim = payments.claim_milestone(
        milestone=milestone, actor=bidder_of(contract.provider, role="provider_admin")
    )
    claim = payments.confirm_claim(claim=claim, actor=commissioner_of(contract.lead_agency))
    return payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))


def test_a_contract_waiting_for_signatures_publishes_nothing():
    contract = awaiting_contract()
    package = _package(contract)
    assert all("contracts" not in release for release in package["releases"])


def test_signed_paid_and_terminated_each_a_release_valid_against_the_schema():
    partner = AgencyFactory()
    award = standing_award(
        value=Decimal("450000.00"),
        contributions=[Decimal("300000.00"), (partner, Decimal("150000.00"))],
    )
    contract = active_contract(
        award, milestones=[milestone_input(award.tender.contract_start, amount="100000.01")]
    )
    day = contract.start_date + timedelta(days=3)
    with time_machine.travel(_at(day), tick=False):
        payment = _pay(contract, contract.milestones.get())
    with time_machine.travel(_at(day + timedelta(days=2)), tick=False):
        services.terminate_contract(
            contract=contract,
            actor=commissioner_of(contract.lead_agency),
            reason="服务机构主动申请终止。",
        )
        package = _package(contract)
    assert_valid("release", package)
    tags = [release["tag"] for release in package["releases"]]
    assert ["contract"] in tags and ["implementation"] in tags
    assert tags[-1] == ["contractTermination"]
    signed = next(r for r in package["releases"] if r["tag"] == ["contract"])
    assert "implementation" not in signed["contracts"][0]  # nothing paid yet then
    final = package["releases"][-1]
    (section,) = final["contracts"]
    assert section["awardID"] == str(award.uuid)
    assert section["status"] == "terminated"
    assert section["value"] == {"amount": 450000.0, "currency": "CNY"}
    (document,) = section["documents"]
    assert document["documentType"] == "contractSigned"
    assert document["url"].endswith(f"/contracts/{contract.uuid}/versions/1/pdf/")
    transactions = section["implementation"]["transactions"]
    assert {t["payer"]["id"] for t in transactions} == {
        str(contract.lead_agency.uuid),
        str(partner.uuid),
    }
    assert {t["payee"]["id"] for t in transactions} == {str(contract.provider.organization.uuid)}
    cents = sum(round(t["value"]["amount"] * 100) for t in transactions)
    assert cents == round(payment.amount * 100)  # every fen of the payment, no more
    assert [m["status"] for m in section["milestones"]] == ["met"]
    roles = {party["id"]: party["roles"] for party in final["parties"]}
    assert "payer" in roles[str(partner.uuid)]
    assert {"supplier", "payee"} <= set(roles[str(contract.provider.organization.uuid)])


def test_an_amendment_signed_by_both_is_a_contract_amendment_release():
    from contracts.services import amendments
    from tests.factories.contracts import sign, signatories

    contract = active_contract()
    version = amendments.propose_amendment(
        contract=contract,
        actor=commissioner_of(contract.lead_agency),
        reason="服务期延长一个月。",
        summary="合同期限延长至次年。",
        end_date=contract.end_date + timedelta(days=30),
    )
    from tests.factories.contracts import render_pending_documents

    render_pending_documents(contract)
    for user in signatories(contract):
        sign(version, user)
    package = _package(contract)
    assert_valid("release", package)
    amended = package["releases"][-1]
    assert amended["tag"] == ["contractAmendment"]
    (section,) = amended["contracts"]
    assert section["amendments"][0]["rationale"] == "服务期延长一个月。"
    assert section["period"]["endDate"].startswith(
        (contract.end_date + timedelta(days=30)).isoformat()
    )
