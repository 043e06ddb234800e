"""The public site's card on the /app/ workspace: feedback and complaints from the public.

Discovered by ``accounts`` at start-up (see ``accounts.workspace``).
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register

register(
    # feedback and complaints from the public, routed to an agency
    WorkspaceAction(
        roles=frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.COMMISSIONER}),
        title=_("Feedback from the public"),
        text=_(
            "Read the feedback and complaints sent to your agency, answer them and keep "
            "the public informed of each step."
        ),
        url_name="cms:feedback_inbox",
    ),
    # last: the public site is built on what the other apps do
    order=400,
)
