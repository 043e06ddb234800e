"""API building blocks shared by every app: pagination, error format, root.

Errors always come back as JSON a person can act on::

    {"detail": "Some fields need attention.", "errors": {"field": ["message"]}}

Bad input is 400 with field errors; an unexpected failure is a JSON 500
without a stack trace (the trace goes to the log).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError

logger = logging.getLogger(__name__)


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _field_errors_list(value) for key, value in detail.items()}
    return {"non_field_errors": _field_errors_list(detail)}


def _field_errors_list(value):
    if isinstance(value, dict):
        return _field_errors(value)
    if isinstance(value, list):
        flat = []
        for item in value:
            flat.extend(_field_errors_list(item) if isinstance(item, list | dict) else [str(item)])
        return flat
    return [str(value)]


def exception_handler(exc, context):
    """Turn every error into JSON with a clear message; domain errors become 400."""
    if isinstance(exc, ApplicationError):
        payload = {"detail": exc.message, "code": exc.code}
        if exc.field_errors:
            payload["errors"] = {k: _field_errors_list(v) for k, v in exc.field_errors.items()}
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {
                "detail": _(
                    "Something went wrong on our side. The error has been logged; "
                    "please try again later."
                ),
                "code": "server_error",
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("Some fields need attention."),
            "code": "invalid",
            "errors": _field_errors(exc.detail),
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {
            "detail": str(response.data["detail"]),
            "code": getattr(response.data["detail"], "code", "error"),
        }
    return response


class APIRootView(APIView):
    """Entry point of the API: links to the resources and the documentation."""

    permission_classes = [permissions.AllowAny]  # public by design: only links

    @extend_schema(exclude=True)
    def get(self, request, format=None):  # noqa: A002
        from django.urls import NoReverseMatch

        links = {}
        for name in API_ROOT_LINKS:
            try:
                links[name] = reverse(f"api-{name}-list", request=request, format=format)
            except NoReverseMatch:
                continue
        links["schema"] = reverse("api-schema", request=request)
        links["docs"] = reverse("api-docs", request=request)
        return Response(links)


def public_api_endpoints(endpoints, **kwargs):
    """drf-spectacular hook: document /api/v1/ only (Wagtail's admin API is internal)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# Resource names listed at /api/v1/; apps add theirs when they register a router.
API_ROOT_LINKS = [
    "areas",
    "need-categories",
    "service-tiers",
    "organizations",
    "me",
    "tokens",
    "providers",
    "services",
    "sites",
    "beneficiaries",
    "assessments",
    "consents",
    "referrals",
    "matches",
    "unmet-needs",
    "budgets",
    "tenders",
    "bids",
    "contracts",
    "contract-claims",
    "contract-payments",
    "progress-reports",
    "performance-notices",
    "outcomes",
    "survey-summaries",
    "frameworks",
    "third-party-assessments",
    "ratings",
    "rating-history",
]
