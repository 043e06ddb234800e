"""The provider's side of a tender: questions, "my tenders", bids, the assessment summary
and complaints.

Open to the administrators and staff of a provider. A provider sees its own
bids only — their price and content are sealed from everyone else until the
deadline for bids — and another provider's bid answers 404. Bids are read
through the sealing selectors (``bid_for``, ``visible_bid``), never as rows
with a price. Late bids are refused by the services by server time, whatever
the page showed when it was loaded.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.permissions import login_required, rule_required
from marketplace import rules, selectors, services
from marketplace.forms import (
    AttachmentForm,
    BidForm,
    ComplaintForm,
    QuestionForm,
    attach_errors,
)
from marketplace.models import Award, Bid
from marketplace.views import public
from marketplace.views.common import workspace_trail
from providers.selectors import provider_of

TAKE_PART = "marketplace.take_part_in_tenders"
ALERTS_SHOWN = 20
BIDS_PER_PAGE = 50

# What each button on a bid's page does: the service and what the bidder is told.
BID_ACTIONS = {
    "submit": (
        services.submit_bid,
        gettext_lazy(
            "Bid submitted. It stays sealed until the deadline; you may reopen, change and "
            "submit it again until then."
        ),
    ),
    "reconfirm": (
        services.reconfirm_bid,
        gettext_lazy("Bid reconfirmed after the amendment."),
    ),
    "reopen": (
        services.reopen_bid,
        gettext_lazy(
            "Your bid is a draft again. Submit it again before the deadline, or it does not count."
        ),
    ),
    "withdraw": (
        services.withdraw_bid,
        gettext_lazy("Bid withdrawn. You may start it again while bids are open."),
    ),
}


def _public_tender_or_404(uuid):
    tender = (
        selectors.public_tenders()
        .prefetch_related("criteria", "documents", "amendments", "lots__categories", "lots__areas")
        .filter(uuid=uuid)
        .first()
    )
    if tender is None:
        raise Http404
    return tender


def _provider_or_404(user):
    provider = provider_of(user)
    if provider is None:
        raise Http404
    return provider


def _own_bid_or_404(user, uuid) -> Bid:
    """The bid if it is the user's provider's own: evaluators read bids on their own pages."""
    bid = selectors.bid_for(user, uuid)
    if bid is None or not rules.is_bidder(user, bid):
        raise Http404
    return bid


def _bids_trail(*items):
    return workspace_trail((_("My tenders"), reverse("marketplace:my_tenders")), *items)


# --- questions -------------------------------------------------------------------


@rule_required(TAKE_PART)
@require_POST
def ask_question(request, uuid):
    """A provider asks about a tender; the page shows the form again with any problem."""
    tender = _public_tender_or_404(uuid)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.ask_question(
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


# --- my tenders --------------------------------------------------------------------


@rule_required(TAKE_PART)
def my_tenders(request):
    """The provider's alerts (new matching tenders, answers, deadlines) and its bids."""
    bids = selectors.bids_of(request.user)
    page = Paginator(bids, BIDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/bidding/my_tenders.html",
        {
            "alerts": selectors.alerts_for(request.user)[:ALERTS_SHOWN],
            "page_obj": page,
            "bids": page.object_list,
            "now": timezone.now(),
            "breadcrumbs": workspace_trail((_("My tenders"), "")),
        },
    )


# --- a bid -----------------------------------------------------------------------------


def _criteria_for_bid(tender):
    return [criterion for criterion in tender.criteria.all() if criterion.is_scored_by_panel]


@rule_required(TAKE_PART)
@never_cache
def bid_edit(request, uuid, lot_number):
    """Write or change the provider's bid on a lot: the price and a response per criterion."""
    tender = _public_tender_or_404(uuid)
    provider = _provider_or_404(request.user)
    lot = next((lot for lot in tender.lots.all() if lot.number == lot_number), None)
    if lot is None:
        raise Http404
    criteria = _criteria_for_bid(tender)
    existing = selectors.bid_on(provider, lot)
    visible = selectors.visible_bid(request.user, existing) if existing else None
    if visible is not None and existing.status == Bid.Status.SUBMITTED and request.method != "POST":
        messages.info(request, _("This bid is submitted. Reopen it on its page to change it."))
        return redirect("marketplace:bid_detail", uuid=existing.uuid)
    form = BidForm(
        request.POST if request.method == "POST" else None,
        lot=lot,
        criteria=criteria,
        price=visible.price if visible else None,
        responses={r.criterion.pk: r.text for r in visible.responses} if visible else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.save_bid_draft(
                lot=lot,
                provider=provider,
                user=request.user,
                price=form.cleaned_data["price"],
                responses=form.responses(),
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error, field_map={"responses": None})
        else:
            messages.success(
                request,
                _("Draft saved. It counts only once you submit it, before %(deadline)s.")
                % {"deadline": services.moment_text(tender.submission_deadline)},
            )
            return redirect("marketplace:bid_detail", uuid=bid.uuid)
    return render(
        request,
        "marketplace/bidding/bid_form.html",
        {
            "tender": tender,
            "lot": lot,
            "form": form,
            "bid": existing,
            "breadcrumbs": _bids_trail(
                (tender.reference, reverse("marketplace:tender_detail", args=[tender.uuid])),
                (_("Bid for lot %(number)d") % {"number": lot.number}, ""),
            ),
        },
        status=400 if form.errors else 200,
    )


def _render_bid(request, bid, *, attachment_form=None, complaint_form=None, status=200):
    now = timezone.now()
    visible = selectors.visible_bid(request.user, bid, now=now)
    tender = bid.tender
    editable = rules.can_edit_bid(request.user, bid)
    award = next(
        (award for award in selectors.award_notices(tender) if award.lot_id == bid.lot_id),
        None,
    )
    may_complain = award is not None and rules.can_lodge_complaint(request.user, award)
    if may_complain and complaint_form is None:
        complaint_form = ComplaintForm()
    if editable and attachment_form is None:
        attachment_form = AttachmentForm()
    return render(
        request,
        "marketplace/bidding/bid.html",
        {
            "bid": visible,
            "tender": tender,
            "now": now,
            "editable": editable,
            "actions": _actions_for(bid, editable),
            "eligibility": selectors.eligibility_messages(visible.eligibility_report),
            "attachment_form": attachment_form if editable else None,
            "award": award,
            "is_winner": award is not None and award.bid_id == bid.pk,
            "summary_available": bid.status == Bid.Status.SUBMITTED
            and award is not None
            and award.status in (Award.Status.APPROVED, Award.Status.CONFIRMED),
            "complaint_form": complaint_form if may_complain else None,
            "complaints": selectors.complaints_visible_to(request.user, tender).filter(bid=bid),
            "breadcrumbs": _bids_trail(
                (tender.reference, reverse("marketplace:tender_detail", args=[tender.uuid])),
                (_("Your bid for lot %(number)d") % {"number": bid.lot.number}, ""),
            ),
        },
        status=status,
    )


def _actions_for(bid: Bid, editable: bool) -> list[str]:
    """The buttons a bid offers in its status, while the tender still takes bids."""
    if not editable:
        return []
    return {
        Bid.Status.DRAFT: ["submit", "withdraw"],
        Bid.Status.SUBMITTED: ["reopen", "withdraw"],
        Bid.Status.NEEDS_RECONFIRMATION: ["reconfirm", "withdraw"],
        Bid.Status.WITHDRAWN: [],
    }[bid.status]


@rule_required(TAKE_PART)
@never_cache
def bid_detail(request, uuid):
    return _render_bid(request, _own_bid_or_404(request.user, uuid))


@rule_required(TAKE_PART)
@require_POST
def bid_action(request, uuid, action):
    bid = _own_bid_or_404(request.user, uuid)
    if action not in BID_ACTIONS:
        raise Http404
    service, success = BID_ACTIONS[action]
    try:
        service(bid=bid, user=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
        for reasons in error.field_errors.values():
            for reason in reasons:
                messages.error(request, reason)
    else:
        messages.success(request, success)
    return redirect("marketplace:bid_detail", uuid=bid.uuid)


# --- attachments -----------------------------------------------------------------------


@rule_required(TAKE_PART)
@require_POST
def attachment_add(request, uuid):
    bid = _own_bid_or_404(request.user, uuid)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_bid_attachment(
                bid=bid,
                user=request.user,
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Attachment added. Your bid is a draft until you submit it again."),
            )
            return redirect("marketplace:bid_detail", uuid=bid.uuid)
    return _render_bid(request, bid, attachment_form=form, status=400)


@rule_required(TAKE_PART)
@require_POST
def attachment_remove(request, uuid, attachment_uuid):
    bid = _own_bid_or_404(request.user, uuid)
    attachment = next(
        (
            a
            for a in selectors.visible_bid(request.user, bid).attachments
            if a.uuid == attachment_uuid
        ),
        None,
    )
    if attachment is None:
        raise Http404
    try:
        services.remove_bid_attachment(attachment=attachment, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("marketplace:bid_detail", uuid=bid.uuid)


@login_required
def attachment_download(request, uuid, attachment_uuid):
    """An attachment to whoever may read the bid's content: its provider, and after the
    deadline the evaluators; 404 for anyone else (sealed)."""
    bid = selectors.bid_for(request.user, uuid)
    visible = selectors.visible_bid(request.user, bid) if bid is not None else None
    if visible is None or not visible.content_visible:
        raise Http404
    attachment = next((a for a in visible.attachments if a.uuid == attachment_uuid), None)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        attachment.content_type, "bin"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{bid.tender.reference}-lot{bid.lot.number}-{attachment.uuid.hex[:8]}.{extension}",
        content_type=attachment.content_type,
    )
    # Sealed content: no shared or browser cache may keep a copy.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- after the award ---------------------------------------------------------------------


@rule_required(TAKE_PART)
def assessment_summary_pdf(request, uuid):
    """The bidder's assessment summary (its scores and the winner's), after the award."""
    from marketplace.pdf import render_assessment_summary_pdf

    bid = _own_bid_or_404(request.user, uuid)
    if selectors.assessment_summary(bid) is None:
        raise Http404
    response = HttpResponse(render_assessment_summary_pdf(bid), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{bid.tender.reference}-lot{bid.lot.number}-assessment.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@rule_required(TAKE_PART)
@require_POST
def lodge_complaint(request, uuid):
    bid = _own_bid_or_404(request.user, uuid)
    award = next(
        (award for award in selectors.award_notices(bid.tender) if award.lot_id == bid.lot_id),
        None,
    )
    if award is None or not rules.can_lodge_complaint(request.user, award):
        raise Http404
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            services.lodge_complaint(
                award=award, bid=bid, user=request.user, text=form.cleaned_data["text"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Complaint lodged. The lead agency answers it before the award can complete."),
            )
            return redirect("marketplace:bid_detail", uuid=bid.uuid)
    return _render_bid(request, bid, complaint_form=form, status=400)


@rule_required(TAKE_PART)
@require_POST
def withdraw_complaint(request, uuid, complaint_uuid):
    """The complaining provider takes its open complaint back; it no longer holds the award."""
    bid = _own_bid_or_404(request.user, uuid)
    complaint = selectors.complaint_for(request.user, complaint_uuid)
    if complaint is None or complaint.bid_id != bid.pk:
        raise Http404
    try:
        services.withdraw_complaint(complaint=complaint, user=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Complaint withdrawn."))
    return redirect("marketplace:bid_detail", uuid=bid.uuid)
