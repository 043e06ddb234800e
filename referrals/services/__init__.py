"""Every write of the referrals app, by topic: beneficiaries, assessments, consent, the
referral lifecycle, deadlines and unmet needs (SPEC §5).

Each service checks with the ``referrals.rules`` predicates that the person may
act, whoever calls it (a page, the API, a command, a task), runs in one
transaction, writes its audit entry, and sends mail only once committed.

New code imports the topic module (``referrals.services.lifecycle``); the names
below are re-exported for the callers that have not moved yet.
"""

from referrals.selectors.consent import current_consent  # a read, long called from here
from referrals.services.assessments import record_assessment
from referrals.services.beneficiaries import (
    CASE_NOTE_FIELDS,
    EDITABLE_FIELDS,
    RecordResult,
    read_personal_data,
    record_beneficiary,
    record_case_notes_read,
    update_beneficiary,
)
from referrals.services.consent import (
    override_consent,
    read_shared_fields,
    record_consent,
    revoke_consent,
)
from referrals.services.deadlines import process_referral_deadlines
from referrals.services.lifecycle import (
    accept_referral,
    close_referral,
    complete_referral,
    create_referral,
    decline_referral,
    fail_referral,
    mark_viewed,
    recall_referral,
    reopen_referral,
    send_referral,
    start_service,
    waitlist_referral,
)
from referrals.services.unmet_needs import record_unmet_need

__all__ = [
    "CASE_NOTE_FIELDS",
    "EDITABLE_FIELDS",
    "RecordResult",
    "accept_referral",
    "close_referral",
    "complete_referral",
    "create_referral",
    "current_consent",
    "decline_referral",
    "fail_referral",
    "mark_viewed",
    "override_consent",
    "process_referral_deadlines",
    "read_personal_data",
    "read_shared_fields",
    "recall_referral",
    "record_assessment",
    "record_beneficiary",
    "record_case_notes_read",
    "record_consent",
    "record_unmet_need",
    "reopen_referral",
    "revoke_consent",
    "send_referral",
    "start_service",
    "update_beneficiary",
    "waitlist_referral",
]
