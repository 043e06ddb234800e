"""Sign-in, sign-out, the workspace landing and the audit log page."""

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from accounts import selectors
from accounts.filters import AuditEventFilter
from accounts.forms import SignInForm
from accounts.models import Role
from accounts.rules import roles_of
from accounts.workspace import ROLE_DUTIES, actions_for
from core.audit import record_security
from core.permissions import login_required, rule_required


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class SignInView(auth_views.LoginView):
    """Public by design: the page where people sign in. Lockout is django-axes' job."""

    permission_policy = "public"
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        record_security(action="user.signed_in", actor=form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    """Signing out is open to anyone (it only ends the caller's own session)."""

    permission_policy = "public"
    template_name = "accounts/logged_out.html"


@login_required
def workspace(request):
    memberships = list(selectors.memberships_of(request.user))
    held = roles_of(request.user)
    duties = [(Role(role).label, ROLE_DUTIES[Role(role)]) for role in Role.values if role in held]
    return render(
        request,
        "accounts/workspace.html",
        {
            "memberships": memberships,
            "duties": duties,
            "actions": actions_for(request.user),
        },
    )


@rule_required("accounts.view_audit_log")
def audit_log(request):
    events = selectors.audit_events_visible_to(request.user)
    event_filter = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"filter": event_filter, "page_obj": page, "events": page.object_list},
    )
