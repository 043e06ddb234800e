"""The evaluation cards on the /app/ workspace: third-party assessments to carry out or
decide on, and the disputed outcomes supervisors resolve. Discovered by ``accounts`` at
start-up (see ``accounts.workspace``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from accounts.workspace import WorkspaceAction, register
from evaluation.selectors.assessments import waiting_count


def disputes_count(user) -> int:
    # Imported when counted: the outcomes topic is written apart from this card.
    from evaluation.selectors.outcomes import disputes_for

    return disputes_for(user).count()


register(
    WorkspaceAction(
        roles=frozenset({Role.ASSESSOR, Role.COMMISSIONER}),
        title=_("Assessments"),
        text=_(
            "Third-party assessments of providers against the service standards: commission "
            "them, score them with evidence, accept or return them."
        ),
        url_name="evaluation:assessments",
        count=waiting_count,
        count_label=ngettext_lazy("%(count)d waits for you", "%(count)d wait for you", "count"),
    ),
    WorkspaceAction(
        roles=frozenset({Role.SUPERVISOR}),
        title=_("Disputed outcomes"),
        text=_("Outcomes a caseworker disputed with the provider: look at both sides and decide."),
        url_name="evaluation:disputes",
        count=disputes_count,
        count_label=ngettext_lazy("%(count)d to resolve", "%(count)d to resolve", "count"),
    ),
    order=380,
)
