"""Reads of needs assessments and their needs, scoped to the user's agencies.

Every list prefetches the needs (and, for a person's page, each need's
referrals), so the number of queries does not grow with the rows.
"""

import rules
from django.db import models
from django.db.models import QuerySet

from accounts.models import Role
from accounts.rules import organizations_where
from referrals.models.assessments import Need, NeedAssessment
from referrals.models.beneficiaries import Beneficiary
from referrals.models.lifecycle import Referral


def assessments_of(beneficiary: Beneficiary) -> QuerySet[NeedAssessment]:
    """A person's assessments, each need with its referrals, newest first (fixed queries)."""
    return beneficiary.assessments.select_related("assessed_by").prefetch_related(
        models.Prefetch(
            "needs",
            queryset=Need.objects.select_related("category", "tier").prefetch_related(
                models.Prefetch(
                    "referrals",
                    queryset=Referral.objects.select_related("provider__organization").order_by(
                        "-created_at"
                    ),
                )
            ),
        )
    )


def need_for(user, uuid) -> Need | None:
    """A need of a beneficiary the user's agency holds (caseworker or supervisor)."""
    need = (
        Need.objects.filter(uuid=uuid)
        .select_related("category", "tier", "assessment__beneficiary__agency")
        .first()
    )
    # The rules themselves, not user.has_perm: an active superuser passes every has_perm.
    if need is None or not rules.has_perm(
        "referrals.view_beneficiary", user, need.assessment.beneficiary
    ):
        return None
    return need


def assessments_visible_to(user) -> QuerySet[NeedAssessment]:
    """Assessments of the user's agencies' beneficiaries, with their needs (fixed queries)."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return NeedAssessment.objects.none()
    return (
        NeedAssessment.objects.filter(beneficiary__agency_id__in=agencies)
        .select_related("beneficiary", "assessed_by")
        .prefetch_related(
            models.Prefetch("needs", queryset=Need.objects.select_related("category", "tier"))
        )
    )
