"""What a contract promises to achieve: key performance indicators (``KPI``), measured
from the platform's own referral data or reported by the provider, and outcome targets
(``OutcomeTarget``)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models.contracts import Contract
from core.i18n import in_active_language


class Measure(models.TextChoices):
    """What the platform counts from its own referrals for this contract's provider,
    categories and areas within the contract period."""

    REFERRALS_RECEIVED = "referrals_received", _("Referrals received")
    REFERRALS_ACCEPTED = "referrals_accepted", _("Referrals accepted")
    REFERRALS_COMPLETED = "referrals_completed", _("Referrals completed")
    MEDIAN_DAYS_TO_ACCEPT = "median_days_to_accept", _("Median days to accept a referral")


# Measures that are counts of referrals: an output milestone is met by a count.
COUNT_MEASURES = frozenset(
    {Measure.REFERRALS_RECEIVED, Measure.REFERRALS_ACCEPTED, Measure.REFERRALS_COMPLETED}
)


class OutcomeKind(models.TextChoices):
    """A kind of confirmed outcome, from the goal-attainment T-score recorded when a referral
    completes (``evaluation.gas``: 50 means every goal met as expected; 60 is, on average,
    one step better than expected)."""

    GOAL_ATTAINED = "goal_attained", _("Goals attained (T-score 50 or above)")
    GOAL_EXCEEDED = "goal_exceeded", _("Goals exceeded (T-score 60 or above)")


class KPI(models.Model):
    """A key performance indicator of a contract: from a baseline to a target.

    Measured from platform data (which ``measure``), or reported by the
    provider in its progress reports.
    """

    class MeasuredBy(models.TextChoices):
        PLATFORM = "platform", _("From platform data")
        REPORTED = "reported", _("Reported by the provider")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="kpis"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. people, days, %"))
    baseline = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    measured_by = models.CharField(_("measured"), max_length=10, choices=MeasuredBy.choices)
    measure = models.CharField(
        _("platform measure"), max_length=30, choices=Measure.choices, blank=True
    )

    class Meta:
        verbose_name = _("key performance indicator")
        verbose_name_plural = _("key performance indicators")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="kpi_number_unique"),
            models.CheckConstraint(
                condition=models.Q(target__gte=0), name="kpi_target_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(baseline__isnull=True) | models.Q(baseline__gte=0),
                name="kpi_baseline_not_negative",
            ),
            # Platform data names what it counts; a reported figure counts nothing.
            models.CheckConstraint(
                condition=(models.Q(measured_by="platform") & ~models.Q(measure=""))
                | models.Q(measured_by="reported", measure=""),
                name="kpi_measure_matches_source",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · KPI {self.number} · {self.name}"

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    def clean(self):
        if self.measured_by == self.MeasuredBy.PLATFORM and not self.measure:
            raise ValidationError({"measure": _("Choose what the platform measures.")})
        if self.measured_by == self.MeasuredBy.REPORTED and self.measure:
            raise ValidationError(
                {"measure": _("A reported KPI is not measured from platform data.")}
            )


class OutcomeTarget(models.Model):
    """A change in people's lives the contract aims for, e.g. "150 older people keep
    living at home", with the kind of confirmed outcome that counts towards it."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="outcome_targets",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    description_zh = models.TextField(_("description (Chinese)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    outcome_kind = models.CharField(
        _("kind of outcome"), max_length=20, choices=OutcomeKind.choices, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("outcome target")
        verbose_name_plural = _("outcome targets")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="outcome_target_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(target__gt=0), name="outcome_target_positive"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.description}"

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)


# The lowest T-score each kind of outcome pays for.
OUTCOME_MIN_T_SCORE = {OutcomeKind.GOAL_ATTAINED: 50, OutcomeKind.GOAL_EXCEEDED: 60}
