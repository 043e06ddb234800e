"""Questions providers ask about a tender and the lead agency's published answers."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models.common import person_field
from marketplace.models.tenders import Tender


class Clarification(models.Model):
    """A provider's question about a tender and the lead agency's published answer.

    Who asked is NEVER shown to other bidders (it would tell competitors who is
    bidding): ``marketplace.selectors.clarifications_for`` shows the asking
    organization and user only to the asking provider and to the lead agency.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by_organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("asked by (organization)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_by = person_field(_("asked by"))
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = person_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["tender", "asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False)
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="clarification_published_with_answer",
            ),
        ]

    def __str__(self):
        return self.question[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
