"""Middleware that records the acting user and client address for the audit log, and keeps
what a signed-in person was shown out of every cache."""

import uuid

from django.utils.cache import add_never_cache_headers

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


class PrivateResponsesMiddleware:
    """A response to a request that carried credentials (a session or an API token) is
    for that person only: no browser, proxy or shared cache may keep it. Pages and API
    answers may hold personal data, and a shared cache would hand it to the next caller.
    A view that set its own ``Cache-Control`` keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
        return response
