"""The provider's inbox: referrals sent to its services, and its answers to them.

Open to the provider's administrators and staff (``referrals.open_inbox``); a
referral of another provider, or a draft, answers 404. While a referral waits
for an answer the provider sees the need, the district, the urgency and the
age band — nothing else (SPEC §4). Once it has accepted, it sees exactly the
fields the person consented to share, read through
``services.read_shared_fields`` (audited); a revoked or expired consent hides
them again. Opening a sent referral marks it viewed.
"""

from dataclasses import dataclass

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.permissions import rule_required
from referrals import selectors, services
from referrals.forms import CompleteForm, DeclineForm, FailForm, NoteForm, attach_errors
from referrals.models import ACCEPTED_STATUSES, AWAITING_ANSWER, Referral

PAGE_SIZE = 50
INBOX = "referrals.open_inbox"
# Why the provider reads the person's details: the purpose in the audit log.
DELIVERY_PURPOSE = gettext_lazy("Deliver the referred service")
# A pending referral shows none of these, so the inbox never fetches them.
INBOX_DEFERRED = (
    "reason",
    "outcome_note",
    *(f"beneficiary__{name}" for name in selectors.PERSONAL_FIELDS),
)


@dataclass(frozen=True)
class Answer:
    """One answer a provider can give: the service that gives it and the form it needs."""

    service: object
    form_class: type
    success: str
    arguments: tuple[str, ...] = ("note",)


ANSWERS = {
    "accept": Answer(
        services.accept_referral,
        NoteForm,
        gettext_lazy("Referral accepted: one of the service's places is now taken."),
    ),
    "decline": Answer(
        services.decline_referral,
        DeclineForm,
        gettext_lazy("Referral declined; it goes back to the caseworker with your reason."),
        ("reason_code", "note"),
    ),
    "waitlist": Answer(
        services.waitlist_referral,
        NoteForm,
        gettext_lazy("The person is on the waiting list; the caseworker is told."),
    ),
    "start": Answer(
        services.start_service,
        NoteForm,
        gettext_lazy("Service started."),
    ),
    "complete": Answer(
        services.complete_referral,
        CompleteForm,
        gettext_lazy("Service completed; the caseworker confirms the outcome."),
        ("outcome", "note"),
    ),
    "fail": Answer(
        services.fail_referral,
        FailForm,
        gettext_lazy("Recorded that the service did not go ahead; the caseworker is told."),
        ("reason_code", "note"),
    ),
}

# Which answers each state offers (the transition table decides; this orders the buttons).
ANSWERS_BY_STATUS = {
    Referral.Status.SENT: ("accept", "waitlist", "decline"),
    Referral.Status.VIEWED: ("accept", "waitlist", "decline"),
    Referral.Status.WAITLISTED: ("accept", "decline"),
    Referral.Status.ACCEPTED: ("start", "fail"),
    Referral.Status.IN_SERVICE: ("complete", "fail"),
    Referral.Status.REOPENED: ("start", "complete", "fail"),
}


def _breadcrumbs(*items):
    return [(_("Workspace"), reverse("accounts:workspace")), *items]


def _inbox_referral_or_404(user, uuid) -> Referral:
    """A referral sent to the user's provider; anything else, drafts included, is 404."""
    referral = selectors.referral_for(user, uuid)
    if referral is None or not rules.has_perm("referrals.answer_referral", user, referral):
        raise Http404
    return referral


@dataclass(frozen=True)
class InboxRow:
    referral: Referral
    age_band: str


@rule_required(INBOX)
def inbox(request):
    status_filter = request.GET.get("status", "")
    if status_filter not in Referral.Status.values or status_filter == Referral.Status.DRAFT:
        status_filter = ""
    counts = selectors.referral_counts_for_provider(request.user)
    tabs = [
        (value, label, counts.get(value, 0))
        for value, label in Referral.Status.choices
        if value != Referral.Status.DRAFT and (counts.get(value) or value == status_filter)
    ]
    referrals = selectors.inbox_for(request.user).defer(*INBOX_DEFERRED)
    if status_filter:
        referrals = referrals.filter(status=status_filter)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        InboxRow(referral=referral, age_band=selectors.age_band(referral.beneficiary.birth_date))
        for referral in page.object_list
    ]
    return render(
        request,
        "referrals/inbox.html",
        {
            "status": status_filter,
            "tabs": tabs,
            "total": sum(counts.values()),
            "waiting": sum(counts.get(status, 0) for status in AWAITING_ANSWER),
            "page_obj": page,
            "rows": rows,
            "breadcrumbs": _breadcrumbs((_("Referrals inbox"), "")),
        },
    )


def _render_inbox_referral(request, referral, *, bound=None, status=200):
    accepted = referral.status in ACCEPTED_STATUSES
    shared = (
        services.read_shared_fields(
            user=request.user, referral=referral, purpose=str(DELIVERY_PURPOSE)
        )
        if accepted
        else {}
    )
    answer_forms = [
        (name, ANSWERS[name].form_class(prefix=name))
        for name in ANSWERS_BY_STATUS.get(referral.status, ())
    ]
    if bound is not None:
        answer_forms = [
            (name, bound[1] if name == bound[0] else form) for name, form in answer_forms
        ]
    return render(
        request,
        "referrals/inbox_referral.html",
        {
            "referral": referral,
            "age_band": selectors.age_band(referral.beneficiary.birth_date),
            "accepted": accepted,
            "pending": referral.status in AWAITING_ANSWER | {Referral.Status.WAITLISTED},
            "shared": shared,
            "consent_in_force": bool(shared),
            "answer_forms": answer_forms,
            "bound_form": bound[1] if bound else None,
            "events": referral.events.all() if accepted else (),
            "breadcrumbs": _breadcrumbs(
                (_("Referrals inbox"), reverse("referrals:inbox")),
                (_("Referral %(reference)s") % {"reference": str(referral.uuid)[:8].upper()}, ""),
            ),
        },
        status=status,
    )


@rule_required(INBOX)
@never_cache
def inbox_referral(request, uuid):
    referral = _inbox_referral_or_404(request.user, uuid)
    if referral.status == Referral.Status.SENT:
        # Opening the referral is the "viewed" step of the lifecycle (idempotent, audited).
        services.mark_viewed(referral=referral, user=request.user)
        referral = _inbox_referral_or_404(request.user, uuid)
    return _render_inbox_referral(request, referral)


@rule_required(INBOX)
@require_POST
@never_cache
def answer(request, uuid, action):
    answer = ANSWERS.get(action)
    if answer is None:
        raise Http404
    referral = _inbox_referral_or_404(request.user, uuid)
    form = answer.form_class(request.POST, prefix=action)
    if form.is_valid():
        arguments = {name: form.cleaned_data[name] for name in answer.arguments}
        try:
            answer.service(referral=referral, user=request.user, **arguments)
        except ApplicationError as error:
            attach_errors(form, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, str(answer.success))
            return redirect("referrals:inbox_referral", uuid=referral.uuid)
    # The state may have moved under us (another staff member answered): show it as it is.
    referral = _inbox_referral_or_404(request.user, uuid)
    return _render_inbox_referral(request, referral, bound=(action, form), status=400)
