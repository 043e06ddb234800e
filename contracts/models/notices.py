"""Contract performance notices (as the UK Procurement Act 2023 s.71 asks): at least
once every 12 months of a contract in force and at its end, the commissioner rates
the provider against each KPI (``PerformanceRating``) and publishes the notice
(``PerformanceNotice``, with its lifecycle: draft → published)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import person_field
from contracts.models.contracts import Contract
from contracts.models.kpis import KPI
from core.i18n import in_active_language
from core.lifecycle import Lifecycle

# A notice is due this many months after activation or after the last notice.
NOTICE_EVERY_MONTHS = 12


class PerformanceNotice(models.Model):
    """The commissioner's published assessment of a contract's performance for a period.

    Public once published, with the actual figures beside the targets; it is
    evidence for the provider's ratings.
    """

    class Kind(models.TextChoices):
        PERIODIC = "periodic", pgettext_lazy("performance notice kind", "Yearly assessment")
        FINAL = "final", pgettext_lazy("performance notice kind", "Assessment at the end")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("performance notice status", "Draft")
        PUBLISHED = "published", pgettext_lazy("performance notice status", "Published")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="performance_notices",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_by = person_field(_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract performance notice")
        verbose_name_plural = _("contract performance notices")
        ordering = ["contract", "-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="performance_notice_period_ordered",
            ),
            # One assessment at the end of a contract.
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(kind="final"),
                name="performance_notice_one_final",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.get_kind_display()} {self.period_end}"

    @property
    def summary(self) -> str:
        return in_active_language(self.summary_zh, self.summary_en)


NOTICE_TRANSITIONS: dict[str, set[str]] = {
    PerformanceNotice.Status.DRAFT: {PerformanceNotice.Status.PUBLISHED},
    PerformanceNotice.Status.PUBLISHED: set(),
}

NOTICE_LIFECYCLE = Lifecycle(
    name="performance notice",
    states=PerformanceNotice.Status,
    transitions=NOTICE_TRANSITIONS,
    refusal=_("A performance notice that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda notice: notice.contract.lead_agency_id,
    label=lambda notice: f"{notice.contract.reference} · {notice.period_end}",
    changed_at="status_changed_at",
)


class PerformanceRating(models.Model):
    """How the provider did against one KPI in a notice's period, with the figures."""

    class Rating(models.TextChoices):
        GOOD = "good", pgettext_lazy("performance rating", "Good")
        APPROACHING = "approaching", pgettext_lazy("performance rating", "Approaching target")
        REQUIRES_IMPROVEMENT = (
            "requires_improvement",
            pgettext_lazy("performance rating", "Requires improvement"),
        )
        INADEQUATE = "inadequate", pgettext_lazy("performance rating", "Inadequate")
        OTHER = "other", pgettext_lazy("performance rating", "Other")

    notice = models.ForeignKey(
        PerformanceNotice,
        verbose_name=_("performance notice"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    kpi = models.ForeignKey(
        KPI, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="ratings"
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    actual = models.DecimalField(
        _("actual"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rating = models.CharField(_("rating"), max_length=25, choices=Rating.choices)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        verbose_name = _("KPI rating")
        verbose_name_plural = _("KPI ratings")
        ordering = ["notice", "kpi__number"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "kpi"], name="rating_one_per_kpi"),
            models.CheckConstraint(
                condition=~models.Q(rating="other") | ~models.Q(explanation=""),
                name="rating_other_explained",
            ),
        ]

    def __str__(self):
        return f"{self.notice} · {self.kpi.number}: {self.rating}"
