"""``{% outcome_panel referral %}``: the goals and the outcome of a referral on the referral
pages of both sides (the provider's inbox page and the caseworker's page), with the
actions the person may take now.

The provider's staff agree goals, record the outcome or that the service did not
go ahead; the caseworker confirms or disputes the outcome. Which actions show
follows the referral's state and the rules; the services decide again on submit.
Showing the goals is a read of personal data, audited like any other.
"""

import rules
from django import template

from core.audit import record_read
from evaluation import gas
from evaluation.forms.outcomes import ConfirmForm
from evaluation.selectors import outcomes as selectors
from evaluation.services.outcomes import COMPLETABLE, FAILABLE, GOAL_STATUSES

register = template.Library()


@register.inclusion_tag("evaluation/outcomes/_panel.html", takes_context=True)
def outcome_panel(context, referral):
    user = context["request"].user
    if not rules.has_perm("evaluation.view_goals", user, referral):
        return {"visible": False}
    provider_side = rules.has_perm("evaluation.set_goals", user, referral)
    goals = selectors.goals_of(referral)
    if goals:
        record_read(
            action="referral.goals_read",
            actor=user,
            organization=referral.agency_id,
            target=referral,
            purpose="Follow the referral's goals and outcome",
            fields=("goals",),
        )
    outcome = selectors.outcome_of(referral)
    scores = {row["number"]: row["attainment"] for row in outcome.scores} if outcome else {}
    may_confirm = (
        outcome is not None
        and outcome.status == outcome.Status.RECORDED
        and rules.has_perm("evaluation.confirm_outcome", user, outcome)
    )
    status = referral.status
    return {
        "visible": True,
        "referral": referral,
        "goals": [(goal, scores.get(goal.number, goal.attainment)) for goal in goals],
        "outcome": outcome,
        "in_words": (
            gas.outcome_in_words(outcome.t_score)
            if outcome is not None and outcome.t_score is not None
            else ""
        ),
        "provider_side": provider_side,
        "may_set_goals": provider_side and status in GOAL_STATUSES,
        "may_complete": provider_side and status in COMPLETABLE,
        "may_fail": provider_side and status in FAILABLE,
        "may_confirm": may_confirm,
        "confirm_form": ConfirmForm(prefix=None) if may_confirm else None,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
