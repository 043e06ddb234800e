"""What each role can do next: the cards of the /app/ workspace.

Each app adds its actions to ``ACTIONS`` (roles, title, text, URL name). An
action appears only to people holding one of its roles, and only when its
page exists, so the workspace never links to a page that is not there. An
action may name a ``count`` function (dotted path, called with the user, one
query) whose number is shown on its card in the words of ``count_label``: what
waits for the person there.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from accounts.rules import roles_of


@dataclass(frozen=True)
class WorkspaceAction:
    roles: frozenset[str]
    title: Promise
    text: Promise
    url_name: str = ""
    url: str = ""
    count: str = ""  # dotted path of a function(user) -> int, shown on the card when > 0
    count_label: Promise | None = None  # ngettext_lazy(…, "count"): the count in words

    def href(self) -> str | None:
        if self.url:
            return self.url
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None

    def badge_for(self, user) -> str:
        """What waits for ``user`` on the action's page, in words ("3 overdue"), or ""."""
        count = import_string(self.count)(user) if self.count else 0
        if not count:
            return ""
        return str(self.count_label % {"count": count})


ALL_ROLES = frozenset(Role.values)

ACTIONS: list[WorkspaceAction] = [
    WorkspaceAction(
        roles=frozenset({Role.SUPERVISOR, Role.PLATFORM_ADMIN}),
        title=_("Audit log"),
        text=_("See who changed what and who read personal data, with the purpose they gave."),
        url_name="accounts:audit_log",
    ),
    WorkspaceAction(
        roles=frozenset({Role.EDITOR, Role.MODERATOR}),
        title=_("Edit public content"),
        text=_("Write and review policies, service guides and news before they are published."),
        url_name="wagtailadmin_home",
    ),
    WorkspaceAction(
        roles=frozenset({Role.PLATFORM_ADMIN}),
        title=_("Manage organizations and users"),
        text=_("Register agencies, providers and assessors, and grant roles to their staff."),
        url_name="admin:accounts_organization_changelist",
    ),
    WorkspaceAction(
        roles=ALL_ROLES,
        title=_("Use the API"),
        text=_(
            "Connect other systems: exchange your username and password for a token, "
            "then read the interactive documentation."
        ),
        url_name="api-docs",
    ),
    # providers: registration and verification
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
    # providers: services, capacity and sites
    WorkspaceAction(
        roles=frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
        title=_("Services and capacity"),
        text=_(
            "Update free places and waiting lists, confirm your listings are still right, "
            "and describe your services and sites."
        ),
        url_name="providers:service_list",
    ),
    # referrals: the caseworker's workspace, the provider's inbox, supervision
    WorkspaceAction(
        roles=frozenset({Role.CASEWORKER, Role.SUPERVISOR}),
        title=_("People and their needs"),
        text=_(
            "Find a person by ID number or record them, assess their needs, find the right "
            "service and refer them with their consent."
        ),
        url_name="referrals:people",
    ),
    WorkspaceAction(
        roles=frozenset({Role.CASEWORKER, Role.SUPERVISOR}),
        title=_("Referrals"),
        text=_(
            "Follow each referral until it closes: what came back to you, what waits for an "
            "answer, and outcomes to confirm."
        ),
        url_name="referrals:referral_list",
        count="referrals.selectors.returned_count",
        count_label=ngettext_lazy(
            "%(count)d came back to you", "%(count)d came back to you", "count"
        ),
    ),
    WorkspaceAction(
        roles=frozenset({Role.SUPERVISOR}),
        title=_("Overdue referrals"),
        text=_(
            "Referrals a provider has not answered in time, and outcomes nobody has confirmed, "
            "with who to call."
        ),
        url_name="referrals:overdue",
        count="referrals.selectors.overdue_count",
        count_label=ngettext_lazy("%(count)d overdue", "%(count)d overdue", "count"),
    ),
    WorkspaceAction(
        roles=frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF}),
        title=_("Referrals inbox"),
        text=_(
            "Answer the referrals caseworkers send you before the deadline, then report when "
            "the service starts and how it ended."
        ),
        url_name="referrals:inbox",
        count="referrals.selectors.awaiting_answer_count",
        count_label=ngettext_lazy("%(count)d to answer", "%(count)d to answer", "count"),
    ),
    # marketplace: pooled budgets, tenders, bids and evaluation panels
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
        text=_("Follow your agency's tenders from draft to award."),
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
        count="marketplace.selectors.unread_alert_count",
        count_label=ngettext_lazy("%(count)d new alert", "%(count)d new alerts", "count"),
    ),
    # cms: feedback and complaints from the public, routed to an agency
    WorkspaceAction(
        roles=frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.COMMISSIONER}),
        title=_("Feedback from the public"),
        text=_(
            "Read the feedback and complaints sent to your agency, answer them and keep "
            "the public informed of each step."
        ),
        url_name="cms:feedback_inbox",
    ),
]

# What each role is responsible for, shown next to the role on the workspace.
ROLE_DUTIES = {
    Role.COMMISSIONER: _(
        "Build pooled budgets with partner agencies, publish tenders, run evaluation panels "
        "and award contracts."
    ),
    Role.FINANCE: _("Approve your agency's contributions to pooled budgets and its payments."),
    Role.CASEWORKER: _(
        "Record the people you help and their needs, and refer them to the right provider "
        "with their consent."
    ),
    Role.SUPERVISOR: _(
        "Oversee your agency's cases and referrals, follow up overdue ones, send urgent "
        "referrals without consent when the person cannot be asked, and read the audit log."
    ),
    Role.PROVIDER_ADMIN: _(
        "Keep your organization's profile, services and capacity up to date, bid for "
        "tenders and manage your staff."
    ),
    Role.PROVIDER_STAFF: _("Answer referrals, update capacity and report progress and outcomes."),
    Role.ASSESSOR: _("Carry out the third-party assessments assigned to you."),
    Role.EDITOR: _("Write policies, service guides and news for the public site."),
    Role.MODERATOR: _("Review and publish what editors submit."),
    Role.PLATFORM_ADMIN: _("Verify providers and manage organizations and their users."),
}


def actions_for(user) -> list[tuple[WorkspaceAction, str, str]]:
    """``(action, URL, badge)`` for each action the user's roles allow, in ``ACTIONS`` order."""
    held = roles_of(user)
    result = []
    for action in ACTIONS:
        if action.roles & held:
            href = action.href()
            if href:
                result.append((action, href, action.badge_for(user)))
    return result
