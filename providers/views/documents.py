"""A provider's documents: uploaded and deleted by its administrators, read by its
staff and by the people who verify providers.

Documents are private: they are streamed by ``download_document`` after a
permission check, never from a public URL.
"""

import re

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required
from providers.forms.documents import DocumentUploadForm
from providers.models import ProviderDocument
from providers.rules import can_edit_provider, can_view_documents
from providers.services import documents as document_services
from providers.views.access import administered_provider, own_provider
from providers.views.registration import breadcrumbs

FILE_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


@login_required
def documents(request):
    provider = own_provider(request)
    can_edit = can_edit_provider.test(request.user, provider)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                document_services.upload_document(
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
            "breadcrumbs": breadcrumbs(_("Documents")),
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
    if not can_view_documents.test(request.user, document.provider):
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
    provider = administered_provider(request)
    document = get_object_or_404(ProviderDocument, uuid=uuid, provider=provider)
    document_services.delete_document(document=document, actor=request.user)
    messages.success(request, _("The document “%(title)s” is deleted.") % {"title": document})
    return redirect("providers:documents")
