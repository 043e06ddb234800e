"""Pooled budgets: the money several agencies and funds pool (``PooledBudget``), each
funder's share (``Contribution``, with its lifecycle) and the ledger of what is drawn on
it (``Commitment``)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from core.lifecycle import Lifecycle
from marketplace.models.common import money_field, person_field


class PooledBudget(models.Model):
    """Money several agencies and funds pool for one lead agency to commission with.

    How much is contributed, committed, spent and still available is never
    stored here: it is summed from ``Contribution`` and ``Commitment`` rows by
    ``marketplace.selectors.budget_ledger``, so it cannot drift from the ledger.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead_agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        related_name="led_budgets",
        limit_choices_to={"kind": "agency"},
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pooled budget")
        verbose_name_plural = _("pooled budgets")
        ordering = ["-first_year", "name_zh", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_year__lte=models.F("last_year")),
                name="pooled_budget_years_ordered",
                violation_error_message=_("The last fiscal year cannot be before the first."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class Contribution(models.Model):
    """One funder's share of a pooled budget for one fiscal year.

    A contribution counts only once a finance officer of the funder itself has
    approved it: an agency's money is never pledged by someone else. Earmarked
    money pays only for tenders in (one of) its categories.
    """

    class Source(models.TextChoices):
        GENERAL_BUDGET = "general_budget", _("General public budget (一般公共预算)")
        CENTRAL_SUBSIDY = "central_subsidy", _("Central government subsidy (中央补助)")
        WELFARE_LOTTERY = (
            "welfare_lottery",
            _("Welfare lottery public-welfare fund (福利彩票公益金)"),
        )
        CHARITY_DONATION = "charity_donation", _("Charitable donation (慈善捐赠)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the funder's approval")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(
        PooledBudget,
        verbose_name=_("pooled budget"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    # A charity or foundation that funds a budget is an Organization of kind
    # agency too: it holds finance users who approve its own contributions.
    funder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="contributions",
        limit_choices_to={"kind": "agency"},
    )
    amount = money_field(_("amount (CNY)"))
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("source of funds"), max_length=20, choices=Source.choices)
    earmarked_categories = models.ManyToManyField(
        "taxonomy.NeedCategory",
        verbose_name=_("earmarked for"),
        blank=True,
        related_name="earmarked_contributions",
        help_text=_("Leave empty when the money may pay for any service of the budget."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    note = models.TextField(_("note"), blank=True)
    approved_by = person_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = person_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["budget", "year", "funder__name_zh", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="contribution_amount_positive",
                violation_error_message=_("A contribution must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="contribution_approval_dated",
            ),
        ]

    def __str__(self):
        return f"{self.funder} · {self.year} · ¥{self.amount}"

    def clean(self):
        if self.budget_id and self.year is not None and self.year not in self.budget.years:
            raise ValidationError(
                {
                    "year": _("Choose a fiscal year of the budget, %(first)s to %(last)s.")
                    % {"first": self.budget.first_year, "last": self.budget.last_year}
                }
            )


# Allowed contribution status changes: the funder approves a pledge, or it is
# withdrawn (before or after approval, as long as nothing is committed from it).
CONTRIBUTION_TRANSITIONS: dict[str, set[str]] = {
    Contribution.Status.PENDING: {Contribution.Status.APPROVED, Contribution.Status.WITHDRAWN},
    Contribution.Status.APPROVED: {Contribution.Status.WITHDRAWN},
    Contribution.Status.WITHDRAWN: set(),
}


CONTRIBUTION_LIFECYCLE = Lifecycle(
    name="contribution",
    states=Contribution.Status,
    transitions=CONTRIBUTION_TRANSITIONS,
    refusal=_("A contribution that is “%(current)s” cannot become “%(target)s”."),
    # The funder's own supervisors read what happened to its money.
    organization=lambda contribution: contribution.funder_id,
)


class Commitment(models.Model):
    """One line of the ledger of money drawn on a pooled budget, from one contribution.

    ``committed`` lines reserve money for an award; ``released`` lines give it
    back (a cancelled award); ``spent`` lines record payments made out of
    money already committed, so they do not reduce what is available a second
    time. Per contribution: committed = Σ committed − Σ released, spent = Σ
    spent, available = amount − committed. Rows are only ever added, never
    changed, so "where my share went" can always be traced.
    """

    class Kind(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        SPENT = "spent", _("Spent")
        RELEASED = "released", _("Released")

    budget = models.ForeignKey(
        PooledBudget,
        verbose_name=_("pooled budget"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    tender = models.ForeignKey(
        "Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    lot = models.ForeignKey(
        "Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    award = models.ForeignKey(
        "Award",
        verbose_name=_("award"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    amount = money_field(_("amount (CNY)"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_by = person_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["budget", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="commitment_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["contribution", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} ¥{self.amount} · {self.contribution}"
