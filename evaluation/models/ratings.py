"""Provider ratings: what the evidence says of a provider, overall and per need category.

``ProviderRating`` is derived data, rebuilt from the evidence by
``evaluation.services.ratings`` (never written by hand, never by the provider):
a score from 1 to 5 with an uncertainty band, the number of pieces of evidence
behind it and its breakdown per component (``evaluation.rating_method``). Each
month's figures are kept in ``RatingHistory`` for the profile's chart.
``RatingPrior`` holds the platform mean each component is shrunk toward, per
month, so that rebuilding everything and updating one provider agree.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _one_rating_per(name: str, *fields: str, overall: bool):
    return models.UniqueConstraint(
        fields=list(fields),
        condition=models.Q(category__isnull=overall),
        name=name,
    )


class ProviderRating(models.Model):
    """The current rating of a provider (``category`` empty) or of a provider for one category."""

    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="provider_ratings",
    )
    score = models.FloatField(_("rating"))
    low = models.FloatField(_("lower bound"))
    high = models.FloatField(_("upper bound"))
    evidence_count = models.PositiveIntegerField(_("pieces of evidence"), default=0)
    # Per component: {"outcomes": {"score": 4.2, "count": 58, "weight": 41.3, "raw": 4.4}, ...}
    breakdown = models.JSONField(_("breakdown"), default=dict)
    outcome_count = models.PositiveIntegerField(_("confirmed outcomes"), default=0)
    success_rate = models.FloatField(_("success rate"), null=True, blank=True)
    survey_count = models.PositiveIntegerField(_("survey answers"), default=0)
    median_accept_hours = models.FloatField(_("median time to accept (hours)"), null=True)
    acceptance_rate = models.FloatField(_("acceptance rate"), null=True, blank=True)
    completion_rate = models.FloatField(_("completion rate"), null=True, blank=True)
    decline_rate = models.FloatField(_("decline rate"), null=True, blank=True)
    sla_breaches = models.PositiveIntegerField(_("answers later than agreed"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("provider rating")
        verbose_name_plural = _("provider ratings")
        ordering = ["provider", "category"]
        indexes = [models.Index(fields=["category", "score"])]
        constraints = [
            _one_rating_per("rating_one_overall", "provider", overall=True),
            _one_rating_per("rating_one_per_category", "provider", "category", overall=False),
            models.CheckConstraint(
                condition=models.Q(low__lte=models.F("score"), score__lte=models.F("high")),
                name="rating_inside_its_band",
            ),
        ]

    def __str__(self):
        return f"{self.provider_id} · {self.category_id or '*'}: {self.score:.1f}"


class RatingHistory(models.Model):
    """A rating as it stood at the end of one month."""

    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="rating_history",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    score = models.FloatField(_("rating"))
    low = models.FloatField(_("lower bound"))
    high = models.FloatField(_("upper bound"))
    evidence_count = models.PositiveIntegerField(_("pieces of evidence"), default=0)

    class Meta:
        verbose_name = _("rating history")
        verbose_name_plural = _("rating history")
        ordering = ["provider", "category", "month"]
        constraints = [
            _one_rating_per("history_one_overall_per_month", "provider", "month", overall=True),
            _one_rating_per(
                "history_one_per_category_month", "provider", "category", "month", overall=False
            ),
        ]

    def __str__(self):
        return f"{self.provider_id} · {self.month:%Y-%m}: {self.score:.1f}"


class RatingPrior(models.Model):
    """The platform mean of one rating component at the start of a month."""

    month = models.DateField(_("month"))
    component = models.CharField(_("component"), max_length=20)
    mean = models.FloatField(_("platform mean"))
    sd = models.FloatField(_("standard deviation"))
    weight = models.FloatField(_("evidence weight behind it"), default=0)

    class Meta:
        verbose_name = _("rating prior")
        verbose_name_plural = _("rating priors")
        ordering = ["month", "component"]
        constraints = [
            models.UniqueConstraint(fields=["month", "component"], name="prior_one_per_month")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.component}: {self.mean:.2f}"
