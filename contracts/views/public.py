"""Public contract pages: the list of contract notices, one contract's notice, its signed
PDF, and the page that checks an uploaded PDF against the platform's signed versions.

No sign-in, and nothing personal: parties are organizations (names and unified social
credit codes, which are public registers); signatures are shown by party and
organization, never by the signatory's name or address. There is no rate limit on
the verification page: the project has no shared helper for one yet, and a check
reads a few rows and the upload (at most 10 MB), which is never stored.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models.contracts import Contract
from contracts.selectors import public as public_selectors
from contracts.services import documents
from core.errors import ApplicationError
from core.permissions import public
from core.uploads import sniff_uploaded_file

PER_PAGE = 25
VERIFY_MAX_BYTES = 10 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Contract PDF"),
        help_text=gettext_lazy("The signed PDF as you received it; at most 10 MB."),
        error_messages={
            "required": gettext_lazy("Choose the PDF file to check."),
            "empty": gettext_lazy("The file is empty. Choose the PDF file to check."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; files may be at most 10 MB.")
                % {"size": upload.size / 1_048_576}
            )
        # By its first bytes, never by its name or the browser's content type.
        if sniff_uploaded_file(upload) != "application/pdf":
            raise forms.ValidationError(_("This is not a PDF file."))
        return upload


def _breadcrumbs(*items):
    return [(_("Home"), "/"), (_("Contracts"), reverse("contracts:public_list")), *items]


@public
def contract_list(request):
    status = request.GET.get("status", "")
    agency = request.GET.get("agency", "")
    contracts = public_selectors.public_contract_list(status=status, agency=agency)
    page = Paginator(contracts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/public/contract_list.html",
        {
            "page_obj": page,
            "contracts": page.object_list,
            "status": status,
            "statuses": [(s, Contract.Status(s).label) for s in public_selectors.PUBLIC_STATES],
            "agency": agency,
            "agencies": public_selectors.public_agencies(),
            "breadcrumbs": [(_("Home"), "/"), (_("Contracts"), "")],
        },
    )


@public
def contract_detail(request, uuid):
    notice = public_selectors.contract_notice(uuid)
    if notice is None:
        raise Http404
    return render(
        request,
        "contracts/public/contract_detail.html",
        {"notice": notice, "breadcrumbs": _breadcrumbs((notice.contract.reference, ""))},
    )


@public
def contract_pdf(request, uuid, number):
    document = public_selectors.public_signed_document(uuid, version=number)
    if document is None:
        raise Http404
    try:
        data = documents.document_bytes(document)
    except ApplicationError as error:
        # The stored file is not the one recorded: serve nothing rather than it.
        raise Http404 from error
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{document.version.contract.reference}-v{number}.pdf"'
    )
    return response


@public
def verify(request):
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = public_selectors.verify_upload(form.cleaned_data["file"].read())
        else:
            status = 400
    return render(
        request,
        "contracts/public/verify.html",
        {
            "form": form,
            "result": result,
            "breadcrumbs": _breadcrumbs((_("Check a signed contract"), "")),
        },
        status=status,
    )


urlpatterns = [
    path("contracts/", contract_list, name="public_list"),
    path("contracts/verify/", verify, name="verify"),
    path("contracts/<uuid:uuid>/", contract_detail, name="public_detail"),
    path("contracts/<uuid:uuid>/versions/<int:number>/pdf/", contract_pdf, name="public_pdf"),
]
