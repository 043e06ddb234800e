"""The verification queue: platform administrators (and agency supervisors where
``AGENCY_SUPERVISORS_VERIFY_PROVIDERS`` is on) check providers and change their status.

Each action offered is one the transition table allows from the provider's
current status; the services decide, audit and e-mail the provider.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, InvalidTransition
from core.permissions import rule_required
from providers import selectors, services
from providers.forms.registration import attach_errors
from providers.forms.verification import StatusChangeForm
from providers.models import PROVIDER_TRANSITIONS, Provider

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class StatusAction:
    name: str
    label: Promise
    done: Promise
    target: str
    source: str | None  # None: from any status the transition table allows
    service: Callable[..., Provider]
    needs_reason: bool


STATUS_ACTIONS = {
    action.name: action
    for action in (
        StatusAction(
            "verify",
            gettext_lazy("Verify"),
            gettext_lazy("The provider is verified and appears in the public directory."),
            Provider.Status.VERIFIED,
            Provider.Status.SUBMITTED,
            services.verify_provider,
            False,
        ),
        StatusAction(
            "reject",
            gettext_lazy("Reject"),
            gettext_lazy("The provider is rejected; it has been told why."),
            Provider.Status.REJECTED,
            None,
            services.reject_provider,
            True,
        ),
        StatusAction(
            "suspend",
            gettext_lazy("Suspend"),
            gettext_lazy("The provider is suspended and hidden from the public directory."),
            Provider.Status.SUSPENDED,
            None,
            services.suspend_provider,
            True,
        ),
        StatusAction(
            "reinstate",
            gettext_lazy("Reinstate"),
            gettext_lazy("The provider is verified again."),
            Provider.Status.VERIFIED,
            Provider.Status.SUSPENDED,
            services.reinstate_provider,
            False,
        ),
        StatusAction(
            "debar",
            gettext_lazy("Debar"),
            gettext_lazy("The provider is debarred for good."),
            Provider.Status.DEBARRED,
            None,
            services.debar_provider,
            True,
        ),
    )
}


def actions_allowed(provider: Provider) -> list[StatusAction]:
    return [
        action
        for action in STATUS_ACTIONS.values()
        if action.target in PROVIDER_TRANSITIONS[provider.status]
        and action.source in (None, provider.status)
    ]


QUEUE_TABS = (
    Provider.Status.SUBMITTED,
    Provider.Status.VERIFIED,
    Provider.Status.REJECTED,
    Provider.Status.SUSPENDED,
    Provider.Status.DEBARRED,
)


@rule_required("providers.verify_provider")
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
    labels = dict(Provider.Status.choices)
    events = list(events)
    for event in events:
        details = event.details or {}
        event.change = (
            (labels.get(details["from"], details["from"]), labels.get(details["to"], details["to"]))
            if "from" in details and "to" in details
            else None
        )
    return events


def _detail_context(provider: Provider, forms: dict | None = None) -> dict:
    forms = forms or {}
    return {
        "breadcrumbs": [
            (_("Verify providers"), reverse("providers:verification_queue")),
            (provider.organization.name, ""),
        ],
        "provider": provider,
        "organization": provider.organization,
        "documents": provider.documents.select_related("uploaded_by"),
        "history": _history_in_words(selectors.provider_history(provider)),
        "missing": services.missing_for_submission(provider),
        "credit_code_note": services.credit_code_note(provider.organization.credit_code or ""),
        "actions": [
            (action, forms.get(action.name) or StatusChangeForm(prefix=action.name))
            for action in actions_allowed(provider)
        ],
    }


def _provider_for_verifiers(uuid) -> Provider:
    return get_object_or_404(selectors.providers_for_verifiers(), uuid=uuid)


@rule_required("providers.verify_provider")
def detail(request, uuid):
    provider = _provider_for_verifiers(uuid)
    return render(request, "providers/verification/detail.html", _detail_context(provider))


@rule_required("providers.verify_provider")
@require_POST
def change_status(request, uuid, action):
    status_action = STATUS_ACTIONS.get(action)
    if status_action is None:
        raise Http404
    provider = _provider_for_verifiers(uuid)
    if status_action.source not in (None, provider.status):
        # "Verify" is for submitted providers, "reinstate" for suspended ones, even
        # where the transition table would reach the same status from elsewhere.
        messages.error(
            request,
            _("A provider that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Provider.Status(provider.status).label,
                "target": Provider.Status(status_action.target).label,
            },
        )
        return redirect("providers:verification_detail", uuid=provider.uuid)
    form = StatusChangeForm(request.POST, prefix=action)
    if form.is_valid():
        arguments = {"provider": provider, "actor": request.user}
        if status_action.needs_reason or form.cleaned_data["reason"]:
            arguments["reason"] = form.cleaned_data["reason"]
        try:
            status_action.service(**arguments)
        except InvalidTransition as error:
            # Someone else changed the status meanwhile: say so and show the page afresh.
            messages.error(request, error.message)
            return redirect("providers:verification_detail", uuid=provider.uuid)
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, status_action.done)
            return redirect("providers:verification_detail", uuid=provider.uuid)
    return render(
        request,
        "providers/verification/detail.html",
        _detail_context(provider, {action: form}),
    )
