"""Reads of satisfaction surveys: the invitation behind a link, the slip a person may
print, and aggregates — never a single answer (SPEC §4).

A provider, the public and the API see only aggregates of at least
``MIN_AGGREGATE`` answers: with fewer, a provider could tell who answered what.
"""

from decimal import ROUND_HALF_UP, Decimal

import rules
from django.db.models import Avg, Count

from evaluation.models.surveys import MIN_AGGREGATE, QUESTIONS, SurveyInvitation, SurveyResponse
from evaluation.services.surveys import token_digest
from referrals.selectors.lifecycle import referral_for

TENTH = Decimal("0.1")
NAMES = [name for name, _question in QUESTIONS]


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of a survey link, or None for a link nobody made."""
    if not token:
        return None
    return (
        SurveyInvitation.objects.select_related("provider__organization", "category")
        .filter(token_digest=token_digest(token))
        .first()
    )


def invitation_for_slip(user, referral_uuid) -> SurveyInvitation | None:
    """The invitation of a referral the user may hand the slip of, else None (404)."""
    referral = referral_for(user, referral_uuid)
    if referral is None or not rules.has_perm("evaluation.print_survey_slip", user, referral):
        return None
    return (
        SurveyInvitation.objects.select_related(
            "provider__organization", "category", "referral__service"
        )
        .filter(referral_id=referral.pk)
        .first()
    )


def _round(value) -> Decimal:
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _summary(row: dict) -> dict | None:
    if row["count"] < MIN_AGGREGATE:
        return None
    means = {name: _round(row[name]) for name in NAMES}
    overall = _round(sum(Decimal(str(row[name])) for name in NAMES) / len(NAMES))
    return {"count": row["count"], "means": means, "overall": overall}


def _aggregates():
    return {"count": Count("pk"), **{name: Avg(name) for name in NAMES}}


def satisfaction_summary(provider_id: int, category_id: int | None = None) -> dict | None:
    """Means per question and overall, or None under ``MIN_AGGREGATE`` answers (one query)."""
    answers = SurveyResponse.objects.filter(provider_id=provider_id)
    if category_id is not None:
        answers = answers.filter(category_id=category_id)
    return _summary(answers.aggregate(**_aggregates()))


def satisfaction_summaries(provider_ids, category_id: int | None = None) -> dict[int, dict]:
    """``satisfaction_summary`` of many providers in one query; those under the minimum
    are left out."""
    answers = SurveyResponse.objects.filter(provider_id__in=list(provider_ids))
    if category_id is not None:
        answers = answers.filter(category_id=category_id)
    rows = answers.values("provider_id").annotate(**_aggregates()).order_by()
    summaries = {row["provider_id"]: _summary(row) for row in rows}
    return {provider: summary for provider, summary in summaries.items() if summary}
