"""Complaints: a bidder's challenge of an award during the standstill (``Complaint``,
with its lifecycle)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lifecycle import Lifecycle
from marketplace.models.awards import Award
from marketplace.models.bids import Bid
from marketplace.models.common import person_field


class Complaint(models.Model):
    """A bidder's challenge of an award during the standstill; an open one blocks confirmation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="complaints"
    )
    bid = models.ForeignKey(
        Bid,
        verbose_name=_("complaining bid"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    text = models.TextField(_("complaint"))
    lodged_by = person_field(_("lodged by"))
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    response = models.TextField(_("response"), blank=True)
    resolved_by = person_field(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["award", "lodged_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(resolved_at__isnull=False),
                name="complaint_resolution_dated",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_status_display()}"


# A commissioner of the lead agency upholds or dismisses an open complaint, or
# the complainant withdraws it; each outcome is final.
COMPLAINT_TRANSITIONS: dict[str, set[str]] = {
    Complaint.Status.OPEN: {
        Complaint.Status.UPHELD,
        Complaint.Status.DISMISSED,
        Complaint.Status.WITHDRAWN,
    },
    Complaint.Status.UPHELD: set(),
    Complaint.Status.DISMISSED: set(),
    Complaint.Status.WITHDRAWN: set(),
}

# How a commissioner may resolve an open complaint.
RESOLUTIONS = (Complaint.Status.UPHELD, Complaint.Status.DISMISSED)

COMPLAINT_LIFECYCLE = Lifecycle(
    name="complaint",
    states=Complaint.Status,
    transitions=COMPLAINT_TRANSITIONS,
    refusal=_("This complaint is already “%(current)s”."),
    # No complaint or response text in the entry: who, when and what happened.
    organization=lambda complaint: complaint.award.tender.lead_agency_id,
    label=lambda complaint: complaint.award.tender.reference,
)
