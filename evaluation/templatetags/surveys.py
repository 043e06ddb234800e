"""Surveys on other apps' pages: the "print the survey slip" links on a referral's page
(for the provider's staff and the caseworker who may hand it over), and a provider's
satisfaction summary — only ever an aggregate of at least ``MIN_AGGREGATE`` answers,
never one person's answers. Each tag reads a fixed number of queries.
"""

from django import template

from evaluation.models.surveys import MIN_AGGREGATE, QUESTIONS
from evaluation.selectors import surveys as selectors

register = template.Library()


@register.inclusion_tag("evaluation/surveys/_slip_link.html", takes_context=True)
def survey_slip_link(context, referral):
    """Links to the slip of a completed referral, for those who may print it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = (
        user is not None
        and user.is_authenticated
        and selectors.invitation_for_slip(user, referral.uuid) is not None
    )
    return {"visible": visible, "referral_uuid": referral.uuid}


@register.inclusion_tag("evaluation/surveys/_summary.html")
def satisfaction_summary(provider, category=None):
    """The means per question and their count, or why they are not shown (one query)."""
    summary = selectors.satisfaction_summary(
        getattr(provider, "pk", provider), getattr(category, "pk", category)
    )
    rows = [(question, summary["means"][name]) for name, question in QUESTIONS] if summary else []
    return {"summary": summary, "rows": rows, "minimum": MIN_AGGREGATE}
