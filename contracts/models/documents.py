"""The signed record of a contract: the PDF of each version (``ContractDocument``, with
its lifecycle: preparing → ready | failed) and each party's digital signature on it
(``Signature``)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import person_field
from contracts.models.contracts import ContractVersion
from core.lifecycle import Lifecycle
from core.storage import private_storage


def document_upload_path(document, filename: str) -> str:
    # No name a person typed in the path: the contract's uuid and the version.
    version = document.version
    return f"contracts/{version.contract.uuid}/v{version.number}-{uuid.uuid4().hex[:8]}.pdf"


class ContractDocument(models.Model):
    """The PDF of one contract version, rendered by a Celery task from the record.

    ``file`` is the document as it stands now: unsigned, then with the first
    party's signature, then with both (each signature is an incremental update
    of the one before). ``sha256`` is that file's hash, so the bytes served
    can be checked against the record; ``unsigned_sha256`` the rendering's.
    """

    class Status(models.TextChoices):
        PREPARING = "preparing", pgettext_lazy("contract document status", "Being prepared")
        READY = "ready", pgettext_lazy("contract document status", "Ready")
        FAILED = "failed", pgettext_lazy("contract document status", "Could not be made")

    version = models.OneToOneField(
        ContractVersion,
        verbose_name=_("contract version"),
        on_delete=models.CASCADE,
        related_name="document",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=document_upload_path,
        max_length=255,
        blank=True,
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    unsigned_sha256 = models.CharField(_("SHA-256 as rendered"), max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("why it could not be made"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")

    def __str__(self):
        return f"{self.version} PDF"


DOCUMENT_TRANSITIONS: dict[str, set[str]] = {
    ContractDocument.Status.PREPARING: {
        ContractDocument.Status.READY,
        ContractDocument.Status.FAILED,
    },
    # A failed rendering is tried again once the cause (a missing font) is fixed.
    ContractDocument.Status.FAILED: {ContractDocument.Status.PREPARING},
    ContractDocument.Status.READY: set(),
}

DOCUMENT_LIFECYCLE = Lifecycle(
    name="contract document",
    states=ContractDocument.Status,
    transitions=DOCUMENT_TRANSITIONS,
    refusal=_("A contract document that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda document: document.version.contract.lead_agency_id,
    label=lambda document: str(document.version),
    changed_at="status_changed_at",
)


class Signature(models.Model):
    """One party's PAdES signature on one version's PDF.

    The platform signs on the person's behalf, after they entered their
    password again, the exact file they were shown (``shown_sha256``); the
    file with their signature added hashes to ``signed_sha256``. One
    signature per party per version.
    """

    class Party(models.TextChoices):
        AGENCY = "agency", pgettext_lazy("contract party", "Commissioning agency")
        PROVIDER = "provider", pgettext_lazy("contract party", "Provider")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        ContractVersion,
        verbose_name=_("contract version"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="contract_signatures",
    )
    signer = person_field(_("signed by"))
    signer_name = models.CharField(_("signatory's name"), max_length=150)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    field_name = models.CharField(_("signature field"), max_length=40)
    shown_sha256 = models.CharField(_("SHA-256 of the file shown"), max_length=64)
    signed_sha256 = models.CharField(_("SHA-256 of the file signed"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "party"], name="signature_one_per_party_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.version} · {self.get_party_display()} · {self.signer_name}"
