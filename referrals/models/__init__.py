"""The referrals app's models, by topic: beneficiaries, assessments, the referral
lifecycle, consent and unmet needs.

New code imports the topic module (``referrals.models.lifecycle``); the names
below are re-exported for the callers that have not moved yet and for Django,
which finds the models here.
"""

from referrals.models.assessments import Need, NeedAssessment, Priority
from referrals.models.beneficiaries import (
    MAX_DISABILITY_GRADE,
    AssistanceStatus,
    Beneficiary,
    Gender,
    GeocodePrecision,
)
from referrals.models.consent import Consent, ShareableField
from referrals.models.lifecycle import (
    ACCEPTED_STATUSES,
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_LIFECYCLE,
    REFERRAL_TRANSITIONS,
    RETURNED_STATUSES,
    Referral,
    ReferralEvent,
    UrgencyChoices,
)
from referrals.models.unmet_needs import UnmetNeed

__all__ = [
    "ACCEPTED_STATUSES",
    "ACTIVE_STATUSES",
    "AWAITING_ANSWER",
    "MAX_DISABILITY_GRADE",
    "REFERRAL_LIFECYCLE",
    "REFERRAL_TRANSITIONS",
    "RETURNED_STATUSES",
    "AssistanceStatus",
    "Beneficiary",
    "Consent",
    "Gender",
    "GeocodePrecision",
    "Need",
    "NeedAssessment",
    "Priority",
    "Referral",
    "ReferralEvent",
    "ShareableField",
    "UnmetNeed",
    "UrgencyChoices",
]
