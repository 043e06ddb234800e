"""Reads of consents: the agency keeps them; a provider learns what it may see through
the referral itself (``referrals.services.consent.read_shared_fields``)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from referrals.models.consent import Consent
from referrals.models.lifecycle import Referral


def consents_visible_to(user) -> QuerySet[Consent]:
    """Consents given for the user's agencies' referrals: the agency keeps them, not the
    provider, which never reads the consent records."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return Consent.objects.none()
    return Consent.objects.filter(referral__agency_id__in=agencies).select_related(
        "referral", "provider"
    )


def current_consent(referral: Referral, now=None) -> Consent | None:
    """The newest consent in force for the referral's provider, or None.

    Read from ``referral.consents.all()``, so a prefetched referral costs no query.
    """
    now = now or timezone.now()
    for consent in sorted(referral.consents.all(), key=lambda c: c.given_at, reverse=True):
        if consent.provider_id == referral.provider_id and consent.is_valid(now):
            return consent
    return None
