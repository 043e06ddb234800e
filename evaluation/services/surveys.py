"""Satisfaction surveys: the single-use link of a completed referral, and its answers.

``invite_to_survey`` makes the one invitation of a completed referral (idempotent).
The token is 256 random bits; its SHA-256 digest finds it, and the token itself is
kept encrypted so that the slip can be printed again.
"""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation.models.surveys import SURVEY_VALID_FOR, SurveyInvitation

TOKEN_BYTES = 32  # 256 bits: never guessed, never enumerated


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
