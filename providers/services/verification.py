"""Verification: a provider is submitted by its administrators, then verified, rejected,
suspended, reinstated or debarred by the people who verify providers.

Every change moves along ``providers.models.PROVIDER_LIFECYCLE`` (through
``core.lifecycle.move``, which writes the audit entry) and, except the
submission, e-mails the provider once the change is committed. A rejection,
suspension or debarment carries a reason the provider reads.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError
from core.lifecycle import move
from providers import tasks
from providers.models import PROVIDER_LIFECYCLE, Provider
from providers.rules import can_edit_provider, can_verify_providers
from providers.services.common import NOT_PROVIDER_ADMINISTRATOR, NOT_VERIFIER, check_permission
from providers.services.registration import missing_for_submission

# The audit action of each move, by the status it reaches.
STATUS_ACTIONS = {
    Provider.Status.SUBMITTED: "provider.submitted",
    Provider.Status.VERIFIED: "provider.verified",
    Provider.Status.REJECTED: "provider.rejected",
    Provider.Status.SUSPENDED: "provider.suspended",
    Provider.Status.DEBARRED: "provider.debarred",
}
# The provider is told why, so that it knows what to fix.
REASON_REQUIRED = frozenset(
    {Provider.Status.REJECTED, Provider.Status.SUSPENDED, Provider.Status.DEBARRED}
)


def _move(*, provider: Provider, to: str, actor: User | None, reason: str = "") -> Provider:
    provider = (
        Provider.objects.select_for_update().select_related("organization").get(pk=provider.pk)
    )
    # The table first: a provider someone else has just moved gets the refusal
    # that explains it, not a request for a reason.
    PROVIDER_LIFECYCLE.check(provider.status, to)
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise ApplicationError(
            _("Give the reason: the provider will read it."),
            field_errors={"reason": [_("This field is required.")]},
        )
    now = timezone.now()
    values = {"status_reason": reason}
    if to == Provider.Status.SUBMITTED:
        values["submitted_at"] = now
    if to == Provider.Status.VERIFIED:
        values["verified_at"] = now
    move(
        provider,
        to,
        lifecycle=PROVIDER_LIFECYCLE,
        actor=actor,
        now=now,
        values=values,
        action=STATUS_ACTIONS[to],
    )
    if to != Provider.Status.SUBMITTED:
        transaction.on_commit(lambda: tasks.send_provider_status_email.delay(provider.pk, to))
    return provider


@transaction.atomic
def submit_provider(*, provider: Provider, actor: User) -> Provider:
    """An administrator of the provider asks for verification, once nothing is missing."""
    check_permission(can_edit_provider, actor, provider, message=NOT_PROVIDER_ADMINISTRATOR)
    missing = missing_for_submission(provider)
    if missing:
        raise ApplicationError(
            _("Before submitting, add: %(missing)s.") % {"missing": "; ".join(missing)},
            code="incomplete",
        )
    return _move(provider=provider, to=Provider.Status.SUBMITTED, actor=actor)


def _verifier_moves(*, provider: Provider, to: str, actor: User, reason: str = "") -> Provider:
    check_permission(can_verify_providers, actor, message=NOT_VERIFIER)
    return _move(provider=provider, to=to, actor=actor, reason=reason)


@transaction.atomic
def verify_provider(*, provider: Provider, actor: User) -> Provider:
    return _verifier_moves(provider=provider, to=Provider.Status.VERIFIED, actor=actor)


@transaction.atomic
def reject_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _verifier_moves(
        provider=provider, to=Provider.Status.REJECTED, actor=actor, reason=reason
    )


@transaction.atomic
def suspend_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _verifier_moves(
        provider=provider, to=Provider.Status.SUSPENDED, actor=actor, reason=reason
    )


@transaction.atomic
def reinstate_provider(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _verifier_moves(
        provider=provider, to=Provider.Status.VERIFIED, actor=actor, reason=reason
    )


@transaction.atomic
def debar_provider(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _verifier_moves(
        provider=provider, to=Provider.Status.DEBARRED, actor=actor, reason=reason
    )
