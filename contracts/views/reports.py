"""Progress reports: the provider's administrator writes and submits each period's
report (KPI figures from platform data filled in and fixed; those measured by report
typed in), attaches files; the commissioner accepts it or returns it with comments.
Read by the lead agency's staff and the provider's people only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import rules
from contracts.forms.reports import AttachmentForm, ReportForm, ReviewForm
from contracts.models.reports import OUTSTANDING_REPORT_STATES, ProgressReport
from contracts.selectors import records
from contracts.services import reports as report_services
from contracts.views.common import contract_trail, fail
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required


def _report_or_404(request, uuid) -> ProgressReport:
    report = records.report_for(request.user, uuid)
    if report is None:
        raise Http404
    return report


@login_required
def report(request, uuid):
    report = _report_or_404(request, uuid)
    contract = report.contract
    user = request.user
    writes = (
        rules.is_contract_provider_admin(user, contract)
        and report.status in OUTSTANDING_REPORT_STATES
    )
    if writes and request.method == "GET":
        # The platform's figures for the period, as of now (fixed once submitted).
        report_services.refresh_platform_actuals(report)
    actuals = list(report.actuals.select_related("kpi").order_by("kpi__number"))
    form = ReportForm(request.POST or None, report=report, actuals=actuals, editable=writes)
    status = 200
    if request.method == "POST":
        if not writes:
            raise Http404
        status = 400
        if form.is_valid():
            submit = "submit" in request.POST
            service = report_services.submit_report if submit else report_services.save_report
            try:
                service(
                    report=report,
                    actor=user,
                    outputs=form.cleaned_data["outputs"],
                    narrative=form.cleaned_data["narrative"],
                    actuals=form.actuals(),
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                done = (
                    _("Report %(number)d is submitted: the agency reviews it.")
                    if submit
                    else _("Report %(number)d is saved; submit it when it is complete.")
                )
                messages.success(request, done % {"number": report.number})
                return redirect("contracts:report", uuid=report.uuid)
    return render(
        request,
        "contracts/app/report.html",
        {
            "report": report,
            "contract": contract,
            "form": form,
            "writes": writes,
            "attachment_form": AttachmentForm(),
            "reviews": rules.is_contract_commissioner(user, contract)
            and report.status == ProgressReport.Status.SUBMITTED,
            "review_form": ReviewForm(),
            "breadcrumbs": contract_trail(
                contract, (_("Progress report %(number)d") % {"number": report.number}, "")
            ),
        },
        status=status,
    )


@login_required
@require_POST
def add_attachment(request, uuid):
    report = _report_or_404(request, uuid)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data.get("file"):
        try:
            report_services.add_attachment(
                report=report, actor=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            fail(request, error)
        else:
            messages.success(request, _("The file is attached to the report."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("contracts:report", uuid=report.uuid)


def _attachment_or_404(request, uuid):
    attachment = records.attachment_for(request.user, uuid)
    if attachment is None:
        raise Http404
    return attachment


@login_required
def attachment(request, uuid):
    found = _attachment_or_404(request, uuid)
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        as_attachment=True,
        filename=found.name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def remove_attachment(request, uuid):
    found = _attachment_or_404(request, uuid)
    try:
        report_services.remove_attachment(attachment=found, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
    else:
        messages.success(request, _("The file is removed from the report."))
    return redirect("contracts:report", uuid=found.report.uuid)


@login_required
@require_POST
def review(request, uuid):
    report = _report_or_404(request, uuid)
    accept = request.POST.get("decision") == "accept"
    service = report_services.accept_report if accept else report_services.return_report
    try:
        service(report=report, actor=request.user, comments=request.POST.get("comments", ""))
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
        return redirect("contracts:report", uuid=report.uuid)
    messages.success(
        request,
        _("Report %(number)d is accepted.") % {"number": report.number}
        if accept
        else _("Report %(number)d is returned to the provider with your comments.")
        % {"number": report.number},
    )
    return redirect("contracts:detail", uuid=report.contract.uuid)


urlpatterns = [
    path("app/contracts/reports/<uuid:uuid>/", report, name="report"),
    path("app/contracts/reports/<uuid:uuid>/attach/", add_attachment, name="add_attachment"),
    path("app/contracts/reports/<uuid:uuid>/review/", review, name="review_report"),
    path("app/contracts/attachments/<uuid:uuid>/", attachment, name="attachment"),
    path(
        "app/contracts/attachments/<uuid:uuid>/remove/",
        remove_attachment,
        name="remove_attachment",
    ),
]
