"""Who is acting and from where, for the audit log, without passing request objects to services.

``core.middleware.RequestContextMiddleware`` sets it per request; Celery tasks
and management commands leave it empty and the audit log records them as the
system.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    user_id: int | None = None
    ip_address: str | None = None
    request_id: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def set_current(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)
