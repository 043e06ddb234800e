"""The funding split of a contract: each contributor's share of its value (``FundingShare``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models.common import money_field
from contracts.models.contracts import Contract


class FundingShare(models.Model):
    """One contribution's share of a contract's value, to the fen.

    Taken from the award's commitment on the pooled budget when the contract
    is made, so the shares add up exactly to the contract's value and each
    funder sees what its money backs.
    """

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="funding_shares",
    )
    contribution = models.ForeignKey(
        "marketplace.Contribution",
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="contract_shares",
    )
    funder = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="contract_shares",
    )
    amount = money_field(_("amount (CNY)"))

    class Meta:
        verbose_name = _("funding share")
        verbose_name_plural = _("funding shares")
        ordering = ["contract", "-amount", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "contribution"], name="funding_share_one_per_contribution"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="funding_share_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} · {self.funder} · ¥{self.amount}"
