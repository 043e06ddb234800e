"""Contracts: the agreement made from an award (``Contract``, with its lifecycle), its
numbered versions (``ContractVersion``) and the history of its moves (``ContractEvent``)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import money_field, person_field
from core.i18n import in_active_language
from core.lifecycle import Lifecycle

# The longest period a tender may announce for its contract (five years): a
# contract made from an award cannot outgrow it.
MAX_CONTRACT_YEARS = 5


REPORTING_PERIODS = [
    (1, _("Every month")),
    (3, _("Every three months")),
    (6, _("Every six months")),
    (12, _("Every year")),
]


def add_years(day, years: int):
    """The same calendar day ``years`` later (28 February when 29 February does not exist)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Contract(models.Model):
    """The agreement between the lead agency and the provider an award went to.

    Made by a commissioner of the lead agency once the award's standstill has
    ended, never twice for one award. Its value is the award's; its funding
    split per contributor (``FundingShare``) is the award's commitment on the
    pooled budget. Multi-year periods are allowed, with an optional yearly
    price-adjustment clause (a cap in percent and the index it follows).

    draft → awaiting signatures → active → completed | terminated, and
    active ⇄ suspended (see ``CONTRACT_TRANSITIONS``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("contract status", "Draft")
        AWAITING_SIGNATURES = (
            "awaiting_signatures",
            pgettext_lazy("contract status", "Awaiting signatures"),
        )
        ACTIVE = "active", pgettext_lazy("contract status", "Active")
        SUSPENDED = "suspended", pgettext_lazy("contract status", "Suspended")
        COMPLETED = "completed", pgettext_lazy("contract status", "Completed")
        TERMINATED = "terminated", pgettext_lazy("contract status", "Terminated")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("contract reference"), max_length=20, unique=True)
    award = models.ForeignKey(
        "marketplace.Award",
        verbose_name=_("award"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    lot = models.ForeignKey(
        "marketplace.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="contracts"
    )
    lead_agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        related_name="led_contracts",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    scope_zh = models.TextField(_("scope of services (Chinese)"))
    scope_en = models.TextField(_("scope of services (English)"), blank=True)
    value = money_field(_("value (CNY)"))
    start_date = models.DateField(_("start of the contract period"))
    end_date = models.DateField(_("end of the contract period"))
    price_adjustment_cap = models.DecimalField(
        _("yearly price adjustment cap (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For contracts of more than a year: the most the price may change each year."),
    )
    price_adjustment_index = models.CharField(
        _("price adjustment index"),
        max_length=200,
        blank=True,
        help_text=_("What the yearly adjustment follows, e.g. the local consumer price index."),
    )
    report_every_months = models.PositiveSmallIntegerField(
        _("progress report every"),
        choices=REPORTING_PERIODS,
        default=3,
        help_text=_("The provider reports on each period of this length."),
    )
    categories = models.ManyToManyField(
        "taxonomy.NeedCategory", verbose_name=_("service categories"), related_name="contracts"
    )
    areas = models.ManyToManyField(
        "places.Area", verbose_name=_("areas served"), related_name="contracts"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason for the last status change"), blank=True)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One contract per award, whatever becomes of it (a terminated
            # contract's award is not contracted again).
            models.UniqueConstraint(fields=["award"], name="contract_one_per_award"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="contract_value_positive"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_period_ordered",
                violation_error_message=_("The contract period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(price_adjustment_cap__isnull=True)
                | models.Q(price_adjustment_cap__gt=0, price_adjustment_cap__lte=100),
                name="contract_price_adjustment_cap_percent",
            ),
            # The clause is a cap and an index together, or nothing.
            models.CheckConstraint(
                condition=models.Q(price_adjustment_cap__isnull=True, price_adjustment_index="")
                | (
                    models.Q(price_adjustment_cap__isnull=False)
                    & ~models.Q(price_adjustment_index="")
                ),
                name="contract_price_adjustment_complete",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.title}"

    @property
    def title(self) -> str:
        return in_active_language(self.title_zh, self.title_en)

    @property
    def scope(self) -> str:
        return in_active_language(self.scope_zh, self.scope_en)

    @property
    def is_multi_year(self) -> bool:
        return (
            self.start_date is not None
            and self.end_date is not None
            and self.end_date >= add_years(self.start_date, 1)
        )

    @property
    def has_price_adjustment(self) -> bool:
        return self.price_adjustment_cap is not None

    def clean(self):
        errors = {}
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                errors["end_date"] = _("The contract period cannot end before it starts.")
            elif self.end_date >= add_years(self.start_date, MAX_CONTRACT_YEARS):
                errors["end_date"] = _("A contract period is at most %(years)d years.") % {
                    "years": MAX_CONTRACT_YEARS
                }
        index = (self.price_adjustment_index or "").strip()
        if self.price_adjustment_cap is not None:
            if not (0 < self.price_adjustment_cap <= 100):
                errors["price_adjustment_cap"] = _("Give a cap above 0 and at most 100 percent.")
            if not index:
                errors["price_adjustment_index"] = _(
                    "Say which index the yearly adjustment follows."
                )
            if self.start_date and self.end_date and not self.is_multi_year:
                errors.setdefault(
                    "price_adjustment_cap",
                    _("Only a contract of more than a year has a yearly price adjustment."),
                )
        elif index:
            errors["price_adjustment_cap"] = _("Give the cap of the yearly adjustment.")
        if errors:
            raise ValidationError(errors)


class ContractVersion(models.Model):
    """One numbered version of a contract's terms: 1 when it is made, then one per amendment.

    Each version is what the parties sign; earlier versions stay readable.
    """

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="versions"
    )

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("contract version status", "Draft")
        AWAITING_SIGNATURES = (
            "awaiting_signatures",
            pgettext_lazy("contract version status", "Awaiting signatures"),
        )
        SIGNED = "signed", pgettext_lazy("contract version status", "Signed by both parties")
        WITHDRAWN = "withdrawn", pgettext_lazy("contract version status", "Withdrawn")

    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    summary = models.TextField(_("summary of changes"), blank=True)
    # The value and the end of the period under this version (an amendment may change both).
    value = money_field(_("value (CNY)"), null=True, blank=True)
    end_date = models.DateField(_("end of the contract period"), null=True, blank=True)
    # What an amendment changes, applied to the contract once both parties signed.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    signed_at = models.DateTimeField(_("signed by both parties at"), null=True, blank=True)
    created_by = person_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contract_version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="contract_version_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} v{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1 and bool(self.changes)


class ContractEvent(models.Model):
    """One status change of a contract: who moved it, when, from what to what, and why."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Contract.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Contract.Status.choices)
    actor = person_field(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["contract", "at", "pk"]

    def __str__(self):
        return f"{self.contract.reference}: {self.from_status} → {self.to_status}"


# A draft is corrected until it is sent for signature, and may be sent back to
# draft before both parties have signed. Activation happens when both parties
# have signed (the signing services make that move). A contract that is never
# signed, or that ends early, is terminated with a reason; its money goes back
# to the pooled budget.
CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    Contract.Status.DRAFT: {Contract.Status.AWAITING_SIGNATURES, Contract.Status.TERMINATED},
    Contract.Status.AWAITING_SIGNATURES: {
        Contract.Status.DRAFT,
        Contract.Status.ACTIVE,
        Contract.Status.TERMINATED,
    },
    Contract.Status.ACTIVE: {
        Contract.Status.SUSPENDED,
        Contract.Status.COMPLETED,
        Contract.Status.TERMINATED,
    },
    Contract.Status.SUSPENDED: {Contract.Status.ACTIVE, Contract.Status.TERMINATED},
    Contract.Status.COMPLETED: set(),
    Contract.Status.TERMINATED: set(),
}

# The terms (scope, period, KPIs, milestones) change only while the contract is a draft.
EDITABLE_STATES = frozenset({Contract.Status.DRAFT})
# Signed and in force, or paused: the provider delivers, reports and claims.
LIVE_STATES = frozenset({Contract.Status.ACTIVE, Contract.Status.SUSPENDED})


def _record_event(contract, previous, to, actor, at, note, extra):
    ContractEvent.objects.create(
        contract=contract,
        from_status=previous,
        to_status=to,
        actor=actor,
        at=at,
        note=note,
        **extra,
    )


CONTRACT_LIFECYCLE = Lifecycle(
    name="contract",
    states=Contract.Status,
    transitions=CONTRACT_TRANSITIONS,
    refusal=_("A contract that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda contract: contract.lead_agency_id,
    label=lambda contract: contract.reference,
    changed_at="status_changed_at",
    history=_record_event,
)


# Version 1 is drafted with the contract and sent with it; an amendment starts
# awaiting signatures. A version sent back to draft, or an amendment abandoned,
# is withdrawn (its PDF and any signature on it stay readable) and a new version
# takes its place. Signed versions are final.
VERSION_TRANSITIONS: dict[str, set[str]] = {
    ContractVersion.Status.DRAFT: {
        ContractVersion.Status.AWAITING_SIGNATURES,
        ContractVersion.Status.WITHDRAWN,
    },
    ContractVersion.Status.AWAITING_SIGNATURES: {
        ContractVersion.Status.SIGNED,
        ContractVersion.Status.WITHDRAWN,
    },
    ContractVersion.Status.SIGNED: set(),
    ContractVersion.Status.WITHDRAWN: set(),
}

VERSION_LIFECYCLE = Lifecycle(
    name="contract version",
    states=ContractVersion.Status,
    transitions=VERSION_TRANSITIONS,
    refusal=_("A contract version that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda version: version.contract.lead_agency_id,
    label=lambda version: str(version),
    changed_at="status_changed_at",
)
