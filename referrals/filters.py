"""Query-string filters of the referrals API (``?status=sent&category=social-services``).

Each filter narrows a queryset a selector has already scoped to the user; none
widens it. There is no ID-number filter: a query string ends up in access logs,
so a person is found by ID number with ``POST /api/v1/beneficiaries/find/``.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from referrals.models.assessments import NeedAssessment
from referrals.models.beneficiaries import AssistanceStatus, Beneficiary, Gender
from referrals.models.consent import Consent
from referrals.models.lifecycle import Referral
from referrals.models.unmet_needs import UnmetNeed


def _in_category(prefix: str, code: str) -> Q:
    """A category given by code; a group's code also takes in its categories."""
    return Q(**{f"{prefix}__code": code}) | Q(**{f"{prefix}__parent__code": code})


class BeneficiaryFilter(django_filters.FilterSet):
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    assistance_status = django_filters.ChoiceFilter(
        choices=AssistanceStatus.choices,
        method="filter_assistance_status",
        label=_("Receives this assistance"),
    )
    area = django_filters.CharFilter(
        field_name="area__code",
        lookup_expr="startswith",
        label=_("Area code prefix (GB/T 2260), e.g. 310115 for Pudong"),
    )

    class Meta:
        model = Beneficiary
        fields = ["gender", "assistance_status", "area"]

    def filter_assistance_status(self, queryset, name, value):
        # JSON containment is not available on SQLite; the list is short, so a
        # quoted-code match on the JSON text is exact for these fixed codes.
        return queryset.filter(assistance_statuses__icontains=f'"{value}"')


class AssessmentFilter(django_filters.FilterSet):
    beneficiary = django_filters.UUIDFilter(
        field_name="beneficiary__uuid", label=_("Beneficiary (UUID)")
    )

    class Meta:
        model = NeedAssessment
        fields = ["beneficiary"]


class ConsentFilter(django_filters.FilterSet):
    referral = django_filters.UUIDFilter(field_name="referral__uuid", label=_("Referral (UUID)"))

    class Meta:
        model = Consent
        fields = ["referral"]


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Referral.Status.choices,
        label=_("Status; repeat the parameter for several (?status=sent&status=viewed)"),
    )
    category = django_filters.CharFilter(
        method="filter_category",
        label=_("Need category code; a group's code includes its categories"),
    )
    urgency = django_filters.ChoiceFilter(choices=Referral.Urgency.choices, label=_("Urgency"))

    class Meta:
        model = Referral
        fields = ["status", "category", "urgency"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(_in_category("category", value))


class UnmetNeedFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        method="filter_category",
        label=_("Need category code; a group's code includes its categories"),
    )
    reason = django_filters.ChoiceFilter(choices=UnmetNeed.Reason.choices, label=_("Reason"))
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", exclude=True, label=_("Resolved")
    )

    class Meta:
        model = UnmetNeed
        fields = ["category", "reason", "resolved"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(_in_category("category", value))
