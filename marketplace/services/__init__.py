"""Every write of the marketplace, one module per topic: ``budgets`` (pooled budgets
and their ledger), ``tenders`` (drafting, publishing, amending, closing), ``timetable``
(the moves of a tender's lifecycle and the timed ones beat makes), ``clarifications``,
``alerts``, ``bids``, ``panels`` (the two-envelope evaluation), ``awards`` and
``complaints``; ``common`` holds what several of them share. Views, the API, admin
actions and Celery tasks call these.

Each function checks who may act with the predicates of ``marketplace.rules``
(never ``user.has_perm``: Django grants superusers every ``has_perm``, and no
superuser may read or change a sealed bid), validates with messages a person
can act on, runs in a transaction, writes an audit entry and queues e-mails
with ``transaction.on_commit``. Statuses move only through
``core.lifecycle.move``, along the tables declared beside the models.

Code inside the marketplace imports the topic module
(``from marketplace.services.bids import submit_bid``); this package
re-exports the public services for the other apps while they move.
"""

from marketplace.services.alerts import (
    REMINDER_BEFORE,
    alert_matching_providers,
    mark_alerts_read,
    remind_draft_bidders,
    tender_url,
)
from marketplace.services.awards import (
    approve_award,
    cancel_award,
    recommend_award,
)
from marketplace.services.bids import (
    BID_ATTACHMENT_MAX_BYTES,
    MAX_BID_ATTACHMENTS,
    MAX_RESPONSE_LENGTH,
    add_bid_attachment,
    reconfirm_bid,
    remove_bid_attachment,
    reopen_bid,
    save_bid_draft,
    submit_bid,
    withdraw_bid,
)
from marketplace.services.budgets import (
    add_contribution,
    approve_contribution,
    commit_funds,
    create_budget,
    release_funds,
    spend_funds,
    withdraw_contribution,
)
from marketplace.services.clarifications import (
    MAX_QUESTION_LENGTH,
    answer_question,
    ask_question,
)
from marketplace.services.complaints import (
    MAX_COMPLAINT_LENGTH,
    lodge_complaint,
    resolve_complaint,
    withdraw_complaint,
)
from marketplace.services.panels import (
    compute_results,
    declare_conflict,
    lock_moderation,
    moderate,
    save_scores,
    set_panel,
    submit_scores,
)
from marketplace.services.tenders import (
    AMENDABLE_FIELDS,
    CRITERION_FIELDS,
    LOT_FIELDS,
    TENDER_DOCUMENT_MAX_BYTES,
    TENDER_FIELDS,
    add_tender_document,
    amend_tender,
    cancel_tender,
    create_tender,
    mark_unsuccessful,
    publish_tender,
    remove_tender_document,
    update_tender,
)
from marketplace.services.timetable import (
    advance_tenders,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "BID_ATTACHMENT_MAX_BYTES",
    "CRITERION_FIELDS",
    "LOT_FIELDS",
    "MAX_BID_ATTACHMENTS",
    "MAX_COMPLAINT_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MAX_RESPONSE_LENGTH",
    "REMINDER_BEFORE",
    "TENDER_DOCUMENT_MAX_BYTES",
    "TENDER_FIELDS",
    "add_bid_attachment",
    "add_contribution",
    "add_tender_document",
    "advance_tenders",
    "alert_matching_providers",
    "amend_tender",
    "answer_question",
    "approve_award",
    "approve_contribution",
    "ask_question",
    "cancel_award",
    "cancel_tender",
    "commit_funds",
    "compute_results",
    "create_budget",
    "create_tender",
    "declare_conflict",
    "lock_moderation",
    "lodge_complaint",
    "mark_alerts_read",
    "mark_unsuccessful",
    "moderate",
    "publish_tender",
    "recommend_award",
    "reconfirm_bid",
    "release_funds",
    "remind_draft_bidders",
    "remove_bid_attachment",
    "remove_tender_document",
    "reopen_bid",
    "resolve_complaint",
    "save_bid_draft",
    "save_scores",
    "set_panel",
    "spend_funds",
    "submit_bid",
    "submit_scores",
    "tender_url",
    "update_tender",
    "withdraw_bid",
    "withdraw_complaint",
    "withdraw_contribution",
]
