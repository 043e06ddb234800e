"""A person's alerts, and which providers a tender is for (who is alerted of it)."""

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet

from marketplace.models.alerts import Alert
from marketplace.models.bids import Bid
from marketplace.models.tenders import Tender
from marketplace.selectors.budgets import category_scope
from marketplace.selectors.common import areas_within_and_above
from providers.selectors import providers_of_services, public_services
from taxonomy.models import NeedCategory


def alerts_for(user) -> QuerySet[Alert]:
    """The user's in-app alerts, unread first, newest first."""
    if not user.is_authenticated:
        return Alert.objects.none()
    return (
        Alert.objects.filter(recipient=user)
        .select_related("tender")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def unread_alert_count(user) -> int:
    """How many of the user's alerts are not read yet (one query)."""
    if not user.is_authenticated:
        return 0
    return Alert.objects.filter(recipient=user, read_at=None).count()


def _matching_category_ids(tender: Tender) -> set[int]:
    """The tender's categories, their groups, and the categories of any group it names.

    The taxonomy is a two-level tree whose codes nest (``social-services`` →
    ``social-services.elderly-care``): a service filed under the group or
    under any of the group's categories is relevant to a tender about it.
    """
    categories = list(tender.categories.all())
    ids = category_scope(categories)
    groups = [category for category in categories if category.parent_id is None]
    if groups:
        children = Q()
        for group in groups:
            children |= Q(code__startswith=f"{group.code}.")
        ids |= set(NeedCategory.objects.filter(children).values_list("pk", flat=True))
    return ids


def _matching_area_ids(tender: Tender) -> tuple[set[int], set[int]]:
    """(areas in or under the tender's areas, areas above them).

    A service covering the whole city serves a tender for one of its
    districts; a site counts only when it is in or under a tender area.
    """
    return areas_within_and_above(list(tender.areas.all()))


def providers_to_alert(tender: Tender, now=None):
    """Verified providers with a listed service matching the tender's categories and areas.

    Matching: a service (as the public directory lists it) in one of the
    tender's categories (see ``_matching_category_ids``) whose areas covered
    are in, under or above a tender area, or one of whose sites is in or
    under a tender area.
    """
    category_ids = _matching_category_ids(tender)
    inside, above = _matching_area_ids(tender)
    services = public_services(now)
    if not category_ids or not inside:
        return providers_of_services(services.none())
    services = services.filter(categories__in=category_ids).filter(
        Q(areas_covered__in=inside | above)
        | Q(sites__area__in=inside)
        | Q(sites__district__in=inside)
    )
    return providers_of_services(services)


def bidders_with_bids_in(tender: Tender, statuses: Iterable[str]) -> set[int]:
    """Organizations of the providers holding a bid in one of ``statuses`` on the tender."""
    return set(
        Bid.objects.filter(tender=tender, status__in=list(statuses)).values_list(
            "provider__organization_id", flat=True
        )
    )
