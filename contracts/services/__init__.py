"""Every write of contracts, one module per topic: ``contracts`` (making a contract
from an award, correcting the draft, the moves of its lifecycle), ``terms`` (KPIs,
outcome targets and milestones of a draft), ``milestones`` (waiving one) and
``funding`` (the split per contributor from the award's commitment, and giving back
what is left); ``common`` holds what they share.

Each function checks who may act with ``contracts.rules`` (never
``user.has_perm``), validates with messages a person can act on, runs in a
transaction under row locks, writes an audit entry, and moves statuses only
through ``core.lifecycle.move``. Money moves only through marketplace's
``services.budgets`` (``release_funds`` now; ``spend_funds`` and
``commit_funds`` for payments and amendments).

Code inside the app imports the topic module; this package re-exports the
public services for the other apps.
"""

from contracts.services.contracts import (
    complete_contract,
    create_contract_from_award,
    readiness_errors,
    resume_contract,
    return_to_draft,
    send_for_signature,
    suspend_contract,
    terminate_contract,
    update_contract_draft,
)
from contracts.services.milestones import waive_milestone
from contracts.services.terms import save_terms

__all__ = [
    "complete_contract",
    "create_contract_from_award",
    "readiness_errors",
    "resume_contract",
    "return_to_draft",
    "save_terms",
    "send_for_signature",
    "suspend_contract",
    "terminate_contract",
    "update_contract_draft",
    "waive_milestone",
]
