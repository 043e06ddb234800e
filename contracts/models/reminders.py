"""Reminders sent about contracts (``Reminder``): one row per person and occasion, so
beat can run as often as it likes and each reminder goes out once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models.contracts import Contract


class Reminder(models.Model):
    """A reminder that went to one person; ``(kind, key, recipient)`` is unique.

    ``key`` names the occasion: the report's uuid and its due date, the
    notice's due date. When a due date moves, a new reminder is due.
    """

    class Kind(models.TextChoices):
        REPORT_DUE_SOON = "report_due_soon", _("Progress report due soon")
        REPORT_LATE = "report_late", _("Progress report late")
        NOTICE_DUE = "notice_due", _("Performance notice due")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("about"), max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="contract_reminders",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract reminder")
        verbose_name_plural = _("contract reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "recipient"], name="contract_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.kind} · {self.key}"
