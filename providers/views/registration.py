"""A provider's own pages: sign-up, its profile and its submission for verification.

Everything under /app/provider/ is for the staff of one provider; anyone else
gets 404 (``providers.views.access``). Documents have their own pages
(``providers.views.documents``).
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required, public
from providers.forms.registration import (
    FIELD_ALIASES,
    ProviderProfileForm,
    ProviderRegistrationForm,
)
from providers.models import PROVIDER_LIFECYCLE, Provider
from providers.rules import can_edit_provider
from providers.services import registration, verification
from providers.views.access import administered_provider, own_provider

# A new account signs in with its password, so the session is tied to the model backend.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Statuses whose reason the provider must read (what to fix, or why it is out).
REASON_SHOWN = (Provider.Status.REJECTED, Provider.Status.SUSPENDED, Provider.Status.DEBARRED)


def breadcrumbs(here: str) -> list[tuple[str, str]]:
    """From the provider's profile to the page ``here``."""
    return [(_("Your organization's profile"), reverse("providers:my_profile")), (here, "")]


@public
@sensitive_post_parameters("password", "password_again")
def register(request):
    """Public by design: an NGO or social-work firm signs up."""
    form = ProviderRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = registration.register_provider(**form.service_arguments())
        except ApplicationError as error:
            attach_errors(form, error, field_map=FIELD_ALIASES)
        else:
            user = provider.organization.memberships.get().user
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(
                request,
                _(
                    "Your organization is registered. Complete the profile, add the "
                    "registration certificate, then submit it for verification."
                ),
            )
            return redirect("providers:my_profile")
    # A valid code outside civil affairs is accepted, with a note (not an error).
    code = form.cleaned_data.get("credit_code", "") if form.is_bound else ""
    return render(
        request,
        "providers/registration/register.html",
        {"form": form, "credit_code_note": registration.credit_code_note(code)},
    )


@login_required
def my_profile(request):
    provider = own_provider(request)
    can_edit = can_edit_provider.test(request.user, provider)
    # Offered where the lifecycle allows a submission (draft, or rejected and fixed).
    may_be_submitted = PROVIDER_LIFECYCLE.allows(provider.status, Provider.Status.SUBMITTED)
    return render(
        request,
        "providers/registration/my_profile.html",
        {
            "provider": provider,
            "organization": provider.organization,
            "documents": provider.documents.select_related("uploaded_by"),
            "missing": registration.missing_for_submission(provider),
            "credit_code_note": registration.credit_code_note(
                provider.organization.credit_code or ""
            ),
            "can_edit": can_edit,
            "may_be_submitted": may_be_submitted,
            "can_submit": can_edit and may_be_submitted,
            "shows_reason": provider.status in REASON_SHOWN,
        },
    )


@login_required
def edit_profile(request):
    provider = administered_provider(request)
    form = ProviderProfileForm(
        request.POST or None, initial=ProviderProfileForm.initial_for(provider)
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration.update_provider_profile(
                provider=provider, actor=request.user, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error, field_map=FIELD_ALIASES)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("providers:my_profile")
    return render(
        request,
        "providers/registration/edit_profile.html",
        {"provider": provider, "form": form, "breadcrumbs": breadcrumbs(_("Edit the profile"))},
    )


@login_required
@require_POST
def submit(request):
    provider = administered_provider(request)
    try:
        verification.submit_provider(provider=provider, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Submitted. We will e-mail you when the verification is done."),
        )
    return redirect("providers:my_profile")
