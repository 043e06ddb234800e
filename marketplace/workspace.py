"""The marketplace's cards on the /app/ workspace: budgets, tenders, bids, panels, alerts.

Discovered by ``accounts`` at start-up (see ``accounts.workspace``). The
alerts card counts the person's unread alerts.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register
from marketplace.selectors.alerts import unread_alert_count

register(
    # pooled budgets, tenders, bids and evaluation panels
    WorkspaceAction(
        roles=frozenset({Role.COMMISSIONER}),
        title=_("Tenders"),
        text=_(
            "Draft and publish tenders, answer bidders' questions, name evaluation panels, "
            "and approve awards."
        ),
        url_name="marketplace:manage_tenders",
    ),
    WorkspaceAction(
        roles=frozenset({Role.COMMISSIONER, Role.FINANCE, Role.SUPERVISOR}),
        title=_("Pooled budgets"),
        text=_(
            "See what each agency and fund contributed to the budgets you lead or fund, and "
            "where each share went."
        ),
        url_name="marketplace:budget_list",
    ),
    WorkspaceAction(
        roles=frozenset({Role.FINANCE}),
        title=_("Contributions to approve"),
        text=_("Approve your agency's pledges to pooled budgets: they count only once you do."),
        url_name="marketplace:approvals",
    ),
    WorkspaceAction(
        roles=frozenset({Role.FINANCE, Role.SUPERVISOR}),
        title=_("Your agency's tenders"),
        # Four eyes: a supervisor may approve the awards the commissioners recommend.
        text=_(
            "Follow your agency's tenders from draft to award; supervisors also approve the "
            "awards its commissioners recommend."
        ),
        url_name="marketplace:manage_tenders",
    ),
    WorkspaceAction(
        roles=frozenset({Role.COMMISSIONER, Role.FINANCE, Role.CASEWORKER, Role.SUPERVISOR}),
        title=_("Evaluation panels"),
        text=_(
            "Declare any conflict of interest, then score the bids of the tenders whose panel "
            "you sit on."
        ),
        url_name="marketplace:my_panels",
    ),
    WorkspaceAction(
        roles=frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
        title=_("My tenders"),
        text=_(
            "Tenders matching your services, answers to questions, your bids and their "
            "deadlines, and award results."
        ),
        url_name="marketplace:my_tenders",
    ),
    WorkspaceAction(
        roles=frozenset({Role.COMMISSIONER, Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
        title=_("Alerts"),
        text=_(
            "New tenders matching your services, answers to questions, bids to reconfirm, "
            "award notices, and questions waiting for your answer."
        ),
        url_name="marketplace:alerts",
        count=unread_alert_count,
        count_label=ngettext_lazy("%(count)d new alert", "%(count)d new alerts", "count"),
    ),
    # after casework (referrals), before the public site's feedback
    order=300,
)
