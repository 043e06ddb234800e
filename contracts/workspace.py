"""The contracts' cards on the /app/ workspace: contracts to follow, and the money a
funder's contributions back. Discovered by ``accounts`` at start-up (see
``accounts.workspace``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register
from contracts.selectors.contracts import waiting_count

register(
    WorkspaceAction(
        roles=frozenset(
            {
                Role.COMMISSIONER,
                Role.FINANCE,
                Role.SUPERVISOR,
                Role.PROVIDER_ADMIN,
                Role.PROVIDER_STAFF,
            }
        ),
        title=_("Contracts"),
        text=_(
            "Contracts made from awards: signatures, milestones and payments, progress "
            "reports and performance notices."
        ),
        url_name="contracts:list",
        count=waiting_count,
        count_label=ngettext_lazy("%(count)d waits for you", "%(count)d wait for you", "count"),
    ),
    WorkspaceAction(
        roles=frozenset({Role.FINANCE}),
        title=_("Money you fund"),
        text=_("Every contract your agency's money backs: committed, paid per year, still to pay."),
        url_name="contracts:funding",
    ),
    order=350,
)
