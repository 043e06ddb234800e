"""In-app alerts to one person, usually about a tender (``Alert``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from marketplace.models.tenders import Tender


class Alert(models.Model):
    """An in-app notification for one person, usually about a tender.

    ``(recipient, tender, kind, key)`` is unique, so a task that runs twice —
    a retry, two beat runs, catching up after downtime — creates each alert
    once; ``key`` tells apart alerts of the same kind about different things on
    one tender (the clarification answered, the amendment that needs
    reconfirmation, the deadline reminded of) and is empty when the kind
    happens once per tender. Alerts about no tender are not made unique by the
    database (NULLs differ): their senders must check before creating one.
    """

    class Kind(models.TextChoices):
        TENDER_PUBLISHED = "tender_published", _("New tender matching your services")
        ENQUIRY_DEADLINE_SOON = "enquiry_deadline_soon", _("Questions close soon")
        SUBMISSION_DEADLINE_SOON = "submission_deadline_soon", _("Bids close soon")
        CLARIFICATION_ANSWERED = "clarification_answered", _("A question was answered")
        UNANSWERED_QUESTIONS = "unanswered_questions", _("Questions await an answer")
        AWARD_NOTICE = "award_notice", _("Award notice")
        BID_RECONFIRMATION = "bid_reconfirmation", _("Reconfirm your bid")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="marketplace_alerts",
    )
    tender = models.ForeignKey(
        Tender,
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("about"), max_length=64, blank=True, default="")
    message_zh = models.TextField(_("message (Chinese)"))
    message_en = models.TextField(_("message (English)"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "tender", "kind", "key"], name="alert_once_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()}"

    @property
    def message(self) -> str:
        return in_active_language(self.message_zh, self.message_en)
