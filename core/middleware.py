"""Middleware that records the acting user and client address for the audit log, keeps
what a signed-in person was shown out of every cache, and sends the security policies
(Content-Security-Policy, Permissions-Policy)."""

import uuid

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

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
    A view's own ``Cache-Control`` is kept only when it already keeps the answer to the
    person (``private`` or ``no-store``): a public page's ``public, max-age`` (the
    sitemap, feeds) does not apply to a signed-in person's copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            control = response.get("Cache-Control", "")
            if "private" not in control and "no-store" not in control:
                if control:
                    del response["Cache-Control"]
                add_never_cache_headers(response)
        return response


class NoCookiesInSharedCachesMiddleware:
    """A response that sets a cookie (a session, the CSRF token, the language) is never
    publicly cacheable: a shared cache would hand the cookie to the next visitor. Listed
    before the session middleware, so it sees the cookies that middleware adds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies and "public" in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the looser policy of
    ``CONTENT_SECURITY_POLICY_RELAXED_PATHS`` for the pages of libraries that need
    inline code (the CMS, the API docs): the directives named for the first matching
    path prefix replace the site's, in the enforced and the report-only policy alike.
    A view's own ``csp_replace`` still wins.

    Wagtail previews a page by running a made-up request for the page's public address
    through the middleware (``request.is_dummy``) inside the CMS's own request: that
    answer is left to the CMS request's policy, which lets the CMS frame it."""

    def process_response(self, request, response):
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        for prefix, directives in settings.CONTENT_SECURITY_POLICY_RELAXED_PATHS.items():
            if request.path_info.startswith(prefix):
                parts.replace = {**directives, **(parts.replace or {})}
                break
        return parts


class PermissionsPolicyMiddleware:
    """Refuse every page, and whatever it embeds, the browser features the product never
    uses (``PERMISSIONS_POLICY_DENIED``): a script that slipped in still cannot turn on
    the camera or ask where someone is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        denied = settings.PERMISSIONS_POLICY_DENIED
        if denied:
            response.headers.setdefault(
                "Permissions-Policy", ", ".join(f"{feature}=()" for feature in denied)
            )
        return response
