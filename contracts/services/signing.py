"""Signing a contract version: each party's authorized signatory signs the exact file
shown to them, after entering their password again.

The platform applies a PDF digital signature (PAdES, with pyHanko through
``core.integrations.signing``) on the person's behalf as an incremental update, so
the second signature covers the first and any PDF reader shows both. The record
keeps who signed, when, from which IP address, the version, and the SHA-256 of the
file shown and of the file signed. When both parties have signed, the version is
signed; the first version signed makes the contract active (and schedules its
progress reports), a later one puts its amendment in force.

Signatories (``contracts.rules``): for the agency, a commissioner of the lead
agency; for the provider, an administrator of the provider's organization.
"""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import (
    CONTRACT_LIFECYCLE,
    LIVE_STATES,
    VERSION_LIFECYCLE,
    Contract,
    ContractVersion,
)
from contracts.models.documents import ContractDocument, Signature
from contracts.services.amendments import apply_amendment
from contracts.services.common import lock_contract
from contracts.services.documents import document_bytes
from contracts.services.reports import schedule_reports
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import bilingual
from core.integrations.signing import sha256_hex, sign_pdf
from core.lifecycle import move

NOT_A_SIGNATORY = gettext_lazy(
    "Only the lead agency's commissioner or the provider's administrator signs this contract."
)
NOT_AWAITING = gettext_lazy("This version is not awaiting signatures.")
NOT_IN_FORCE = gettext_lazy(
    "The contract is no longer in force, so this amendment cannot be signed."
)
NOT_READY = gettext_lazy(
    "The PDF of this version is not ready yet: sign it once the page shows it."
)
CHANGED = gettext_lazy(
    "The document changed after it was shown to you (the other party signed it meanwhile): "
    "look at it again before you sign."
)
WRONG_PASSWORD = gettext_lazy("The password is not right. Enter the password you sign in with.")
LOCKED_OUT = gettext_lazy(
    "Too many wrong passwords: signing and signing in are locked for this account for a while. "
    "Try again later."
)
ALREADY_SIGNED = gettext_lazy("%(organization)s has already signed this version.")

FIELD_NAMES = {
    Signature.Party.AGENCY: "AgencySignature",
    Signature.Party.PROVIDER: "ProviderSignature",
}


def signing_party(user, contract: Contract) -> str | None:
    """The party ``user`` may sign for, or None."""
    if rules.can_sign_for_agency(user, contract):
        return Signature.Party.AGENCY
    if rules.can_sign_for_provider(user, contract):
        return Signature.Party.PROVIDER
    return None


def field_name(party: str, version: ContractVersion) -> str:
    """The PDF signature field of a party on a version, e.g. ``AgencySignatureV2``."""
    return f"{FIELD_NAMES[party]}V{version.number}"


def _password_holds(actor: User, password: str, ip_address: str | None) -> bool:
    """Check the password again through the authentication backends.

    django-axes counts a wrong password here as a failed sign-in of this
    person from this address, and refuses while they are locked out; it
    judges an attempt by a request, so one carrying the address is made here.
    """
    attempt = HttpRequest()
    attempt.method = "POST"
    attempt.META["REMOTE_ADDR"] = ip_address or "127.0.0.1"
    user = authenticate(attempt, username=actor.get_username(), password=password or "")
    if getattr(attempt, "axes_locked_out", False):
        raise ApplicationError(
            str(LOCKED_OUT), field_errors={"password": [str(LOCKED_OUT)]}, code="locked_out"
        )
    return user is not None and user.pk == actor.pk


def sign_version(
    *,
    version: ContractVersion,
    actor: User,
    password: str,
    shown_sha256: str,
    ip_address: str | None = None,
    now=None,
) -> Signature:
    """Sign ``version`` for the actor's party; activate or amend once both have signed.

    Refused unless the actor signs for a party, enters their password again,
    the version awaits signatures, its PDF is ready and is exactly the file
    shown to them (``shown_sha256``), and their party has not signed it yet.
    The contract and document rows stay locked until the transaction ends, so
    two signatures at once are applied one after the other, never one over the other.
    """
    contract = version.contract
    if signing_party(actor, contract) is None:
        raise PermissionDenied(str(NOT_A_SIGNATORY))
    if not _password_holds(actor, password, ip_address):
        # Recorded outside the signing transaction, so the refusal stays in the log.
        record_change(
            action="contract.signing_refused",
            actor=actor,
            organization=contract.lead_agency_id,
            target=contract,
            details={"version": version.number, "why": "password"},
            label=contract.reference,
        )
        raise ApplicationError(
            str(WRONG_PASSWORD), field_errors={"password": [str(WRONG_PASSWORD)]}, code="password"
        )
    return _sign(
        version=version,
        actor=actor,
        shown_sha256=(shown_sha256 or "").strip().lower(),
        ip_address=ip_address,
        now=now or timezone.now(),
    )


@transaction.atomic
def _sign(*, version, actor, shown_sha256, ip_address, now) -> Signature:
    contract = lock_contract(version.contract)
    version = ContractVersion.objects.select_for_update().get(pk=version.pk)
    party = signing_party(actor, contract)
    if party is None:
        raise PermissionDenied(str(NOT_A_SIGNATORY))
    if version.status != ContractVersion.Status.AWAITING_SIGNATURES:
        raise ApplicationError(str(NOT_AWAITING), code="not_awaiting")
    if (
        contract.status != Contract.Status.AWAITING_SIGNATURES
        and contract.status not in LIVE_STATES
    ):
        raise ApplicationError(str(NOT_IN_FORCE), code="not_in_force")
    document = ContractDocument.objects.select_for_update().filter(version_id=version.pk).first()
    if document is None or document.status != ContractDocument.Status.READY:
        raise ApplicationError(str(NOT_READY), code="not_ready")
    if shown_sha256 != document.sha256:
        raise ApplicationError(str(CHANGED), code="changed")
    organization = (
        contract.lead_agency if party == Signature.Party.AGENCY else contract.provider.organization
    )
    if version.signatures.filter(party=party).exists():
        raise ApplicationError(
            ALREADY_SIGNED % {"organization": organization.name_zh}, code="already_signed"
        )
    signer_name = str(actor)
    name = field_name(party, version)
    # The signature's own texts are in both languages and name the contract, so that
    # any reader (and the public verification page) can tell what was signed.
    signed = sign_pdf(
        document_bytes(document),
        field_name=name,
        signer_name=f"{signer_name} · {organization.name_zh}",
        reason=(
            f"签署合同 {contract.reference} 第 {version.number} 版（{organization.name_zh}）/ "
            f"Signs contract {contract.reference}, version {version.number}, "
            f"for {organization.name_en or organization.name_zh}"
        ),
        location="中国 China",
    )
    digest = sha256_hex(signed)
    document.file.save(f"v{version.number}-{party}-signed.pdf", ContentFile(signed), save=False)
    document.sha256 = digest
    document.save(update_fields=["file", "sha256"])
    signature = Signature.objects.create(
        version=version,
        party=party,
        organization=organization,
        signer=actor,
        signer_name=signer_name[:150],
        signed_at=now,
        ip_address=ip_address or None,
        field_name=name,
        shown_sha256=shown_sha256,
        signed_sha256=digest,
    )
    record_change(
        action="contract.signed",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={"version": version.number, "party": party, "sha256": digest},
        label=contract.reference,
    )
    if version.signatures.count() == len(Signature.Party):
        _signed_by_both(contract, version, actor=actor, now=now)
    return signature


def _signed_by_both(contract: Contract, version: ContractVersion, *, actor, now) -> None:
    move(
        version,
        ContractVersion.Status.SIGNED,
        lifecycle=VERSION_LIFECYCLE,
        actor=actor,
        now=now,
        values={"signed_at": now},
    )
    if contract.status == Contract.Status.AWAITING_SIGNATURES:
        move(
            contract,
            Contract.Status.ACTIVE,
            lifecycle=CONTRACT_LIFECYCLE,
            actor=actor,
            now=now,
            note=bilingual(
                lambda: (
                    _("Signed by both parties (version %(number)d).") % {"number": version.number}
                )
            ),
            values={"activated_at": now, "status_reason": ""},
        )
    else:
        apply_amendment(contract=contract, version=version, actor=actor)
    schedule_reports(contract=contract)
