"""Outcomes of referrals: goals agreed at acceptance, scored at completion, the T-score
outcome, its confirmation or dispute, and the supervisor's decision on a dispute.

- ``set_goals``: the provider's staff agree one to three goals with the caseworker
  once they have accepted the referral (accepted, in service or reopened), each
  with the expected level described and a weight from 1 to 5. Setting them again
  replaces them (and clears any scores).
- ``complete_with_goals``: the provider scores every goal from −2 to +2; the
  referral is completed through the referrals lifecycle with the outcome in words
  (``gas.outcome_in_words``), the ``Outcome`` records the T-score, and the survey
  invitation is made.
- ``record_failure``: the service did not go ahead (could not contact, not
  eligible, withdrew): the referral fails and the ``Outcome`` records the reason.
- ``confirm_outcome`` / ``dispute_outcome``: the caseworker accepts the outcome
  or disputes it with a reason; either way the referral is closed (the loop
  ends with the caseworker) and a dispute is mailed to the agency's supervisors.
- ``resolve_dispute``: a supervisor upholds the provider's outcome (it counts
  from then) or rejects it (it never counts).

Only confirmed outcomes are evidence; each one queues the provider's rating
update after commit.
"""

from collections.abc import Iterable, Mapping

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import record_change
from core.errors import ApplicationError
from core.lifecycle import move
from evaluation import gas
from evaluation import tasks as evaluation_tasks
from evaluation.models.outcomes import MAX_GOALS, MAX_WEIGHT, OUTCOME_LIFECYCLE, Goal, Outcome
from evaluation.services.ratings import schedule_rating_update
from evaluation.services.surveys import invite_to_survey
from referrals.selectors import lifecycle as referral_states
from referrals.services import lifecycle as referral_lifecycle
from referrals.services.common import locked_for

SOME_FIELDS = gettext_lazy("Some fields need attention.")
# The referral statuses in which the provider may agree or change goals.
GOAL_STATUSES = frozenset({"accepted", "in_service", "reopened"})
# The referral statuses from which the service can be completed, or reported as not going ahead.
# Asked of the referrals lifecycle, never copied from it.
COMPLETABLE = referral_states.statuses_that_may_become("completed")
FAILABLE = referral_states.statuses_that_may_become("failed")
DESCRIPTION_MAX = 500
NOT_NOW = gettext_lazy(
    "Goals are agreed once the referral is accepted and until the service is completed."
)
NO_GOALS = gettext_lazy(
    "Agree the goals with the caseworker first: the outcome is measured against them."
)
ONLY_CASEWORKER = gettext_lazy(
    "Only a caseworker of the agency that made the referral can confirm or dispute its outcome."
)
ONLY_SUPERVISOR = gettext_lazy(
    "Only a supervisor of the agency that made the referral can resolve a dispute."
)


def _raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(str(SOME_FIELDS), field_errors=dict(errors))


def _check(perm: str, user, obj, message) -> None:
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(str(message))


def _notify(outcome: Outcome, event: str) -> None:
    outcome_id = outcome.pk
    transaction.on_commit(
        lambda: evaluation_tasks.send_outcome_notification.delay(outcome_id, event)
    )


# --- goals ------------------------------------------------------------------------------------


def _clean_goals(goals: Iterable[Mapping]) -> tuple[list[dict], dict[str, list[str]]]:
    """The goals the person filled in (blank rows skipped), and the errors by field.

    Field names are ``goal_<n>_description``, ``goal_<n>_expected``, ``goal_<n>_weight``
    with ``n`` the row's number from 1, so a form can put each message by its field.
    """
    cleaned, errors = [], {}
    for number, goal in enumerate(goals, start=1):
        description = str(goal.get("description") or "").strip()
        expected = str(goal.get("expected") or "").strip()
        weight = goal.get("weight")
        if not description and not expected:
            continue
        prefix = f"goal_{number}"
        if not description:
            errors[f"{prefix}_description"] = [_("Describe the goal.")]
        elif len(description) > DESCRIPTION_MAX:
            errors[f"{prefix}_description"] = [
                _("Say it in at most %(count)d characters.") % {"count": DESCRIPTION_MAX}
            ]
        if not expected:
            errors[f"{prefix}_expected"] = [
                _("Describe what the person will have achieved at the expected level.")
            ]
        elif len(expected) > DESCRIPTION_MAX:
            errors[f"{prefix}_expected"] = [
                _("Say it in at most %(count)d characters.") % {"count": DESCRIPTION_MAX}
            ]
        try:
            weight = int(weight if weight not in (None, "") else 1)
        except (TypeError, ValueError):
            weight = None
        if weight is None or not 1 <= weight <= MAX_WEIGHT:
            errors[f"{prefix}_weight"] = [
                _("Choose a weight from 1 to %(max)d.") % {"max": MAX_WEIGHT}
            ]
        cleaned.append({"description": description, "expected": expected, "weight": weight})
    if not cleaned and not errors:
        errors["goal_1_description"] = [_("Agree at least one goal.")]
    elif len(cleaned) > MAX_GOALS:
        errors["goals"] = [_("Agree at most %(count)d goals.") % {"count": MAX_GOALS}]
    return cleaned, errors


@transaction.atomic
def set_goals(*, referral, user, goals: Iterable[Mapping]) -> list[Goal]:
    """Agree the referral's goals (one to three), replacing any agreed before."""
    referral = locked_for(user, "referrals.answer_referral", referral)
    if referral.status not in GOAL_STATUSES:
        raise ApplicationError(str(NOT_NOW), code="goals_closed")
    cleaned, errors = _clean_goals(goals)
    _raise_if(errors)
    Goal.objects.filter(referral_id=referral.pk).delete()
    now = timezone.now()
    created = Goal.objects.bulk_create(
        Goal(
            referral_id=referral.pk,
            number=number,
            description=goal["description"],
            expected=goal["expected"],
            weight=goal["weight"],
            set_by=user,
            set_at=now,
        )
        for number, goal in enumerate(cleaned, start=1)
    )
    # Never the goals' words: they speak of the person.
    record_change(
        action="referral.goals_set",
        actor=user,
        organization=referral.provider.organization_id,
        target=referral,
        details={"goals": len(created), "weights": [goal.weight for goal in created]},
    )
    return created


# --- the provider's outcome -------------------------------------------------------------------


def _next_round(referral) -> int:
    last = Outcome.objects.filter(referral_id=referral.pk).order_by("-round").first()
    return 1 if last is None else last.round + 1


def _outcome(referral, user, **fields) -> Outcome:
    outcome = Outcome.objects.create(
        referral_id=referral.pk,
        round=_next_round(referral),
        provider_id=referral.provider_id,
        agency_id=referral.agency_id,
        category_id=referral.category_id,
        district_id=referral.district_id,
        recorded_by=user,
        **fields,
    )
    record_change(
        action="outcome.recorded",
        actor=user,
        organization=referral.agency_id,
        target=outcome,
        details={
            "referral": str(referral.uuid),
            "result": outcome.result,
            "t_score": str(outcome.t_score) if outcome.t_score is not None else None,
            "reason": outcome.failure_reason or None,
        },
    )
    return outcome


@transaction.atomic
def complete_with_goals(*, referral, user, attainments: Mapping, note: str = "") -> Outcome:
    """Score every goal (−2 … +2) and complete the referral with its T-score outcome.

    ``attainments`` maps each goal's number to its attainment.
    """
    referral = locked_for(user, "referrals.answer_referral", referral, service_first=True)
    # Refused in the lifecycle's own words before the goals are looked at.
    referral_states.refuse_unless_allowed(referral.status, "completed")
    goals = list(Goal.objects.select_for_update().filter(referral_id=referral.pk))
    if not goals:
        raise ApplicationError(str(NO_GOALS), code="no_goals")
    errors, scores = {}, {}
    for goal in goals:
        value = attainments.get(goal.number, attainments.get(str(goal.number)))
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is None or not -2 <= value <= 2:
            errors[f"goal_{goal.number}"] = [
                _("Choose how far goal %(number)d was attained, from −2 to +2.")
                % {"number": goal.number}
            ]
        scores[goal.number] = value
    _raise_if(errors)
    score = gas.t_score((scores[goal.number], goal.weight) for goal in goals)
    now = timezone.now()
    for goal in goals:
        goal.attainment, goal.scored_by, goal.scored_at = scores[goal.number], user, now
    Goal.objects.bulk_update(goals, ["attainment", "scored_by", "scored_at"])
    referral = referral_lifecycle.complete_referral(
        referral=referral, user=user, outcome=gas.outcome_in_words(score), note=note
    )
    outcome = _outcome(
        referral,
        user,
        result=Outcome.Result.COMPLETED,
        t_score=score,
        scores=[
            {"number": goal.number, "weight": goal.weight, "attainment": goal.attainment}
            for goal in goals
        ],
    )
    invite_to_survey(referral=referral)
    return outcome


@transaction.atomic
def record_failure(*, referral, user, reason_code: str, note: str = "") -> Outcome:
    """The service did not go ahead: the referral fails, and that is its outcome."""
    referral = referral_lifecycle.fail_referral(
        referral=referral, user=user, reason_code=reason_code, note=note
    )
    return _outcome(referral, user, result=Outcome.Result.FAILED, failure_reason=reason_code)


# --- the caseworker's word and the supervisor's decision -------------------------------------


def _locked(outcome: Outcome) -> Outcome:
    return (
        Outcome.objects.select_for_update(of=("self",))
        .select_related("referral", "provider__organization")
        .get(pk=outcome.pk)
    )


@transaction.atomic
def confirm_outcome(*, outcome: Outcome, user, note: str = "") -> Outcome:
    """The caseworker agrees with the provider's outcome: it counts, and the referral closes."""
    _check("evaluation.confirm_outcome", user, outcome, ONLY_CASEWORKER)
    outcome = _locked(outcome)
    now = timezone.now()
    move(
        outcome,
        Outcome.Status.CONFIRMED,
        lifecycle=OUTCOME_LIFECYCLE,
        actor=user,
        note=note,
        now=now,
        values={"confirmed_by": user, "confirmed_at": now},
    )
    referral_lifecycle.close_referral(referral=outcome.referral, user=user, note=note)
    schedule_rating_update(provider_id=outcome.provider_id)
    return outcome


@transaction.atomic
def dispute_outcome(*, outcome: Outcome, user, reason: str) -> Outcome:
    """The caseworker disputes the outcome with a reason: it goes to the supervisors.

    The referral is closed all the same: the caseworker has given their word, and
    the case is the supervisor's to decide; a need that came back is reopened.
    """
    _check("evaluation.confirm_outcome", user, outcome, ONLY_CASEWORKER)
    reason = (reason or "").strip()
    if not reason:
        _raise_if({"reason": [_("Say why you dispute the outcome: the supervisor decides on it.")]})
    outcome = _locked(outcome)
    move(
        outcome,
        Outcome.Status.DISPUTED,
        lifecycle=OUTCOME_LIFECYCLE,
        actor=user,
        values={"disputed_by": user, "dispute_reason": reason},
    )
    referral_lifecycle.close_referral(
        referral=outcome.referral, user=user, note=_("Outcome disputed: the supervisor decides.")
    )
    _notify(outcome, "disputed")
    return outcome


@transaction.atomic
def resolve_dispute(*, outcome: Outcome, user, uphold: bool, note: str) -> Outcome:
    """A supervisor decides: upheld, the provider's outcome counts; rejected, it never does."""
    _check("evaluation.resolve_outcome", user, outcome, ONLY_SUPERVISOR)
    note = (note or "").strip()
    if not note:
        _raise_if({"note": [_("Give the reason for your decision: both sides read it.")]})
    outcome = _locked(outcome)
    now = timezone.now()
    values = {"resolved_by": user, "resolution_note": note}
    if uphold:
        values.update(confirmed_by=user, confirmed_at=now)
    move(
        outcome,
        Outcome.Status.CONFIRMED if uphold else Outcome.Status.REJECTED,
        lifecycle=OUTCOME_LIFECYCLE,
        actor=user,
        now=now,
        values=values,
        action="outcome.upheld" if uphold else "outcome.rejected",
    )
    if uphold:
        schedule_rating_update(provider_id=outcome.provider_id)
    _notify(outcome, "upheld" if uphold else "rejected")
    return outcome
