"""Middleware that records the acting user and client address for the audit log."""

import uuid

from core import request_context


def client_ip(request) -> str | None:
    # Behind the production proxy, axes and this middleware read the same
    # header; REMOTE_ADDR is the fallback on a developer's machine.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = request_context.set_current(
            request_context.RequestContext(
                user_id=user.pk if user is not None and user.is_authenticated else None,
                ip_address=client_ip(request),
                request_id=uuid.uuid4().hex,
            )
        )
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)
