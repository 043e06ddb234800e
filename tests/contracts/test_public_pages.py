"""The public contract notices and the verification page: what anyone may read of a
contract in force, nothing of one not yet signed, the signed PDF as recorded, and the
check of an uploaded PDF (signed, modified after signing, or not the platform's)."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractDocument
from contracts.services import payments, reports
from tests.contracts.test_payments import _at
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import (
    active_contract,
    awaiting_contract,
    contract_from_award,
    kpi_input,
    standing_award,
)
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)

pytestmark = pytest.mark.django_db

NARRATIVE = "服务对象王某某家庭情况复杂，已链接社区资源。"


def _anonymous() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _paid(contract):
    milestone = contract.milestones.get()
    with time_machine.travel(_at(milestone.due_date + timedelta(days=1)), tick=False):
        claim = payments.claim_milestone(
            milestone=milestone,
            actor=bidder_of(contract.provider, role="provider_admin"),
            note="首期款，附服务签到表",
        )
        claim = payments.confirm_claim(claim=claim, actor=commissioner_of(contract.lead_agency))
        return payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))


def _signed_pdf(contract) -> bytes:
    document = ContractDocument.objects.get(version__contract=contract, version__number=1)
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_notice_shows_parties_money_and_payments_and_nothing_personal():
    partner = AgencyFactory()
    award = standing_award(contributions=["300000.00", (partner, "150000.00")])
    contract = active_contract(award, kpis=[kpi_input(measured_by="reported", measure="")])
    payment = _paid(contract)
    report = contract.reports.first()
    with time_machine.travel(_at(report.period_end + timedelta(days=1)), tick=False):
        reports.save_report(
            report=report,
            actor=bidder_of(contract.provider, role="provider_admin"),
            outputs="上门服务",
            narrative=NARRATIVE,
        )
    page = _anonymous().get(reverse("contracts:public_detail", args=[contract.uuid]))
    text = page.content.decode()
    assert page.status_code == 200
    assert contract.reference in text
    assert contract.lead_agency.name in text and contract.provider.name in text
    assert contract.provider.organization.credit_code in text
    assert partner.name in text
    assert "¥450,000.00" in text and "¥150,000.00" in text
    assert "¥100,000.00" in text and payment.paid_at.strftime("%Y-%m-%d") in text
    # Never the claim's note or evidence, a report's narrative, or who acted.
    assert "首期款，附服务签到表" not in text
    assert NARRATIVE not in text
    assert "203.0.113.7" not in text
    assert reverse("contracts:public_pdf", args=[contract.uuid, 1]) in text


@pytest.mark.parametrize("make", [contract_from_award, awaiting_contract])
def test_a_contract_not_yet_signed_by_both_is_not_public(make):
    contract = make()
    client = _anonymous()
    assert client.get(reverse("contracts:public_detail", args=[contract.uuid])).status_code == 404
    assert client.get(reverse("contracts:public_pdf", args=[contract.uuid, 1])).status_code == 404
    assert contract.reference not in client.get(reverse("contracts:public_list")).content.decode()


def test_the_pdf_served_is_the_file_recorded():
    contract = active_contract()
    response = _anonymous().get(reverse("contracts:public_pdf", args=[contract.uuid, 1]))
    assert response.status_code == 200
    document = ContractDocument.objects.get(version__contract=contract)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256


def _verify(data: bytes, name="contract.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return _anonymous().post(reverse("contracts:verify"), {"file": upload})


def test_the_verification_page_recognises_the_signed_pdf_and_names_the_contract():
    contract = active_contract()
    page = _verify(_signed_pdf(contract))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"This is version 1 of contract {contract.reference}" in text
    assert contract.lead_agency.name in text and contract.provider.name in text
    assert text.count("for " + contract.lead_agency.name) == 1
    assert "for " + contract.provider.name in text


def test_a_copy_changed_after_signing_is_reported_as_modified():
    contract = active_contract()
    pdf = _signed_pdf(contract)
    appended = pdf + b"\n% a line added after signing\n"
    assert "Modified after signing" in _verify(appended).content.decode()
    # A byte changed inside what was signed breaks the signature itself.
    index = pdf.index(b"/Type /Page") if b"/Type /Page" in pdf else len(pdf) // 3
    tampered = pdf[:index] + b"X" + pdf[index + 1 :]
    text = _verify(tampered).content.decode()
    assert "Modified after signing" in text or "not a contract signed on this platform" in text
    assert "This is version 1" not in text


def test_a_file_the_platform_did_not_sign_and_bad_uploads_get_a_clear_answer():
    contract = contract_from_award()
    assert (
        "not a contract signed on this platform"
        in _verify(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF").content.decode()
    )
    not_pdf = _verify(b"GIF89a not a pdf", name="x.pdf")
    assert not_pdf.status_code == 400 and "This is not a PDF file" in not_pdf.content.decode()
    empty = _anonymous().post(reverse("contracts:verify"), {})
    assert empty.status_code == 400 and "Choose the PDF file to check" in empty.content.decode()
    assert contract.reference not in empty.content.decode()


def test_the_list_costs_the_same_queries_for_one_contract_or_three(django_assert_num_queries):
    agency = AgencyFactory()

    def signed():
        return active_contract(
            standing_award(tender=EvaluationTenderFactory(lead_agency=agency, funded=False))
        )

    first = signed()
    client = _anonymous()
    with CaptureQueriesContext(connection) as one:
        assert first.reference in client.get(reverse("contracts:public_list")).content.decode()
    signed()
    signed()
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("contracts:public_list"))
    assert len(page.context["contracts"]) == 3
