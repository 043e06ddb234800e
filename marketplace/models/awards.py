"""Awards: the decision to give a lot to a bid (``Award``, with its lifecycle)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lifecycle import Lifecycle
from marketplace.models.bids import Bid
from marketplace.models.common import money_field, person_field
from marketplace.models.tenders import Lot, Tender


class Award(models.Model):
    """The decision to give a lot to a bid.

    recommended (by the panel) → approved (by a commissioner; the standstill
    starts and every bidder gets its assessment summary) → confirmed (after the
    standstill, with no open complaint), or cancelled. Approving commits the
    award's value on the pooled budget; cancelling releases it.
    """

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        APPROVED = "approved", _("Approved — standstill")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="awards"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="awards"
    )
    bid = models.ForeignKey(
        Bid, verbose_name=_("winning bid"), on_delete=models.PROTECT, related_name="awards"
    )
    value = money_field(_("value (CNY)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.RECOMMENDED,
        db_index=True,
    )
    recommended_by = person_field(_("recommended by"))
    recommended_at = models.DateTimeField(_("recommended at"), default=timezone.now)
    approved_by = person_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    standstill_ends_at = models.DateTimeField(_("standstill ends at"), null=True, blank=True)
    notice_published_at = models.DateTimeField(
        _("award notice published at"), null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["tender", "lot__number", "-recommended_at", "pk"]
        constraints = [
            # One live award per lot; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["lot"],
                condition=~models.Q(status="cancelled"),
                name="award_one_live_per_lot",
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="award_value_positive"),
        ]

    def __str__(self):
        return f"{self.tender.reference} · {self.lot.number} · {self.get_status_display()}"

    def standstill_over(self, now=None) -> bool:
        return self.standstill_ends_at is not None and (
            (now or timezone.now()) >= self.standstill_ends_at
        )


AWARD_TRANSITIONS: dict[str, set[str]] = {
    Award.Status.RECOMMENDED: {Award.Status.APPROVED, Award.Status.CANCELLED},
    Award.Status.APPROVED: {Award.Status.CONFIRMED, Award.Status.CANCELLED},
    Award.Status.CONFIRMED: set(),
    Award.Status.CANCELLED: set(),
}


# The lot is awarded: the notice is published (approved, during the standstill)
# or the award is confirmed. Bidders are told, and get their assessment summary.
AWARDED_STATES = frozenset({Award.Status.APPROVED, Award.Status.CONFIRMED})

AWARD_LIFECYCLE = Lifecycle(
    name="award",
    states=Award.Status,
    transitions=AWARD_TRANSITIONS,
    refusal=_("An award that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda award: award.tender.lead_agency_id,
    label=lambda award: award.tender.reference,
)
