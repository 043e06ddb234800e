"""The funding split of a contract, taken from its award's commitment on the pooled budget.

When an award is approved, marketplace commits its value on the pooled
budget, split to the fen across the contributions that pay for it (each in
proportion to what was left of it). The contract's ``FundingShare`` rows are
those lines, one per contribution: the shares add up exactly to the value
and no fen is lost or invented. Termination and completion give back what is
still committed with marketplace's ``release_funds``; payments (a later
slice) draw on it with ``spend_funds``.
"""

from django.utils.translation import gettext_lazy

from contracts.models.contracts import Contract
from contracts.models.funding import FundingShare
from contracts.services.common import ZERO
from core.errors import ApplicationError
from core.formatting import bilingual, yuan
from marketplace.selectors.budgets import commitment_by_contribution
from marketplace.services.budgets import release_funds

COMMITMENT_MISMATCH = gettext_lazy(
    "The pooled budget holds %(committed)s for this award, not its value of %(value)s, so the "
    "funding split cannot be made. Ask the budget's finance officers to check the ledger."
)


def funding_shares_for(contract: Contract, award) -> list[FundingShare]:
    """One unsaved share per contribution that backs the award, summing to the contract's value.

    Refused when the award's commitment does not hold exactly the value: a
    contract is never made with money the budget has not reserved for it.
    """
    lines = commitment_by_contribution(award)
    committed = sum((line.committed for line in lines), ZERO)
    if committed != contract.value:
        raise ApplicationError(
            bilingual(
                lambda: (
                    COMMITMENT_MISMATCH
                    % {"committed": yuan(committed), "value": yuan(contract.value)}
                )
            ),
            code="commitment",
        )
    return [
        FundingShare(
            contract=contract,
            contribution=line.contribution,
            funder=line.contribution.funder,
            amount=line.committed,
        )
        for line in lines
    ]


def release_remaining_funds(contract: Contract, *, actor) -> list:
    """Give back to the pooled budget what is still committed, and unpaid, for the contract.

    Marketplace's ledger works per award; a contract has exactly one award,
    so its award's lines are the contract's money. Running it twice releases
    nothing more.
    """
    award = contract.award
    return release_funds(budget=award.tender.budget, award=award, actor=actor)
