"""Permission predicates of evaluation (SPEC §4).

Outcomes: the provider's staff set goals and score them; the caseworkers of the
agency that made the referral confirm or dispute the outcome; the agency's
supervisors resolve disputes. Surveys: the caseworker or the provider hands
the slip over; nobody reads single answers (only aggregates of at least
``MIN_AGGREGATE``). Assessments: the commissioners of an agency commission and
accept them; the assessor organization's assessors score and submit them.
Ratings are public; nobody writes them.
"""

import rules

from accounts.models import Organization, Role
from accounts.rules import is_supervisor, organizations_where

PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


def referral_rule(perm: str, user, referral) -> bool:
    """A referrals permission asked of the rules themselves (no superuser pass)."""
    return rules.has_perm(perm, user, referral)


# --- outcomes -------------------------------------------------------------------------------


@rules.predicate
def is_outcome_caseworker(user, outcome):
    return outcome is not None and outcome.agency_id in organizations_where(user, Role.CASEWORKER)


@rules.predicate
def is_outcome_supervisor(user, outcome):
    return outcome is not None and outcome.agency_id in organizations_where(user, Role.SUPERVISOR)


@rules.predicate
def is_outcome_provider(user, outcome):
    if outcome is None:
        return False
    return outcome.provider.organization_id in organizations_where(user, *PROVIDER_ROLES)


@rules.predicate
def answers_referral(user, referral):
    """The provider's staff the referral was sent to."""
    return referral is not None and referral_rule("referrals.answer_referral", user, referral)


@rules.predicate
def manages_referral(user, referral):
    """The caseworkers of the agency that made the referral."""
    return referral is not None and referral_rule("referrals.manage_referral", user, referral)


# Goals are agreed and scored by the provider; the caseworker sees them with the referral.
rules.add_perm("evaluation.set_goals", answers_referral)
rules.add_perm("evaluation.view_goals", answers_referral | manages_referral)
# The survey slip is handed over by whoever meets the person: the provider or the caseworker.
rules.add_perm("evaluation.print_survey_slip", answers_referral | manages_referral)

rules.add_perm(
    "evaluation.view_outcome", is_outcome_caseworker | is_outcome_supervisor | is_outcome_provider
)
rules.add_perm("evaluation.confirm_outcome", is_outcome_caseworker)
rules.add_perm("evaluation.resolve_outcome", is_outcome_supervisor)
rules.add_perm("evaluation.open_disputes", is_supervisor)


# --- assessments ----------------------------------------------------------------------------


@rules.predicate
def is_commissioner(user):
    return bool(organizations_where(user, Role.COMMISSIONER))


@rules.predicate
def is_assessor(user):
    return bool(organizations_where(user, Role.ASSESSOR))


@rules.predicate
def is_assessment_commissioner(user, assessment):
    """A commissioner of the agency that commissioned the assessment."""
    if assessment is None:
        return False
    return assessment.agency_id in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_assessment_agency_member(user, assessment):
    """Anyone of the commissioning agency with a commissioning or supervising role."""
    if assessment is None:
        return False
    return assessment.agency_id in organizations_where(
        user, Role.COMMISSIONER, Role.SUPERVISOR, Role.FINANCE
    )


@rules.predicate
def is_assigned_assessor(user, assessment):
    """An assessor of the organization the assessment is assigned to."""
    if assessment is None:
        return False
    return assessment.assessor_id in organizations_where(user, Role.ASSESSOR)


@rules.predicate
def is_agency_commissioner(user, agency):
    if agency is None or agency.kind != Organization.Kind.AGENCY:
        return False
    return agency.pk in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_assessor_of(user, assessor):
    if assessor is None or assessor.kind != Organization.Kind.ASSESSOR:
        return False
    return assessor.pk in organizations_where(user, Role.ASSESSOR)


rules.add_perm("evaluation.commission_assessment", is_agency_commissioner)
rules.add_perm("evaluation.view_assessment", is_assessment_agency_member | is_assigned_assessor)
rules.add_perm("evaluation.score_assessment", is_assigned_assessor)
rules.add_perm("evaluation.decide_assessment", is_assessment_commissioner)
rules.add_perm("evaluation.declare_conflict", is_assessor_of)
rules.add_perm("evaluation.open_assessments", is_commissioner | is_assessor)
