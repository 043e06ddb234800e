"""The caseworker's referral pages: refer a need to a service, follow each referral, and
move it — send, recall, confirm the outcome (close), reopen.

The actions a referral's page offers are the moves ``REFERRAL_LIFECYCLE``
allows from its state, for a person the ``referrals.rules`` predicates let
make them; each change goes through one service, which checks both again.
"""

from uuid import UUID

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import rule_required
from evaluation.selectors import outcomes as outcome_selectors
from providers import selectors as provider_selectors
from referrals.forms import ActionForm, ConsentForm, NoteForm, OverrideForm, ReferForm
from referrals.models.assessments import Priority
from referrals.models.consent import ShareableField
from referrals.models.lifecycle import (
    ACTIVE_STATUSES,
    REFERRAL_LIFECYCLE,
    RETURNED_STATUSES,
    Referral,
)
from referrals.selectors import consent as consent_selectors
from referrals.selectors import lifecycle as selectors
from referrals.services import beneficiaries as beneficiary_services
from referrals.services import lifecycle as services
from referrals.views.common import (
    CASEWORK,
    PAGE_SIZE,
    REFERRAL_LIST_DEFERRED,
    breadcrumbs,
    managed_referral_or_404,
    need_or_404,
    people_crumb,
    person_crumb,
    reference_of,
    referral_or_404,
    referral_reference,
)

S = Referral.Status


def _referable_service(value: str):
    """The service a caseworker chose, if it takes referrals now; None for anything else."""
    try:
        service_uuid = UUID(str(value))
    except ValueError:
        return None
    return (
        provider_selectors.referable_services()
        .select_related("provider__organization", "tier")
        .filter(uuid=service_uuid)
        .first()
    )


@rule_required(CASEWORK)
def create_referral(request, uuid):
    """Confirm the service, urgency and reason; the draft then waits for consent."""
    need = need_or_404(request.user, uuid, change=True)
    beneficiary = need.assessment.beneficiary
    data = request.POST if request.method == "POST" else None
    default_urgency = (
        Referral.Urgency.URGENT
        if need.assessment.priority == Priority.URGENT
        else Referral.Urgency.ROUTINE
    )
    service_uuid = (data or request.GET).get("service", "")
    form = ReferForm(data, initial={"service": service_uuid, "urgency": default_urgency})
    service = _referable_service(service_uuid)
    if service is None:
        messages.error(
            request, _("That service does not take referrals now; choose one from the list.")
        )
        return redirect("referrals:matches", uuid=need.uuid)
    if data is not None and form.is_valid():
        try:
            referral = services.create_referral(
                need=need,
                service=service,
                user=request.user,
                urgency=form.cleaned_data["urgency"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Draft referral to %(service)s made. Record the person's consent, then send it.")
                % {"service": service.name},
            )
            return redirect("referrals:referral", uuid=referral.uuid)
    return render(
        request,
        "referrals/refer.html",
        {
            "need": need,
            "beneficiary": beneficiary,
            "service": service,
            "form": form,
            "breadcrumbs": breadcrumbs(
                people_crumb(),
                person_crumb(beneficiary),
                (
                    _("Services for %(need)s") % {"need": need.category.name},
                    reverse("referrals:matches", args=[need.uuid]),
                ),
                (_("Refer"), ""),
            ),
        },
        status=400 if form.errors else 200,
    )


@rule_required(CASEWORK)
def referral_list(request):
    status_filter = request.GET.get("status", "")
    if status_filter not in S.values:
        status_filter = ""
    counts = selectors.referral_counts_for_agency(request.user)
    tabs = [
        (value, label, counts.get(value, 0))
        for value, label in S.choices
        if counts.get(value) or value == status_filter
    ]
    referrals = selectors.referrals_visible_to(request.user).defer(*REFERRAL_LIST_DEFERRED)
    if status_filter:
        referrals = referrals.filter(status=status_filter)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    returned = list(selectors.returned_to(request.user).defer(*REFERRAL_LIST_DEFERRED)[:PAGE_SIZE])
    return render(
        request,
        "referrals/referral_list.html",
        {
            "status": status_filter,
            "tabs": tabs,
            "total": sum(counts.values()),
            "page_obj": page,
            "referrals": page.object_list,
            "returned": returned,
            "breadcrumbs": breadcrumbs((_("Referrals"), "")),
        },
    )


def _offered_forms(user, referral: Referral) -> dict:
    """The forms of the moves this person may make now: the table says which moves the
    referral's state allows, the rules whether this person makes them."""
    can_manage = rules.has_perm("referrals.manage_referral", user, referral)
    can_override = rules.has_perm("referrals.override_consent", user, referral)

    def allows(to: str) -> bool:
        return REFERRAL_LIFECYCLE.allows(referral.status, to)

    return {
        # Consent is recorded, and revoked, while the referral is open.
        "consent": ConsentForm() if can_manage and referral.status in ACTIVE_STATUSES else None,
        # An override lets a draft be sent without consent: offered while it can be sent.
        "override": OverrideForm() if can_override and allows(S.SENT) else None,
        "send": ActionForm(prefix="send") if can_manage and allows(S.SENT) else None,
        "recall": NoteForm(prefix="recall") if can_manage and allows(S.RECALLED) else None,
        # A provider's outcome with goals is confirmed or disputed in its panel instead,
        # which closes the referral; this form is for an outcome recorded without goals.
        "close": (
            NoteForm(prefix="close")
            if can_manage
            and allows(S.CLOSED)
            and not outcome_selectors.outcome_awaits_caseworker(referral)
            else None
        ),
        "reopen": (
            NoteForm(prefix="reopen", note_required=True, note_label=_("Why reopen?"))
            if can_manage and allows(S.REOPENED)
            else None
        ),
    }


def render_referral(request, referral, *, bound=None, status=200):
    """The agency's page of one referral; ``bound`` = (form name, form) that failed."""
    user = request.user
    forms = _offered_forms(user, referral)
    if bound is not None:
        name, form = bound
        forms[name] = form
    consent = consent_selectors.current_consent(referral)
    consents = sorted(referral.consents.all(), key=lambda c: c.given_at, reverse=True)
    events = list(referral.events.all())
    shown = {
        "reason": referral.reason,
        "outcome_note": referral.outcome_note,
        "event_notes": any(event.note for event in events),
        "override_reason": any(c.override_reason for c in consents),
        "revocation_note": any(c.revocation_note for c in consents),
    }
    beneficiary_services.record_case_notes_read(
        user=user,
        shown={referral.beneficiary: [name for name, there in shown.items() if there]},
        purpose=_("Follow up the referral"),
    )
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": referral,
            "beneficiary": referral.beneficiary,
            "reference": reference_of(referral.beneficiary),
            "events": events,
            "consent": consent,
            "consents": consents,
            "forms": forms,
            "bound_form": bound[1] if bound else None,
            "can_manage": rules.has_perm("referrals.manage_referral", user, referral),
            "is_returned": referral.status in RETURNED_STATUSES,
            "shareable_fields": ShareableField.choices,
            "breadcrumbs": breadcrumbs(
                (_("Referrals"), reverse("referrals:referral_list")),
                (_("Referral %(reference)s") % {"reference": referral_reference(referral)}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def referral(request, uuid):
    return render_referral(request, referral_or_404(request.user, uuid))


def referral_action(
    request, uuid, *, name, form, perform, success, perm="referrals.manage_referral"
):
    """Run one change of a referral from its page: ``perform(referral, data)`` calls a service."""
    referral = managed_referral_or_404(request.user, uuid, perm)
    if form.is_valid():
        try:
            perform(referral, form.cleaned_data)
        except ApplicationError as error:
            attach_errors(form, error, field_map=getattr(form, "FIELD_MAP", None))
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, success)
            return redirect("referrals:referral", uuid=referral.uuid)
    return render_referral(request, referral, bound=(name, form), status=400)


def _note_action(request, uuid, *, name, service, success, **form_kwargs):
    form = NoteForm(request.POST, prefix=name, **form_kwargs)
    return referral_action(
        request,
        uuid,
        name=name,
        form=form,
        perform=lambda referral, data: service(
            referral=referral, user=request.user, note=data["note"]
        ),
        success=success,
    )


@rule_required(CASEWORK)
@require_POST
def send(request, uuid):
    return referral_action(
        request,
        uuid,
        name="send",
        form=ActionForm(request.POST, prefix="send"),
        perform=lambda referral, data: services.send_referral(referral=referral, user=request.user),
        success=_("Referral sent. The provider is told and the answer clock runs."),
    )


@rule_required(CASEWORK)
@require_POST
def recall(request, uuid):
    return _note_action(
        request,
        uuid,
        name="recall",
        service=services.recall_referral,
        success=_("Referral recalled."),
    )


@rule_required(CASEWORK)
@require_POST
def close(request, uuid):
    return _note_action(
        request,
        uuid,
        name="close",
        service=services.close_referral,
        success=_("Outcome confirmed; the referral is closed."),
    )


@rule_required(CASEWORK)
@require_POST
def reopen(request, uuid):
    return _note_action(
        request,
        uuid,
        name="reopen",
        service=services.reopen_referral,
        success=_("Referral reopened; the provider is told."),
        note_required=True,
        note_label=_("Why reopen?"),
    )
