"""Reads of the marketplace, scoped to what the user may see, one module per topic.

``budgets`` (budgets, contributions, the ledger), ``tenders``,
``clarifications`` (never naming the asker to other bidders), ``alerts``
(a person's alerts; which providers a tender is for), ``bids`` (the
sealed-bid rule: before the submission deadline a bid belongs to its
provider alone), ``panels`` (scores, moderation, results), ``awards`` (award
notices, the assessment summary) and ``complaints``; ``common`` holds the
people of an organization and area nesting, which several topics read.

Code inside the marketplace imports the topic module
(``from marketplace.selectors import bids as bid_selectors``); this package
re-exports every public name for the other apps while they move.
"""

from marketplace.selectors.alerts import (
    alerts_for,
    bidders_with_bids_in,
    providers_to_alert,
    unread_alert_count,
)
from marketplace.selectors.awards import (
    Assessment,
    AssessmentSummary,
    CriterionLine,
    assessment_summary,
    award_for,
    award_notices,
    awards_visible_to,
    standstill_has_ended,
)
from marketplace.selectors.bids import (
    VisibleBid,
    VisibleResponse,
    bid_counts,
    bid_for,
    bid_on,
    bids_of,
    bids_visible_to,
    can_view_bid_content,
    can_view_bid_price,
    opened_bids,
    prices_revealed,
    submitted_bid_count,
    visible_bid,
    visible_bids,
)
from marketplace.selectors.budgets import (
    AwardCommitment,
    BudgetLedger,
    LedgerLine,
    available_funds,
    budget_ledger,
    budgets_visible_to,
    category_scope,
    commitment_by_contribution,
    committed_by_contribution,
    contributions_of,
    contributions_to_approve,
    earmark_allows,
    remaining_by_contribution,
)
from marketplace.selectors.clarifications import (
    VisibleClarification,
    clarifications_for,
    interested_organizations,
    unanswered_questions,
)
from marketplace.selectors.common import (
    agency_users,
    areas_within_and_above,
    provider_users,
)
from marketplace.selectors.complaints import (
    complaint_for,
    complaints_visible_to,
    open_complaints,
)
from marketplace.selectors.panels import (
    MemberProgress,
    ModerationLine,
    all_scores_submitted,
    has_submitted_scores,
    moderation_lines,
    panel_member_of,
    panel_memberships_of,
    panel_of,
    results_for,
    scores_visible_to,
    scoring_progress,
)
from marketplace.selectors.tenders import (
    public_tenders,
    tenders_closing_soon,
    tenders_due,
    tenders_managed_by,
    tenders_visible_to,
)

__all__ = [
    "Assessment",
    "AwardCommitment",
    "AssessmentSummary",
    "BudgetLedger",
    "CriterionLine",
    "LedgerLine",
    "MemberProgress",
    "ModerationLine",
    "VisibleBid",
    "VisibleClarification",
    "VisibleResponse",
    "agency_users",
    "alerts_for",
    "all_scores_submitted",
    "areas_within_and_above",
    "assessment_summary",
    "available_funds",
    "award_for",
    "award_notices",
    "awards_visible_to",
    "bid_counts",
    "bid_for",
    "bid_on",
    "bidders_with_bids_in",
    "bids_of",
    "bids_visible_to",
    "budget_ledger",
    "budgets_visible_to",
    "can_view_bid_content",
    "can_view_bid_price",
    "category_scope",
    "clarifications_for",
    "commitment_by_contribution",
    "committed_by_contribution",
    "complaint_for",
    "complaints_visible_to",
    "contributions_of",
    "contributions_to_approve",
    "earmark_allows",
    "has_submitted_scores",
    "interested_organizations",
    "moderation_lines",
    "open_complaints",
    "opened_bids",
    "panel_member_of",
    "panel_memberships_of",
    "panel_of",
    "prices_revealed",
    "provider_users",
    "providers_to_alert",
    "public_tenders",
    "remaining_by_contribution",
    "results_for",
    "scores_visible_to",
    "scoring_progress",
    "standstill_has_ended",
    "submitted_bid_count",
    "tenders_closing_soon",
    "tenders_due",
    "tenders_managed_by",
    "tenders_visible_to",
    "unanswered_questions",
    "unread_alert_count",
    "visible_bid",
    "visible_bids",
]
