"""The commissioning marketplace: pooled budgets, tenders and everything a tender gathers.

One lead agency buys services with money that several agencies and funds
pool (``budgets``: ``PooledBudget`` + ``Contribution``), through a ``Tender``
split into ``Lot``\\s and judged on weighted ``Criterion``\\s (``tenders``).
Providers ask questions (``clarifications``) and bid (``bids``: ``Bid`` with a
``BidResponse`` per criterion and ``BidAttachment``\\s); a ``Panel`` scores the
bids (``panels``: ``Score``, moderated into ``ModeratedScore``, summed into
``BidResult``); the winning bid of a lot becomes an ``Award`` (``awards``),
against which losing bidders may lodge a ``Complaint`` (``complaints``) during
the standstill. People are told through ``Alert``\\s (``alerts``). Money drawn
on a budget is written to the ``Commitment`` ledger, split across the
contributions that pay for it.

The modules declare fields, invariants and each state machine's table
(``core.lifecycle.Lifecycle``) only. Every state change goes through
``marketplace.services`` and every read a person sees through
``marketplace.selectors``, which apply the sealed-bid rule: before the
submission deadline a bid's price and content belong to its provider alone.

Code inside the marketplace imports the topic module
(``from marketplace.models.bids import Bid``); this package re-exports every
name for migrations, other apps and the Django machinery.
"""

from marketplace.models.alerts import Alert
from marketplace.models.awards import AWARD_LIFECYCLE, AWARD_TRANSITIONS, AWARDED_STATES, Award
from marketplace.models.bids import (
    BID_LIFECYCLE,
    BID_TRANSITIONS,
    Bid,
    BidAttachment,
    BidResponse,
    bid_attachment_path,
)
from marketplace.models.budgets import (
    CONTRIBUTION_LIFECYCLE,
    CONTRIBUTION_TRANSITIONS,
    Commitment,
    Contribution,
    PooledBudget,
)
from marketplace.models.clarifications import Clarification
from marketplace.models.common import MONEY, add_years
from marketplace.models.complaints import (
    COMPLAINT_LIFECYCLE,
    COMPLAINT_TRANSITIONS,
    RESOLUTIONS,
    Complaint,
)
from marketplace.models.panels import (
    DISAGREEMENT_THRESHOLD,
    SCORE_MAX,
    SCORE_MIN,
    BidResult,
    ModeratedScore,
    Panel,
    PanelMember,
    Score,
)
from marketplace.models.tenders import (
    BIDDING_STATES,
    DEFAULT_STANDSTILL_DAYS,
    DOCUMENT_STATES,
    MATERIAL_AMENDMENT_WINDOW,
    MAX_CONTRACT_YEARS,
    OPEN_STATES,
    PANEL_STATES,
    PUBLIC_STATES,
    TENDER_LIFECYCLE,
    TENDER_TRANSITIONS,
    TOTAL_WEIGHT,
    Amendment,
    Criterion,
    Lot,
    Tender,
    TenderDocument,
    TenderEvent,
    tender_document_path,
)

__all__ = [
    "AWARD_LIFECYCLE",
    "AWARD_TRANSITIONS",
    "AWARDED_STATES",
    "BIDDING_STATES",
    "BID_LIFECYCLE",
    "BID_TRANSITIONS",
    "COMPLAINT_LIFECYCLE",
    "COMPLAINT_TRANSITIONS",
    "CONTRIBUTION_LIFECYCLE",
    "CONTRIBUTION_TRANSITIONS",
    "DEFAULT_STANDSTILL_DAYS",
    "DISAGREEMENT_THRESHOLD",
    "DOCUMENT_STATES",
    "MATERIAL_AMENDMENT_WINDOW",
    "MAX_CONTRACT_YEARS",
    "MONEY",
    "OPEN_STATES",
    "PANEL_STATES",
    "PUBLIC_STATES",
    "RESOLUTIONS",
    "SCORE_MAX",
    "SCORE_MIN",
    "TENDER_LIFECYCLE",
    "TENDER_TRANSITIONS",
    "TOTAL_WEIGHT",
    "Alert",
    "Amendment",
    "Award",
    "Bid",
    "BidAttachment",
    "BidResponse",
    "BidResult",
    "Clarification",
    "Commitment",
    "Complaint",
    "Contribution",
    "Criterion",
    "Lot",
    "ModeratedScore",
    "Panel",
    "PanelMember",
    "PooledBudget",
    "Score",
    "Tender",
    "TenderDocument",
    "TenderEvent",
    "add_years",
    "bid_attachment_path",
    "tender_document_path",
]
