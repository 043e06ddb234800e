"""The audit log page: supervisors see their agencies' entries, platform administrators all."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.filters import AuditEventFilter
from accounts.selectors.audit import audit_events_visible_to
from core.permissions import rule_required


@rule_required("accounts.view_audit_log")
def audit_log(request):
    events = audit_events_visible_to(request.user)
    event_filter = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"filter": event_filter, "page_obj": page, "events": page.object_list},
    )
