"""Satisfaction surveys: the single-use link of a completed referral, and its answers.

``invite_to_survey`` makes the one invitation of a completed referral (idempotent).
The token is 256 random bits; its SHA-256 digest finds it, and the token itself is
kept encrypted so that the slip can be printed again.

``submit_survey`` takes one answer without login: the invitation is found by the
digest and locked, so two submissions at once cannot both use it; a used,
expired or unknown link is refused with its own code; each of the five answers
is from 1 to 5; ID and phone numbers in the comment are masked before it is
stored (``evaluation.masking``); one connection may answer at most
``SUBMISSIONS_PER_HOUR`` surveys an hour (a sliding window in the cache, like
public feedback). The audit entry says a survey was answered, never what.
"""

import hashlib
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import record_change
from core.errors import ApplicationError
from evaluation.masking import mask_personal_numbers
from evaluation.models.surveys import QUESTIONS, SURVEY_VALID_FOR, SurveyInvitation, SurveyResponse
from evaluation.services.ratings import schedule_rating_update

TOKEN_BYTES = 32  # 256 bits: never guessed, never enumerated
COMMENT_MAX = 1000
SUBMISSIONS_PER_HOUR = 10
RATE_WINDOW_SECONDS = 60 * 60

UNKNOWN = gettext_lazy(
    "This survey link is not known. Check that it was typed exactly as on the slip."
)
USED = gettext_lazy("This survey has already been answered. Thank you: each link works once.")
EXPIRED = gettext_lazy(
    "This survey link has expired. Survey links work for 60 days after the service ends."
)
TOO_MANY = gettext_lazy(
    "Many surveys have been sent from this connection in the last hour. Please try again later."
)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite_to_survey(*, referral) -> SurveyInvitation:
    """The survey invitation of a completed referral; made once, returned ever after."""
    existing = SurveyInvitation.objects.filter(referral_id=referral.pk).first()
    if existing is not None:
        return existing
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    try:
        with transaction.atomic():
            return SurveyInvitation.objects.create(
                referral_id=referral.pk,
                provider_id=referral.provider_id,
                category_id=referral.category_id,
                token=token,
                token_digest=token_digest(token),
                created_at=now,
                expires_at=now + SURVEY_VALID_FOR,
            )
    except IntegrityError:
        # Two completions at once: the one-to-one decides, the other reads it.
        return SurveyInvitation.objects.get(referral_id=referral.pk)


def _rate_key(client_ip: str) -> str:
    return f"evaluation:survey-submissions:{client_ip}"


def _recent(client_ip: str) -> list[float]:
    # Judged by our own clock, not the cache's expiry: the same rule on every backend.
    cutoff = timezone.now().timestamp() - RATE_WINDOW_SECONDS
    return [moment for moment in cache.get(_rate_key(client_ip)) or [] if moment > cutoff]


def _count(client_ip: str) -> None:
    moments = [*_recent(client_ip), timezone.now().timestamp()]
    cache.set(_rate_key(client_ip), moments, timeout=RATE_WINDOW_SECONDS)


def _clean_answers(answers, comment: str) -> tuple[dict, str]:
    values, errors = {}, {}
    for name, _question in QUESTIONS:
        raw = answers.get(name)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            errors[name] = [_("Choose an answer from 1 to 5.")]
        values[name] = value
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("Say it in at most %(count)d characters.") % {"count": COMMENT_MAX}]
    if errors:
        raise ApplicationError(
            _("Please answer every question."), field_errors=errors, code="invalid"
        )
    return values, comment


@transaction.atomic
def submit_survey(
    *, token: str, answers, comment: str = "", language: str = "", client_ip: str | None = None
) -> SurveyResponse:
    """Record one beneficiary's answers to the survey of ``token`` (see the module)."""
    if client_ip is not None and len(_recent(client_ip)) >= SUBMISSIONS_PER_HOUR:
        raise ApplicationError(str(TOO_MANY), code="rate_limited")
    invitation = (
        SurveyInvitation.objects.select_for_update()
        .filter(token_digest=token_digest(token or ""))
        .first()
    )
    if client_ip is not None:
        # Every attempt counts, found or not: guessing links is slowed down as well.
        _count(client_ip)
    if invitation is None:
        raise ApplicationError(str(UNKNOWN), code="unknown")
    if invitation.used_at is not None:
        raise ApplicationError(str(USED), code="used")
    now = timezone.now()
    if now >= invitation.expires_at:
        raise ApplicationError(str(EXPIRED), code="expired")
    values, comment = _clean_answers(answers, comment)
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    response = SurveyResponse.objects.create(
        invitation=invitation,
        provider_id=invitation.provider_id,
        category_id=invitation.category_id,
        submitted_at=now,
        comment=mask_personal_numbers(comment),
        language=(language or "")[:10],
        **values,
    )
    record_change(action="survey.answered", target=invitation, details={"language": language})
    schedule_rating_update(provider_id=invitation.provider_id)
    return response
