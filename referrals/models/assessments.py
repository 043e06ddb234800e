"""Needs assessments: what a caseworker found a person needs on a given day.

An assessment lists needs, one per need category; referrals and unmet needs
point at a need. A caseworker's notes describe a person's situation, so they
are encrypted like every other free text written about a person.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import TimeStampedModel
from referrals.models.beneficiaries import Beneficiary


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class NeedAssessment(TimeStampedModel):
    """A caseworker's assessment of a person's needs on a given day."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("date of assessment"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE
    )
    # A caseworker's notes describe a person's situation: personal data.
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-assessed_on", "-created_at"]

    def __str__(self):
        return str(_("Assessment of %(date)s") % {"date": self.assessed_on.isoformat()})


class Need(models.Model):
    """One need found in an assessment; referrals and unmet needs point at it."""

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MODERATE = 2, _("Moderate")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(
        NeedAssessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="needs"
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    tier = models.ForeignKey(
        "taxonomy.ServiceTier",
        verbose_name=_("service tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MODERATE
    )
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-severity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"], name="need_once_per_assessment"
            ),
        ]

    def __str__(self):
        return str(self.category)
