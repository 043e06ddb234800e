"""Pieces every part of the contracts API shares: lookups, references to a contract and its
parties, who may read people's names, and the small inputs several moves take."""

import uuid as uuid_lib

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organization
from contracts import rules
from contracts.models.contracts import Contract
from contracts.selectors.contracts import contract_for

UUID_PATTERN = "[0-9a-fA-F-]{36}"
# Milestone and KPI numbers are small integers in the database (PositiveSmallIntegerField).
MAX_NUMBER = 32767


def uuid_or_none(value) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(value))
    except ValueError:
        return None


def is_party(user, contract: Contract) -> bool:
    """The lead agency's staff or the provider's people: the two sides of the contract.

    Only they read the names of the people who acted on it. A funder's finance
    officer follows the money, not who signed or claimed it.
    """
    return rules.is_contract_agency_staff(user, contract) or rules.works_for_contract_provider(
        user, contract
    )


def contract_from_input(user, uuid, *, field: str = "contract") -> Contract:
    """The contract a request body names; the same 400 whether it is missing or out of scope."""
    contract = contract_for(user, uuid)
    if contract is None:
        raise serializers.ValidationError({field: [_("No such contract.")]})
    return contract


class PartySerializer(serializers.ModelSerializer):
    """An agency, fund or provider as a party to a contract: who it is, nothing more."""

    class Meta:
        model = Organization
        fields = ["uuid", "kind", "name_zh", "name_en"]
        read_only_fields = fields


class PersonReferenceSerializer(serializers.Serializer):
    """Someone who acted on a contract's record (only the parties read it)."""

    uuid = serializers.UUIDField()
    name = serializers.CharField(source="__str__")


class ContractReferenceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reference = serializers.CharField()
    title_zh = serializers.CharField()
    title_en = serializers.CharField()


class MilestoneReferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The milestone's number within its contract"))
    title_zh = serializers.CharField()
    title_en = serializers.CharField()


class PersonsForPartiesMixin:
    """Leaves out ``person_fields`` unless the caller is a party to the row's contract.

    Absent, not null: nothing in the answer says whose name is behind it.
    """

    person_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not is_party(request.user, instance.contract):
            for name in self.person_fields:
                data.pop(name, None)
        return data


class ContractReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Both parties read it in the contract's history")
    )


class ContractNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Kept in the contract's history")
    )


class ContractScopedFilter(django_filters.FilterSet):
    """Rows of one contract, by its uuid."""

    contract = django_filters.UUIDFilter(field_name="contract__uuid", label=_("Contract UUID"))
