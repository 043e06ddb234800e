"""Contract PDFs carry real PAdES signatures that pyHanko (library and CLI) verifies.

Everything is real: self-signed keys made here with ``cryptography``, a PDF with
Chinese text rendered by WeasyPrint, signatures applied by pyHanko.
"""

import datetime
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from django.test import override_settings

from core.errors import ApplicationError
from core.integrations import pdf, signing

AGENCY_FIELD, PROVIDER_FIELD = "agency-signature", "provider-signature"
AGENCY_SIGNER, PROVIDER_SIGNER = "王芳（普陀区民政局）", "李强（阳光社工服务社）"
AGENCY_REASON, PROVIDER_REASON = "代表采购方签署合同 v1", "代表服务方签署合同 v1"

CONTRACT_HTML = f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>服务合同</title>
<style>body {{ font-family: {pdf.CJK_FONT_FAMILY}; }}</style></head>
<body><h1>政府购买社会服务合同</h1><p>甲方：普陀区民政局　乙方：阳光社工服务社</p></body></html>
"""


def signing_settings(directory: Path) -> dict:
    return {
        "CONTRACT_SIGNING_CERT": str(directory / signing.CERTIFICATE_FILE),
        "CONTRACT_SIGNING_KEY": str(directory / signing.KEY_FILE),
        "CONTRACT_SIGNING_SELF_SIGNED_DIR": None,
        "CONTRACT_SIGNING_TRUST_ROOTS": [],
    }


@pytest.fixture(scope="session")
def platform_pair(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("platform-signing")
    signing.write_self_signed_pair(directory, validity=datetime.timedelta(days=30))
    return directory


@pytest.fixture(scope="session")
def stranger_pair(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("stranger-signing")
    signing.write_self_signed_pair(directory, validity=datetime.timedelta(days=30))
    return directory


@pytest.fixture(autouse=True)
def platform_signs(platform_pair):
    with override_settings(**signing_settings(platform_pair)):
        yield


@pytest.fixture(scope="module")
def contract_pdf() -> bytes:
    pytest.importorskip("weasyprint")
    if pdf.find_cjk_font() is None:
        pytest.skip("no CJK font installed (make setup installs fonts-noto-cjk)")
    return pdf.render_pdf(CONTRACT_HTML)


@pytest.fixture(scope="module")
def signed_once(contract_pdf, platform_pair) -> bytes:
    with override_settings(**signing_settings(platform_pair)):
        return signing.sign_pdf(
            contract_pdf,
            field_name=AGENCY_FIELD,
            signer_name=AGENCY_SIGNER,
            reason=AGENCY_REASON,
            location="上海",
        )


@pytest.fixture(scope="module")
def signed_twice(signed_once, platform_pair) -> bytes:
    with override_settings(**signing_settings(platform_pair)):
        return signing.sign_pdf(
            signed_once,
            field_name=PROVIDER_FIELD,
            signer_name=PROVIDER_SIGNER,
            reason=PROVIDER_REASON,
            contact="service@example.org",
        )


def by_field(checks) -> dict:
    return {check.field_name: check for check in checks}


# --- signing twice ------------------------------------------------------------


def test_a_second_signature_is_an_incremental_update_that_keeps_the_first(
    signed_once, signed_twice
):
    assert signed_twice.startswith(signed_once)


def test_both_signatures_of_a_twice_signed_pdf_are_intact_valid_and_unmodified(signed_twice):
    checks = signing.validate_pdf(signed_twice)

    assert [check.field_name for check in checks] == [AGENCY_FIELD, PROVIDER_FIELD]
    assert all(check.intact and check.valid and check.holds for check in checks)
    agency, provider = checks
    # The first signature does not reach the end of the file, but only the
    # second signature was added after it: not a modification.
    assert not agency.covers_whole_file
    assert not agency.modified_after
    assert provider.covers_whole_file
    assert not provider.modified_after


def test_signer_names_reasons_and_times_are_read_back(signed_twice):
    agency, provider = signing.validate_pdf(signed_twice)

    assert (agency.signer_name, agency.reason) == (AGENCY_SIGNER, AGENCY_REASON)
    assert (provider.signer_name, provider.reason) == (PROVIDER_SIGNER, PROVIDER_REASON)
    now = datetime.datetime.now(datetime.UTC)
    for check in (agency, provider):
        assert now - datetime.timedelta(minutes=10) < check.signed_at <= now


def test_each_signature_records_the_hash_of_the_file_as_it_was_signed(signed_once, signed_twice):
    agency, provider = signing.validate_pdf(signed_twice)

    assert agency.signed_revision_sha256 == signing.sha256_hex(signed_once)
    assert provider.signed_revision_sha256 == signing.sha256_hex(signed_twice)
    assert agency.file_sha256 == provider.file_sha256 == signing.sha256_hex(signed_twice)


def test_a_field_already_signed_cannot_be_signed_again(signed_once):
    with pytest.raises(ApplicationError, match=AGENCY_FIELD):
        signing.sign_pdf(
            signed_once, field_name=AGENCY_FIELD, signer_name="someone", reason="again"
        )


def test_signing_something_that_is_not_a_pdf_is_refused_with_a_domain_error():
    with pytest.raises(ApplicationError):
        signing.sign_pdf(b"hello", field_name=AGENCY_FIELD, signer_name="x", reason="y")


# --- the pyHanko command line agrees -------------------------------------------


def pyhanko_validate(path: Path, trust: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyhanko", "sign", "validate"]
        + ["--trust", str(trust), "--trust-replace", "--no-revocation-check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pyhanko_sign_validate_accepts_each_signature(
    signed_once, signed_twice, platform_pair, tmp_path
):
    trust = platform_pair / signing.CERTIFICATE_FILE
    (tmp_path / "once.pdf").write_bytes(signed_once)
    (tmp_path / "twice.pdf").write_bytes(signed_twice)

    once = pyhanko_validate(tmp_path / "once.pdf", trust)
    twice = pyhanko_validate(tmp_path / "twice.pdf", trust)

    assert once.returncode == 0, once.stderr
    assert twice.returncode == 0, twice.stderr
    # One line per signature: "<field>:<fingerprint>:INTACT:TRUSTED,…"
    lines = {line.split(":")[0]: line for line in twice.stdout.splitlines() if ":" in line}
    assert set(lines) == {AGENCY_FIELD, PROVIDER_FIELD}
    assert all(":INTACT:TRUSTED" in line for line in lines.values())
    assert ":INTACT:TRUSTED" in once.stdout and AGENCY_FIELD in once.stdout


def test_pyhanko_sign_validate_rejects_a_copy_with_content_added(
    signed_twice, platform_pair, tmp_path
):
    (tmp_path / "changed.pdf").write_bytes(with_text_added_to_first_page(signed_twice))

    result = pyhanko_validate(tmp_path / "changed.pdf", platform_pair / signing.CERTIFICATE_FILE)

    assert result.returncode != 0


# --- copies changed after signing ------------------------------------------------


def with_text_added_to_first_page(signed: bytes) -> bytes:
    """A real incremental update that is not a signature: text drawn over page 1."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    void = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (VOID) Tj ET")
    stream = writer.add_object(void)
    writer.add_stream_to_page(0, stream)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_byte_changed_inside_the_signed_range_breaks_both_signatures(signed_twice):
    agency, _provider = signing.validate_pdf(signed_twice)
    # A byte of the first stream's data: inside both signed ranges, and the
    # file still parses.
    position = signed_twice.index(b"stream\n") + len(b"stream\n") + 20
    assert position < first_signed_range_end(signed_twice)
    tampered = bytearray(signed_twice)
    tampered[position] ^= 0x01

    checks = signing.validate_pdf(bytes(tampered))

    assert [check.field_name for check in checks] == [AGENCY_FIELD, PROVIDER_FIELD]
    assert not any(check.intact or check.valid or check.holds for check in checks)
    assert agency.intact  # the untouched file was fine


def first_signed_range_end(signed: bytes) -> int:
    """Where the first byte range of the first signature ends (its /Contents begins)."""
    start = signed.index(b"/ByteRange")
    numbers = signed[start : signed.index(b"]", start)].split(b"[")[1].split()
    return int(numbers[1])


def test_content_added_by_an_incremental_update_is_reported_as_modified(signed_twice):
    checks = signing.validate_pdf(with_text_added_to_first_page(signed_twice))

    assert len(checks) == 2
    assert all(check.intact and check.valid for check in checks)  # the signed bytes are as signed
    assert all(check.modified_after and not check.holds for check in checks)


def test_bytes_appended_after_the_last_signature_are_reported_as_modified(signed_twice):
    checks = signing.validate_pdf(signed_twice + b"\n% appended after signing\n")

    assert len(checks) == 2
    assert all(check.modified_after and not check.holds for check in checks)
    assert not any(check.covers_whole_file for check in checks)


# --- uploads that are not what they claim ------------------------------------------


@pytest.mark.parametrize(
    "upload",
    [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF", "合同".encode() * 100],
    ids=["empty", "text", "bare-header", "chinese-text"],
)
def test_an_upload_that_is_not_a_pdf_gives_no_signatures(upload):
    assert signing.validate_pdf(upload) == []


def test_a_truncated_signed_pdf_does_not_crash(signed_twice):
    checks = signing.validate_pdf(signed_twice[: len(signed_twice) // 2])

    assert all(not check.holds for check in checks)


def test_a_pdf_without_signatures_gives_no_signatures(contract_pdf):
    assert signing.validate_pdf(contract_pdf) == []


def test_a_pdf_signed_with_another_key_is_intact_but_not_valid(contract_pdf, stranger_pair):
    with override_settings(**signing_settings(stranger_pair)):
        forged = signing.sign_pdf(
            contract_pdf, field_name=AGENCY_FIELD, signer_name=AGENCY_SIGNER, reason="forged"
        )

    (check,) = signing.validate_pdf(forged)

    assert check.intact
    assert not check.valid
    assert not check.holds


def test_an_extra_trust_root_makes_another_certificate_trusted(
    contract_pdf, stranger_pair, platform_pair
):
    # The case of a renewed certificate: contracts signed with the old one still verify.
    with override_settings(**signing_settings(stranger_pair)):
        older = signing.sign_pdf(
            contract_pdf, field_name=AGENCY_FIELD, signer_name=AGENCY_SIGNER, reason="v1"
        )
    trusted = [str(stranger_pair / signing.CERTIFICATE_FILE)]

    with override_settings(CONTRACT_SIGNING_TRUST_ROOTS=trusted):
        (check,) = signing.validate_pdf(older)

    assert check.valid and check.holds


# --- configuration ------------------------------------------------------------------


def test_without_certificate_and_key_signing_is_refused_naming_the_settings(contract_pdf):
    with (
        override_settings(CONTRACT_SIGNING_CERT=None, CONTRACT_SIGNING_KEY=None),
        pytest.raises(signing.SigningUnavailable, match="CONTRACT_SIGNING_CERT"),
    ):
        signing.sign_pdf(contract_pdf, field_name=AGENCY_FIELD, signer_name="x", reason="y")


def test_a_key_that_is_not_the_certificates_is_refused(platform_pair, stranger_pair):
    with (
        override_settings(CONTRACT_SIGNING_KEY=str(stranger_pair / signing.KEY_FILE)),
        pytest.raises(signing.SigningUnavailable, match="is not the key of the certificate"),
    ):
        signing.signing_credentials()


def test_development_makes_a_self_signed_pair_once_in_an_ignored_folder(tmp_path):
    directory = tmp_path / ".dev-signing"
    unset = {"CONTRACT_SIGNING_CERT": None, "CONTRACT_SIGNING_KEY": None}

    with override_settings(**unset, CONTRACT_SIGNING_SELF_SIGNED_DIR=directory):
        first = signing.signing_credentials()
        certificate = first.certificate.read_bytes()
        second = signing.signing_credentials()

    assert first.certificate.parent == directory
    assert second.certificate.read_bytes() == certificate
    assert (directory / ".gitignore").read_text() == "*\n"
    assert stat.S_IMODE(os.stat(first.key).st_mode) == 0o600


# --- generate_keys --signing-dir ----------------------------------------------------


def test_generate_keys_writes_a_matching_self_signed_pair_and_prints_the_settings(tmp_path):
    directory = tmp_path / "signing"
    out, err = io.StringIO(), io.StringIO()

    call_command("generate_keys", signing_dir=directory, stdout=out, stderr=err)

    certificate_path = directory / signing.CERTIFICATE_FILE
    key_path = directory / signing.KEY_FILE
    assert out.getvalue().splitlines() == [
        f"CONTRACT_SIGNING_CERT={certificate_path.resolve()}",
        f"CONTRACT_SIGNING_KEY={key_path.resolve()}",
    ]
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert public_der(key.public_key()) == public_der(certificate.public_key())
    organization = certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    assert organization[0].value == "社会服务联合购买与转介平台"
    assert "电子签名法" in err.getvalue()


def test_generate_keys_never_replaces_an_existing_signing_key(tmp_path):
    call_command("generate_keys", signing_dir=tmp_path, stdout=io.StringIO(), stderr=io.StringIO())
    key = (tmp_path / signing.KEY_FILE).read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        call_command("generate_keys", signing_dir=tmp_path, stdout=io.StringIO())

    assert (tmp_path / signing.KEY_FILE).read_bytes() == key


def public_der(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_signing_and_checking_work_inside_a_running_event_loop(contract_pdf):
    # A browser test (Playwright) or an ASGI worker runs an asyncio loop in the
    # thread; pyHanko's own asyncio.run must not be refused there.
    import asyncio

    async def inside_a_loop():
        signed = signing.sign_pdf(
            contract_pdf, field_name="InLoop", signer_name="王芳", reason="测试"
        )
        return signing.validate_pdf(signed)

    checks = asyncio.run(inside_a_loop())
    assert [check.field_name for check in checks] == ["InLoop"]
    assert checks[0].holds
