"""Permission predicates of the public site's back office: who handles feedback.

Feedback goes to one agency (see ``cms.services.responsible_agency``); its
caseworkers, supervisors and commissioners read and answer it. Nobody else sees
it, not even other agencies: a complaint may name a person or a provider.
"""

import rules

from accounts.models import Organization, Role
from accounts.rules import role_pairs

FEEDBACK_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.COMMISSIONER})


def feedback_agencies_of(user) -> set[int]:
    """Ids of the agencies whose feedback the user may read and answer."""
    return {
        organization
        for organization, kind, role in role_pairs(user)
        if kind == Organization.Kind.AGENCY and role in FEEDBACK_ROLES
    }


@rules.predicate
def handles_feedback(user):
    return bool(feedback_agencies_of(user))


@rules.predicate
def is_feedback_of_own_agency(user, feedback):
    return feedback is not None and feedback.agency_id in feedback_agencies_of(user)


rules.add_perm("cms.open_feedback_inbox", handles_feedback)
rules.add_perm("cms.handle_feedback", is_feedback_of_own_agency)
