"""The contract PDF and its two signatures: rendered from the record, signed by each
party's signatory after the password again, the exact file shown, verifiable by
pyHanko and by anyone's PDF reader; the contract becomes active when both have signed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from contracts.models import Contract, ContractDocument, ContractVersion, ProgressReport, Signature
from contracts.services import documents, return_to_draft, send_for_signature
from contracts.services.signing import sign_version
from core.errors import ApplicationError
from core.integrations import pdf, signing
from core.models import AuditEvent
from demo.accounts import credit_code
from tests.factories.contracts import (
    awaiting_contract,
    contract_from_award,
    render_pending_documents,
    sign,
    signatories,
    standing_award,
)
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of

pytestmark = pytest.mark.django_db


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "contract.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def stored(document: ContractDocument) -> bytes:
    document.refresh_from_db()
    return documents.document_bytes(document)


@pytest.fixture
def contract():
    award = standing_award()
    agency = award.tender.lead_agency
    # Agencies have unified social credit codes too (11…: organs of the state).
    agency.credit_code = credit_code(authority="1", category="1", area_code="310000", seed="sign")
    agency.save(update_fields=["credit_code"])
    return awaiting_contract(award)


def test_sending_renders_a_bilingual_pdf_of_the_record(contract, tmp_path):
    version = contract.versions.get()
    document = version.document
    assert version.status == ContractVersion.Status.AWAITING_SIGNATURES
    assert document.status == ContractDocument.Status.READY
    text = pdftotext(stored(document), tmp_path)
    agency, provider = contract.lead_agency, contract.provider.organization
    assert contract.title_zh in text
    assert agency.name_zh in text and provider.name_zh in text
    assert agency.credit_code and agency.credit_code in text
    assert provider.credit_code and provider.credit_code in text
    assert contract.reference in text
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", text)
    assert "Key performance indicators" in text and "绩效指标" in text
    assert document.page_count and document.page_count >= 1


def test_the_recorded_hash_is_the_hash_of_the_stored_file(contract):
    document = contract.versions.get().document
    assert signing.sha256_hex(stored(document)) == document.sha256 == document.unsigned_sha256


def test_a_document_whose_file_was_changed_on_disk_is_refused(contract):
    document = contract.versions.get().document
    with document.file.open("ab") as handle:
        handle.write(b"%tampered")
    with pytest.raises(ApplicationError):
        documents.document_bytes(document)


def test_both_parties_sign_and_the_contract_becomes_active_with_its_reports(contract, tmp_path):
    version = contract.versions.get()
    agency_signer, provider_signer = signatories(contract)
    first = sign(version, agency_signer)
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.AWAITING_SIGNATURES
    second = sign(version, provider_signer)

    contract.refresh_from_db()
    version.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE and contract.activated_at is not None
    assert version.status == ContractVersion.Status.SIGNED
    assert ProgressReport.objects.filter(contract=contract).exists()
    assert (first.party, second.party) == (Signature.Party.AGENCY, Signature.Party.PROVIDER)
    assert second.shown_sha256 == first.signed_sha256  # the second signer saw the first's file
    assert first.ip_address == "203.0.113.7" and first.signer == agency_signer

    data = stored(version.document)
    assert signing.sha256_hex(data) == second.signed_sha256 == version.document.sha256
    checks = signing.validate_pdf(data)
    assert [check.field_name for check in checks] == [first.field_name, second.field_name]
    assert all(check.holds for check in checks)
    # Incremental: the file as the agency signed it is the start of the final file.
    assert checks[0].signed_revision_sha256 == first.signed_sha256

    trust = Path(settings.CONTRACT_SIGNING_SELF_SIGNED_DIR) / signing.CERTIFICATE_FILE
    (tmp_path / "signed.pdf").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "pyhanko", "sign", "validate", "--trust", str(trust)]
        + ["--trust-replace", "--no-revocation-check", str(tmp_path / "signed.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(":INTACT:TRUSTED") == 2
    assert AuditEvent.objects.filter(action="contract.signed").count() == 2


def test_the_wrong_password_is_refused_and_recorded(contract):
    version = contract.versions.get()
    agency_signer, _provider = signatories(contract)
    with pytest.raises(ApplicationError) as refused:
        sign(version, agency_signer, password="not-my-password")
    assert "password" in refused.value.field_errors
    assert not Signature.objects.exists()
    assert AuditEvent.objects.filter(action="contract.signing_refused").exists()


def test_a_file_other_than_the_one_now_ready_is_not_signed(contract):
    version = contract.versions.get()
    agency_signer, provider_signer = signatories(contract)
    shown_before = version.document.sha256
    sign(version, agency_signer)  # the file changes: it now holds the agency's signature
    with pytest.raises(ApplicationError) as refused:
        sign_version(
            version=version,
            actor=provider_signer,
            password="correct-horse-battery",
            shown_sha256=shown_before,
        )
    assert refused.value.code == "changed"


@pytest.mark.parametrize("who", ["finance", "provider staff", "other commissioner"])
def test_only_the_parties_signatories_sign(contract, who):
    actor = {
        "finance": lambda: finance_of(contract.lead_agency),
        "provider staff": lambda: bidder_of(contract.provider),
        "other commissioner": lambda: commissioner_of(contract_from_award().lead_agency),
    }[who]()
    with pytest.raises(PermissionDenied):
        sign(contract.versions.get(), actor)


def test_a_party_signs_a_version_once(contract):
    version = contract.versions.get()
    agency_signer, _provider = signatories(contract)
    sign(version, agency_signer)
    with pytest.raises(ApplicationError) as refused:
        sign(version, commissioner_of(contract.lead_agency))
    assert refused.value.code == "already_signed"


def test_sending_back_to_draft_withdraws_the_version_and_keeps_its_signature(contract):
    version = contract.versions.get()
    agency_signer, _provider = signatories(contract)
    sign(version, agency_signer)
    return_to_draft(contract=contract, actor=agency_signer, reason="金额条款需修正")

    version.refresh_from_db()
    assert version.status == ContractVersion.Status.WITHDRAWN
    assert version.signatures.count() == 1  # still readable
    draft = contract.versions.get(number=2)
    assert draft.status == ContractVersion.Status.DRAFT

    send_for_signature(contract=contract, actor=agency_signer)
    render_pending_documents(contract)
    draft.refresh_from_db()
    assert draft.status == ContractVersion.Status.AWAITING_SIGNATURES
    assert draft.document.status == ContractDocument.Status.READY
    assert draft.document.sha256 != version.document.sha256


def test_without_a_chinese_font_the_document_fails_with_what_to_install(monkeypatch, tmp_path):
    # A real machine without CJK fonts: fontconfig reading a configuration with no font folder.
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>'
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))
    pdf.find_cjk_font.cache_clear()
    try:
        contract = contract_from_award()
        send_for_signature(contract=contract, actor=commissioner_of(contract.lead_agency))
        render_pending_documents(contract)
    finally:
        monkeypatch.undo()
        pdf.find_cjk_font.cache_clear()
    document = contract.versions.get().document
    assert document.status == ContractDocument.Status.FAILED
    assert pdf.CJK_FONT_PACKAGE in document.error
    assert not document.file

    # Once a font is there, the commissioner asks again and the PDF is made.
    documents.retry_document(document=document, actor=commissioner_of(contract.lead_agency))
    render_pending_documents(contract)
    document.refresh_from_db()
    assert document.status == ContractDocument.Status.READY
