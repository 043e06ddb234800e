"""The PDF of each contract version: downloading it, signing it (the password again,
the exact file shown), and asking again for one that could not be made."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.forms.documents import SignForm
from contracts.models.contracts import ContractVersion
from contracts.models.documents import ContractDocument
from contracts.selectors import records
from contracts.services import documents
from contracts.services.signing import sign_version, signing_party
from contracts.views.common import contract_trail, fail
from contracts.views.contracts import contract_or_404
from core.errors import ApplicationError
from core.forms import attach_errors
from core.middleware import client_ip
from core.permissions import login_required


def _version_or_404(request, uuid, number) -> ContractVersion:
    contract = contract_or_404(request.user, uuid)
    version = records.version_for(request.user, contract.uuid, number)
    if version is None:
        raise Http404
    version.contract = contract
    return version


def pdf_filename(version: ContractVersion) -> str:
    return f"{version.contract.reference}-v{version.number}.pdf"


@login_required
def version_pdf(request, uuid, number):
    version = _version_or_404(request, uuid, number)
    document = getattr(version, "document", None)
    if document is None or document.status != ContractDocument.Status.READY:
        raise Http404
    try:
        data = documents.document_bytes(document)
    except ApplicationError as error:
        fail(request, error)
        return redirect("contracts:detail", uuid=version.contract.uuid)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf_filename(version)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def sign(request, uuid, number):
    version = _version_or_404(request, uuid, number)
    contract = version.contract
    party = signing_party(request.user, contract)
    if party is None:
        raise Http404
    document = getattr(version, "document", None)
    already = next((s for s in version.signatures.all() if s.party == party), None)
    form = SignForm(request.POST or None, initial={"shown_sha256": document and document.sha256})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sign_version(
                    version=version,
                    actor=request.user,
                    password=form.cleaned_data["password"],
                    shown_sha256=form.cleaned_data["shown_sha256"],
                    ip_address=client_ip(request),
                )
            except PermissionDenied as error:
                form.add_error("password", str(error))
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)d is signed for %(organization)s.")
                    % {
                        "number": version.number,
                        "organization": (
                            contract.lead_agency.name
                            if party == "agency"
                            else contract.provider.name
                        ),
                    },
                )
                return redirect("contracts:detail", uuid=contract.uuid)
    return render(
        request,
        "contracts/app/sign.html",
        {
            "contract": contract,
            "version": version,
            "document": document,
            "party": party,
            "already": already,
            "form": form,
            "breadcrumbs": contract_trail(
                contract, (_("Sign version %(number)d") % {"number": version.number}, "")
            ),
        },
        status=status,
    )


@login_required
@require_POST
def retry(request, uuid, number):
    version = _version_or_404(request, uuid, number)
    document = getattr(version, "document", None)
    if document is None:
        raise Http404
    try:
        documents.retry_document(document=document, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
    else:
        messages.success(request, _("The PDF is being prepared again."))
    return redirect("contracts:detail", uuid=version.contract.uuid)


urlpatterns = [
    path("app/contracts/<uuid:uuid>/versions/<int:number>/pdf/", version_pdf, name="version_pdf"),
    path("app/contracts/<uuid:uuid>/versions/<int:number>/sign/", sign, name="sign"),
    path("app/contracts/<uuid:uuid>/versions/<int:number>/retry/", retry, name="retry_document"),
]
