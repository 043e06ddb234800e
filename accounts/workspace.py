"""What each role can do next: the cards of the /app/ workspace.

Each app registers its own cards in its ``workspace.py``, which the accounts
app discovers at start-up (``AccountsConfig.ready``), so this module names
no other app::

    from accounts import workspace

    workspace.register(
        workspace.WorkspaceAction(roles=..., title=..., text=..., url_name="..."),
        order=300,
    )

A card appears only to people holding one of its roles, and only when its
page exists, so the workspace never links to a page that is not there. A card
may have a ``count`` (a function of the user, one query) whose number is
shown on the card in the words of ``count_label``: what waits for the person
there. Cards are shown by ``order``, then in the order they were registered.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.rules import roles_of


@dataclass(frozen=True)
class WorkspaceAction:
    roles: frozenset[str]
    title: Promise
    text: Promise
    url_name: str = ""
    url: str = ""
    count: Callable[..., int] | None = None  # function(user) -> int, shown when > 0
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
        count = self.count(user) if self.count else 0
        if not count:
            return ""
        return str(self.count_label % {"count": count})


ALL_ROLES = frozenset(Role.values)

# (order, registration number, action): sorted, this is the order of the page.
_registered: list[tuple[int, int, WorkspaceAction]] = []


def register(*actions: WorkspaceAction, order: int) -> None:
    """Add ``actions`` to the workspace, placed by ``order`` among other apps' cards.

    Leave gaps between the numbers apps use, so that a new app can place its
    cards between two others without renumbering them.
    """
    for action in actions:
        if action.count is not None and action.count_label is None:
            raise ValueError(f"The card {action.title!r} has a count but no count_label.")
    for action in actions:
        _registered.append((order, len(_registered), action))
    _registered.sort(key=lambda entry: entry[:2])


def registered_actions() -> list[WorkspaceAction]:
    """Every registered card, in the order of the page."""
    return [action for _order, _number, action in _registered]


# The accounts app's own cards come first: they concern the platform, not one service.
register(
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
    WorkspaceAction(
        roles=ALL_ROLES,
        title=_("Your API tokens"),
        text=_(
            "See the tokens your programs use and when each expires; make a new one "
            "or revoke those you no longer need."
        ),
        url_name="accounts:api_tokens",
    ),
    order=0,
)

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
    """``(action, URL, badge)`` for each card the user's roles allow, in the page's order."""
    held = roles_of(user)
    result = []
    for action in registered_actions():
        if action.roles & held:
            href = action.href()
            if href:
                result.append((action, href, action.badge_for(user)))
    return result
