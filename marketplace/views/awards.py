"""Awards: recommendation, approval (four eyes), cancellation, and complaints.

Once the chair has locked moderation and the bids are ranked, the chair or a
commissioner recommends an award per lot (the first-ranked bid unless a
reason says otherwise); another commissioner or a supervisor of the lead
agency approves it — never whoever recommended it or chaired the panel, who
are told who may — which commits the money on the pooled budget (refused when
it would overdraw it), publishes the award notice and starts the standstill.
Bidders may complain during the standstill; an open complaint holds
completion until a commissioner resolves it.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.formatting import moment_text
from core.forms import attach_errors
from core.permissions import login_required, rule_required
from marketplace import rules
from marketplace.forms.awards import RecommendationForm
from marketplace.forms.common import ReasonForm
from marketplace.forms.complaints import ComplaintResolutionForm
from marketplace.models.awards import AWARD_LIFECYCLE, Award
from marketplace.models.complaints import COMPLAINT_LIFECYCLE, RESOLUTIONS
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import complaints as complaint_selectors
from marketplace.selectors import panels as panel_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import awards as award_services
from marketplace.services import complaints as complaint_services
from marketplace.views.common import tender_trail
from marketplace.views.tenders import FOLLOW, managed_tender_or_404


@dataclass(frozen=True)
class AwardRow:
    award: Award
    may_approve: bool
    may_cancel: bool
    may_contract: bool
    # Why this person does not approve a recommended award, and who does instead.
    approval_note: str = ""


def _award_row(user, award: Award) -> AwardRow:
    awaits_approval = AWARD_LIFECYCLE.allows(award.status, Award.Status.APPROVED)
    may_approve = awaits_approval and rules.can_approve_award(user, award)
    return AwardRow(
        award=award,
        may_approve=may_approve,
        may_cancel=AWARD_LIFECYCLE.allows(award.status, Award.Status.CANCELLED)
        and rules.is_award_commissioner(user, award),
        may_contract=rules.is_award_commissioner(user, award),
        approval_note=award_selectors.approval_refusal(user, award)
        if awaits_approval and not may_approve
        else "",
    )


def _render_awards(request, tender, *, bound_complaint=None, status=200):
    now = timezone.now()
    user = request.user
    awards = list(award_selectors.awards_visible_to(user, tender))
    complaints = []
    for complaint in complaint_selectors.complaints_visible_to(user, tender):
        form = None
        may_resolve = any(
            COMPLAINT_LIFECYCLE.allows(complaint.status, outcome) for outcome in RESOLUTIONS
        )
        if may_resolve and rules.is_complaint_commissioner(user, complaint):
            if bound_complaint is not None and bound_complaint[0] == complaint.uuid:
                form = bound_complaint[1]
            else:
                form = ComplaintResolutionForm(complaint_uuid=complaint.uuid)
        complaints.append((complaint, form))
    return render(
        request,
        "marketplace/manage/awards.html",
        {
            "tender": tender,
            "now": now,
            "awards": [_award_row(user, award) for award in awards],
            "complaints": complaints,
            "prices_revealed": bid_selectors.prices_revealed(tender),
            "may_recommend": rules.can_recommend_award(user, tender),
            "cancel_form": ReasonForm(),
            "breadcrumbs": tender_trail(tender, (_("Awards"), "")),
        },
        status=status,
    )


@rule_required(FOLLOW)
def tender_awards(request, uuid):
    return _render_awards(request, managed_tender_or_404(request.user, uuid))


@login_required
@require_POST
def recommend(request, uuid, lot_number):
    """The chair or a commissioner recommends the award of a lot (from the results page)."""
    tender = tender_selectors.tenders_visible_to(request.user).filter(uuid=uuid).first()
    if tender is None or not rules.can_recommend_award(request.user, tender):
        raise Http404
    lot = next((lot for lot in tender.lots.all() if lot.number == lot_number), None)
    if lot is None:
        raise Http404
    results = [
        r for r in panel_selectors.results_for(request.user, tender) if r.bid.lot_id == lot.pk
    ]
    bids = {str(result.bid.uuid): result.bid for result in results}
    form = RecommendationForm(
        request.POST, lot=lot, choices=[(key, bid.provider.name) for key, bid in bids.items()]
    )
    if form.is_valid():
        try:
            award = award_services.recommend_award(
                lot=lot,
                actor=request.user,
                bid=bids[form.cleaned_data["bid"]],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            messages.error(request, error.message)
            for problems in error.field_errors.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(
                request,
                _(
                    "Lot %(number)d recommended for award to %(provider)s. Another commissioner "
                    "or a supervisor of %(agency)s approves it: they are alerted."
                )
                % {
                    "number": lot.number,
                    "provider": award.bid.provider.name,
                    "agency": tender.lead_agency.name,
                },
            )
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, problem)
    return redirect("marketplace:results", uuid=tender.uuid)


def _award_or_404(user, uuid, *, rule=rules.is_award_commissioner) -> Award:
    award = award_selectors.award_for(user, uuid)
    if award is None or not rule(user, award):
        raise Http404
    return award


@rule_required(FOLLOW)
@require_POST
def approve(request, uuid):
    # The lead agency's commissioners and supervisors reach the service; it refuses the
    # recommender and the panel chair (four eyes), saying who may approve instead.
    award = _award_or_404(request.user, uuid, rule=rules.may_approve_awards_of_lead_agency)
    try:
        award = award_services.approve_award(award=award, actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ApplicationError as error:
        messages.error(request, error.message)
        for problems in error.field_errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(
            request,
            _(
                "Award approved and its notice published. The money is committed on the pooled "
                "budget; the standstill ends on %(end)s."
            )
            % {"end": moment_text(award.standstill_ends_at)},
        )
    return redirect("marketplace:tender_awards", uuid=award.tender.uuid)


@rule_required(FOLLOW)
@require_POST
def cancel(request, uuid):
    award = _award_or_404(request.user, uuid)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            award_services.cancel_award(
                award=award, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Award cancelled; any money committed for it is released."))
    else:
        messages.error(request, _("Give the reason for cancelling the award."))
    return redirect("marketplace:tender_awards", uuid=award.tender.uuid)


@rule_required(FOLLOW)
@require_POST
def resolve_complaint(request, uuid):
    complaint = complaint_selectors.complaint_for(request.user, uuid)
    if complaint is None or not rules.is_complaint_commissioner(request.user, complaint):
        raise Http404
    tender = managed_tender_or_404(request.user, complaint.award.tender.uuid)
    form = ComplaintResolutionForm(request.POST, complaint_uuid=complaint.uuid)
    if form.is_valid():
        try:
            complaint_services.resolve_complaint(
                complaint=complaint,
                outcome=form.cleaned_data["outcome"],
                response=form.cleaned_data["response"],
                actor=request.user,
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Complaint answered; the provider is told."))
            return redirect(reverse("marketplace:tender_awards", args=[tender.uuid]))
    return _render_awards(request, tender, bound_complaint=(complaint.uuid, form), status=400)
