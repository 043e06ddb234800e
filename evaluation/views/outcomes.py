"""Outcome pages under /app/evaluation/: the provider agrees goals, records the outcome
(goal scores, or why the service did not go ahead); the caseworker confirms or
disputes it; the agency's supervisors resolve disputes.

The referral pages of both sides show the goals and the outcome with the
``outcome_panel`` tag (``evaluation.templatetags.outcomes``) and link here. Every
referral and outcome comes from a scoped selector (outside the person's scope:
404); every write is a service call, which checks who may act and answers with
field errors shown by their fields (status 400).
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import record_read
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required, rule_required
from evaluation.forms.outcomes import (
    CompletionForm,
    ConfirmForm,
    DisputeForm,
    FailureForm,
    GoalsForm,
    ResolveForm,
)
from evaluation.selectors import outcomes as selectors
from evaluation.services import outcomes as services
from referrals.selectors.lifecycle import referral_for

PAGE_SIZE = 25
# Why goals are read, in the audit log.
GOALS_PURPOSE = "Agree and score the referral's goals"
DISPUTE_PURPOSE = "Resolve a disputed outcome"


def _reference(referral) -> str:
    return str(referral.uuid)[:8].upper()


def _provider_referral_or_404(user, uuid):
    """A referral sent to the user's provider, which its staff may set goals for."""
    referral = referral_for(user, uuid)
    if referral is None or not rules.has_perm("evaluation.set_goals", user, referral):
        raise Http404
    return referral


def _outcome_or_404(user, uuid, perm: str):
    outcome = selectors.outcome_for(user, uuid)
    if outcome is None or not rules.has_perm(perm, user, outcome):
        raise Http404
    return outcome


def _inbox_trail(referral, current: str):
    return [
        (_("Workspace"), reverse("accounts:workspace")),
        (_("Referrals inbox"), reverse("referrals:inbox")),
        (
            _("Referral %(reference)s") % {"reference": _reference(referral)},
            reverse("referrals:inbox_referral", args=[referral.uuid]),
        ),
        (current, ""),
    ]


def _audit_goal_read(user, referral, goals) -> None:
    if goals:
        record_read(
            action="referral.goals_read",
            actor=user,
            organization=referral.agency_id,
            target=referral,
            purpose=GOALS_PURPOSE,
            fields=("goals",),
        )


def _refused(request, form, error: ApplicationError, template: str, context: dict):
    attach_errors(form, error)
    return render(request, template, {**context, "form": form}, status=400)


@login_required
def goals(request, uuid):
    """The provider agrees the goals (or changes them, which clears their scores)."""
    referral = _provider_referral_or_404(request.user, uuid)
    existing = selectors.goals_of(referral)
    _audit_goal_read(request.user, referral, existing)
    context = {
        "referral": referral,
        "reference": _reference(referral),
        "breadcrumbs": _inbox_trail(referral, _("Goals")),
        "open": referral.status in services.GOAL_STATUSES,
    }
    if request.method == "POST":
        form = GoalsForm(request.POST, goals=existing)
        if form.is_valid():
            try:
                services.set_goals(referral=referral, user=request.user, goals=form.goals())
            except ApplicationError as error:
                return _refused(request, form, error, "evaluation/outcomes/goals.html", context)
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(request, _("Goals saved. The caseworker sees them with the referral."))
            return redirect("referrals:inbox_referral", uuid=referral.uuid)
        return render(
            request, "evaluation/outcomes/goals.html", {**context, "form": form}, status=400
        )
    form = GoalsForm(goals=existing)
    return render(request, "evaluation/outcomes/goals.html", {**context, "form": form})


@login_required
def complete(request, uuid):
    """The provider scores each goal and completes the referral with its T-score."""
    referral = _provider_referral_or_404(request.user, uuid)
    goal_list = selectors.goals_of(referral)
    _audit_goal_read(request.user, referral, goal_list)
    context = {
        "referral": referral,
        "reference": _reference(referral),
        "goals": goal_list,
        "breadcrumbs": _inbox_trail(referral, _("Record the outcome")),
    }
    template = "evaluation/outcomes/complete.html"
    if request.method == "POST":
        form = CompletionForm(request.POST, goals=goal_list)
        if form.is_valid():
            try:
                outcome = services.complete_with_goals(
                    referral=referral,
                    user=request.user,
                    attainments=form.attainments(),
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                return _refused(request, form, error, template, context)
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(
                request,
                _(
                    "Service completed with T-score %(score)s; the caseworker confirms it. Hand "
                    "the person the survey slip."
                )
                % {"score": outcome.t_score},
            )
            return redirect("referrals:inbox_referral", uuid=referral.uuid)
        return render(request, template, {**context, "form": form}, status=400)
    return render(request, template, {**context, "form": CompletionForm(goals=goal_list)})


@login_required
def fail(request, uuid):
    """The provider records that the service did not go ahead, and why."""
    referral = _provider_referral_or_404(request.user, uuid)
    context = {
        "referral": referral,
        "reference": _reference(referral),
        "breadcrumbs": _inbox_trail(referral, _("Did not go ahead")),
    }
    template = "evaluation/outcomes/fail.html"
    if request.method == "POST":
        form = FailureForm(request.POST)
        if form.is_valid():
            try:
                services.record_failure(
                    referral=referral,
                    user=request.user,
                    reason_code=form.cleaned_data["reason_code"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                return _refused(request, form, error, template, context)
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(
                request, _("Recorded that the service did not go ahead; the caseworker is told.")
            )
            return redirect("referrals:inbox_referral", uuid=referral.uuid)
        return render(request, template, {**context, "form": form}, status=400)
    return render(request, template, {**context, "form": FailureForm()})


@login_required
@require_POST
def confirm(request, uuid):
    """The caseworker confirms the outcome: it counts, and the referral closes."""
    outcome = _outcome_or_404(request.user, uuid, "evaluation.confirm_outcome")
    form = ConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.confirm_outcome(outcome=outcome, user=request.user, note=note)
    except ApplicationError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("Outcome confirmed; the referral is closed."))
    return redirect("referrals:referral", uuid=outcome.referral.uuid)


@login_required
def dispute(request, uuid):
    """The caseworker disputes the outcome, with the reason the supervisor will read."""
    outcome = _outcome_or_404(request.user, uuid, "evaluation.confirm_outcome")
    referral = outcome.referral
    context = {
        "outcome": outcome,
        "referral": referral,
        "reference": _reference(referral),
        "breadcrumbs": [
            (_("Workspace"), reverse("accounts:workspace")),
            (
                _("Referral %(reference)s") % {"reference": _reference(referral)},
                reverse("referrals:referral", args=[referral.uuid]),
            ),
            (_("Dispute the outcome"), ""),
        ],
    }
    template = "evaluation/outcomes/dispute.html"
    if request.method == "POST":
        form = DisputeForm(request.POST)
        if form.is_valid():
            try:
                services.dispute_outcome(
                    outcome=outcome, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as error:
                return _refused(request, form, error, template, context)
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(
                request, _("Outcome disputed; the referral is closed and a supervisor decides.")
            )
            return redirect("referrals:referral", uuid=referral.uuid)
        return render(request, template, {**context, "form": form}, status=400)
    return render(request, template, {**context, "form": DisputeForm()})


@rule_required("evaluation.open_disputes")
def disputes(request):
    """The supervisor's list of disputed outcomes, oldest first."""
    page = Paginator(selectors.disputes_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/outcomes/disputes.html",
        {
            "page_obj": page,
            "breadcrumbs": [
                (_("Workspace"), reverse("accounts:workspace")),
                (_("Disputed outcomes"), ""),
            ],
        },
    )


@rule_required("evaluation.open_disputes")
def dispute_detail(request, uuid):
    """Both sides of one dispute, and the supervisor's decision."""
    outcome = _outcome_or_404(request.user, uuid, "evaluation.resolve_outcome")
    goal_list = selectors.goals_of(outcome.referral)
    scores = {row["number"]: row["attainment"] for row in outcome.scores}
    record_read(
        action="outcome.dispute_read",
        actor=request.user,
        organization=outcome.agency_id,
        target=outcome.referral,
        purpose=DISPUTE_PURPOSE,
        fields=("goals", "dispute_reason"),
    )
    context = {
        "outcome": outcome,
        "rows": [(goal, scores.get(goal.number)) for goal in goal_list],
        "reference": _reference(outcome.referral),
        "open": outcome.status == outcome.Status.DISPUTED,
        "breadcrumbs": [
            (_("Workspace"), reverse("accounts:workspace")),
            (_("Disputed outcomes"), reverse("evaluation:disputes")),
            (_("Referral %(reference)s") % {"reference": _reference(outcome.referral)}, ""),
        ],
    }
    template = "evaluation/outcomes/dispute_detail.html"
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                services.resolve_dispute(
                    outcome=outcome,
                    user=request.user,
                    uphold=form.cleaned_data["decision"] == "uphold",
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                return _refused(request, form, error, template, context)
            except PermissionDenied as error:
                raise Http404 from error
            messages.success(request, _("Decision recorded; both sides are told."))
            return redirect("evaluation:disputes")
        return render(request, template, {**context, "form": form}, status=400)
    return render(request, template, {**context, "form": ResolveForm()})


urlpatterns = [
    path("app/evaluation/referrals/<uuid:uuid>/goals/", goals, name="goals"),
    path("app/evaluation/referrals/<uuid:uuid>/outcome/", complete, name="complete"),
    path("app/evaluation/referrals/<uuid:uuid>/did-not-go-ahead/", fail, name="fail"),
    path("app/evaluation/outcomes/<uuid:uuid>/confirm/", confirm, name="confirm_outcome"),
    path("app/evaluation/outcomes/<uuid:uuid>/dispute/", dispute, name="dispute_outcome"),
    path("app/evaluation/disputes/", disputes, name="disputes"),
    path("app/evaluation/disputes/<uuid:uuid>/", dispute_detail, name="dispute"),
]
