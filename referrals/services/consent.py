"""Consent: what a referral's provider may see of the person, and reading it once it may.

The caseworker records the person's consent (which fields, for what purpose,
how it was given); a supervisor may let a referral go without it, with a
written reason; the person may withdraw it at any moment. The provider reads
the consented fields only once it has accepted, and every such read is audited.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change, record_read
from core.errors import ApplicationError
from referrals.models.consent import Consent, ShareableField
from referrals.models.lifecycle import ACCEPTED_STATUSES, Referral
from referrals.selectors.consent import current_consent
from referrals.services.common import check, fields_need_attention


def _valid_fields(fields) -> list[str]:
    fields = list(dict.fromkeys(fields or ()))
    if not set(fields) <= set(ShareableField.values):
        raise ApplicationError(
            fields_need_attention(),
            field_errors={"fields": [_("Choose the fields to share from the list.")]},
        )
    return fields


@transaction.atomic
def record_consent(
    *,
    referral: Referral,
    user,
    fields: Iterable[str],
    purpose: str,
    method: str,
    given_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
) -> Consent:
    """Record the person's consent to share ``fields`` with the referral's provider."""
    check(user, "referrals.manage_referral", referral)
    errors = {}
    if method not in Consent.Method.values or method == Consent.Method.SUPERVISOR_OVERRIDE:
        errors["method"] = [_("Choose how the person gave consent.")]
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = [_("Say what the provider may use the data for.")]
    now = timezone.now()
    given_at = given_at or now
    if given_at > now:
        errors["given_at"] = [_("Consent cannot be given in the future.")]
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    fields = list(dict.fromkeys(fields or ()))
    if not set(fields) <= set(ShareableField.values):
        errors["fields"] = [_("Choose the fields to share from the list.")]
    if errors:
        raise ApplicationError(fields_need_attention(), field_errors=errors)
    consent = Consent(
        referral=referral,
        provider=referral.provider,
        fields=fields,
        purpose=purpose,
        method=method,
        given_at=given_at,
        expires_at=expires_at,
        recorded_by=user,
    )
    # The fields were checked above; an empty list is a consent to the referral that
    # shares no personal data (the provider then goes through the caseworker).
    consent.full_clean(exclude=["fields"])
    consent.save()
    record_change(
        action="referral.consent_recorded",
        actor=user,
        organization=referral.agency,
        target=referral,
        details={"fields": consent.fields, "method": method},
    )
    return consent


@transaction.atomic
def override_consent(
    *, referral: Referral, user, fields: Iterable[str], purpose: str, reason: str
) -> Consent:
    """A supervisor lets a referral go without the person's consent, with a written reason."""
    check(user, "referrals.override_consent", referral)
    reason, purpose = (reason or "").strip(), (purpose or "").strip()
    errors = {}
    if len(reason) < 10:
        errors["reason"] = [
            _("Write why the referral must go without consent (10 characters or more).")
        ]
    if not purpose:
        errors["purpose"] = [_("Say what the provider may use the data for.")]
    if errors:
        raise ApplicationError(fields_need_attention(), field_errors=errors)
    consent = Consent.objects.create(
        referral=referral,
        provider=referral.provider,
        fields=_valid_fields(fields),
        purpose=purpose,
        method=Consent.Method.SUPERVISOR_OVERRIDE,
        given_at=timezone.now(),
        recorded_by=user,
        override_reason=reason,
    )
    record_change(
        action="referral.consent_overridden",
        actor=user,
        organization=referral.agency,
        target=referral,
        # The written reason stays on the consent: it may describe the person,
        # and audit details never hold personal values.
        details={"fields": consent.fields},
    )
    return consent


@transaction.atomic
def revoke_consent(*, consent: Consent, user, note: str = "") -> Consent:
    """The person withdraws consent: the provider stops seeing the fields at once.

    A person withdraws their consent, not one version of it: every consent still
    in force for the referral's provider ends with it, so that an older, broader
    consent does not come back into force when a newer one is revoked.
    """
    check(user, "referrals.manage_referral", consent.referral)
    if consent.revoked_at is not None:
        return consent
    now = timezone.now()
    note = (note or "").strip()[:300]
    in_force = [
        other
        for other in Consent.objects.select_for_update().filter(
            referral_id=consent.referral_id, provider_id=consent.provider_id, revoked_at=None
        )
        if other.pk != consent.pk and other.is_valid(now)
    ]
    for revoked in (consent, *in_force):
        revoked.revoked_at = now
        revoked.revoked_by = user
        revoked.revocation_note = note
        revoked.save(update_fields=["revoked_at", "revoked_by", "revocation_note", "updated_at"])
    record_change(
        action="referral.consent_revoked",
        actor=user,
        organization=consent.referral.agency,
        target=consent.referral,
        details={"consents": 1 + len(in_force)},
    )
    return consent


def read_shared_fields(*, user, referral: Referral, purpose: str) -> dict:
    """The personal data the provider may see: the consented fields, once it has accepted.

    Empty while the referral is pending, after the consent was revoked or has
    expired, or when nothing was consented. Every non-empty read is audited.
    """
    # Judged on the referral as it is now: a copy loaded before a recall must not show more.
    referral = Referral.objects.select_related(
        "beneficiary", "provider__organization", "need__assessment"
    ).get(pk=referral.pk)
    check(user, "referrals.answer_referral", referral)
    if referral.status not in ACCEPTED_STATUSES:
        return {}
    consent = current_consent(referral)
    if consent is None or not consent.fields:
        return {}
    beneficiary = referral.beneficiary
    shared = {}
    for field_name in consent.fields:
        if field_name == ShareableField.SITUATION:
            shared["situation"] = {
                "reason": referral.reason,
                "assessment_notes": referral.need.assessment.notes,
                "need_notes": referral.need.notes,
            }
        else:
            shared[field_name] = getattr(beneficiary, field_name)
    # Filed under the agency that holds the case, so that its supervisors see which
    # provider's people read what; the provider is named in the details.
    record_read(
        action="referral.shared_data_read",
        actor=user,
        organization=referral.agency_id,
        target=beneficiary,
        purpose=(purpose or "").strip() or consent.purpose,
        fields=tuple(consent.fields),
        details={"provider": str(referral.provider.uuid)},
    )
    return shared
