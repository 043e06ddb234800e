"""The providers app's cards on the /app/ workspace: its profile, verification, services.

Discovered by ``accounts`` at start-up (see ``accounts.workspace``).
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register

register(
    # registration and verification
    WorkspaceAction(
        roles=frozenset({Role.PROVIDER_ADMIN}),
        title=_("Your organization's profile"),
        text=_(
            "Keep your profile and documents up to date and submit your organization "
            "for verification."
        ),
        url_name="providers:my_profile",
    ),
    WorkspaceAction(
        roles=frozenset({Role.PLATFORM_ADMIN}),
        title=_("Verify providers"),
        text=_("Check the organizations awaiting verification, and suspend or debar providers."),
        url_name="providers:verification_queue",
    ),
    # services, capacity and sites
    WorkspaceAction(
        roles=frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
        title=_("Services and capacity"),
        text=_(
            "Update free places and waiting lists, confirm your listings are still right, "
            "and describe your services and sites."
        ),
        url_name="providers:service_list",
    ),
    # after the platform's own cards: who a provider is comes before what it does
    order=100,
)
