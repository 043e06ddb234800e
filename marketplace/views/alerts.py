"""The signed-in user's tender alerts: new matching tenders, answers, reconfirmations and
award notices for provider people; unanswered questions for commissioners.

Anyone signed in reads their own alerts only: another person's alert answers 404.
Opening an alert marks it read and goes to what it is about; the rest can be
marked read at once.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.permissions import login_required
from marketplace.selectors import alerts as alert_selectors
from marketplace.services import alerts as alert_services
from marketplace.views.common import workspace_trail

ALERTS_PER_PAGE = 50


@login_required
def alert_list(request):
    page = Paginator(alert_selectors.alerts_for(request.user), ALERTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "marketplace/alerts.html",
        {
            "page_obj": page,
            "alerts": page.object_list,
            "unread": alert_selectors.unread_alert_count(request.user),
            "breadcrumbs": workspace_trail((_("Alerts"), "")),
        },
    )


@login_required
def alert_open(request, uuid):
    """Mark the alert read and go to its page (the alert list when it links nowhere)."""
    alert = get_object_or_404(alert_selectors.alerts_for(request.user), uuid=uuid)
    alert_services.mark_alerts_read(user=request.user, alert_ids=[alert.pk])
    if _is_local_path(request, alert.url):
        return HttpResponseRedirect(alert.url)
    return redirect("marketplace:alerts")


@login_required
@require_POST
def alerts_mark_read(request):
    """Mark every unread alert of the user read, then go back where the button was."""
    marked = alert_services.mark_alerts_read(user=request.user)
    if marked:
        messages.success(
            request,
            ngettext("%(count)d alert marked as read.", "%(count)d alerts marked as read.", marked)
            % {"count": marked},
        )
    else:
        messages.info(request, _("There were no unread alerts."))
    back = request.POST.get("next", "")
    if _is_local_path(request, back):
        return HttpResponseRedirect(back)
    return redirect("marketplace:alerts")


def _is_local_path(request, url: str) -> bool:
    """A path on this site (``/app/…``): never another site, never a view name."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
