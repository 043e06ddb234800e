"""The referrals app's reads, by topic: beneficiaries, assessments, consent, the referral
lifecycle, deadlines and unmet needs. Each takes the user and returns only what the
user may see.

New code imports the topic module (``referrals.selectors.lifecycle``); the names
below are re-exported for the callers that have not moved yet.
"""

from referrals.selectors.assessments import assessments_of, assessments_visible_to, need_for
from referrals.selectors.beneficiaries import (
    AGE_BANDS,
    PERSONAL_FIELDS,
    KnownElsewhere,
    age_band,
    beneficiaries_visible_to,
    beneficiary_list_for,
    find_by_id_number,
    known_elsewhere,
    records_elsewhere,
)
from referrals.selectors.consent import consents_visible_to, current_consent
from referrals.selectors.deadlines import (
    OUTCOME_CONFIRMATION_DUE,
    overdue_count,
    overdue_referrals,
)
from referrals.selectors.lifecycle import (
    STANDING_HELPED,
    STANDING_NOT_HELPED,
    STANDING_OPEN,
    STANDING_RETURNED,
    STANDINGS,
    active_referral_for_need,
    awaiting_answer_count,
    inbox_for,
    referral_counts_for_agency,
    referral_counts_for_provider,
    referral_for,
    referral_statistics,
    referrals_visible_to,
    returned_count,
    returned_to,
)
from referrals.selectors.unmet_needs import unmet_need_statistics, unmet_needs_visible_to

__all__ = [
    "AGE_BANDS",
    "OUTCOME_CONFIRMATION_DUE",
    "PERSONAL_FIELDS",
    "STANDINGS",
    "STANDING_HELPED",
    "STANDING_NOT_HELPED",
    "STANDING_OPEN",
    "STANDING_RETURNED",
    "KnownElsewhere",
    "active_referral_for_need",
    "age_band",
    "assessments_of",
    "assessments_visible_to",
    "awaiting_answer_count",
    "beneficiaries_visible_to",
    "beneficiary_list_for",
    "consents_visible_to",
    "current_consent",
    "find_by_id_number",
    "inbox_for",
    "known_elsewhere",
    "need_for",
    "overdue_count",
    "overdue_referrals",
    "records_elsewhere",
    "referral_counts_for_agency",
    "referral_counts_for_provider",
    "referral_for",
    "referral_statistics",
    "referrals_visible_to",
    "returned_count",
    "returned_to",
    "unmet_need_statistics",
    "unmet_needs_visible_to",
]
