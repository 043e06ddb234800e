"""The one mechanism that moves any object between states.

Each state machine is declared once, beside its model, as a ``Lifecycle``: the
states (the model's ``Status`` choices), the table of allowed moves, the
sentence that refuses a move the table does not allow, whose audit log records
the move, and (optionally) the history row each move leaves. ``move`` is the
only code that assigns a status: it checks the table, sets the status and the
time of the change, saves, writes the history row and the audit entry, and
raises ``InvalidTransition`` with a message a person can act on.

Pages and the API ask the same declaration which actions to offer
(``lifecycle.allows(obj.status, target)``), combined with the ``rules``
predicates of who may act; they never keep a copy of the table. Services
check who may act before they call ``move``: the table says what may happen to
an object, the predicates say who may make it happen.

A test (``tests/core/test_lifecycle_only_mover.py``) fails when any module
outside this one assigns a status, and another walks every table through the
services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from core.audit import record_change
from core.errors import InvalidTransition

# (obj, previous status, new status, actor, time, note, extra fields) -> None
HistoryWriter = Callable[[Any, str, str, Any, Any, str, dict], None]


# Every lifecycle declared, by name: tests walk them all, and a state machine
# that is not declared here cannot be moved.
_REGISTRY: dict[str, Lifecycle] = {}


def lifecycles() -> dict[str, Lifecycle]:
    """Every declared lifecycle by name (after the apps are loaded)."""
    return dict(_REGISTRY)


def _no_label(obj) -> str:
    return ""


@dataclass(frozen=True)
class Lifecycle:
    """A state machine: its states, its table of moves and what a move leaves behind.

    ``refusal`` is a (lazily translated) sentence with ``%(current)s`` and
    ``%(target)s``, worded for the object: “A tender that is “%(current)s”
    cannot become “%(target)s”.”. ``organization`` returns the organization
    (or its primary key) whose supervisors read the audit entry; ``label`` the
    entry's human label (a reference number). ``changed_at`` names the field
    stamped with the time of each move, if the model keeps one. ``history``
    writes the model's history row, if it has one.
    """

    name: str
    states: type[models.TextChoices]
    transitions: Mapping[str, frozenset[str] | set[str]]
    refusal: Any
    organization: Callable[[Any], Any]
    label: Callable[[Any], str] = _no_label
    changed_at: str | None = None
    history: HistoryWriter | None = None
    status_field: str = "status"

    def __post_init__(self):
        known = set(self.states.values)
        unknown = {state for state in self.transitions if state not in known} | {
            target
            for targets in self.transitions.values()
            for target in targets
            if target not in known
        }
        missing = known - set(self.transitions)
        if unknown or missing:
            raise ValueError(
                f"{self.name} lifecycle: every state needs a row and every move a known state "
                f"(unknown: {sorted(unknown)}, without a row: {sorted(missing)})"
            )
        _REGISTRY[self.name] = self

    # --- asking the table ------------------------------------------------------

    def allows(self, current: str, target: str) -> bool:
        """May an object in ``current`` move to ``target``?"""
        return target in self.transitions.get(current, ())

    def targets(self, current: str) -> frozenset[str]:
        """The states an object in ``current`` may move to."""
        return frozenset(self.transitions.get(current, ()))

    def sources(self, target: str) -> frozenset[str]:
        """The states from which an object may move to ``target`` (for a filter)."""
        return frozenset(state for state, targets in self.transitions.items() if target in targets)

    def is_final(self, state: str) -> bool:
        return not self.transitions.get(state)

    def moves(self) -> Iterator[tuple[str, str]]:
        """Every allowed ``(from, to)`` pair, for tests that walk the table."""
        for state, targets in self.transitions.items():
            for target in sorted(targets):
                yield state, target

    def refusals(self) -> Iterator[tuple[str, str]]:
        """Every ``(from, to)`` pair the table does not allow (staying put included)."""
        for state in self.states.values:
            for target in self.states.values:
                if not self.allows(state, target):
                    yield state, target

    def state_label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else str(state)

    def check(self, current: str, target: str) -> None:
        """Raise ``InvalidTransition`` when the table does not allow the move."""
        if not self.allows(current, target):
            raise InvalidTransition(
                self.refusal
                % {"current": self.state_label(current), "target": self.state_label(target)}
            )


def _auto_now_fields(obj) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False) is True]


def move(
    obj,
    to: str,
    *,
    lifecycle: Lifecycle,
    actor,
    note: str = "",
    now=None,
    values: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    action: str | None = None,
    history: Mapping[str, Any] | None = None,
):
    """Move ``obj`` to ``to`` along ``lifecycle``: the only place a status is assigned.

    The caller has locked the row (``select_for_update``) and checked who may
    act. ``values`` are other fields set in the same save (who approved, why);
    ``details`` go into the audit entry beside ``from`` and ``to`` (never
    personal values); ``action`` overrides the audit action, which is
    ``<name>.<to>`` by default; ``history`` are extra fields of the history row.
    ``actor`` None is the system (beat). Returns ``obj``.
    """
    now = now or timezone.now()
    previous = getattr(obj, lifecycle.status_field)
    lifecycle.check(previous, to)
    setattr(obj, lifecycle.status_field, to)
    changed = [lifecycle.status_field]
    if lifecycle.changed_at:
        setattr(obj, lifecycle.changed_at, now)
        changed.append(lifecycle.changed_at)
    for name, value in (values or {}).items():
        setattr(obj, name, value)
        changed.append(name)
    obj.save(update_fields=list(dict.fromkeys(changed + _auto_now_fields(obj))))
    note = (note or "").strip()
    if lifecycle.history is not None:
        lifecycle.history(obj, previous, to, actor, now, note, dict(history or {}))
    record_change(
        action=action or f"{lifecycle.name}.{to}",
        actor=actor,
        organization=lifecycle.organization(obj),
        target=obj,
        details={"from": previous, "to": to, **(details or {})},
        label=lifecycle.label(obj),
    )
    return obj
