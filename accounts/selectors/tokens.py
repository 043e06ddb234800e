"""Reads of API tokens: a person sees their own and nobody else's, not even an administrator."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import APIToken


def api_tokens_of(user) -> QuerySet[APIToken]:
    """The tokens of ``user`` that still work, newest first.

    Expired tokens are left out: they are refused already, and knox deletes them
    the next time their owner's tokens are used.
    """
    if not user or not user.is_authenticated:
        return APIToken.objects.none()
    return APIToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created")


def api_token_of(user, uuid) -> APIToken | None:
    """One of the tokens of ``user`` that still work, or None (someone else's, or none)."""
    return api_tokens_of(user).filter(uuid=uuid).first()
