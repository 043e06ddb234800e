"""PDF digital signatures (PAdES, with pyHanko): the one place that signs and checks them.

The platform signs a contract PDF on a signatory's behalf with its own signing
certificate (``CONTRACT_SIGNING_CERT`` and ``CONTRACT_SIGNING_KEY``); the person
who signed goes into the signature's metadata (/Name, /Reason) and the contract
record keeps who, when, from where and the SHA-256 of the file as signed. Each
signature is an incremental update, so a second signature covers the first and
leaves it valid, and any PDF reader or ``pyhanko sign validate`` shows both.

Signatures are PAdES B-B: no timestamp from a timestamping authority (B-T)
because there is none offline. A B-B signature is checked at the present
moment, so it stops being "valid" once the signing certificate expires;
production that needs signatures to outlive the certificate needs a TSA.

Development and tests need no manual step: when the two paths are unset and
``CONTRACT_SIGNING_SELF_SIGNED_DIR`` names a folder (``dev`` and ``test``
settings only), a self-signed pair is made there once. ``manage.py
generate_keys --signing-dir DIR`` makes the same kind of pair for a demo.
"""

import asyncio
import concurrent.futures
import contextlib
import datetime
import errno
import functools
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError

CERTIFICATE_FILE = "certificate.pem"
KEY_FILE = "private-key.pem"
SELF_SIGNED_VALIDITY = datetime.timedelta(days=5 * 365)
# X.509 allows 64 bytes (UTF-8) per name part.
SELF_SIGNED_COMMON_NAME = "合同签署 Contract signing (self-signed)"
SELF_SIGNED_UNIT = "仅供开发与演示 Development and demo only"


class SigningUnavailable(ApplicationError):
    """The platform's signing certificate or key is missing, unreadable or unusable."""

    def __init__(self, message):
        super().__init__(message, code="signing_unavailable")


@dataclass(frozen=True)
class SigningCredentials:
    certificate: Path
    key: Path
    passphrase: bytes | None
    subject: str
    not_valid_after: datetime.datetime


@dataclass(frozen=True)
class SignatureCheck:
    """What one embedded signature of an uploaded PDF proves.

    ``intact``: the signed bytes hash to what was signed. ``valid``: the
    signature is cryptographically sound and made with a certificate the
    platform trusts. ``modified_after``: the file holds bytes added after this
    signature that are not later signatures. ``signed_revision_sha256`` is the
    SHA-256 of the file as it stood when this signature was applied, which is
    what a contract record keeps; ``file_sha256`` that of the whole upload.
    """

    field_name: str
    signer_name: str
    reason: str
    signed_at: datetime.datetime | None
    intact: bool
    valid: bool
    covers_whole_file: bool
    modified_after: bool
    signed_revision_sha256: str
    file_sha256: str

    @property
    def holds(self) -> bool:
        """True when nothing is wrong with this signature or with what it covers."""
        return self.intact and self.valid and not self.modified_after


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- signing ------------------------------------------------------------------


def _outside_event_loop(function):
    """Run ``function`` where pyHanko may start its own asyncio loop.

    pyHanko's synchronous API calls ``asyncio.run``, which refuses to run in a
    thread that already has a running loop (a Playwright test, an ASGI worker).
    There the call goes to a short-lived thread of its own; the translation
    and settings it reads are the caller's.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)
        language = translation.get_language()

        def in_thread():
            with translation.override(language):
                return function(*args, **kwargs)

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(in_thread).result()

    return wrapper


@_outside_event_loop
def sign_pdf(
    pdf: bytes,
    *,
    field_name: str,
    signer_name: str,
    reason: str,
    location: str = "",
    contact: str = "",
) -> bytes:
    """Return ``pdf`` with one more PAdES signature, in a new field ``field_name``.

    The signature is appended as an incremental update: the bytes of ``pdf``
    (and any signature already in it) stay as they are.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    if not field_name or "." in field_name:
        # pyHanko reads dots as the separators of a field's full name.
        raise ApplicationError(_("A signature field needs a name without dots."))
    signer = _signer(signing_credentials())
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        if field_name in {sig.field_name for sig in writer.prev.embedded_signatures}:
            raise ApplicationError(
                _("The PDF is already signed in the field “%(field)s”.") % {"field": field_name}
            )
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            name=signer_name,
            reason=reason,
            location=location or None,
            contact_info=contact or None,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        return signers.sign_pdf(writer, metadata, signer=signer).getvalue()
    except (PdfError, SigningError) as exc:
        raise ApplicationError(
            _("The PDF could not be signed: %(error)s") % {"error": exc}
        ) from exc


def _signer(credentials: SigningCredentials):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(
        str(credentials.key), str(credentials.certificate), key_passphrase=credentials.passphrase
    )
    if signer is None:  # already checked by signing_credentials(); pyHanko logs why
        raise SigningUnavailable(_("The signing key could not be loaded."))
    return signer


def signing_credentials() -> SigningCredentials:
    """The configured certificate and key, checked to be readable, matching and current.

    Raises ``SigningUnavailable`` with a sentence naming the setting to fix.
    """
    certificate_path, key_path = _configured_paths()
    passphrase = settings.CONTRACT_SIGNING_KEY_PASSPHRASE
    passphrase = passphrase.encode() if passphrase else None
    # The messages name the setting, not the path: /healthz shows them to anyone.
    try:
        certificate = x509.load_pem_x509_certificate(Path(certificate_path).read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningUnavailable(
            _("CONTRACT_SIGNING_CERT does not name a readable PEM certificate.")
        ) from exc
    try:
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=passphrase)
    except (OSError, ValueError, TypeError) as exc:
        # TypeError: the key is encrypted and no passphrase was given, or the reverse.
        raise SigningUnavailable(
            _(
                "CONTRACT_SIGNING_KEY does not name a readable PEM private key, "
                "or CONTRACT_SIGNING_KEY_PASSPHRASE does not open it."
            )
        ) from exc
    if _public_bytes(key.public_key()) != _public_bytes(certificate.public_key()):
        raise SigningUnavailable(
            _("CONTRACT_SIGNING_KEY is not the key of the certificate in CONTRACT_SIGNING_CERT.")
        )
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SigningUnavailable(
            _("The signing certificate is valid only from %(start)s to %(end)s.")
            % {
                "start": certificate.not_valid_before_utc.isoformat(),
                "end": certificate.not_valid_after_utc.isoformat(),
            }
        )
    return SigningCredentials(
        certificate=Path(certificate_path),
        key=Path(key_path),
        passphrase=passphrase,
        subject=certificate.subject.rfc4514_string(),
        not_valid_after=certificate.not_valid_after_utc,
    )


def _configured_paths() -> tuple[str, str]:
    certificate, key = settings.CONTRACT_SIGNING_CERT, settings.CONTRACT_SIGNING_KEY
    if certificate and key:
        return str(certificate), str(key)
    if certificate or key:
        missing = "CONTRACT_SIGNING_KEY" if certificate else "CONTRACT_SIGNING_CERT"
        raise SigningUnavailable(
            _("%(name)s is not set: contracts cannot be signed.") % {"name": missing}
        )
    directory = settings.CONTRACT_SIGNING_SELF_SIGNED_DIR
    if not directory:
        raise SigningUnavailable(
            _(
                "CONTRACT_SIGNING_CERT and CONTRACT_SIGNING_KEY are not set: "
                "contracts cannot be signed."
            )
        )
    return tuple(str(path) for path in _self_signed_pair_in(Path(directory)))


def _public_bytes(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# --- self-signed pairs for development and the demo ---------------------------


def write_self_signed_pair(
    directory: Path, *, validity: datetime.timedelta = SELF_SIGNED_VALIDITY
) -> tuple[Path, Path]:
    """Write a new self-signed certificate and its key into ``directory``.

    Never overwrites (``FileExistsError``): replacing a signing key would make
    every contract signed with it untrusted. The key file is readable by its
    owner only. Not for production, whose certificate must come from a CA
    recognised under the PRC Electronic Signature Law (电子签名法).
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    certificate_path, key_path = directory / CERTIFICATE_FILE, directory / KEY_FILE
    for path in (certificate_path, key_path):
        if path.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.WAGTAIL_SITE_NAME),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SELF_SIGNED_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, SELF_SIGNED_COMMON_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Non-repudiation (content commitment): pyHanko and PDF readers expect
        # it on a certificate that signs documents.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_new(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    _write_new(certificate_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return certificate_path, key_path


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _self_signed_pair_in(directory: Path) -> tuple[Path, Path]:
    """The development pair in ``directory``, made by the first process that needs it."""
    certificate_path, key_path = directory / CERTIFICATE_FILE, directory / KEY_FILE
    if certificate_path.exists() and key_path.exists():
        return certificate_path, key_path
    directory.parent.mkdir(parents=True, exist_ok=True)
    # Made aside and renamed into place in one step, so that parallel test
    # workers or web processes never see a certificate without its key.
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=directory.parent))
    write_self_signed_pair(staging)
    (staging / ".gitignore").write_text("*\n")  # never committed
    try:
        staging.rename(directory)
    except OSError:  # another process was first
        shutil.rmtree(staging, ignore_errors=True)
    return certificate_path, key_path


# --- validation ---------------------------------------------------------------


@_outside_event_loop
def validate_pdf(pdf: bytes) -> list[SignatureCheck]:
    """Check every signature embedded in ``pdf``, oldest first.

    Safe on anything uploaded by anyone: a file that is not a readable PDF, or
    a PDF without signatures, gives an empty list; it never raises.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    file_sha256 = sha256_hex(pdf)
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = list(reader.embedded_signatures)
        total_revisions = reader.xrefs.total_revisions
    except Exception:  # noqa: BLE001 - an unreadable upload is simply not a signed PDF
        return []
    context = _validation_context()
    statuses = [_status(signature, context) for signature in signatures]
    checks = []
    for index, (signature, status) in enumerate(zip(signatures, statuses, strict=True)):
        later = list(zip(signatures[index + 1 :], statuses[index + 1 :], strict=True))
        field_name, signer_name, reason = _names(signature)
        checks.append(
            SignatureCheck(
                field_name=field_name,
                signer_name=signer_name,
                reason=reason,
                signed_at=_signing_time(signature, status),
                intact=bool(status and status.intact),
                valid=bool(status and status.valid and status.trusted),
                covers_whole_file=_covers_whole_file(status),
                modified_after=_modified_after(signature, status, later, total_revisions),
                signed_revision_sha256=_signed_revision_sha256(pdf, signature),
                file_sha256=file_sha256,
            )
        )
    return checks


def _validation_context():
    """Trust the platform's certificate (and any configured extra roots), offline."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    paths = [*settings.CONTRACT_SIGNING_TRUST_ROOTS]
    # Without a usable certificate nothing is trusted: every signature shows as not valid.
    with contextlib.suppress(SigningUnavailable):
        paths.insert(0, str(signing_credentials().certificate))
    roots = []
    for path in paths:
        try:
            roots.extend(load_certs_from_pemder([path]))
        except (OSError, ValueError):
            continue
    # An explicit list, even empty, so the operating system's roots are never used;
    # no fetching: revocation lists and OCSP are not reachable from every server.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _status(signature, context):
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        return validate_pdf_signature(signature, context)
    except Exception:  # noqa: BLE001 - a malformed signature is reported as not holding
        return None


def _covers_whole_file(status) -> bool:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return status is not None and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def _modified_after(signature, status, later, total_revisions: int) -> bool:
    """Whether bytes were added after ``signature`` that are not later signatures.

    pyHanko's difference analysis judges the revisions after a signature, but
    bytes appended without a new revision escape it; so also require that
    every later revision is another signature's and that the last signature
    covers the file to its last byte.
    """
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if _covers_whole_file(status):
        return False
    if status is None or status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return True
    level = status.modification_level
    if level is None or level.value > ModificationLevel.FORM_FILLING.value or not status.docmdp_ok:
        return True
    signed_later = {other.signed_revision for other, _later_status in later}
    if not set(range(signature.signed_revision + 1, total_revisions)) <= signed_later:
        return True
    return not (later and _covers_whole_file(later[-1][1]))


def _signing_time(signature, status) -> datetime.datetime | None:
    reported = getattr(status, "signer_reported_dt", None)
    if reported:
        return reported
    try:
        return signature.self_reported_timestamp
    except Exception:  # noqa: BLE001 - a malformed /M entry is no time
        return None


def _signed_revision_sha256(pdf: bytes, signature) -> str:
    try:
        start, _length, second_start, second_length = (int(n) for n in signature.byte_range)
    except (TypeError, ValueError):
        return ""
    if start != 0:
        return ""
    return sha256_hex(pdf[: second_start + second_length])


def _names(signature) -> tuple[str, str, str]:
    """The field's name, and the signer's name and reason from the signature dictionary."""
    try:
        entries = (
            signature.field_name,
            signature.sig_object.get("/Name"),
            signature.sig_object.get("/Reason"),
        )
    except Exception:  # noqa: BLE001 - malformed entries read as empty
        return "", "", ""
    return tuple("" if value is None else str(value) for value in entries)
