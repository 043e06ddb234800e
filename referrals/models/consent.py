"""Consent: which of a person's fields a referral's provider may see, and why (SPEC §4).

Before it accepts, a provider sees the need, the district, the urgency and an
age band, nothing that identifies the person. Once it has accepted, it sees
exactly the fields of the consent in force; a revoked or expired consent
hides them again. A supervisor's override without consent is recorded here
too, with its written reason.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField, EncryptedTextField
from core.models import TimeStampedModel
from referrals.models.lifecycle import Referral


class ShareableField(models.TextChoices):
    """What a consent may share with the provider once it has accepted (SPEC §4)."""

    NAME = "name", _("Name")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    ID_NUMBER = "id_number", _("ID number")
    HOUSEHOLD_MEMBERS = "household_members", _("Household members")
    SITUATION = "situation", _("Reason for the referral and assessment notes")


class Consent(TimeStampedModel):
    """The person's consent for one referral: which fields go to which provider, and why.

    A supervisor may send a referral without the person's consent (for
    example an emergency where the person cannot be asked); that override is
    recorded here as a consent given by ``SUPERVISOR_OVERRIDE`` with the
    supervisor's written reason, and audited.
    """

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed consent form")
        VERBAL_WITNESSED = "verbal", _("Verbal, witnessed by the caseworker")
        ELECTRONIC = "electronic", _("Electronic confirmation by the person")
        GUARDIAN = "guardian", _("Given by a guardian")
        SUPERVISOR_OVERRIDE = "override", _("Supervisor override without consent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="consents"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    fields = models.JSONField(_("fields shared"), default=list)
    purpose = models.CharField(_("purpose"), max_length=300)
    method = models.CharField(_("how consent was given"), max_length=12, choices=Method.choices)
    given_at = models.DateTimeField(_("given at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why consent was overridden, and why it was withdrawn, may describe the
    # person (illness, capacity): encrypted like every other free text here.
    override_reason = EncryptedTextField(_("reason for the override"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_note = EncryptedCharField(_("revocation note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                # An encrypted column refuses lookups; its length is still known
                # ("" is stored as "", any reason as a longer ciphertext).
                condition=~models.Q(method="override")
                | models.lookups.GreaterThan(Length("override_reason"), 0),
                name="consent_override_needs_reason",
            ),
        ]

    def __str__(self):
        return str(_("Consent %(uuid)s") % {"uuid": self.uuid})

    def clean(self):
        if not isinstance(self.fields, list) or not set(self.fields) <= set(ShareableField.values):
            raise ValidationError({"fields": _("Choose the fields to share from the list.")})
        if self.expires_at and self.given_at and self.expires_at <= self.given_at:
            raise ValidationError({"expires_at": _("The consent must expire after it was given.")})

    def is_valid(self, now=None) -> bool:
        """In force: not revoked and not expired."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
