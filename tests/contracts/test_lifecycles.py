"""Every lifecycle table of contracts, walked.

Each move a table allows is made here through the service a person uses
(activation: both parties sign the PDF; paying a milestone: finance approves a
claim). Each move leaves an audit entry saying from what to what. Every move
a table does not allow, staying put included, is refused with
``InvalidTransition`` from every state.
"""

from collections.abc import Callable

import pytest

from contracts import services
from contracts.models import (
    CONTRACT_LIFECYCLE,
    MILESTONE_LIFECYCLE,
    Claim,
    Contract,
    ContractEvent,
    Milestone,
    PerformanceNotice,
    ProgressReport,
)
from contracts.models.notices import NOTICE_LIFECYCLE
from contracts.models.payments import CLAIM_LIFECYCLE
from contracts.models.reports import REPORT_LIFECYCLE
from core.errors import InvalidTransition
from core.lifecycle import lifecycles, move
from core.models import AuditEvent
from tests.contracts import moves_documents, moves_notices, moves_payments, moves_reports
from tests.factories.contracts import (
    activate,
    active_contract,
    awaiting_contract,
    contract_from_award,
)
from tests.factories.marketplace import commissioner_of

pytestmark = pytest.mark.django_db

REASON = "服务机构负责人变更，需复核资质。"

Maker = Callable[[], object]


def _by(contract):
    return commissioner_of(contract.lead_agency)


def _terminate(contract):
    return services.terminate_contract(contract=contract, actor=_by(contract), reason=REASON)


def _suspended():
    contract = active_contract()
    return services.suspend_contract(contract=contract, actor=_by(contract), reason=REASON)


def _send():
    contract = contract_from_award()
    return services.send_for_signature(contract=contract, actor=_by(contract))


def _back_to_draft():
    contract = awaiting_contract()
    return services.return_to_draft(contract=contract, actor=_by(contract), reason=REASON)


def _complete():
    contract = active_contract()
    actor = _by(contract)
    for milestone in contract.milestones.all():
        services.waive_milestone(milestone=milestone, actor=actor, reason=REASON)
    return services.complete_contract(contract=contract, actor=actor)


def _resume():
    contract = _suspended()
    return services.resume_contract(contract=contract, actor=_by(contract))


def _suspend():
    contract = active_contract()
    return services.suspend_contract(contract=contract, actor=_by(contract), reason=REASON)


CONTRACT_MOVES: dict[tuple[str, str], Maker] = {
    ("draft", "awaiting_signatures"): _send,
    ("draft", "terminated"): lambda: _terminate(contract_from_award()),
    ("awaiting_signatures", "draft"): _back_to_draft,
    ("awaiting_signatures", "active"): lambda: activate(awaiting_contract()),
    ("awaiting_signatures", "terminated"): lambda: _terminate(awaiting_contract()),
    ("active", "suspended"): _suspend,
    ("active", "completed"): _complete,
    ("active", "terminated"): lambda: _terminate(active_contract()),
    ("suspended", "active"): _resume,
    ("suspended", "terminated"): lambda: _terminate(_suspended()),
}


def _waive():
    milestone = active_contract().milestones.get()
    return services.waive_milestone(
        milestone=milestone, actor=_by(milestone.contract), reason=REASON
    )


def _pay():
    return moves_payments.paid_claim().milestone


MILESTONE_MOVES: dict[tuple[str, str], Maker] = {
    ("pending", "paid"): _pay,
    ("pending", "waived"): _waive,
}

MOVES = {
    CONTRACT_LIFECYCLE.name: (CONTRACT_LIFECYCLE, CONTRACT_MOVES),
    MILESTONE_LIFECYCLE.name: (MILESTONE_LIFECYCLE, MILESTONE_MOVES),
    # Each topic's tables, walked through its own services (tests/contracts/moves_*.py).
    **moves_documents.MOVES,
    **moves_payments.MOVES,
    **moves_reports.MOVES,
    **moves_notices.MOVES,
}


def test_every_contracts_table_and_every_move_in_it_is_walked_here():
    declared = {
        name
        for name, lifecycle in lifecycles().items()
        if lifecycle.states.__module__.startswith("contracts.")
    }
    assert declared == set(MOVES)
    for name, (lifecycle, moves) in MOVES.items():
        assert set(lifecycle.moves()) == set(moves), name


def _object_id(obj) -> str:
    return str(getattr(obj, "uuid", None) or obj.pk)


@pytest.mark.parametrize(
    ("name", "current", "target"),
    [
        pytest.param(name, current, target, id=f"{name}:{current}->{target}")
        for name, (_lifecycle, moves) in MOVES.items()
        for current, target in moves
    ],
)
def test_each_allowed_move_is_made_and_audited(name, current, target):
    _lifecycle, moves = MOVES[name]
    moved = moves[(current, target)]()
    moved.refresh_from_db()
    assert moved.status == target
    entries = AuditEvent.objects.filter(
        object_type=moved._meta.label_lower, object_id=_object_id(moved)
    )
    assert any(
        entry.details.get("from") == current and entry.details.get("to") == target
        for entry in entries
    ), [entry.details for entry in entries]
    if isinstance(moved, Contract):
        assert ContractEvent.objects.filter(
            contract=moved, from_status=current, to_status=target
        ).exists()


def _milestone():
    return contract_from_award().milestones.get()


OBJECTS = {
    CONTRACT_LIFECYCLE.name: (Contract, contract_from_award),
    MILESTONE_LIFECYCLE.name: (Milestone, _milestone),
    CLAIM_LIFECYCLE.name: (Claim, moves_payments.paid_claim),
    REPORT_LIFECYCLE.name: (ProgressReport, moves_reports.due_report),
    NOTICE_LIFECYCLE.name: (PerformanceNotice, moves_notices.draft_notice),
}

# What the table's previous moves would have left with the state, as the constraints ask.
WITH_STATE = {
    Milestone: {"waived_reason": REASON},
    Claim: {"returned_reason": REASON},
    ProgressReport: {"review_comments": REASON},
}


@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_move_the_table_does_not_allow_is_refused(name):
    lifecycle, _moves = MOVES[name]
    model, make = OBJECTS[name]
    obj = make()
    refusals = list(lifecycle.refusals())
    assert refusals
    for current, target in refusals:
        # Put the object in ``current`` as the table's previous moves would have.
        model.objects.filter(pk=obj.pk).update(status=current, **WITH_STATE.get(model, {}))
        obj.refresh_from_db()
        entries_before = AuditEvent.objects.count()
        with pytest.raises(InvalidTransition) as refused:
            move(obj, target, lifecycle=lifecycle, actor=None)
        assert str(lifecycle.state_label(current)) in refused.value.message
        obj.refresh_from_db()
        assert obj.status == current, (current, target)
        assert AuditEvent.objects.count() == entries_before


# --- the services refuse the typical wrong moves the same way ----------------------------


def test_a_draft_cannot_be_suspended_resumed_or_completed():
    contract = contract_from_award()
    actor = _by(contract)
    with pytest.raises(InvalidTransition):
        services.suspend_contract(contract=contract, actor=actor, reason=REASON)
    with pytest.raises(InvalidTransition):
        services.resume_contract(contract=contract, actor=actor)
    with pytest.raises(InvalidTransition):
        services.complete_contract(contract=contract, actor=actor)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_a_terminated_contract_stays_terminated():
    contract = _terminate(active_contract())
    actor = _by(contract)
    with pytest.raises(InvalidTransition):
        services.terminate_contract(contract=contract, actor=actor, reason=REASON)
    with pytest.raises(InvalidTransition):
        services.resume_contract(contract=contract, actor=actor)


def test_a_waived_milestone_is_not_waived_again():
    milestone = _waive()
    with pytest.raises(InvalidTransition):
        services.waive_milestone(milestone=milestone, actor=_by(milestone.contract), reason=REASON)
