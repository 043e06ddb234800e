"""Milestones of a contract in force: waiving one, with a reason.

Paying a milestone (claim, evidence confirmed by the commissioner, approval
by a different person in finance, money drawn with ``spend_funds``) is the
payments slice's; it moves a milestone to paid along ``MILESTONE_LIFECYCLE``.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import CONTRACT_LIFECYCLE, LIVE_STATES
from contracts.models.milestones import MILESTONE_LIFECYCLE, Milestone
from contracts.services.common import required_reason
from core.errors import ApplicationError
from core.lifecycle import move

ONLY_COMMISSIONER = gettext_lazy("Only a commissioner of the lead agency can waive a milestone.")
CONTRACT_NOT_LIVE = gettext_lazy(
    "Milestones are waived on a contract in force; this one is “%(status)s”. "
    "Change a draft's milestones in its terms instead."
)


@transaction.atomic
def waive_milestone(*, milestone: Milestone, actor: User, reason: str) -> Milestone:
    """Settle a pending milestone without paying it, with a reason both parties read.

    Only on an active or suspended contract: a draft's schedule is edited,
    and a finished contract's is final. The money it would have paid stays
    committed until the contract completes or is terminated, when it goes
    back to the pooled budget.
    """
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=milestone.pk)
    )
    contract = milestone.contract
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    if contract.status not in LIVE_STATES:
        raise ApplicationError(
            CONTRACT_NOT_LIVE % {"status": CONTRACT_LIFECYCLE.state_label(contract.status)},
            code="contract_not_live",
        )
    MILESTONE_LIFECYCLE.check(milestone.status, Milestone.Status.WAIVED)
    reason = required_reason(reason)
    return move(
        milestone,
        Milestone.Status.WAIVED,
        lifecycle=MILESTONE_LIFECYCLE,
        actor=actor,
        note=reason,
        values={"waived_reason": reason, "waived_by": actor},
        details={"contract": contract.reference, "amount": str(milestone.amount)},
    )
