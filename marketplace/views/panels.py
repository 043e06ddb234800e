"""The evaluation panel: naming it, declaring conflicts, scoring, moderating, results.

A commissioner of the lead agency names the panel (agency users, partner
agencies included). Each member first declares whether they have a conflict
of interest — before any bid is shown, and a member with a conflict never
sees one. Two envelopes: members score quality and social value while
prices stay hidden, independently (nobody sees another's scores before
submitting their own); the chair moderates, with wide disagreements flagged,
and locks — only then are prices revealed and the ranking computed.

Bids and scores are read through the sealing selectors only. Anyone not on
the panel gets 404 on its pages.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import rule_required
from marketplace import rules
from marketplace.forms.awards import RecommendationForm
from marketplace.forms.panels import ConflictForm, ModerationForm, PanelForm, ScoreForm
from marketplace.models.awards import Award
from marketplace.models.bids import Bid
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import budgets as budget_selectors
from marketplace.selectors import common as common_selectors
from marketplace.selectors import panels as panel_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import panels as panel_services
from marketplace.views.common import allowed, tender_trail, workspace_trail
from marketplace.views.tenders import FOLLOW, managed_tender_or_404

SIT = "marketplace.sit_on_panels"
AGENCY_ROLES = (Role.COMMISSIONER, Role.FINANCE, Role.CASEWORKER, Role.SUPERVISOR)


def _panel_trail(tender, *items):
    return workspace_trail(
        (_("Evaluation panels"), reverse("marketplace:my_panels")),
        (tender.reference, reverse("marketplace:evaluation", args=[tender.uuid])),
        *items,
    )


def _membership_or_404(user, uuid):
    """(tender, the user's PanelMember row) for a published tender whose panel the user is on."""
    tender = tender_selectors.tenders_visible_to(user).filter(uuid=uuid).first()
    if tender is None or tender.status == tender.Status.DRAFT:
        raise Http404
    member = panel_selectors.panel_member_of(user, tender)
    if member is None:
        raise Http404
    return tender, member


# --- the commissioner names the panel ---------------------------------------------------


def _candidates(tender):
    """Agency people who may sit on the panel: the lead agency's and the budget's funders'."""
    funders = [c.funder_id for c in budget_selectors.contributions_of(tender.budget)]
    agencies = [tender.lead_agency_id, *funders]
    people = {}
    for agency_id in dict.fromkeys(agencies):
        for user in common_selectors.agency_users(agency_id, *AGENCY_ROLES).order_by("username"):
            people.setdefault(user.pk, user)
    return list(people.values())


@rule_required(FOLLOW)
def panel_setup(request, uuid):
    tender = managed_tender_or_404(request.user, uuid)
    manages = allowed(request.user, "marketplace.manage_panel", tender)
    panel = panel_selectors.panel_of(tender)
    form = None
    if manages and (panel is None or panel.quality_locked_at is None):
        initial = (
            {"chair": panel.chair_id, "members": [m.user_id for m in panel.members.all()]}
            if panel
            else None
        )
        form = PanelForm(
            request.POST if request.method == "POST" else None,
            candidates=_candidates(tender),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            try:
                panel_services.set_panel(
                    tender=tender, actor=request.user, **form.panel_arguments()
                )
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Panel saved. Each member declares any conflict of interest before "
                        "seeing a bid."
                    ),
                )
                return redirect("marketplace:panel_setup", uuid=tender.uuid)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "marketplace/manage/panel.html",
        {
            "tender": tender,
            "panel": panel,
            "progress": panel_selectors.scoring_progress(tender),
            "form": form,
            "breadcrumbs": tender_trail(tender, (_("Evaluation panel"), "")),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- a member's pages ------------------------------------------------------------------


@rule_required(SIT)
def my_panels(request):
    return render(
        request,
        "marketplace/panels/my_panels.html",
        {
            "memberships": panel_selectors.panel_memberships_of(request.user),
            "now": timezone.now(),
            "breadcrumbs": workspace_trail((_("Evaluation panels"), "")),
        },
    )


@dataclass(frozen=True)
class BidToScore:
    bid: object  # VisibleBid: the price stays masked until the chair locks moderation
    scored: int
    of: int


@rule_required(SIT)
@never_cache
def evaluation(request, uuid):
    tender, member = _membership_or_404(request.user, uuid)
    now = timezone.now()
    sealed = tender.bids_are_sealed(now)
    declared = member.conflict_declared_at is not None
    rows, submitted, others = [], False, []
    # Nothing about the bids before the member has declared, and never with a conflict.
    if declared and member.may_score and not sealed:
        criteria = [c for c in tender.criteria.all() if c.is_scored_by_panel]
        scores = list(panel_selectors.scores_visible_to(request.user, tender, now=now))
        own = [score for score in scores if score.member_id == member.pk]
        submitted = any(score.submitted_at for score in own)
        others = [score for score in scores if score.member_id != member.pk]
        for bid in bid_selectors.visible_bids(request.user, tender, now=now):
            scored = sum(1 for score in own if score.bid.uuid == bid.uuid)
            rows.append(BidToScore(bid=bid, scored=scored, of=len(criteria)))
    return render(
        request,
        "marketplace/panels/evaluation.html",
        {
            "tender": tender,
            "member": member,
            "panel": member.panel,
            "is_chair": rules.chairs(request.user, member.panel),
            "declared": declared,
            "sealed": sealed,
            "conflict_form": ConflictForm() if not declared else None,
            "late_conflict_form": ConflictForm(initial={"has_conflict": "yes"})
            if declared and member.may_score and not member.panel.quality_locked_at
            else None,
            "rows": rows,
            "submitted": submitted,
            "others": others,
            "prices_revealed": member.panel.quality_locked_at is not None,
            "now": now,
            "breadcrumbs": _panel_trail(tender)[:-1] + [(tender.reference, "")],
        },
    )


@rule_required(SIT)
@require_POST
def declare(request, uuid):
    tender, member = _membership_or_404(request.user, uuid)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            panel_services.declare_conflict(
                member=member,
                has_conflict=form.cleaned_data["has_conflict"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.success(
                    request,
                    _("Conflict of interest recorded. You will not see or score the bids."),
                )
            else:
                messages.success(request, _("Declaration recorded. You may now score the bids."))
            return redirect("marketplace:evaluation", uuid=tender.uuid)
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, error)
    return redirect("marketplace:evaluation", uuid=tender.uuid)


def _scorable_bid_or_404(user, tender, bid_uuid) -> Bid:
    bid = bid_selectors.bid_for(user, bid_uuid)
    if bid is None or bid.tender_id != tender.pk or not rules.can_view_bid_content(user, bid):
        raise Http404
    return bid


@rule_required(SIT)
@never_cache
def score_bid(request, uuid, bid_uuid):
    tender, member = _membership_or_404(request.user, uuid)
    if not member.may_score:
        raise Http404
    bid = _scorable_bid_or_404(request.user, tender, bid_uuid)
    visible = bid_selectors.visible_bid(request.user, bid)
    criteria = [c for c in tender.criteria.all() if c.is_scored_by_panel]
    own = {
        score.criterion_id: (score.score, score.comment)
        for score in panel_selectors.scores_visible_to(request.user, tender).filter(
            member=member, bid=bid
        )
    }
    may_score = rules.can_score(request.user, bid) and not panel_selectors.has_submitted_scores(
        member
    )
    form = ScoreForm(
        request.POST if request.method == "POST" else None, criteria=criteria, scores=own
    )
    if request.method == "POST":
        if not may_score:
            raise Http404
        if form.is_valid():
            scores = form.scores()
            try:
                panel_services.save_scores(
                    member=member,
                    bid=bid,
                    scores={pk: value for pk, (value, _comment) in scores.items()},
                    comments={pk: comment for pk, (_value, comment) in scores.items()},
                    user=request.user,
                )
            except (ApplicationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    raise Http404 from error
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Scores saved. They stay yours alone until you submit all your scores."),
                )
                return redirect("marketplace:evaluation", uuid=tender.uuid)
    return render(
        request,
        "marketplace/panels/score.html",
        {
            "tender": tender,
            "bid": visible,
            "form": form,
            "may_score": may_score,
            "breadcrumbs": _panel_trail(
                tender,
                (
                    _("Lot %(number)d: %(provider)s")
                    % {"number": bid.lot.number, "provider": bid.provider.name},
                    "",
                ),
            ),
        },
        status=400 if form.errors else 200,
    )


@rule_required(SIT)
@require_POST
def submit_scores(request, uuid):
    tender, member = _membership_or_404(request.user, uuid)
    try:
        panel_services.submit_scores(member=member, user=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Scores submitted. You can now see the other members' submitted scores."),
        )
    return redirect("marketplace:evaluation", uuid=tender.uuid)


# --- the chair: moderation and lock -----------------------------------------------------


def _chair_or_404(user, uuid):
    tender, member = _membership_or_404(user, uuid)
    if not rules.chairs(user, member.panel):
        raise Http404
    return tender, member.panel


def _render_moderation(request, tender, panel, *, bound=None, status=200):
    all_submitted = panel_selectors.all_scores_submitted(panel)
    may_moderate = rules.can_moderate(request.user, tender) and all_submitted
    lines = []
    # The members' scores are shown to the chair only once everyone has submitted.
    for line in panel_selectors.moderation_lines(tender) if all_submitted else []:
        key = (line.bid.uuid, line.criterion.pk)
        form = None
        if may_moderate:
            if bound is not None and bound[0] == key:
                form = bound[1]
            else:
                form = ModerationForm(
                    bid_uuid=line.bid.uuid,
                    criterion_id=line.criterion.pk,
                    initial={
                        "score": line.agreed,
                        "note": line.moderated.note if line.moderated else "",
                    },
                )
        lines.append((line, form))
    return render(
        request,
        "marketplace/panels/moderation.html",
        {
            "tender": tender,
            "panel": panel,
            "progress": panel_selectors.scoring_progress(tender),
            "all_submitted": all_submitted,
            "lines": lines,
            "may_moderate": may_moderate,
            "flagged": sum(1 for line, _form in lines if line.flagged),
            "breadcrumbs": _panel_trail(tender, (_("Moderation"), "")),
        },
        status=status,
    )


@rule_required(SIT)
@never_cache
def moderation(request, uuid):
    tender, panel = _chair_or_404(request.user, uuid)
    if tender.bids_are_sealed():
        raise Http404
    return _render_moderation(request, tender, panel)


@rule_required(SIT)
@require_POST
def moderate(request, uuid, bid_uuid, criterion_id):
    tender, panel = _chair_or_404(request.user, uuid)
    bid = _scorable_bid_or_404(request.user, tender, bid_uuid)
    criterion = next((c for c in tender.criteria.all() if c.pk == criterion_id), None)
    if criterion is None:
        raise Http404
    form = ModerationForm(request.POST, bid_uuid=bid.uuid, criterion_id=criterion.pk)
    if form.is_valid():
        try:
            panel_services.moderate(
                panel=panel,
                bid=bid,
                criterion=criterion,
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
                chair=request.user,
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Moderated score saved."))
            return redirect(
                reverse("marketplace:moderation", args=[tender.uuid]) + f"#line-{bid.uuid}"
            )
    return _render_moderation(
        request, tender, panel, bound=((bid.uuid, criterion.pk), form), status=400
    )


@rule_required(SIT)
@require_POST
def lock(request, uuid):
    tender, panel = _chair_or_404(request.user, uuid)
    try:
        panel_services.lock_moderation(panel=panel, chair=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("marketplace:moderation", uuid=tender.uuid)
    messages.success(
        request, _("Moderation locked. Prices are revealed and the bids are ranked per lot.")
    )
    return redirect("marketplace:results", uuid=tender.uuid)


# --- results ---------------------------------------------------------------------------


@rule_required(SIT)
def results(request, uuid):
    """Points, prices and ranks per lot, once the chair has locked moderation."""
    tender = tender_selectors.tenders_visible_to(request.user).filter(uuid=uuid).first()
    if tender is None or not (
        rules.is_panel_member(request.user, tender)
        or rules.is_tender_commissioner(request.user, tender)
    ):
        raise Http404
    now = timezone.now()
    lots = {lot.pk: lot for lot in tender.lots.all()}
    results_by_lot = {}
    for result in panel_selectors.results_for(request.user, tender, now=now):
        results_by_lot.setdefault(result.bid.lot_id, []).append(result)
    prices = {
        bid.uuid: bid.price for bid in bid_selectors.visible_bids(request.user, tender, now=now)
    }
    may_recommend = rules.can_recommend_award(request.user, tender)
    live_awards = {
        award.lot_id: award
        for award in award_selectors.awards_visible_to(request.user, tender)
        if award.status != Award.Status.CANCELLED
    }
    sections = []
    for lot_id, lot_results in results_by_lot.items():
        form = None
        if may_recommend and lot_id not in live_awards:
            form = RecommendationForm(
                lot=lots[lot_id],
                choices=[(str(r.bid.uuid), r.bid.provider.name) for r in lot_results],
                initial={"bid": str(lot_results[0].bid.uuid)},
            )
        sections.append((lots[lot_id], [(r, prices.get(r.bid.uuid)) for r in lot_results], form))
    sections.sort(key=lambda section: section[0].number)
    return render(
        request,
        "marketplace/panels/results.html",
        {
            "tender": tender,
            "sections": sections,
            "live_awards": live_awards,
            "prices_revealed": bid_selectors.prices_revealed(tender),
            "breadcrumbs": _panel_trail(tender, (_("Results"), "")),
        },
    )
