"""The referral lifecycle: a draft made, sent, answered by the provider, followed to its end.

Each function is one move of ``REFERRAL_LIFECYCLE`` made by one person: the
caseworker makes, sends, recalls, closes and reopens; the provider's staff
open, accept, waitlist, decline, start, complete or fail. Each checks with the
``referrals.rules`` predicates that the person may make the move — on the
referral as it is now, under its row lock — and lets ``core.lifecycle.move``
check the table, set the status, write the ``ReferralEvent`` and the audit
entry. Places and the waiting list of the service are kept true in the same
transaction; the people concerned are mailed once it is committed.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change
from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import move
from evaluation.selectors import outcomes as outcome_selectors
from places import selectors as place_selectors
from providers import selectors as provider_selectors
from providers import services as provider_services
from referrals import sla
from referrals.models.assessments import Need, Priority
from referrals.models.lifecycle import (
    ACTIVE_STATUSES,
    REFERRAL_LIFECYCLE,
    Referral,
    ReferralEvent,
)
from referrals.selectors.consent import current_consent
from referrals.services.common import (
    check,
    fields_need_attention,
    leave_waiting_list,
    locked_for,
    notify,
    waitlist_position,
)

S = Referral.Status


def _duplicate_referral(existing: Referral):
    return _(
        "This need already has an open referral (%(status)s, to %(provider)s). Follow that one "
        "up, or recall it before referring again."
    ) % {"status": existing.get_status_display(), "provider": existing.provider.name}


def _ensure_no_active_referral(need: Need, exclude_pk=None) -> None:
    existing = (
        Referral.objects.filter(need=need, status__in=ACTIVE_STATUSES)
        .exclude(pk=exclude_pk)
        .select_related("provider__organization")
        .first()
    )
    if existing is not None:
        message = _duplicate_referral(existing)
        raise ApplicationError(message, field_errors={"need": [message]}, code="duplicate_referral")


def _offers_category(service, category) -> bool:
    """Whether the service offers this kind of help: the category, its group, or (for a
    group) one of its categories."""
    related = {category.pk}
    if category.parent_id:
        related.add(category.parent_id)
    else:
        related.update(category.children.values_list("pk", flat=True))
    return provider_selectors.service_offers(service, related)


@transaction.atomic
def create_referral(*, need: Need, service, user, urgency: str = "", reason: str = "") -> Referral:
    """A draft referral of ``need`` to ``service``. It is sent once consent is recorded."""
    beneficiary = need.assessment.beneficiary
    check(user, "referrals.change_beneficiary", beneficiary)
    errors = {}
    urgency = urgency or (
        Referral.Urgency.URGENT
        if need.assessment.priority == Priority.URGENT
        else Referral.Urgency.ROUTINE
    )
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = [_("Choose an urgency from the list.")]
    if not provider_selectors.can_take_referrals(service):
        errors["service"] = [
            _(
                "This service does not take referrals now (not offered, not accepting or "
                "not verified)."
            )
        ]
    elif not _offers_category(service, need.category):
        # The API can name any service; only one that offers this kind of help
        # (its category, its group, or a category of a group need) is sensible.
        errors["service"] = [
            _("This service does not offer help for %(category)s; choose a matching service.")
            % {"category": need.category.name}
        ]
    if errors:
        raise ApplicationError(fields_need_attention(), field_errors=errors)
    _ensure_no_active_referral(need)
    now = timezone.now()
    referral = Referral(
        beneficiary=beneficiary,
        need=need,
        agency=beneficiary.agency,
        service=service,
        provider=service.provider,
        category=need.category,
        district=place_selectors.district_of(beneficiary.area),
        caseworker=user,
        urgency=urgency,
        reason=(reason or "").strip(),
        # Every referral starts as a draft: the first state of the lifecycle, not a move.
        status=S.DRAFT,
        status_changed_at=now,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as error:
        # Two caseworkers at the same moment: the partial unique index decides.
        _ensure_no_active_referral(need)
        raise ApplicationError(
            _("This need already has an open referral."), code="duplicate_referral"
        ) from error
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=referral.status, actor=user, at=now
    )
    record_change(
        action="referral.created", actor=user, organization=referral.agency, target=referral
    )
    return referral


def _no_consent():
    return _(
        "Record the person's consent before sending, or ask a supervisor to send it without "
        "consent with a written reason."
    )


@transaction.atomic
def send_referral(*, referral: Referral, user) -> Referral:
    """Send a draft referral to the provider. Sending twice sends once (idempotent)."""
    referral = locked_for(user, "referrals.manage_referral", referral)
    if not REFERRAL_LIFECYCLE.allows(referral.status, S.SENT):
        if referral.status in ACTIVE_STATUSES:
            return referral  # already sent: a double click or a retried request
        raise InvalidTransition(
            _("This referral is %(status)s and cannot be sent; make a new referral.")
            % {"status": referral.get_status_display()}
        )
    if current_consent(referral) is None:
        raise ApplicationError(_no_consent(), code="consent_required")
    if not provider_selectors.can_take_referrals(referral.service):
        raise ApplicationError(
            _("This service no longer takes referrals; choose another one."),
            code="service_unavailable",
        )
    now = timezone.now()
    clock = sla.clock_for(urgency=referral.urgency, category=referral.category, start=now)
    move(
        referral,
        S.SENT,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        now=now,
        values={
            "sent_at": now,
            "due_at": clock.due_at,
            "expires_at": clock.expires_at,
            "reminded_half_at": None,
            "reminded_full_at": None,
            "return_code": "",
        },
    )
    notify(referral, "sent")
    return referral


@transaction.atomic
def mark_viewed(*, referral: Referral, user) -> Referral:
    """The provider opened a sent referral. Opening it again changes nothing."""
    referral = locked_for(user, "referrals.answer_referral", referral)
    if referral.status != S.SENT:
        return referral
    return move(referral, S.VIEWED, lifecycle=REFERRAL_LIFECYCLE, actor=user)


@transaction.atomic
def accept_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The provider takes the person in: one of the service's places is taken (row lock)."""
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    # Refused before a place is taken, with the reason the table gives.
    REFERRAL_LIFECYCLE.check(referral.status, S.ACCEPTED)
    waitlisted_at = waitlist_position(referral)
    provider_services.take_place(service_id=referral.service_id)
    move(
        referral,
        S.ACCEPTED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"holds_place": True, "waitlist_position": None, "due_at": None, "expires_at": None},
    )
    leave_waiting_list(referral, waitlisted_at)
    notify(referral, "accepted")
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, user, reason_code: str, note: str = "") -> Referral:
    """The provider declines with a reason code; the referral returns to the caseworker."""
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if reason_code not in Referral.DeclineReason.values:
        raise ApplicationError(
            fields_need_attention(),
            field_errors={"reason_code": [_("Choose why you decline the referral.")]},
        )
    if reason_code == Referral.DeclineReason.OTHER and not (note or "").strip():
        raise ApplicationError(
            fields_need_attention(),
            field_errors={"note": [_("Explain the reason in a note.")]},
        )
    waitlisted_at = waitlist_position(referral)
    move(
        referral,
        S.DECLINED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={
            "decline_reason": reason_code,
            "return_code": Referral.ReturnCode.DECLINED,
            "waitlist_position": None,
            "due_at": None,
            "expires_at": None,
        },
        details={"reason": reason_code},
        history={"reason_code": reason_code},
    )
    leave_waiting_list(referral, waitlisted_at)
    notify(referral, "declined")
    return referral


@transaction.atomic
def waitlist_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """No place now: the person joins the service's waiting list at the next position."""
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    # Refused before the waiting list grows, with the reason the table gives.
    REFERRAL_LIFECYCLE.check(referral.status, S.WAITLISTED)
    position = provider_services.join_waiting_list(service_id=referral.service_id)
    now = timezone.now()
    move(
        referral,
        S.WAITLISTED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        now=now,
        values={
            "waitlist_position": position,
            "due_at": None,
            "expires_at": now + sla.WAITLIST_EXPIRES_AFTER,
        },
    )
    notify(referral, "waitlisted")
    return referral


@transaction.atomic
def start_service(*, referral: Referral, user, note: str = "") -> Referral:
    """The person starts receiving the service.

    An accepted referral already holds its place. A reopened one gave its place
    back when it completed, so going back into service takes one again (row
    lock, refused when the service is full) — the count of free places stays true.
    """
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    REFERRAL_LIFECYCLE.check(referral.status, S.IN_SERVICE)
    if not referral.holds_place:
        provider_services.take_place(service_id=referral.service_id)
    return move(
        referral,
        S.IN_SERVICE,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"holds_place": True},
    )


def _release(referral: Referral) -> None:
    """Give the service back the place the referral held, if it held one."""
    if referral.holds_place:
        provider_services.release_place(service_id=referral.service_id)
        referral.holds_place = False
        referral.save(update_fields=["holds_place", "updated_at"])


@transaction.atomic
def complete_referral(*, referral: Referral, user, outcome: str, note: str = "") -> Referral:
    """The provider reports the service complete, with its outcome."""
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if outcome not in Referral.Outcome.values:
        raise ApplicationError(
            fields_need_attention(), field_errors={"outcome": [_("Choose the outcome.")]}
        )
    move(
        referral,
        S.COMPLETED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"outcome": outcome, "outcome_note": (note or "").strip()},
    )
    _release(referral)
    notify(referral, "completed")
    return referral


@transaction.atomic
def fail_referral(*, referral: Referral, user, reason_code: str, note: str = "") -> Referral:
    """The service could not go ahead: could not contact, not eligible, or the person withdrew."""
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if reason_code not in Referral.FailureReason.values:
        raise ApplicationError(
            fields_need_attention(),
            field_errors={"reason_code": [_("Choose why the service did not go ahead.")]},
        )
    move(
        referral,
        S.FAILED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"failure_reason": reason_code},
        details={"reason": reason_code},
        history={"reason_code": reason_code},
    )
    _release(referral)
    notify(referral, "failed")
    return referral


@transaction.atomic
def recall_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The caseworker takes the referral back (a draft is simply withdrawn)."""
    referral = locked_for(user, "referrals.manage_referral", referral, service_first=True)
    waitlisted_at = waitlist_position(referral)
    was_sent = referral.status != S.DRAFT
    move(
        referral,
        S.RECALLED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={
            "return_code": Referral.ReturnCode.RECALLED,
            "waitlist_position": None,
            "due_at": None,
            "expires_at": None,
        },
    )
    leave_waiting_list(referral, waitlisted_at)
    _release(referral)
    if was_sent:
        notify(referral, "recalled")
    return referral


@transaction.atomic
def close_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The caseworker has given their word on the outcome the provider reported; the loop
    is closed. An outcome with goals is confirmed or disputed first (evaluation), which
    closes the referral itself."""
    referral = locked_for(user, "referrals.manage_referral", referral)
    if outcome_selectors.outcome_awaits_caseworker(referral):
        raise ApplicationError(
            _("Confirm or dispute the provider's outcome: that closes the referral."),
            code="outcome_awaits_caseworker",
        )
    return move(
        referral,
        S.CLOSED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"closed_at": timezone.now()},
    )


@transaction.atomic
def reopen_referral(*, referral: Referral, user, note: str) -> Referral:
    """Reopen a closed referral: the need came back. A note says why."""
    referral = locked_for(user, "referrals.manage_referral", referral)
    if not (note or "").strip():
        raise ApplicationError(
            fields_need_attention(),
            field_errors={"note": [_("Say why the referral is reopened.")]},
        )
    _ensure_no_active_referral(referral.need, exclude_pk=referral.pk)
    move(
        referral,
        S.REOPENED,
        lifecycle=REFERRAL_LIFECYCLE,
        actor=user,
        note=note,
        values={"closed_at": None},
    )
    notify(referral, "reopened")
    return referral
