"""Questions about a tender: a provider asks on the tender's public page; the lead
agency's commissioners answer on the tender's questions page, and the answer is
published for every bidder without the asker's name."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import rule_required
from marketplace.forms.clarifications import AnswerForm, QuestionForm
from marketplace.models.tenders import BIDDING_STATES
from marketplace.selectors import clarifications as clarification_selectors
from marketplace.services import clarifications as clarification_services
from marketplace.views import public
from marketplace.views.bids import TAKE_PART
from marketplace.views.common import allowed, public_tender_or_404, tender_trail
from marketplace.views.tenders import FOLLOW, MANAGE, managed_tender_or_404

# --- the provider asks ---------------------------------------------------------------


@rule_required(TAKE_PART)
@require_POST
def ask_question(request, uuid):
    """A provider asks about a tender; the page shows the form again with any problem."""
    tender = public_tender_or_404(uuid)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            clarification_services.ask_question(
                tender=tender, question=form.cleaned_data["question"], actor=request.user
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your question is sent. The answer will be published on this page for "
                    "every bidder, without your organization's name."
                ),
            )
            return redirect(reverse("marketplace:tender_detail", args=[tender.uuid]) + "#questions")
    return public.render_detail(request, tender, question_form=form, status=400)


# --- the lead agency answers ---------------------------------------------------------


def _render_questions(request, tender, *, bound=None, status=200):
    manages = allowed(request.user, MANAGE, tender)
    may_answer = manages and tender.status in BIDDING_STATES
    rows = []
    for clarification in clarification_selectors.clarifications_for(request.user, tender):
        form = None
        if may_answer and not clarification.is_answered:
            if bound is not None and bound[0] == clarification.uuid:
                form = bound[1]
            else:
                form = AnswerForm(clarification_uuid=clarification.uuid)
        rows.append((clarification, form))
    rows.sort(key=lambda row: row[0].is_answered)  # unanswered first, each in asking order
    return render(
        request,
        "marketplace/manage/questions.html",
        {
            "tender": tender,
            "rows": rows,
            "may_answer": may_answer,
            "breadcrumbs": tender_trail(tender, (_("Questions"), "")),
        },
        status=status,
    )


@rule_required(FOLLOW)
def tender_questions(request, uuid):
    return _render_questions(request, managed_tender_or_404(request.user, uuid))


@rule_required(FOLLOW)
@require_POST
def answer_question(request, uuid, clarification_uuid):
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    clarification = get_object_or_404(tender.clarifications, uuid=clarification_uuid)
    form = AnswerForm(request.POST, clarification_uuid=clarification.uuid)
    if form.is_valid():
        try:
            clarification_services.answer_question(
                clarification=clarification,
                answer=form.cleaned_data["answer"],
                actor=request.user,
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Answer published. Every provider that bid or asked is alerted."),
            )
            return redirect("marketplace:tender_questions", uuid=tender.uuid)
    return _render_questions(request, tender, bound=(clarification.uuid, form), status=400)
