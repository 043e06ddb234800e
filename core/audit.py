"""Writing to the audit log. Every service that changes state calls ``record_change``;
every read of a beneficiary's personal data calls ``record_read``.

Details must name fields and states, never personal values or sealed bid
content: the log is read by supervisors and must not become a second copy of
the data it protects.
"""

from django.db import models

from core import request_context
from core.models import AuditEvent


def _object_fields(target) -> dict:
    """``target``: a model instance, a ``(model label, id)`` pair for an object not
    loaded, or a name."""
    if target is None:
        return {}
    if isinstance(target, tuple):
        object_type, object_id = target
        return {"object_type": object_type, "object_id": str(object_id)}
    if isinstance(target, models.Model):
        ident = getattr(target, "uuid", None) or getattr(target, "reference", None) or target.pk
        return {
            "object_type": target._meta.label_lower,
            "object_id": str(ident),
        }
    return {"object_type": str(target)}


def _event(*, kind, action, actor, organization, target, purpose, details, label="") -> AuditEvent:
    context = request_context.current()
    actor_id = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = actor.pk
    elif context.user_id:
        actor_id = context.user_id
    return AuditEvent(
        kind=kind,
        action=action,
        actor_id=actor_id,
        # An organization or its primary key (lists pass keys: no query per row).
        organization_id=getattr(organization, "pk", organization),
        purpose=purpose[:200],
        details=details or {},
        ip_address=context.ip_address,
        request_id=context.request_id,
        object_label=label[:200],
        **_object_fields(target),
    )


def _write(**fields) -> AuditEvent:
    event = _event(**fields)
    event.save()
    return event


def record_change(
    *, action: str, actor=None, organization=None, target=None, details=None, label: str = ""
) -> AuditEvent:
    """Record a state change, e.g. ``record_change(action="provider.verified", ...)``."""
    return _write(
        kind=AuditEvent.Kind.CHANGE,
        action=action,
        actor=actor,
        organization=organization,
        target=target,
        purpose="",
        details=details,
        label=label,
    )


def record_read(
    *, action: str, actor, organization=None, target=None, purpose: str, fields=(), details=None
) -> AuditEvent:
    """Record that ``actor`` saw personal data of ``target`` (which fields, for what purpose).

    ``organization`` is the one whose people's data was read (the owning agency,
    whose supervisors see the entry); ``details`` may add context such as the
    reader's provider, never the values read.
    """
    return _write(
        kind=AuditEvent.Kind.READ,
        action=action,
        actor=actor,
        organization=organization,
        target=target,
        purpose=purpose,
        details={**(details or {}), "fields": sorted(fields)},
    )


def record_reads(*, action: str, actor, reads: list[tuple], purpose: str) -> list[AuditEvent]:
    """``record_read`` for many objects at once (a list page), in one query: one
    entry per ``(organization, target, fields)`` in ``reads``."""
    events = [
        _event(
            kind=AuditEvent.Kind.READ,
            action=action,
            actor=actor,
            organization=organization,
            target=target,
            purpose=purpose,
            details={"fields": sorted(fields)},
        )
        for organization, target, fields in reads
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def record_security(*, action: str, actor=None, details=None) -> AuditEvent:
    """Record a security event such as a sign-in, a lockout or a key rotation."""
    return _write(
        kind=AuditEvent.Kind.SECURITY,
        action=action,
        actor=actor,
        organization=None,
        target=None,
        purpose="",
        details=details,
    )
