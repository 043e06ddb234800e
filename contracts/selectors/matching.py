"""Contracts for matching (``referrals.matching``): which providers hold a contract in
force for a need's categories covering a person's area, and which contract it is.

A contract covers the person when one of its areas is the person's area or an
area the person's lies in; it fits the need when one of its categories is the
need's category or the group around it.
"""

from django.db.models import QuerySet

from contracts.models.contracts import Contract


def contracts_in_force(*, category_ids, area_ids) -> QuerySet[Contract]:
    """Active contracts for any of ``category_ids`` covering any of ``area_ids``."""
    return Contract.objects.filter(
        status=Contract.Status.ACTIVE,
        categories__in=list(category_ids),
        areas__in=list(area_ids),
    )


def contract_of_providers(*, provider_ids, category_ids, area_ids) -> dict[int, Contract]:
    """The newest such contract of each provider (one query), with its lead agency."""
    found: dict[int, Contract] = {}
    contracts = (
        contracts_in_force(category_ids=category_ids, area_ids=area_ids)
        .filter(provider_id__in=list(provider_ids))
        .select_related("lead_agency")
        .order_by("provider_id", "-start_date", "-pk")
        .distinct()
    )
    for contract in contracts:
        found.setdefault(contract.provider_id, contract)
    return found
