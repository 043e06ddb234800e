"""A provider's own pages: sign-up, its profile, submission for verification and documents.

Everything under /app/provider/ is for the staff of one provider; anyone else
gets 404. Documents are private: they are streamed by ``download_document``
after a permission check, never from a public URL.
"""

import re

from django.contrib import messages
from django.contrib.auth import login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.permissions import login_required, public
from providers import selectors, services
from providers.forms.registration import (
    FIELD_ALIASES,
    DocumentUploadForm,
    ProviderProfileForm,
    ProviderRegistrationForm,
    attach_errors,
)
from providers.models import Provider, ProviderDocument

# A new account signs in with its password, so the session is tied to the model backend.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
FILE_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _own_provider(request) -> Provider:
    """The provider the signed-in user works for; 404 for everybody else."""
    provider = selectors.provider_of(request.user)
    if provider is None:
        raise Http404
    return provider


def _administered_provider(request) -> Provider:
    provider = _own_provider(request)
    if not request.user.has_perm("providers.edit_provider", provider):
        raise Http404
    return provider


def _breadcrumbs(here: str) -> list[tuple[str, str]]:
    return [(_("Your organization's profile"), reverse("providers:my_profile")), (here, "")]


@public
@sensitive_post_parameters("password", "password_again")
def register(request):
    """Public by design: an NGO or social-work firm signs up."""
    form = ProviderRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.register_provider(**form.service_arguments())
        except ApplicationError as error:
            attach_errors(form, error, aliases=FIELD_ALIASES)
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
        {"form": form, "credit_code_note": services.credit_code_note(code)},
    )


@login_required
def my_profile(request):
    provider = _own_provider(request)
    can_edit = request.user.has_perm("providers.edit_provider", provider)
    return render(
        request,
        "providers/registration/my_profile.html",
        {
            "provider": provider,
            "organization": provider.organization,
            "documents": provider.documents.select_related("uploaded_by"),
            "missing": services.missing_for_submission(provider),
            "credit_code_note": services.credit_code_note(provider.organization.credit_code or ""),
            "can_edit": can_edit,
            "can_submit": can_edit
            and provider.status in (Provider.Status.DRAFT, Provider.Status.REJECTED),
            "shows_reason": provider.status
            in (Provider.Status.REJECTED, Provider.Status.SUSPENDED, Provider.Status.DEBARRED),
        },
    )


@login_required
def edit_profile(request):
    provider = _administered_provider(request)
    form = ProviderProfileForm(
        request.POST or None, initial=ProviderProfileForm.initial_for(provider)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_provider_profile(
                provider=provider, actor=request.user, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("providers:my_profile")
    return render(
        request,
        "providers/registration/edit_profile.html",
        {"provider": provider, "form": form, "breadcrumbs": _breadcrumbs(_("Edit the profile"))},
    )


@login_required
@require_POST
def submit(request):
    provider = _administered_provider(request)
    try:
        services.submit_provider(provider=provider, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Submitted. We will e-mail you when the verification is done."),
        )
    return redirect("providers:my_profile")


@login_required
def documents(request):
    provider = _own_provider(request)
    can_edit = request.user.has_perm("providers.edit_provider", provider)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.upload_document(
                    provider=provider,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    uploaded_file=form.cleaned_data["file"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ApplicationError as error:
                attach_errors(form, error)
                if error.field_errors:
                    form.add_error(None, str(error.message))
            else:
                messages.success(request, _("The document is uploaded."))
                return redirect("providers:documents")
    return render(
        request,
        "providers/registration/documents.html",
        {
            "provider": provider,
            "documents": provider.documents.select_related("uploaded_by"),
            "form": form,
            "can_edit": can_edit,
            "breadcrumbs": _breadcrumbs(_("Documents")),
        },
    )


def download_filename(document: ProviderDocument) -> str:
    """The document's title as a file name that cannot name a path or break a header."""
    stem = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|;]+', "_", document.title).strip(" ._")[:80]
    return f"{stem or 'document'}.{FILE_EXTENSIONS.get(document.content_type, 'bin')}"


@login_required
def download_document(request, uuid):
    """Stream a document to the provider's own staff and to verifiers; 404 for anyone else."""
    document = get_object_or_404(
        ProviderDocument.objects.select_related("provider__organization"), uuid=uuid
    )
    if not request.user.has_perm("providers.view_documents", document.provider):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_filename(document),
        content_type=document.content_type,
    )
    # Certificates carry names and ID numbers of legal representatives: no
    # shared or browser cache may keep a copy, and browsers must not guess the type.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete_document(request, uuid):
    provider = _administered_provider(request)
    document = get_object_or_404(ProviderDocument, uuid=uuid, provider=provider)
    services.delete_document(document=document, actor=request.user)
    messages.success(request, _("The document “%(title)s” is deleted.") % {"title": document})
    return redirect("providers:documents")
