"""Writes for API tokens: issue one, revoke one or all of a person's.

A token acts as its owner, so only its owner revokes it
(``accounts.rules.is_api_token_owner``; a platform administrator cannot either:
there is no token admin). People issue tokens for themselves only, by signing
in on the token page or giving their password to ``POST /api/v1/auth/token/``.
When a password changes, every token of that person is revoked
(``accounts.passwords``): whoever learnt the old password may have made one.

Issues and revocations are security events in the audit log, naming the token
by its uuid, never by its key or its name.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import APIToken, User
from accounts.rules import is_api_token_owner
from core.audit import record_security
from core.errors import ApplicationError

NAME_MAX_LENGTH = APIToken._meta.get_field("name").max_length


@transaction.atomic
def issue_api_token(*, user: User, name: str = "") -> tuple[APIToken, str]:
    """Issue a token for ``user`` that expires after ``API_TOKEN_TTL_DAYS`` days.

    Returns the token and its key. The key is shown to its owner once and never
    again: only its digest is stored. The owner's expired tokens are deleted on
    the way, so the table keeps only tokens that still work.
    """
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("The name is too long."),
            field_errors={
                "name": [
                    _("Use at most %(max)d characters; this name has %(count)d.")
                    % {"max": NAME_MAX_LENGTH, "count": len(name)}
                ]
            },
        )
    APIToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    token, key = APIToken.objects.create(
        user=user, expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS), name=name
    )
    record_security(action="api_token.issued", actor=user, details={"token": str(token.uuid)})
    return token, key


@transaction.atomic
def revoke_api_token(*, token: APIToken, actor: User) -> None:
    """Revoke one token: from now on it gets 401, like a key that never existed."""
    if not is_api_token_owner(actor, token):
        raise PermissionDenied(_("Only the person a token acts for can revoke it."))
    uuid = str(token.uuid)
    token.delete()
    record_security(action="api_token.revoked", actor=actor, details={"token": uuid})


@transaction.atomic
def revoke_all_api_tokens(*, user: User, actor: User) -> int:
    """Revoke every token of ``user`` at their own request; returns how many there were."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the person tokens act for can revoke them."))
    return _revoke_all(user=user, actor=actor, action="api_token.revoked_all")


@transaction.atomic
def revoke_api_tokens_after_password_change(*, user: User) -> int:
    """Revoke every token of ``user`` because their password changed.

    No one's permission is asked: this is the platform's rule, whoever changed
    the password (the person, an administrator, a reset link, a command). The
    audit entry names whoever made the request, if anyone did.
    """
    return _revoke_all(user=user, actor=None, action="api_token.revoked_on_password_change")


def _revoke_all(*, user: User, actor: User | None, action: str) -> int:
    tokens = APIToken.objects.filter(user=user)
    tokens.filter(expiry__lte=timezone.now()).delete()  # refused already: not counted
    count, _deleted = tokens.delete()
    if count:
        record_security(
            action=action, actor=actor, details={"user": str(user.uuid), "count": count}
        )
    return count
