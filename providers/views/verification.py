"""The verification queue: platform administrators (and agency supervisors where
``AGENCY_SUPERVISORS_VERIFY_PROVIDERS`` is on) check providers and change their status.

Each decision offered is one ``PROVIDER_LIFECYCLE`` allows from the provider's
current status, to a person ``providers.rules.can_verify_providers`` lets
decide; the services check both again, audit and e-mail the provider.

The same page shows the provider's evaluation grade with its certificate, and
lets a platform administrator (``providers.rules.can_verify_grade``) verify or
refuse a declared grade, while verifying the provider or on its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, InvalidTransition
from core.forms import attach_errors
from providers import selectors
from providers.forms.grades import GradeDecisionForm
from providers.forms.verification import StatusChangeForm
from providers.models import PROVIDER_LIFECYCLE, Provider
from providers.rules import can_verify_grade, can_verify_providers
from providers.services import grades, registration, verification
from providers.views.access import verifier_required

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class Decision:
    """A button of the verification page: the service it calls and the status it reaches."""

    name: str
    label: Promise
    done: Promise
    target: str
    source: str | None  # None: from any status the lifecycle allows
    service: Callable[..., Provider]

    @property
    def needs_reason(self) -> bool:
        return self.target in verification.REASON_REQUIRED


DECISIONS = {
    decision.name: decision
    for decision in (
        Decision(
            "verify",
            gettext_lazy("Verify"),
            gettext_lazy("The provider is verified and appears in the public directory."),
            Provider.Status.VERIFIED,
            Provider.Status.SUBMITTED,
            verification.verify_provider,
        ),
        Decision(
            "reject",
            gettext_lazy("Reject"),
            gettext_lazy("The provider is rejected; it has been told why."),
            Provider.Status.REJECTED,
            None,
            verification.reject_provider,
        ),
        Decision(
            "suspend",
            gettext_lazy("Suspend"),
            gettext_lazy("The provider is suspended and hidden from the public directory."),
            Provider.Status.SUSPENDED,
            None,
            verification.suspend_provider,
        ),
        Decision(
            "reinstate",
            gettext_lazy("Reinstate"),
            gettext_lazy("The provider is verified again."),
            Provider.Status.VERIFIED,
            Provider.Status.SUSPENDED,
            verification.reinstate_provider,
        ),
        Decision(
            "debar",
            gettext_lazy("Debar"),
            gettext_lazy("The provider is debarred for good."),
            Provider.Status.DEBARRED,
            None,
            verification.debar_provider,
        ),
    )
}


def decisions_for(user, provider: Provider) -> list[Decision]:
    """The decisions ``user`` may take on ``provider`` now: the lifecycle allows the move
    from its status, and the user is one of the people who verify providers."""
    if not can_verify_providers.test(user):
        return []
    return [
        decision
        for decision in DECISIONS.values()
        if PROVIDER_LIFECYCLE.allows(provider.status, decision.target)
        and decision.source in (None, provider.status)
    ]


QUEUE_TABS = (
    Provider.Status.SUBMITTED,
    Provider.Status.VERIFIED,
    Provider.Status.REJECTED,
    Provider.Status.SUSPENDED,
    Provider.Status.DEBARRED,
)


@verifier_required
def queue(request):
    status = request.GET.get("status", Provider.Status.SUBMITTED)
    if status not in (*QUEUE_TABS, "all"):
        status = Provider.Status.SUBMITTED
    counts = selectors.verification_counts()
    tabs = [(value, Provider.Status(value).label, counts.get(value, 0)) for value in QUEUE_TABS]
    page = Paginator(
        selectors.verification_queue(None if status == "all" else status), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/verification/queue.html",
        {
            "status": status,
            "tabs": tabs,
            "total": sum(counts.values()),
            "page_obj": page,
            "providers": page.object_list,
        },
    )


def _history_in_words(events) -> list:
    """Audit events with their status change in words (the log stores the codes)."""
    status_labels = dict(Provider.Status.choices)
    grade_labels = dict(Provider.GradeStatus.choices)
    events = list(events)
    for event in events:
        details = event.details or {}
        labels = grade_labels if event.action.startswith("provider.grade_") else status_labels
        event.change = (
            (labels.get(details["from"], details["from"]), labels.get(details["to"], details["to"]))
            if "from" in details and "to" in details
            else None
        )
    return events


def _detail_context(
    request, provider: Provider, forms: dict | None = None, grade_form=None
) -> dict:
    forms = forms or {}
    may_decide_grade = (
        provider.grade_status == Provider.GradeStatus.DECLARED
        and can_verify_grade.test(request.user, provider)
    )
    return {
        "breadcrumbs": [
            (_("Verify providers"), reverse("providers:verification_queue")),
            (provider.organization.name, ""),
        ],
        "provider": provider,
        "organization": provider.organization,
        "documents": provider.documents.select_related("uploaded_by"),
        "history": _history_in_words(selectors.provider_history(provider)),
        "missing": registration.missing_for_submission(provider),
        "credit_code_note": registration.credit_code_note(provider.organization.credit_code or ""),
        "actions": [
            (decision, forms.get(decision.name) or StatusChangeForm(prefix=decision.name))
            for decision in decisions_for(request.user, provider)
        ],
        "may_decide_grade": may_decide_grade,
        "grade_form": (grade_form or GradeDecisionForm()) if may_decide_grade else None,
    }


def _provider_for_verifiers(uuid) -> Provider:
    return get_object_or_404(
        selectors.providers_for_verifiers().select_related("grade_document", "grade_verified_by"),
        uuid=uuid,
    )


@verifier_required
def detail(request, uuid):
    provider = _provider_for_verifiers(uuid)
    return render(request, "providers/verification/detail.html", _detail_context(request, provider))


@verifier_required
@require_POST
def change_status(request, uuid, action):
    decision = DECISIONS.get(action)
    if decision is None:
        raise Http404
    provider = _provider_for_verifiers(uuid)
    if decision.source not in (None, provider.status):
        # "Verify" is for submitted providers, "reinstate" for suspended ones, even
        # where the lifecycle would reach the same status from elsewhere.
        messages.error(
            request,
            PROVIDER_LIFECYCLE.refusal
            % {
                "current": PROVIDER_LIFECYCLE.state_label(provider.status),
                "target": PROVIDER_LIFECYCLE.state_label(decision.target),
            },
        )
        return redirect("providers:verification_detail", uuid=provider.uuid)
    form = StatusChangeForm(request.POST, prefix=action)
    if form.is_valid():
        arguments = {"provider": provider, "actor": request.user}
        if decision.needs_reason or form.cleaned_data["reason"]:
            arguments["reason"] = form.cleaned_data["reason"]
        try:
            decision.service(**arguments)
        except InvalidTransition as error:
            # Someone else changed the status meanwhile: say so and show the page afresh.
            messages.error(request, error.message)
            return redirect("providers:verification_detail", uuid=provider.uuid)
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, decision.done)
            return redirect("providers:verification_detail", uuid=provider.uuid)
    return render(
        request,
        "providers/verification/detail.html",
        _detail_context(request, provider, {action: form}),
    )


@verifier_required
@require_POST
def decide_grade(request, uuid):
    """Verify or refuse the declared grade, having read its certificate."""
    provider = _provider_for_verifiers(uuid)
    if not can_verify_grade.test(request.user, provider):
        # A supervisor who verifies registrations, or an administrator who works
        # for this provider: they see the page, the grade is not theirs to decide.
        raise PermissionDenied(grades.NOT_GRADE_VERIFIER)
    form = GradeDecisionForm(request.POST)
    if form.is_valid():
        try:
            grades.verify_declared_grade(
                provider=provider,
                user=request.user,
                accept=form.accepts,
                note=form.cleaned_data["note"],
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("providers:verification_detail", uuid=provider.uuid)
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("The grade is verified: it now counts for tenders and the directory.")
                if form.accepts
                else _("The grade is refused and cleared; the provider reads your note."),
            )
            return redirect("providers:verification_detail", uuid=provider.uuid)
    return render(
        request,
        "providers/verification/detail.html",
        _detail_context(request, provider, grade_form=form),
    )
