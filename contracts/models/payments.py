"""Paying milestones: the provider's ``Claim`` (with its lifecycle: submitted →
confirmed by the commissioner → approved by finance, or returned), the ``Payment``
that approval makes, and each funder's part of it (``PaymentShare``)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.models.common import money_field, person_field
from contracts.models.contracts import Contract
from contracts.models.funding import FundingShare
from contracts.models.milestones import Milestone
from core.lifecycle import Lifecycle


class Claim(models.Model):
    """The provider asks to be paid a milestone.

    ``evidence`` is what meets the condition, by reference only — the counted
    referrals' reference numbers, the count and the target, the outcomes and
    the rate card's sum — never anybody's personal data. ``amount`` is what
    the milestone pays for that evidence. The commissioner confirms the
    evidence; a finance officer of the lead agency who is not the confirmer
    approves (four eyes, also a database constraint).
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("payment claim status", "Awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("payment claim status", "Awaiting approval")
        APPROVED = "approved", pgettext_lazy("payment claim status", "Paid")
        RETURNED = "returned", pgettext_lazy("payment claim status", "Returned")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="claims"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="claims"
    )
    amount = money_field(_("amount claimed (CNY)"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    note = models.TextField(_("note from the provider"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    claimed_by = person_field(_("claimed by"))
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    confirmed_by = person_field(_("evidence confirmed by"))
    confirmed_at = models.DateTimeField(_("evidence confirmed at"), null=True, blank=True)
    approved_by = person_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    returned_by = person_field(_("returned by"))
    returned_reason = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        verbose_name = _("payment claim")
        verbose_name_plural = _("payment claims")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive"),
            # One claim in progress or paid per milestone: a second is refused
            # by the database too, however many requests race.
            models.UniqueConstraint(
                fields=["milestone"],
                condition=models.Q(status__in=["submitted", "confirmed", "approved"]),
                name="claim_one_open_per_milestone",
            ),
            # Four eyes: whoever confirmed the evidence does not approve the payment.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | models.Q(confirmed_by__isnull=True)
                | ~models.Q(approved_by=models.F("confirmed_by")),
                name="claim_four_eyes",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(returned_reason=""),
                name="claim_return_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.milestone} · ¥{self.amount} · {self.get_status_display()}"


CLAIM_TRANSITIONS: dict[str, set[str]] = {
    Claim.Status.SUBMITTED: {Claim.Status.CONFIRMED, Claim.Status.RETURNED},
    Claim.Status.CONFIRMED: {Claim.Status.APPROVED, Claim.Status.RETURNED},
    Claim.Status.APPROVED: set(),
    # A returned claim stays as it was; the provider makes a new one.
    Claim.Status.RETURNED: set(),
}

# Claims somebody must still act on.
OPEN_CLAIM_STATES = frozenset({Claim.Status.SUBMITTED, Claim.Status.CONFIRMED})

CLAIM_LIFECYCLE = Lifecycle(
    name="payment claim",
    states=Claim.Status,
    transitions=CLAIM_TRANSITIONS,
    refusal=_("A payment claim that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda claim: claim.contract.lead_agency_id,
    label=lambda claim: f"{claim.contract.reference} · {claim.milestone.number}",
    changed_at="status_changed_at",
)


class Payment(models.Model):
    """What an approved claim paid, drawn from the award's commitment with ``spend_funds``.

    One per milestone (a database constraint): a milestone is never paid twice.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    milestone = models.OneToOneField(
        Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT, related_name="payment"
    )
    claim = models.OneToOneField(
        Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="payment"
    )
    amount = money_field(_("amount (CNY)"))
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    approved_by = person_field(_("approved by"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · ¥{self.amount}"


class PaymentShare(models.Model):
    """One funder's part of a payment, to the fen; a payment's shares add up to it exactly."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="shares"
    )
    funding_share = models.ForeignKey(
        FundingShare,
        verbose_name=_("funding share"),
        on_delete=models.PROTECT,
        related_name="payment_shares",
    )
    funder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="contract_payment_shares",
    )
    amount = money_field(_("amount (CNY)"))

    class Meta:
        verbose_name = _("payment share")
        verbose_name_plural = _("payment shares")
        ordering = ["payment", "-amount", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "funding_share"], name="payment_share_one_per_funding_share"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_share_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.payment} · {self.funder} · ¥{self.amount}"
