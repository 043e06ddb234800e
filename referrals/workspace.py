"""The referrals app's cards on the /app/ workspace: people, referrals, the inbox, overdue ones.

Discovered by ``accounts`` at start-up (see ``accounts.workspace``). The
counts show what waits for the person: referrals that came back, overdue
ones, and referrals to answer.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register
from referrals.selectors.deadlines import overdue_count
from referrals.selectors.lifecycle import awaiting_answer_count, returned_count

register(
    # the caseworker's workspace, the provider's inbox, supervision
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
        count=returned_count,
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
        count=overdue_count,
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
        count=awaiting_answer_count,
        count_label=ngettext_lazy("%(count)d to answer", "%(count)d to answer", "count"),
    ),
    # after the providers' cards, before the marketplace's: casework is the daily work
    order=200,
)
