"""Milestone payments of a contract (``Milestone``, with its lifecycle): fixed on a date,
output-based (a count from the platform's referral data) or outcome-based (a rate card:
a price per confirmed outcome, capped)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import money_field, person_field
from contracts.models.contracts import Contract
from contracts.models.kpis import COUNT_MEASURES, Measure, OutcomeKind
from core.i18n import in_active_language
from core.lifecycle import Lifecycle


class Milestone(models.Model):
    """A payment the contract schedules, and the condition that earns it.

    ``amount`` is what the milestone pays at most: the fixed sum of a fixed
    or output milestone, the cap of an outcome milestone (which pays
    ``outcome_price`` per confirmed outcome of ``outcome_kind`` up to it).
    A milestone is settled when it is paid or waived with a reason; a
    contract completes only when every milestone is settled.
    """

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed (on a date)")
        OUTPUT = "output", _("Output-based")
        OUTCOME = "outcome", _("Outcome-based (rate card)")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("milestone status", "Pending")
        PAID = "paid", pgettext_lazy("milestone status", "Paid")
        WAIVED = "waived", pgettext_lazy("milestone status", "Waived")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="milestones"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    amount = money_field(
        _("amount (CNY)"), help_text=_("For an outcome-based milestone: the most it pays.")
    )
    output_measure = models.CharField(
        _("what is counted"), max_length=30, choices=Measure.choices, blank=True
    )
    output_target = models.PositiveIntegerField(_("count to reach"), null=True, blank=True)
    outcome_kind = models.CharField(
        _("kind of outcome"), max_length=20, choices=OutcomeKind.choices, blank=True
    )
    outcome_price = money_field(_("price per confirmed outcome (CNY)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    waived_by = person_field(_("waived by"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="milestone_number_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="milestone_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="fixed") | models.Q(due_date__isnull=False),
                name="milestone_fixed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="output")
                | (models.Q(output_target__gt=0) & ~models.Q(output_measure="")),
                name="milestone_output_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="outcome")
                | (
                    models.Q(outcome_price__gt=0, outcome_price__lte=models.F("amount"))
                    & ~models.Q(outcome_kind="")
                ),
                name="milestone_outcome_has_rate",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="waived") | ~models.Q(waived_reason=""),
                name="milestone_waiver_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.number} · {self.title}"

    @property
    def title(self) -> str:
        return in_active_language(self.title_zh, self.title_en)

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATES

    def clean(self):
        errors = {}
        if self.kind == self.Kind.FIXED and self.due_date is None:
            errors["due_date"] = _("A fixed milestone is paid on a date: give it.")
        if self.kind == self.Kind.OUTPUT:
            if self.output_measure not in COUNT_MEASURES:
                errors["output_measure"] = _("Choose which referrals are counted.")
            if not self.output_target:
                errors["output_target"] = _("Give the count that earns the payment.")
        if self.kind == self.Kind.OUTCOME:
            if not self.outcome_kind:
                errors["outcome_kind"] = _("Choose the kind of outcome that is paid for.")
            if self.outcome_price is None or self.outcome_price <= 0:
                errors["outcome_price"] = _("Give the price paid per confirmed outcome.")
            elif self.amount is not None and self.outcome_price > self.amount:
                errors["outcome_price"] = _(
                    "The price per outcome cannot be more than the milestone's cap."
                )
        if self.status == self.Status.WAIVED and not (self.waived_reason or "").strip():
            errors["waived_reason"] = _("Say why the milestone is waived.")
        if errors:
            raise ValidationError(errors)


# Paying a milestone is the payments' business (claim, confirmation, approval
# by finance); waiving it needs a reason. Either settles it for good.
MILESTONE_TRANSITIONS: dict[str, set[str]] = {
    Milestone.Status.PENDING: {Milestone.Status.PAID, Milestone.Status.WAIVED},
    Milestone.Status.PAID: set(),
    Milestone.Status.WAIVED: set(),
}

SETTLED_STATES = frozenset({Milestone.Status.PAID, Milestone.Status.WAIVED})

MILESTONE_LIFECYCLE = Lifecycle(
    name="milestone",
    states=Milestone.Status,
    transitions=MILESTONE_TRANSITIONS,
    refusal=_("A milestone that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda milestone: milestone.contract.lead_agency_id,
    label=lambda milestone: f"{milestone.contract.reference} · {milestone.number}",
    changed_at="status_changed_at",
)
