"""Pieces every part of the marketplace API shares: lookups, references, path parameters."""

import uuid as uuid_lib

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers

from accounts.models import Organization, Role
from accounts.selectors import agencies_acting_for
from marketplace.models.tenders import Criterion, Lot, Tender
from places.models import Area
from taxonomy import selectors as taxonomy_selectors

UUID_PATTERN = "[0-9a-fA-F-]{36}"
# Lot and criterion numbers are small integers in the database (PositiveSmallIntegerField).
MAX_NUMBER = 32767
# A tender is addressed by its uuid or by its reference (SH-MCA-2026-0007).
TENDER_LOOKUP_PATTERN = "[^/]+"


def uuid_or_none(value) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(value))
    except ValueError:
        return None


def commissioner_agency(user, agency: Organization | None) -> Organization:
    """The agency a commissioner acts for: the one named, or their only one.

    Someone who is nobody's commissioner is refused (403): there is no object
    to hide, only an action they may not take.
    """
    if agency is not None:
        return agency
    found = list(agencies_acting_for(user, Role.COMMISSIONER)[:2])
    if not found:
        raise exceptions.PermissionDenied(_("Only a commissioner of an agency can do this."))
    if len(found) > 1:
        raise serializers.ValidationError(
            {"lead_agency": [_("You are a commissioner of several agencies: say which one.")]}
        )
    return found[0]


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.SlugRelatedField):
    """A need category or area by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


class OrganizationReferenceSerializer(serializers.ModelSerializer):
    """An agency, fund or provider as a party: who it is, nothing more."""

    class Meta:
        model = Organization
        fields = ["uuid", "kind", "name_zh", "name_en"]
        read_only_fields = fields


def categories_field(**kwargs):
    return CodeField(
        many=True,
        queryset=taxonomy_selectors.active_categories(),
        help_text=_("Need category codes, e.g. social-services.elderly-care"),
        **kwargs,
    )


def areas_field(**kwargs):
    return CodeField(
        many=True,
        queryset=Area.objects.all(),
        help_text=_("12-digit GB/T 2260 area codes"),
        **kwargs,
    )


def criterion_by_number(tender: Tender, number, *, field: str) -> Criterion:
    """A criterion of the tender by its number (its place in the list, from 1)."""
    for criterion in tender.criteria.all():
        if criterion.order == number:
            return criterion
    raise serializers.ValidationError(
        {field: [_("The tender has no criterion number %(number)s.") % {"number": number}]}
    )


def lot_by_number(tender: Tender, number) -> Lot:
    lot = tender.lots.filter(number=number).first()
    if lot is None:
        raise serializers.ValidationError(
            {"lot": [_("The tender has no lot number %(number)s.") % {"number": number}]}
        )
    return lot


class LotReferenceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    number = serializers.IntegerField()


class TenderReferenceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reference = serializers.CharField()
    title_zh = serializers.CharField()
    title_en = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField(source="__str__")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Published with the notice: bidders read it")
    )


TENDER_ID_PARAMETER = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The tender's UUID or its reference (e.g. 310115-2026-0007).",
)
