"""Performance notices in the workspace: the commissioner opens one (yearly, or at the
end), rates each KPI with the figures beside the targets, and publishes it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import rules
from contracts.forms.notices import NoticeForm
from contracts.models.notices import PerformanceNotice
from contracts.selectors import records
from contracts.services import notices as notice_services
from contracts.views.common import contract_trail, fail
from contracts.views.contracts import contract_or_404
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required


@login_required
@require_POST
def new_notice(request, uuid):
    contract = contract_or_404(request.user, uuid)
    kind = request.POST.get("kind", PerformanceNotice.Kind.PERIODIC)
    if kind not in PerformanceNotice.Kind.values:
        kind = PerformanceNotice.Kind.PERIODIC
    try:
        notice = notice_services.draft_notice(contract=contract, actor=request.user, kind=kind)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
        return redirect("contracts:detail", uuid=contract.uuid)
    return redirect("contracts:notice", uuid=notice.uuid)


@login_required
def notice(request, uuid):
    found = records.notice_for(request.user, uuid)
    if found is None:
        raise Http404
    contract = found.contract
    writes = (
        rules.is_contract_commissioner(request.user, contract)
        and found.status == PerformanceNotice.Status.DRAFT
    )
    form = NoticeForm(request.POST or None, notice=found)
    if not writes:
        for field in form.fields.values():
            field.disabled = True
    status = 200
    if request.method == "POST":
        if not writes:
            raise Http404
        status = 400
        if form.is_valid():
            publish = "publish" in request.POST
            values = {
                "summary_zh": form.cleaned_data["summary_zh"],
                "summary_en": form.cleaned_data["summary_en"],
                "ratings": form.ratings(),
            }
            try:
                if publish:
                    notice_services.publish_notice(notice=found, actor=request.user, **values)
                else:
                    notice_services.rate_notice(notice=found, actor=request.user, **values)
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The performance notice is published: anyone can read it.")
                    if publish
                    else _("The draft notice is saved."),
                )
                return redirect("contracts:notice", uuid=found.uuid)
    return render(
        request,
        "contracts/app/notice.html",
        {
            "notice": found,
            "contract": contract,
            "form": form,
            "writes": writes,
            "breadcrumbs": contract_trail(contract, (found.get_kind_display(), "")),
        },
        status=status,
    )


urlpatterns = [
    path("app/contracts/<uuid:uuid>/notices/new/", new_notice, name="new_notice"),
    path("app/contracts/notices/<uuid:uuid>/", notice, name="notice"),
]
