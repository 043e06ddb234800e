"""Needs assessments: what a caseworker found a person needs, one need per category."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change
from core.errors import ApplicationError
from referrals.models.assessments import Need, NeedAssessment, Priority
from referrals.models.beneficiaries import Beneficiary
from referrals.services.common import check, fields_need_attention


@transaction.atomic
def record_assessment(
    *,
    beneficiary: Beneficiary,
    user,
    needs: Iterable[dict],
    assessed_on: datetime.date | None = None,
    priority: str = Priority.ROUTINE,
    notes: str = "",
) -> NeedAssessment:
    """Record an assessment with its needs.

    Each need is a dict with ``category`` (a NeedCategory), and optionally
    ``tier``, ``severity`` and ``notes``. At least one need, each category once.
    """
    check(user, "referrals.change_beneficiary", beneficiary)
    needs = list(needs)
    errors = {}
    if not needs:
        errors["needs"] = [_("Record at least one need.")]
    categories = [need.get("category") for need in needs]
    if any(category is None for category in categories):
        errors["needs"] = [_("Choose a need category for every need.")]
    elif len({category.pk for category in categories}) != len(categories):
        errors["needs"] = [_("Each need category can be recorded once per assessment.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority from the list.")]
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = [_("The assessment date cannot be in the future.")]
    for need in needs:
        if need.get("severity", Need.Severity.MODERATE) not in Need.Severity.values:
            errors["needs"] = [_("Choose a severity from the list for every need.")]
    if errors:
        raise ApplicationError(fields_need_attention(), field_errors=errors)
    assessment = NeedAssessment.objects.create(
        beneficiary=beneficiary,
        assessed_by=user,
        assessed_on=assessed_on,
        priority=priority,
        notes=(notes or "").strip(),
    )
    for need in needs:
        Need.objects.create(
            assessment=assessment,
            category=need["category"],
            tier=need.get("tier"),
            severity=need.get("severity", Need.Severity.MODERATE),
            notes=(need.get("notes") or "").strip(),
        )
    record_change(
        action="beneficiary.assessed",
        actor=user,
        organization=beneficiary.agency,
        target=beneficiary,
        details={"needs": sorted(category.code for category in categories), "priority": priority},
    )
    return assessment
