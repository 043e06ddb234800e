"""core.lifecycle: the one mechanism that moves objects between states.

Exercised on a small test-only model (tests.testapp Ticket); every real table
is walked through its services in the app's own test_lifecycles.py.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidTransition
from core.lifecycle import Lifecycle, lifecycles, move
from core.models import AuditEvent
from tests.testapp.models import Ticket, TicketEvent


def _history(ticket, previous, to, actor, at, note, extra):
    TicketEvent.objects.create(
        ticket=ticket, from_status=previous, to_status=to, at=at, note=note, **extra
    )


TICKET_LIFECYCLE = Lifecycle(
    name="ticket",
    states=Ticket.Status,
    transitions={
        Ticket.Status.OPEN: {Ticket.Status.ANSWERED, Ticket.Status.CLOSED},
        Ticket.Status.ANSWERED: {Ticket.Status.CLOSED, Ticket.Status.OPEN},
        Ticket.Status.CLOSED: set(),
    },
    refusal="A ticket that is “%(current)s” cannot become “%(target)s”.",
    organization=lambda ticket: None,
    label=lambda ticket: f"T-{ticket.pk}",
    changed_at="status_changed_at",
    history=_history,
)
MOMENT = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_an_allowed_move_sets_status_time_and_values_and_leaves_history_and_audit():
    ticket = Ticket.objects.create()

    with time_machine.travel(MOMENT, tick=False):
        move(
            ticket,
            Ticket.Status.ANSWERED,
            lifecycle=TICKET_LIFECYCLE,
            actor=None,
            note="  answered by phone ",
            values={"answer": "yes"},
            details={"channel": "phone"},
            history={"reason_code": "phoned"},
        )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.status_changed_at, ticket.answer) == ("answered", MOMENT, "yes")
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.from_status, event.to_status, event.note, event.at, event.reason_code) == (
        "open",
        "answered",
        "answered by phone",
        MOMENT,
        "phoned",
    )
    audit = AuditEvent.objects.get(action="ticket.answered")
    assert audit.details == {"from": "open", "to": "answered", "channel": "phone"}
    assert (audit.object_type, audit.object_id, audit.object_label) == (
        "testapp.ticket",
        str(ticket.pk),
        f"T-{ticket.pk}",
    )


@pytest.mark.django_db
def test_the_audit_action_can_be_named_by_the_caller():
    ticket = Ticket.objects.create()

    move(ticket, Ticket.Status.CLOSED, lifecycle=TICKET_LIFECYCLE, actor=None, action="ticket.done")

    assert AuditEvent.objects.filter(action="ticket.done").count() == 1
    assert not AuditEvent.objects.filter(action="ticket.closed").exists()


@pytest.mark.django_db
def test_a_move_the_table_does_not_allow_is_refused_in_words_and_changes_nothing():
    ticket = Ticket.objects.create(status=Ticket.Status.CLOSED)
    audits = AuditEvent.objects.count()

    with pytest.raises(InvalidTransition) as refused:
        move(ticket, Ticket.Status.OPEN, lifecycle=TICKET_LIFECYCLE, actor=None, note="again")

    assert refused.value.message == "A ticket that is “Closed” cannot become “Open”."
    assert refused.value.code == "invalid_transition"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.status_changed_at is None
    assert not TicketEvent.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_staying_put_is_not_a_move():
    assert not TICKET_LIFECYCLE.allows(Ticket.Status.OPEN, Ticket.Status.OPEN)
    assert (Ticket.Status.OPEN, Ticket.Status.OPEN) in set(TICKET_LIFECYCLE.refusals())


def test_the_table_answers_what_pages_ask():
    assert TICKET_LIFECYCLE.targets(Ticket.Status.OPEN) == {"answered", "closed"}
    assert TICKET_LIFECYCLE.sources(Ticket.Status.CLOSED) == {"open", "answered"}
    assert TICKET_LIFECYCLE.is_final(Ticket.Status.CLOSED)
    assert not TICKET_LIFECYCLE.is_final(Ticket.Status.ANSWERED)
    moves = set(TICKET_LIFECYCLE.moves())
    assert moves == {("open", "answered"), ("open", "closed"), ("answered", "closed"),
                     ("answered", "open")}  # fmt: skip
    assert moves.isdisjoint(TICKET_LIFECYCLE.refusals())
    assert len(moves) + len(list(TICKET_LIFECYCLE.refusals())) == 9


def test_a_table_naming_an_unknown_state_or_missing_a_row_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown"):
        Lifecycle(
            name="broken",
            states=Ticket.Status,
            transitions={"open": {"gone"}, "answered": set(), "closed": set()},
            refusal="",
            organization=lambda obj: None,
        )
    with pytest.raises(ValueError, match="without a row"):
        Lifecycle(
            name="broken",
            states=Ticket.Status,
            transitions={"open": {"closed"}, "closed": set()},
            refusal="",
            organization=lambda obj: None,
        )
    assert "broken" not in lifecycles()


def test_every_declared_lifecycle_is_registered_by_name():
    assert lifecycles()["ticket"] is TICKET_LIFECYCLE


@pytest.mark.django_db
def test_the_time_of_a_move_can_be_given():
    ticket = Ticket.objects.create()
    moment = timezone.now() - dt.timedelta(days=3)

    move(ticket, Ticket.Status.CLOSED, lifecycle=TICKET_LIFECYCLE, actor=None, now=moment)

    ticket.refresh_from_db()
    assert ticket.status_changed_at == moment
    assert TicketEvent.objects.get().at == moment
