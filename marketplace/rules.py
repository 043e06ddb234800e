"""Permission predicates of the marketplace (``rules``), named as questions.

Views and the API ask ``rules.has_perm("marketplace.…", user, obj)`` (never
``user.has_perm``, which lets a superuser through); services check the same
predicates again before they change anything, so a second entry point (admin
action, script, task) cannot go around them. Which actions a page offers is
the lifecycle table (``X_LIFECYCLE.allows``) combined with these predicates. Scope (which
budgets or tenders a list shows) lives in ``marketplace.selectors``: objects
outside it answer 404 there, never 403.
"""

import rules

from accounts.models import Role
from accounts.rules import (
    is_agency_user,
    is_commissioner,
    is_finance,
    is_platform_admin,
    is_provider_staff,
    is_supervisor,
    organizations_where,
)

# Agency roles that may look at a budget they lead or fund (SPEC §4: finance
# sees budgets and contributions; supervisors see everything read-only).
BUDGET_VIEWER_ROLES = (Role.COMMISSIONER, Role.FINANCE, Role.SUPERVISOR)
# Who may pledge an agency's money or look after its contributions.
FUNDER_ROLES = (Role.COMMISSIONER, Role.FINANCE)


@rules.predicate
def is_budget_commissioner(user, budget):
    """A commissioner of the budget's lead agency."""
    if budget is None:
        return False
    return budget.lead_agency_id in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_budget_lead_staff(user, budget):
    """A commissioner, finance officer or supervisor of the budget's lead agency."""
    if budget is None:
        return False
    return budget.lead_agency_id in organizations_where(user, *BUDGET_VIEWER_ROLES)


@rules.predicate
def is_budget_funder_staff(user, budget):
    """A commissioner, finance officer or supervisor of an agency contributing to the budget."""
    if budget is None:
        return False
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    if not agencies:
        return False
    return budget.contributions.filter(funder_id__in=agencies).exists()


@rules.predicate
def can_record_payment(user, budget):
    """A commissioner or finance officer of the budget's lead agency: records what is paid."""
    if budget is None:
        return False
    return budget.lead_agency_id in organizations_where(user, *FUNDER_ROLES)


@rules.predicate
def is_contribution_funder_finance(user, contribution):
    """A finance officer of the funder: only they approve its money."""
    if contribution is None:
        return False
    return contribution.funder_id in organizations_where(user, Role.FINANCE)


@rules.predicate
def is_contribution_funder_staff(user, contribution):
    if contribution is None:
        return False
    return contribution.funder_id in organizations_where(user, *FUNDER_ROLES)


@rules.predicate
def is_contribution_lead_commissioner(user, contribution):
    if contribution is None:
        return False
    return is_budget_commissioner(user, contribution.budget)


@rules.predicate
def is_tender_commissioner(user, tender):
    """A commissioner of the tender's lead agency: manages it, answers its questions."""
    if tender is None:
        return False
    return tender.lead_agency_id in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_tender_agency_staff(user, tender):
    """Anyone at the lead agency who may follow the tender (not bid content: that stays sealed)."""
    if tender is None:
        return False
    return tender.lead_agency_id in organizations_where(user, *BUDGET_VIEWER_ROLES)


can_view_budget = is_budget_lead_staff | is_budget_funder_staff | is_platform_admin
# The lead agency's commissioners record pledges; an agency's own commissioners
# or finance officers may record its contribution themselves (services check
# which funder).
can_add_contribution = is_budget_commissioner | is_commissioner | is_finance

rules.add_perm("marketplace.view_budget", can_view_budget)
rules.add_perm("marketplace.manage_budget", is_budget_commissioner)
rules.add_perm("marketplace.create_budget", is_commissioner)
rules.add_perm("marketplace.add_contribution", can_add_contribution)
rules.add_perm("marketplace.approve_contribution", is_contribution_funder_finance)
rules.add_perm(
    "marketplace.withdraw_contribution",
    is_contribution_funder_staff | is_contribution_lead_commissioner,
)
rules.add_perm("marketplace.create_tender", is_commissioner)
rules.add_perm("marketplace.manage_tender", is_tender_commissioner)
rules.add_perm("marketplace.answer_question", is_tender_commissioner)
rules.add_perm("marketplace.ask_question", is_provider_staff)

# Which workspace pages a person may open at all (what is on them is scoped by
# the selectors): budgets for agency money people, the agency's tenders for
# those who follow them, bidding for provider people, panels for agency staff
# (panel membership is per tender, not a role).
rules.add_perm("marketplace.view_budgets", is_commissioner | is_finance | is_supervisor)
rules.add_perm("marketplace.follow_tenders", is_commissioner | is_finance | is_supervisor)
rules.add_perm("marketplace.take_part_in_tenders", is_provider_staff)
rules.add_perm("marketplace.sit_on_panels", is_agency_user)


# --- bids: the sealed-bid rule ----------------------------------------------
#
# SPEC §4: until a tender's submission deadline has passed, a bid's price and
# content (responses, attachments) — and even whether it exists — are known
# to its own provider only: not to the lead agency, panel members, platform
# administrators or superusers. Two envelopes after the deadline: the panel
# reads the responses, but prices stay hidden until the chair locks the
# moderated quality scores (``Panel.quality_locked_at``).
#
# The deadline is tested BEFORE any role, so no role can come first. These
# functions never look at ``is_superuser`` — and must not be reached through
# ``user.has_perm`` alone for bid content: Django's ``has_perm`` answers True
# for every active superuser whatever the rule says. Views and the API read
# bids through ``marketplace.selectors`` (``bids_visible_to``, ``bid_for``,
# ``visible_bids``), which call these functions; ``rules.test_rule`` or the
# functions themselves are the way to ask about one bid.

PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


def _tender_of(obj):
    """The tender of a tender, panel, lot, bid or award (None for None)."""
    if obj is None:
        return None
    from marketplace.models.tenders import Tender

    if isinstance(obj, Tender):
        return obj
    return obj.tender


def panel_member_of(user, tender):
    """The user's ``PanelMember`` row on the tender's panel, or None (cached on the user)."""
    if tender is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_marketplace_panel_members", {})
    if tender.pk not in cache:
        from marketplace.models.panels import PanelMember

        cache[tender.pk] = (
            PanelMember.objects.select_related("panel")
            .filter(panel__tender_id=tender.pk, user_id=user.pk)
            .first()
        )
    return cache[tender.pk]


def forget_panel_membership(user) -> None:
    """Drop the cached panel rows after a declaration or a change of the panel."""
    user.__dict__.pop("_marketplace_panel_members", None)


@rules.predicate
def works_for_provider(user, provider) -> bool:
    """An administrator or staff member of the provider: may bid and ask in its name."""
    if provider is None:
        return False
    return provider.organization_id in organizations_where(user, *PROVIDER_ROLES)


def is_bidder(user, bid) -> bool:
    """A person of the provider that owns the bid (administrator or staff)."""
    if bid is None:
        return False
    return works_for_provider(user, bid.provider)


def is_cleared_evaluator(user, tender) -> bool:
    """Who may read the submitted bids of a tender once its deadline has passed.

    The lead agency's commissioners, and panel members who have declared that
    they have no conflict of interest (a member with a conflict never sees a
    bid). Finance officers, supervisors and platform administrators are not
    evaluators: they never read bid content.
    """
    if tender is None:
        return False
    if tender.lead_agency_id in organizations_where(user, Role.COMMISSIONER):
        return True
    member = panel_member_of(user, tender)
    return member is not None and member.may_score


def prices_revealed(tender) -> bool:
    """The second envelope is open: the chair has locked the moderated quality scores."""
    panel = getattr(tender, "panel", None) if tender is not None else None
    return panel is not None and panel.quality_locked_at is not None


def bid_is_sealed(bid, *, now=None) -> bool:
    return bid.tender.bids_are_sealed(now)


@rules.predicate
def can_view_bid_content(user, bid, *, now=None) -> bool:
    """Responses and attachments: the bidder always; after the deadline, the evaluators.

    Only submitted bids are ever shown beyond the bidder: a draft, withdrawn
    bid or one never reconfirmed after an amendment is not part of the tender.
    """
    if bid is None:
        return False
    if is_bidder(user, bid):
        return True
    # Sealed until the deadline, for everyone else without exception.
    if bid.tender.bids_are_sealed(now):
        return False
    from marketplace.models.bids import Bid

    return bid.status == Bid.Status.SUBMITTED and is_cleared_evaluator(user, bid.tender)


@rules.predicate
def can_view_bid_price(user, bid, *, now=None) -> bool:
    """The price: the bidder always; anyone else only once the price envelope is open.

    Opened means the deadline has passed AND the chair has locked moderation
    (two envelopes: quality is judged without knowing prices). From then on a
    submitted bid's price is public, as the OCDS bids release publishes it
    (``selectors.opened_bids``); a bid's responses never are.
    """
    if bid is None:
        return False
    if is_bidder(user, bid):
        return True
    if bid.tender.bids_are_sealed(now):
        return False
    from marketplace.models.bids import Bid

    return bid.status == Bid.Status.SUBMITTED and prices_revealed(bid.tender)


@rules.predicate
def can_edit_bid(user, bid) -> bool:
    """The bidder, while the tender still takes bids (by server time) and the bid is not final."""
    if bid is None or not is_bidder(user, bid):
        return False
    return bid.tender.accepts_bids()


@rules.predicate
def can_bid_on(user, tender) -> bool:
    """Provider people, on a tender open for bids (eligibility is checked at submission)."""
    return tender is not None and is_provider_staff(user) and tender.accepts_bids()


# --- evaluation -------------------------------------------------------------


@rules.predicate
def is_panel_member(user, obj) -> bool:
    """On the panel of the tender (or panel, bid) — declared or not."""
    return panel_member_of(user, _tender_of(obj)) is not None


@rules.predicate
def is_panel_chair(user, obj) -> bool:
    tender = _tender_of(obj)
    panel = getattr(tender, "panel", None) if tender is not None else None
    return panel is not None and user.is_authenticated and panel.chair_id == user.pk


@rules.predicate
def holds_seat(user, member) -> bool:
    """The person in this seat of the panel: only they declare and score in it."""
    return member is not None and user.is_authenticated and member.user_id == user.pk


@rules.predicate
def chairs(user, panel) -> bool:
    """The chair of this panel."""
    return panel is not None and user.is_authenticated and panel.chair_id == user.pk


@rules.predicate
def can_score(user, bid) -> bool:
    """A cleared panel member, after the deadline, before moderation is locked, a submitted bid."""
    from marketplace.models.bids import Bid

    if bid is None or bid.status != Bid.Status.SUBMITTED or bid.tender.bids_are_sealed():
        return False
    member = panel_member_of(user, bid.tender)
    return (
        member is not None
        and member.may_score
        and member.panel.quality_locked_at is None
        and bid.lot.tender_id == member.panel.tender_id
    )


@rules.predicate
def can_moderate(user, obj) -> bool:
    """The chair, after the deadline, until moderation is locked."""
    tender = _tender_of(obj)
    if tender is None or tender.bids_are_sealed() or not is_panel_chair(user, tender):
        return False
    return tender.panel.quality_locked_at is None


@rules.predicate
def is_award_commissioner(user, award) -> bool:
    return award is not None and is_tender_commissioner(user, award.tender)


@rules.predicate
def is_tender_supervisor(user, tender) -> bool:
    """A supervisor of the tender's lead agency: follows it, and may approve its awards."""
    if tender is None:
        return False
    return tender.lead_agency_id in organizations_where(user, Role.SUPERVISOR)


@rules.predicate
def is_award_supervisor(user, award) -> bool:
    return award is not None and is_tender_supervisor(user, award.tender)


@rules.predicate
def recommended_award(user, award) -> bool:
    """The person who recommended the award."""
    return award is not None and user.is_authenticated and award.recommended_by_id == user.pk


@rules.predicate
def chaired_award_panel(user, award) -> bool:
    """The chair of the panel that evaluated the award's bids (and moderated their scores)."""
    return award is not None and is_panel_chair(user, award.tender)


# Four eyes, as procurement rules require: whoever recommended an award or
# chaired the panel that ranked the bids never approves it. Another commissioner
# or a supervisor of the lead agency does — and commits the money.
may_approve_awards_of_lead_agency = is_award_commissioner | is_award_supervisor
took_part_in_award = recommended_award | chaired_award_panel
can_approve_award = may_approve_awards_of_lead_agency & ~took_part_in_award


@rules.predicate
def can_recommend_award(user, tender) -> bool:
    """The panel chair or a commissioner of the lead agency, once prices are revealed."""
    if tender is None or not prices_revealed(tender):
        return False
    return is_panel_chair(user, tender) or is_tender_commissioner(user, tender)


@rules.predicate
def can_lodge_complaint(user, award) -> bool:
    """People of a provider with a submitted bid on the award's lot, during the standstill."""
    from marketplace.models.awards import Award
    from marketplace.models.bids import Bid

    if award is None or award.status != Award.Status.APPROVED or award.standstill_over():
        return False
    organizations = organizations_where(user, *PROVIDER_ROLES)
    if not organizations:
        return False
    return Bid.objects.filter(
        lot_id=award.lot_id,
        status=Bid.Status.SUBMITTED,
        provider__organization_id__in=organizations,
    ).exists()


@rules.predicate
def is_complaint_commissioner(user, complaint) -> bool:
    return complaint is not None and is_tender_commissioner(user, complaint.award.tender)


@rules.predicate
def is_complainant(user, complaint) -> bool:
    if complaint is None:
        return False
    return complaint.provider.organization_id in organizations_where(user, *PROVIDER_ROLES)


rules.add_perm("marketplace.bid_on_tender", can_bid_on)
rules.add_perm("marketplace.view_bid", can_view_bid_content)
rules.add_perm("marketplace.view_bid_price", can_view_bid_price)
rules.add_perm("marketplace.edit_bid", can_edit_bid)
rules.add_perm("marketplace.manage_panel", is_tender_commissioner)
rules.add_perm("marketplace.declare_conflict", is_panel_member)
rules.add_perm("marketplace.view_panel", is_panel_member | is_tender_commissioner)
rules.add_perm("marketplace.score_bid", can_score)
rules.add_perm("marketplace.moderate_scores", can_moderate)
rules.add_perm("marketplace.recommend_award", can_recommend_award)
rules.add_perm("marketplace.approve_award", can_approve_award)
rules.add_perm("marketplace.cancel_award", is_award_commissioner)
rules.add_perm("marketplace.lodge_complaint", can_lodge_complaint)
rules.add_perm("marketplace.resolve_complaint", is_complaint_commissioner)
rules.add_perm("marketplace.withdraw_complaint", is_complainant)
rules.add_perm("marketplace.view_assessment_summary", is_bidder)
