"""Every read of the accounts app, scoped to what the user may see, one module per topic:
``organizations`` (parties and roles), ``audit`` (the audit log) and ``tokens`` (API
tokens). Code inside the accounts app imports the topic module; this package re-exports
the public selectors for the other apps.
"""

from accounts.selectors.audit import audit_events_visible_to
from accounts.selectors.organizations import (
    agencies_acting_for,
    memberships_of,
    organization_members,
    organizations_visible_to,
)
from accounts.selectors.tokens import api_token_of, api_tokens_of

__all__ = [
    "agencies_acting_for",
    "api_token_of",
    "api_tokens_of",
    "audit_events_visible_to",
    "memberships_of",
    "organization_members",
    "organizations_visible_to",
]
