"""Unmet needs: recording that nothing eligible could meet a need.

They feed the next commissioning round and the public statistics, so they
hold a category, an area (the person's district) and a reason, never the
person: the link to the need lets the caseworker find it again.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change
from core.errors import ApplicationError
from places import selectors as place_selectors
from referrals.models.assessments import Need
from referrals.models.unmet_needs import UnmetNeed
from referrals.services.common import check, fields_need_attention


@transaction.atomic
def record_unmet_need(
    *,
    user,
    agency,
    category,
    reason: str,
    area=None,
    need: Need | None = None,
    note: str = "",
) -> UnmetNeed:
    """Record that nothing eligible could meet a need, for commissioning and statistics."""
    if need is not None:
        check(user, "referrals.change_beneficiary", need.assessment.beneficiary)
        agency = need.assessment.beneficiary.agency
        category = category or need.category
        area = area or place_selectors.district_of(need.assessment.beneficiary.area)
    else:
        check(user, "referrals.add_beneficiary", agency)
    errors = {}
    if reason not in UnmetNeed.Reason.values:
        errors["reason"] = [_("Choose why the need could not be met.")]
    if category is None:
        errors["category"] = [_("Choose the need category.")]
    if reason == UnmetNeed.Reason.OTHER and not (note or "").strip():
        errors["note"] = [_("Explain the reason in a note.")]
    if errors:
        raise ApplicationError(fields_need_attention(), field_errors=errors)
    unmet = UnmetNeed.objects.create(
        agency=agency,
        need=need,
        category=category,
        area=area,
        reason=reason,
        note=(note or "").strip()[:300],
        recorded_by=user,
    )
    record_change(
        action="referral.unmet_need_recorded",
        actor=user,
        organization=agency,
        target=unmet,
        details={"category": category.code, "reason": reason},
    )
    return unmet
