"""The provider's side of a tender: "my tenders", bids, the assessment summary and
complaints.

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
from core.formatting import moment_text
from core.forms import attach_errors
from core.permissions import login_required, rule_required
from marketplace import rules
from marketplace.eligibility import eligibility_messages
from marketplace.forms.bids import AttachmentForm, BidForm
from marketplace.forms.complaints import ComplaintForm
from marketplace.models.awards import AWARDED_STATES
from marketplace.models.bids import BID_LIFECYCLE, Bid
from marketplace.models.complaints import COMPLAINT_LIFECYCLE, Complaint
from marketplace.pdf import render_assessment_summary_pdf
from marketplace.selectors import alerts as alert_selectors
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import complaints as complaint_selectors
from marketplace.services import bids as bid_services
from marketplace.services import complaints as complaint_services
from marketplace.views.common import public_tender_or_404, workspace_trail
from providers.selectors import provider_of

TAKE_PART = "marketplace.take_part_in_tenders"
ALERTS_SHOWN = 20
BIDS_PER_PAGE = 50

# What each button on a bid's page does: the service, the status it moves the bid
# to, and what the bidder is told.
BID_ACTIONS = {
    "submit": (
        bid_services.submit_bid,
        Bid.Status.SUBMITTED,
        gettext_lazy(
            "Bid submitted. It stays sealed until the deadline; you may reopen, change and "
            "submit it again until then."
        ),
    ),
    "reconfirm": (
        bid_services.reconfirm_bid,
        Bid.Status.SUBMITTED,
        gettext_lazy("Bid reconfirmed after the amendment."),
    ),
    "reopen": (
        bid_services.reopen_bid,
        Bid.Status.DRAFT,
        gettext_lazy(
            "Your bid is a draft again. Submit it again before the deadline, or it does not count."
        ),
    ),
    "withdraw": (
        bid_services.withdraw_bid,
        Bid.Status.WITHDRAWN,
        gettext_lazy("Bid withdrawn. You may start it again while bids are open."),
    ),
}


def _provider_or_404(user):
    provider = provider_of(user)
    if provider is None:
        raise Http404
    return provider


def _own_bid_or_404(user, uuid) -> Bid:
    """The bid if it is the user's provider's own: evaluators read bids on their own pages."""
    bid = bid_selectors.bid_for(user, uuid)
    if bid is None or not rules.is_bidder(user, bid):
        raise Http404
    return bid


def _bids_trail(*items):
    return workspace_trail((_("My tenders"), reverse("marketplace:my_tenders")), *items)


# --- my tenders --------------------------------------------------------------------


@rule_required(TAKE_PART)
def my_tenders(request):
    """The provider's alerts (new matching tenders, answers, deadlines) and its bids."""
    bids = bid_selectors.bids_of(request.user)
    page = Paginator(bids, BIDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/bids/my_tenders.html",
        {
            "alerts": alert_selectors.alerts_for(request.user)[:ALERTS_SHOWN],
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
    tender = public_tender_or_404(uuid)
    provider = _provider_or_404(request.user)
    lot = next((lot for lot in tender.lots.all() if lot.number == lot_number), None)
    if lot is None:
        raise Http404
    criteria = _criteria_for_bid(tender)
    existing = bid_selectors.bid_on(provider, lot)
    visible = bid_selectors.visible_bid(request.user, existing) if existing else None
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
            bid = bid_services.save_bid_draft(
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
                % {"deadline": moment_text(tender.submission_deadline)},
            )
            return redirect("marketplace:bid_detail", uuid=bid.uuid)
    return render(
        request,
        "marketplace/bids/bid_form.html",
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
    user = request.user
    visible = bid_selectors.visible_bid(user, bid, now=now)
    tender = bid.tender
    editable = rules.can_edit_bid(user, bid)
    award = next(
        (award for award in award_selectors.award_notices(tender) if award.lot_id == bid.lot_id),
        None,
    )
    may_complain = award is not None and rules.can_lodge_complaint(user, award)
    if may_complain and complaint_form is None:
        complaint_form = ComplaintForm()
    if editable and attachment_form is None:
        attachment_form = AttachmentForm()
    complaints = complaint_selectors.complaints_visible_to(user, tender).filter(bid=bid)
    return render(
        request,
        "marketplace/bids/bid.html",
        {
            "bid": visible,
            "tender": tender,
            "now": now,
            "editable": editable,
            # A submitted bid is reopened before it changes; any other becomes a draft.
            "may_change": editable and bid.status != Bid.Status.SUBMITTED,
            "actions": _actions_for(bid, editable),
            "eligibility": eligibility_messages(visible.eligibility_report),
            "attachment_form": attachment_form if editable else None,
            "award": award,
            "is_winner": award is not None and award.bid_id == bid.pk,
            "summary_available": bid.status == Bid.Status.SUBMITTED
            and award is not None
            and award.status in AWARDED_STATES,
            "complaint_form": complaint_form if may_complain else None,
            "complaints": [
                (
                    complaint,
                    COMPLAINT_LIFECYCLE.allows(complaint.status, Complaint.Status.WITHDRAWN)
                    and rules.is_complainant(user, complaint),
                )
                for complaint in complaints
            ],
            "breadcrumbs": _bids_trail(
                (tender.reference, reverse("marketplace:tender_detail", args=[tender.uuid])),
                (_("Your bid for lot %(number)d") % {"number": bid.lot.number}, ""),
            ),
        },
        status=status,
    )


def _offers(action: str, bid: Bid) -> bool:
    """Whether the bid's page offers ``action``: the table allows its move, and it is the
    move's own button (submitting and reconfirming both lead to "submitted"; a submitted
    bid is reopened, any other becomes a draft again by being changed)."""
    _service, target, _message = BID_ACTIONS[action]
    if not BID_LIFECYCLE.allows(bid.status, target):
        return False
    awaiting = bid.status == Bid.Status.NEEDS_RECONFIRMATION
    if action == "submit":
        return not awaiting
    if action == "reconfirm":
        return awaiting
    if action == "reopen":
        return bid.status == Bid.Status.SUBMITTED
    return True


def _actions_for(bid: Bid, editable: bool) -> list[str]:
    """The buttons a bid offers in its status, while the tender still takes bids."""
    if not editable:
        return []
    return [action for action in BID_ACTIONS if _offers(action, bid)]


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
    service, _target, success = BID_ACTIONS[action]
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
            bid_services.add_bid_attachment(
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
            for a in bid_selectors.visible_bid(request.user, bid).attachments
            if a.uuid == attachment_uuid
        ),
        None,
    )
    if attachment is None:
        raise Http404
    try:
        bid_services.remove_bid_attachment(attachment=attachment, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("marketplace:bid_detail", uuid=bid.uuid)


@login_required
def attachment_download(request, uuid, attachment_uuid):
    """An attachment to whoever may read the bid's content: its provider, and after the
    deadline the evaluators; 404 for anyone else (sealed)."""
    bid = bid_selectors.bid_for(request.user, uuid)
    visible = bid_selectors.visible_bid(request.user, bid) if bid is not None else None
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
    bid = _own_bid_or_404(request.user, uuid)
    if award_selectors.assessment_summary(bid) is None:
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
        (
            award
            for award in award_selectors.award_notices(bid.tender)
            if award.lot_id == bid.lot_id
        ),
        None,
    )
    if award is None or not rules.can_lodge_complaint(request.user, award):
        raise Http404
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            complaint_services.lodge_complaint(
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
    complaint = complaint_selectors.complaint_for(request.user, complaint_uuid)
    if complaint is None or complaint.bid_id != bid.pk:
        raise Http404
    try:
        complaint_services.withdraw_complaint(complaint=complaint, user=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Complaint withdrawn."))
    return redirect("marketplace:bid_detail", uuid=bid.uuid)
