"""Signing in and out."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import SignInForm
from core.audit import record_security


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
