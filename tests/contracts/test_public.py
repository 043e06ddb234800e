"""The public contract pages, as anyone reads them without signing in: the notice of a
contract in force (parties, money, funders, what was paid, published assessments) and
nothing behind it (claim evidence, reports, draft notices, people), no page at all for a
contract not yet signed by both, the signed PDF byte for byte, the check of an uploaded
PDF, and links to the notice from the tender and the provider's profile."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractDocument, PerformanceNotice, Signature
from contracts.services import notices, reports
from tests.contracts.moves_notices import SUMMARY_ZH, _published
from tests.contracts.moves_payments import paid_claim
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import (
    active_contract,
    awaiting_contract,
    contract_from_award,
    standing_award,
)
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
)

pytestmark = pytest.mark.django_db

NARRATIVE = "本期走访独居老人李某某，已转介社区医院。"


def _anonymous() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _notice_text(contract) -> str:
    page = _anonymous().get(reverse("contracts:public_detail", args=[contract.uuid]))
    assert page.status_code == 200
    return page.content.decode()


def _signed_pdf(contract) -> bytes:
    document = ContractDocument.objects.get(version__contract=contract, version__number=1)
    with document.file.open("rb") as handle:
        return handle.read()


def _verify(data: bytes, name="contract.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return _anonymous().post(reverse("contracts:verify"), {"file": upload})


# --- the notice --------------------------------------------------------------------


def test_the_notice_shows_parties_value_funders_and_the_paid_milestone_and_nothing_behind_them():
    claim = paid_claim()
    contract = claim.contract
    payment = claim.payment
    report = contract.reports.order_by("period_start").first()
    with time_machine.travel(report.period_end + timedelta(days=1), tick=False):
        reports.save_report(
            report=report,
            actor=bidder_of(contract.provider, role="provider_admin"),
            outputs="上门服务",
            narrative=NARRATIVE,
        )
    with time_machine.travel(contract.start_date + timedelta(days=30), tick=False):
        draft = notices.draft_notice(contract=contract, actor=commissioner_of(contract.lead_agency))

    text = _notice_text(contract)

    assert contract.reference in text and contract.title in text
    assert contract.lead_agency.name in text and contract.provider.name in text
    assert contract.provider.organization.credit_code in text
    assert "¥450,000.00" in text  # the value, and the lead agency's share of it
    assert "Who pays" in text
    assert f"¥{payment.amount:,} on {payment.paid_at:%Y-%m-%d}" in text
    assert reverse("contracts:public_pdf", args=[contract.uuid, 1]) in text
    # Never the claim or its evidence (a fixed milestone's: no referrals), the report, a draft.
    assert str(claim.uuid) not in text
    assert "evidence" not in text.lower()
    for referral in claim.evidence.get("referrals", []):
        assert str(referral) not in text
    assert NARRATIVE not in text and "上门服务" not in text
    assert draft.status == PerformanceNotice.Status.DRAFT
    assert str(draft.uuid) not in text
    assert "No performance notice has been published yet" in text
    # Nor who signed, from where.
    for signature in Signature.objects.filter(version__contract=contract):
        assert signature.signer_name not in text
    assert "203.0.113.7" not in text


def test_a_published_notice_shows_each_kpi_with_its_target_and_rating():
    notice = _published()
    text = _notice_text(notice.contract)
    assert SUMMARY_ZH in text or notice.summary in text
    for rating in notice.ratings.select_related("kpi"):
        assert rating.kpi.name in text
        assert str(rating.target) in text
    assert "Good" in text


@pytest.mark.parametrize("make", [contract_from_award, awaiting_contract])
def test_a_contract_not_signed_by_both_parties_has_no_public_page(make):
    contract = make()
    client = _anonymous()
    assert client.get(reverse("contracts:public_detail", args=[contract.uuid])).status_code == 404
    assert client.get(reverse("contracts:public_pdf", args=[contract.uuid, 1])).status_code == 404
    listed = client.get(reverse("contracts:public_list"))
    assert contract.reference not in listed.content.decode()


def test_the_pdf_downloaded_is_the_signed_file_recorded():
    contract = active_contract()
    client = _anonymous()
    response = client.get(reverse("contracts:public_pdf", args=[contract.uuid, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    document = ContractDocument.objects.get(version__contract=contract, version__number=1)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert client.get(reverse("contracts:public_pdf", args=[contract.uuid, 2])).status_code == 404


# --- checking an uploaded PDF --------------------------------------------------------


def test_the_signed_pdf_is_recognised_with_its_contract_version_and_both_parties():
    contract = active_contract()
    page = _verify(_signed_pdf(contract))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"This is version 1 of contract {contract.reference}" in text
    assert f"Commissioning agency: for {contract.lead_agency.name}" in text
    assert f"Provider: for {contract.provider.name}" in text
    assert "signature of one party only" not in text
    for signature in Signature.objects.filter(version__contract=contract):
        assert signature.signer_name not in text
    assert "203.0.113.7" not in text


def test_a_copy_with_bytes_appended_after_signing_is_reported_as_modified():
    contract = active_contract()
    text = _verify(_signed_pdf(contract) + b"\n% added after signing\n").content.decode()
    assert "Modified after signing" in text and contract.reference in text
    assert "This is version 1" not in text


def test_a_copy_with_a_byte_changed_inside_what_was_signed_is_reported_as_modified():
    contract = active_contract()
    pdf = _signed_pdf(contract)
    # A byte inside the first content stream: the file still reads as a PDF, but the
    # bytes the signatures cover are no longer those signed.
    inside = pdf.index(b"stream\n") + len(b"stream\n") + 100
    tampered = pdf[:inside] + bytes([pdf[inside] ^ 0xFF]) + pdf[inside + 1 :]
    text = _verify(tampered).content.decode()
    assert "Modified after signing" in text and contract.reference in text
    assert "This is version 1" not in text


def test_a_pdf_the_platform_did_not_sign_is_said_to_be_none_of_its_contracts():
    text = _verify(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n").content.decode()
    assert "This file is not a contract signed on this platform" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "Choose the PDF file to check"),
        (b"GIF89a, not a PDF", "This is not a PDF file"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "files may be at most 10 MB"),
    ],
    ids=["no-file", "not-a-pdf", "too-big"],
)
def test_a_bad_upload_gets_an_error_next_to_the_field_not_a_server_error(data, message):
    client = _anonymous()
    if data is None:
        page = client.post(reverse("contracts:verify"), {})
    else:
        page = _verify(data, name="contract.pdf")
    assert page.status_code == 400
    assert message in page.content.decode()
    assert page.context["form"].errors["file"]


# --- the list, and links from other public pages ----------------------------------


def test_the_list_costs_the_same_queries_for_one_contract_or_five(django_assert_num_queries):
    agency = AgencyFactory()

    def signed():
        tender = EvaluationTenderFactory(lead_agency=agency, funded=False)
        return active_contract(standing_award(tender=tender))

    first = signed()
    client = _anonymous()
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("contracts:public_list"))
    assert first.reference in page.content.decode()
    newest = [signed() for _ in range(4)][-1]
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("contracts:public_list"))
    assert len(page.context["contracts"]) == 5
    assert page.context["contracts"][0] == newest  # newest in force first


def test_the_tender_and_the_providers_profile_link_to_the_contract_notice():
    contract = active_contract()
    notice_url = reverse("contracts:public_detail", args=[contract.uuid])
    client = _anonymous()
    tender_page = client.get(
        reverse("marketplace:tender_detail", args=[contract.award.tender.uuid])
    )
    assert tender_page.status_code == 200
    assert notice_url in tender_page.content.decode()
    profile = client.get(reverse("providers:profile", args=[contract.provider.uuid]))
    assert profile.status_code == 200
    assert notice_url in profile.content.decode()
