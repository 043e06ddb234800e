"""Every write of the accounts app, one module per topic: ``organizations`` (parties and
the roles people hold in them) and ``tokens`` (API tokens). Each is audited.

Code inside the accounts app imports the topic module; this package re-exports the
public services for the other apps.
"""

from accounts.services.organizations import create_organization, grant_role, revoke_role
from accounts.services.tokens import (
    issue_api_token,
    revoke_all_api_tokens,
    revoke_api_token,
    revoke_api_tokens_after_password_change,
)

__all__ = [
    "create_organization",
    "grant_role",
    "issue_api_token",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "revoke_api_tokens_after_password_change",
    "revoke_role",
]
