"""Assessment pages: the workspace under /app/evaluation/assessments/ (the tabs, the
commission page, an assessment's scoring form and the agency's decision, evidence
files, the conflicts an assessor declares), and the public framework page and
report PDF under /assessments/.

Every object comes from a scoped selector (outside the person's scope: 404);
every write is a service call, which checks who may act (a refusal is 404 too,
as the object is not the person's to touch) and answers with messages a person
can act on. Which actions a page offers comes from the lifecycle table and the
rules, never a list of its own.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.rules import roles_of
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required, public
from evaluation.forms.assessments import (
    AttachmentForm,
    CommissionForm,
    ConflictForm,
    DecisionForm,
    ScoringForm,
)
from evaluation.models.assessments import ASSESSMENT_LIFECYCLE, Assessment
from evaluation.selectors import assessments as selectors
from evaluation.services import assessments as services

PAGE_SIZE = 25
TAB_LABELS = {
    "assigned": gettext_lazy("Assignments"),
    "in_progress": gettext_lazy("Drafts"),
    "submitted": pgettext_lazy("assessments tab", "Submitted"),
    "returned": gettext_lazy("Returned"),
    "history": gettext_lazy("Accepted and cancelled"),
}


def _trail(*items) -> list[tuple[str, str]]:
    return [
        (_("Workspace"), reverse("accounts:workspace")),
        (_("Assessments"), reverse("evaluation:assessments") if items else ""),
        *items,
    ]


def _fail(request, error: ApplicationError) -> None:
    """A refused write, as messages: the sentence, then each field's problem."""
    messages.error(request, error.message)
    for problems in error.field_errors.values():
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            if str(problem) != str(error.message):
                messages.error(request, problem)


def _in_scope_or_404(request) -> None:
    if not selectors.has_assessment_scope(request.user):
        raise Http404


def _assessment_or_404(request, uuid) -> Assessment:
    assessment = selectors.assessment_for(request.user, uuid)
    if assessment is None:
        raise Http404
    return assessment


# --- the workspace list -----------------------------------------------------------------------


@login_required
def assessment_list(request):
    _in_scope_or_404(request)
    user = request.user
    counts = selectors.tab_counts(user)
    held = roles_of(user)
    default = "assigned" if Role.ASSESSOR in held else "submitted"
    tab = request.GET.get("tab") or default
    if tab not in selectors.TAB_STATES:
        tab = default
    assessments = selectors.in_tab(selectors.assessments_visible_to(user), tab)
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/assessments/list.html",
        {
            "page_obj": page,
            "assessments": page.object_list,
            "tab": tab,
            "tabs": [(key, TAB_LABELS[key], counts[key]) for key, _states in selectors.TABS],
            "may_commission": Role.COMMISSIONER in held,
            "is_assessor": Role.ASSESSOR in held,
            "breadcrumbs": _trail(),
        },
    )


# --- commissioning ----------------------------------------------------------------------------


@login_required
def commission(request):
    user = request.user
    if not selectors.commissioning_agencies(user).exists():
        raise Http404
    form = CommissionForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = services.commission_assessment(
                    agency=data["agency"],
                    actor=user,
                    provider=data["provider"],
                    assessor=data["assessor"],
                    framework=data["framework"],
                    due_date=data["due_date"],
                    contract=data["contract"],
                    scope=data["scope"],
                    may_award_grade=data["may_award_grade"],
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Assessment %(reference)s is assigned to %(assessor)s.")
                    % {"reference": assessment.reference, "assessor": assessment.assessor.name},
                )
                return redirect("evaluation:assessment", uuid=assessment.uuid)
    return render(
        request,
        "evaluation/assessments/commission.html",
        {"form": form, "breadcrumbs": _trail((_("Commission an assessment"), ""))},
        status=status,
    )


# --- one assessment ---------------------------------------------------------------------------


def _actions(user, assessment: Assessment) -> dict:
    """What the page offers this person: asked of the rules and the lifecycle table."""
    own = rules.has_perm("evaluation.score_assessment", user, assessment)
    decides = rules.has_perm("evaluation.decide_assessment", user, assessment) and not own
    status = assessment.status
    return {
        "writes": own and status in services.EDITABLE_STATES,
        "decides": decides and status == Assessment.Status.SUBMITTED,
        "cancels": decides and ASSESSMENT_LIFECYCLE.allows(status, Assessment.Status.CANCELLED),
    }


def _render_detail(request, assessment, form, actions, *, status=200):
    return render(
        request,
        "evaluation/assessments/detail.html",
        {
            "assessment": assessment,
            "form": form,
            "scorecard": selectors.scorecard(assessment),
            "attachments": list(assessment.attachments.all()),
            "attachment_form": AttachmentForm(assessment=assessment),
            "decision_form": DecisionForm(assessment=assessment),
            **actions,
            "breadcrumbs": _trail((assessment.reference, "")),
        },
        status=status,
    )


@login_required
def assessment_detail(request, uuid):
    assessment = _assessment_or_404(request, uuid)
    user = request.user
    actions = _actions(user, assessment)
    form = ScoringForm(request.POST or None, assessment=assessment, editable=actions["writes"])
    if request.method != "POST":
        return _render_detail(request, assessment, form, actions)
    if not actions["writes"]:
        raise Http404
    if form.is_valid():
        submit = "submit" in request.POST
        service = services.submit_assessment if submit else services.save_assessment
        try:
            service(assessment=assessment, actor=user, **form.writes())
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            done = (
                _("Assessment %(reference)s is submitted: the agency decides on it.")
                if submit
                else _("Your draft of %(reference)s is saved; submit it when it is complete.")
            )
            messages.success(request, done % {"reference": assessment.reference})
            return redirect("evaluation:assessment", uuid=assessment.uuid)
    return _render_detail(request, assessment, form, actions, status=400)


@login_required
@require_POST
def add_attachment(request, uuid):
    assessment = _assessment_or_404(request, uuid)
    form = AttachmentForm(request.POST, request.FILES, assessment=assessment)
    if form.is_valid():
        try:
            services.add_attachment(
                assessment=assessment,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                indicator_code=form.cleaned_data["indicator"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The file is attached to the assessment."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("evaluation:assessment", uuid=assessment.uuid)


def _attachment_or_404(request, uuid):
    found = selectors.attachment_for(request.user, uuid)
    if found is None:
        raise Http404
    return found


@login_required
def attachment(request, uuid):
    found = _attachment_or_404(request, uuid)
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type or "application/octet-stream",
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
        services.remove_attachment(attachment=found, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The file is removed from the assessment."))
    return redirect("evaluation:assessment", uuid=found.assessment.uuid)


@login_required
@require_POST
def decide(request, uuid):
    assessment = _assessment_or_404(request, uuid)
    accept = request.POST.get("decision") == "accept"
    try:
        if accept:
            services.accept_assessment(
                assessment=assessment,
                actor=request.user,
                awarded_grade=request.POST.get("awarded_grade") or None,
            )
        else:
            services.return_assessment(
                assessment=assessment, actor=request.user, reason=request.POST.get("reason", "")
            )
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        _fail(request, error)
        return redirect("evaluation:assessment", uuid=assessment.uuid)
    messages.success(
        request,
        (
            _("Assessment %(reference)s is accepted; its report and summary will be public.")
            if accept
            else _("Assessment %(reference)s is returned to the assessor with your reason.")
        )
        % {"reference": assessment.reference},
    )
    return redirect("evaluation:assessment", uuid=assessment.uuid)


@login_required
@require_POST
def cancel(request, uuid):
    assessment = _assessment_or_404(request, uuid)
    try:
        services.cancel_assessment(assessment=assessment, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("Assessment %(reference)s is cancelled.") % {"reference": assessment.reference},
        )
    return redirect("evaluation:assessment", uuid=assessment.uuid)


# --- conflicts of interest --------------------------------------------------------------------


@login_required
def conflicts(request):
    user = request.user
    if not selectors.assessor_organizations_of(user).exists():
        raise Http404
    form = ConflictForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.declare_conflict(
                    assessor=form.cleaned_data["assessor"],
                    provider=form.cleaned_data["provider"],
                    reason=form.cleaned_data["reason"],
                    actor=user,
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your conflict with %(provider)s is declared: you will not be assigned "
                        "to assess it."
                    )
                    % {"provider": form.cleaned_data["provider"].name},
                )
                return redirect("evaluation:conflicts")
    return render(
        request,
        "evaluation/assessments/conflicts.html",
        {
            "form": form,
            "declarations": selectors.conflicts_declared_by(user),
            "breadcrumbs": _trail((_("Conflicts of interest"), "")),
        },
        status=status,
    )


# --- public -----------------------------------------------------------------------------------


@public
def framework_list(request):
    return render(
        request,
        "evaluation/assessments/framework_list.html",
        {
            "frameworks": selectors.frameworks(),
            "breadcrumbs": [(_("Home"), "/"), (_("Assessment standards"), "")],
        },
    )


@public
def framework_detail(request, code):
    framework = selectors.framework_by_code(code)
    if framework is None:
        raise Http404
    return render(
        request,
        "evaluation/assessments/framework.html",
        {
            "framework": framework,
            "breadcrumbs": [
                (_("Home"), "/"),
                (_("Assessment standards"), reverse("evaluation:frameworks")),
                (framework.name, ""),
            ],
        },
    )


@public
def report_pdf(request, uuid):
    """The report of an accepted assessment: public, like its summary."""
    assessment = selectors.public_report(uuid)
    if assessment is None:
        raise Http404
    with assessment.report.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{assessment.reference}.pdf"'
    return response


urlpatterns = [
    path("app/evaluation/assessments/", assessment_list, name="assessments"),
    path("app/evaluation/assessments/new/", commission, name="commission_assessment"),
    path("app/evaluation/assessments/<uuid:uuid>/", assessment_detail, name="assessment"),
    path(
        "app/evaluation/assessments/<uuid:uuid>/attach/",
        add_attachment,
        name="assessment_attach",
    ),
    path("app/evaluation/assessments/<uuid:uuid>/decide/", decide, name="decide_assessment"),
    path("app/evaluation/assessments/<uuid:uuid>/cancel/", cancel, name="cancel_assessment"),
    path(
        "app/evaluation/assessment-files/<uuid:uuid>/",
        attachment,
        name="assessment_attachment",
    ),
    path(
        "app/evaluation/assessment-files/<uuid:uuid>/remove/",
        remove_attachment,
        name="remove_assessment_attachment",
    ),
    path("app/evaluation/conflicts/", conflicts, name="conflicts"),
    path("assessments/standards/", framework_list, name="frameworks"),
    path("assessments/standards/<slug:code>/", framework_detail, name="framework"),
    path("assessments/<uuid:uuid>/report.pdf", report_pdf, name="assessment_report"),
]
