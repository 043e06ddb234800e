"""The provider's inbox: referrals sent to its services, and its answers to them.

Open to the provider's administrators and staff (``referrals.open_inbox``); a
referral of another provider, or a draft, answers 404. While a referral waits
for an answer the provider sees the need, the district, the urgency and the
age band — nothing else (SPEC §4). Once it has accepted, it sees exactly the
fields the person consented to share, read through
``services.consent.read_shared_fields`` (audited); a revoked or expired consent hides
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
from core.forms import attach_errors
from core.permissions import rule_required
from referrals.forms import DeclineForm, NoteForm
from referrals.models.lifecycle import (
    ACCEPTED_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_LIFECYCLE,
    Referral,
)
from referrals.selectors import beneficiaries as beneficiary_selectors
from referrals.selectors import lifecycle as selectors
from referrals.services import consent as consent_services
from referrals.services import lifecycle as services
from referrals.views.common import PAGE_SIZE, breadcrumbs, referral_reference

S = Referral.Status
INBOX = "referrals.open_inbox"
# Why the provider reads the person's details: the purpose in the audit log.
DELIVERY_PURPOSE = gettext_lazy("Deliver the referred service")
# A pending referral shows none of these, so the inbox never fetches them.
INBOX_DEFERRED = (
    "reason",
    "outcome_note",
    *(f"beneficiary__{name}" for name in beneficiary_selectors.PERSONAL_FIELDS),
)


@dataclass(frozen=True)
class Answer:
    """One answer a provider can give: the state it moves the referral to, the service
    that moves it there and the form it needs."""

    to: str
    service: object
    form_class: type
    success: str
    arguments: tuple[str, ...] = ("note",)


# In the order the buttons are shown; which of them a referral offers is for the table.
# Completing a referral (with its goals' scores) and recording that it did not go ahead
# are the outcome's pages in evaluation (``{% outcome_panel %}`` on the page links there).
ANSWERS = {
    "accept": Answer(
        S.ACCEPTED,
        services.accept_referral,
        NoteForm,
        gettext_lazy("Referral accepted: one of the service's places is now taken."),
    ),
    "waitlist": Answer(
        S.WAITLISTED,
        services.waitlist_referral,
        NoteForm,
        gettext_lazy("The person is on the waiting list; the caseworker is told."),
    ),
    "decline": Answer(
        S.DECLINED,
        services.decline_referral,
        DeclineForm,
        gettext_lazy("Referral declined; it goes back to the caseworker with your reason."),
        ("reason_code", "note"),
    ),
    "start": Answer(
        S.IN_SERVICE,
        services.start_service,
        NoteForm,
        gettext_lazy("Service started."),
    ),
}


def answers_for(user, referral: Referral) -> list[str]:
    """The answers ``user`` may give now, in button order: the moves the referral's state
    allows, when the user answers for its provider."""
    if not rules.has_perm("referrals.answer_referral", user, referral):
        return []
    return [
        name
        for name, answer in ANSWERS.items()
        if REFERRAL_LIFECYCLE.allows(referral.status, answer.to)
    ]


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
    if status_filter not in S.values or status_filter == S.DRAFT:
        status_filter = ""
    counts = selectors.referral_counts_for_provider(request.user)
    tabs = [
        (value, label, counts.get(value, 0))
        for value, label in S.choices
        if value != S.DRAFT and (counts.get(value) or value == status_filter)
    ]
    referrals = selectors.inbox_for(request.user).defer(*INBOX_DEFERRED)
    if status_filter:
        referrals = referrals.filter(status=status_filter)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        InboxRow(
            referral=referral,
            age_band=beneficiary_selectors.age_band(referral.beneficiary.birth_date),
        )
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
            "breadcrumbs": breadcrumbs((_("Referrals inbox"), "")),
        },
    )


def _render_inbox_referral(request, referral, *, bound=None, status=200):
    accepted = referral.status in ACCEPTED_STATUSES
    shared = (
        consent_services.read_shared_fields(
            user=request.user, referral=referral, purpose=str(DELIVERY_PURPOSE)
        )
        if accepted
        else {}
    )
    answer_forms = [
        (name, ANSWERS[name].form_class(prefix=name))
        for name in answers_for(request.user, referral)
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
            "age_band": beneficiary_selectors.age_band(referral.beneficiary.birth_date),
            "accepted": accepted,
            # The provider may still take the person in: its details come once it does.
            "pending": REFERRAL_LIFECYCLE.allows(referral.status, S.ACCEPTED),
            "shared": shared,
            "consent_in_force": bool(shared),
            "answer_forms": answer_forms,
            "bound_form": bound[1] if bound else None,
            "events": referral.events.all() if accepted else (),
            "breadcrumbs": breadcrumbs(
                (_("Referrals inbox"), reverse("referrals:inbox")),
                (_("Referral %(reference)s") % {"reference": referral_reference(referral)}, ""),
            ),
        },
        status=status,
    )


@rule_required(INBOX)
@never_cache
def inbox_referral(request, uuid):
    referral = _inbox_referral_or_404(request.user, uuid)
    if referral.status == S.SENT:
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
