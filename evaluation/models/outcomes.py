"""Outcomes of referrals: goals on a goal-attainment scale, and the outcome they give.

When a provider accepts a referral it agrees one to three ``Goal``s with the
caseworker, each with the expected level of attainment described and a weight.
At completion it scores each goal from −2 (much less than expected) to +2
(much more); the referral's ``Outcome`` is the Goal Attainment Scaling T-score
of those goals (Kiresuk & Sherman 1968; ``evaluation.gas``). A referral that
did not go ahead (could not contact, not eligible, withdrew) is an outcome too,
with its reason and no T-score.

The caseworker confirms the outcome or disputes it with a reason; a supervisor
of the agency resolves a dispute (upholds the provider's outcome or rejects
it). Only confirmed outcomes are evidence anywhere (ratings, contract
payments, statistics).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import EncryptedTextField
from core.lifecycle import Lifecycle
from evaluation.models.common import person_field

MAX_GOALS = 3
MAX_WEIGHT = 5


class Attainment(models.IntegerChoices):
    """The five levels of a goal-attainment scale."""

    MUCH_LESS = -2, _("−2 much less than expected")
    LESS = -1, _("−1 somewhat less than expected")
    EXPECTED = 0, _("0 the expected level")
    MORE = 1, _("+1 somewhat more than expected")
    MUCH_MORE = 2, _("+2 much more than expected")


class Goal(models.Model):
    """One goal of a referral, agreed by the provider with the caseworker at acceptance."""

    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    # Goals speak of the person (their health, their family): encrypted at rest.
    description = EncryptedTextField(_("goal"))
    expected = EncryptedTextField(
        _("expected level"),
        help_text=_("What the person will have achieved at the expected level (score 0)."),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        help_text=_("How much this goal matters, from 1 to 5."),
    )
    attainment = models.SmallIntegerField(
        _("attainment"), choices=Attainment.choices, null=True, blank=True
    )
    set_by = person_field(_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    scored_by = person_field(_("scored by"))
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["referral", "number"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "number"], name="goal_number_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=MAX_GOALS), name="goal_number_range"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="goal_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(attainment__isnull=True)
                | models.Q(attainment__gte=-2, attainment__lte=2),
                name="goal_attainment_range",
            ),
        ]

    def __str__(self):
        return str(_("Goal %(number)d") % {"number": self.number})


class Outcome(models.Model):
    """What came of one referral: a T-score from its goals, or the reason it did not go ahead.

    ``provider``, ``agency``, ``category`` and ``district`` are copied from the
    referral so that ratings and statistics aggregate one table.
    """

    class Result(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("outcome result", "Service completed")
        FAILED = "failed", pgettext_lazy("outcome result", "Did not go ahead")

    class Status(models.TextChoices):
        RECORDED = "recorded", pgettext_lazy("outcome status", "Awaiting the caseworker")
        CONFIRMED = "confirmed", pgettext_lazy("outcome status", "Confirmed")
        DISPUTED = "disputed", pgettext_lazy("outcome status", "Disputed — with the supervisor")
        REJECTED = "rejected", pgettext_lazy("outcome status", "Rejected by the supervisor")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A referral reopened and completed again has a second outcome: the first stays as
    # it was decided (``round`` counts them).
    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="evaluated_outcomes",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    # The goals' weights and attainments when the outcome was recorded, so that the
    # T-score can be shown with its goals even after a reopened referral rescored them:
    # [{"number": 1, "weight": 2, "attainment": 1}, …]. No descriptions (they are personal).
    scores = models.JSONField(_("goal scores"), default=list, blank=True)
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcomes",
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    t_score = models.DecimalField(
        _("T-score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    failure_reason = models.CharField(_("reason it did not go ahead"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    recorded_by = person_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_by = person_field(_("confirmed by"))
    # When the outcome became evidence (confirmed by the caseworker or upheld by the
    # supervisor): ratings date it from here.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, db_index=True)
    disputed_by = person_field(_("disputed by"))
    # The caseworker's reason may speak of the person: encrypted.
    dispute_reason = EncryptedTextField(_("why the caseworker disputes it"), blank=True)
    resolved_by = person_field(_("resolved by"))
    resolution_note = EncryptedTextField(_("the supervisor's decision"), blank=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["agency", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["referral", "round"], name="outcome_round_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(result="completed", t_score__isnull=False)
                    | models.Q(result="failed", t_score__isnull=True) & ~models.Q(failure_reason="")
                ),
                name="outcome_score_or_reason",
            ),
        ]

    def __str__(self):
        if self.result == self.Result.FAILED:
            return str(self.get_result_display())
        return f"T = {self.t_score}"

    @property
    def counts(self) -> bool:
        """Only confirmed outcomes are evidence."""
        return self.status == self.Status.CONFIRMED


OUTCOME_TRANSITIONS: dict[str, set[str]] = {
    Outcome.Status.RECORDED: {Outcome.Status.CONFIRMED, Outcome.Status.DISPUTED},
    Outcome.Status.DISPUTED: {Outcome.Status.CONFIRMED, Outcome.Status.REJECTED},
    Outcome.Status.CONFIRMED: set(),
    Outcome.Status.REJECTED: set(),
}

OUTCOME_LIFECYCLE = Lifecycle(
    name="outcome",
    states=Outcome.Status,
    transitions=OUTCOME_TRANSITIONS,
    refusal=_("An outcome that is “%(current)s” cannot become “%(target)s”."),
    # The agency that holds the case keeps the log: its supervisors resolve disputes.
    organization=lambda outcome: outcome.agency_id,
    changed_at="status_changed_at",
)
