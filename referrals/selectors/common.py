"""What the referrals selectors share: the joins of a list of referrals, and a row's
top-level need category for the statistics. Private to ``referrals.selectors``."""

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from referrals.models.lifecycle import Referral


def with_list_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Everything a list of referrals shows beside the referral, joined in the same query."""
    return queryset.select_related(
        "category",
        "district",
        "service",
        "provider__organization",
        "agency",
        "caseworker",
        "beneficiary",
    )


def category_group():
    """The top-level need category (基本生活救助, 专项救助…) of the row's category."""
    return Coalesce("category__parent__code", "category__code")
