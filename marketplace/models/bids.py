"""Bids: a provider's sealed offer for one lot (``Bid``, with its lifecycle), its
response per criterion (``BidResponse``) and its attachments (``BidAttachment``)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.lifecycle import Lifecycle
from core.storage import private_storage
from marketplace.models.common import money_field, person_field
from marketplace.models.tenders import Criterion, Lot, Tender


class Bid(models.Model):
    """A provider's offer for one lot: a price, a response per criterion, attachments.

    SEALED: until the tender's submission deadline has passed, the price,
    responses and attachments are visible to the bidding provider only
    (``Tender.bids_are_sealed``). That is why bids are not in the Django admin
    and why audit entries about bids never carry their price or text.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("bid status", "Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NEEDS_RECONFIRMATION = "needs_reconfirmation", _("Needs reconfirmation after an amendment")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="bids"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="bids"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="bids",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    price = money_field(_("price (CNY)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reconfirmed_at = models.DateTimeField(_("reconfirmed at"), null=True, blank=True)
    eligibility_report = models.JSONField(
        _("eligibility check"),
        default=list,
        blank=True,
        help_text=_("The reasons found when the bid was last submitted; empty when eligible."),
    )
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["tender", "lot", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "provider"], name="bid_one_per_lot_and_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gt=0),
                name="bid_price_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="submitted")
                | models.Q(price__isnull=False, submitted_at__isnull=False),
                name="bid_submitted_has_price_and_time",
            ),
        ]

    def __str__(self):
        # No price here: __str__ ends up in logs, admin lists and audit labels.
        return f"{self.tender.reference} · {self.lot.number} · {self.provider}"

    def clean(self):
        if self.lot_id and self.tender_id and self.lot.tender_id != self.tender_id:
            raise ValidationError({"lot": _("Choose a lot of this tender.")})


# Allowed bid status changes. Before the deadline a bidder may reopen a
# submitted bid to edit it (→ draft) and submit it again, withdraw it, and
# revive a withdrawn bid as a draft. A material amendment moves submitted bids
# to needs_reconfirmation; the bidder reconfirms (→ submitted), edits or withdraws.
BID_TRANSITIONS: dict[str, set[str]] = {
    Bid.Status.DRAFT: {Bid.Status.SUBMITTED, Bid.Status.WITHDRAWN},
    Bid.Status.SUBMITTED: {
        Bid.Status.DRAFT,
        Bid.Status.WITHDRAWN,
        Bid.Status.NEEDS_RECONFIRMATION,
    },
    Bid.Status.NEEDS_RECONFIRMATION: {
        Bid.Status.SUBMITTED,
        Bid.Status.DRAFT,
        Bid.Status.WITHDRAWN,
    },
    Bid.Status.WITHDRAWN: {Bid.Status.DRAFT},
}


BID_LIFECYCLE = Lifecycle(
    name="bid",
    states=Bid.Status,
    transitions=BID_TRANSITIONS,
    refusal=_("A bid that is “%(current)s” cannot become “%(target)s”."),
    # Bids are sealed: the entry names the tender and lot, never the price.
    organization=lambda bid: bid.provider.organization_id,
    label=lambda bid: bid.tender.reference,
)


class BidResponse(models.Model):
    """The bidder's proposal for one criterion scored by the panel (sealed with the bid)."""

    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="responses"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="responses"
    )
    text = models.TextField(_("response"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid response")
        verbose_name_plural = _("bid responses")
        ordering = ["bid", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="bid_response_unique"),
        ]

    def __str__(self):
        return f"{self.bid_id} · {self.criterion_id}"


def bid_attachment_path(instance, filename):
    # The stored name never contains the uploader's file name and cannot be
    # guessed; the file itself lives in private storage (sealed with the bid).
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"bids/{instance.bid.uuid}/{uuid.uuid4().hex}.{extension}"


class BidAttachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bid = models.ForeignKey(
        Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=bid_attachment_path, max_length=255
    )
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = person_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")
        ordering = ["bid", "uploaded_at", "pk"]

    def __str__(self):
        return self.title
