"""Unmet needs: a need nobody eligible could meet, for commissioning and statistics.

Recorded by the caseworker with a reason when matching finds no eligible
service with room (or every provider declined). It names a category, an area
and a reason, never the person.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from referrals.models.assessments import Need


class UnmetNeed(TimeStampedModel):
    """A need nobody eligible could meet: feeds the next commissioning round and statistics.

    Holds the category, the area and the reason, and no personal data: the
    link to the need lets the caseworker find it again, statistics never follow it.
    """

    class Reason(models.TextChoices):
        NO_SERVICE = "no_service", _("No service for this need in the area")
        NO_CAPACITY = "no_capacity", _("Eligible services have no free place")
        NOT_ELIGIBLE = "not_eligible", _("The person is not eligible for the services there")
        TOO_FAR = "too_far", _("Services are too far away")
        DECLINED = "declined", _("Every provider declined")
        OTHER = "other", _("Other reason")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unmet_records",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("What would have helped. Do not write names or ID numbers here."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unmet need")
        verbose_name_plural = _("unmet needs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["category", "area"])]

    def __str__(self):
        return str(self.category)
