"""What the referrals API shares: addressing by UUID, one answer for "not yours" and
"not there", the agency a caseworker acts for, and the audit of case notes shown.

Everything here answers to the same scope as the pages (SPEC §4): an agency's
caseworkers and supervisors see that agency's people, assessments, consents,
referrals and unmet needs; anything else answers 404, whatever the user's role
elsewhere. Objects are addressed by UUID only.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.models import Organization, Role
from accounts.rules import organizations_where
from referrals.services import beneficiaries as beneficiary_services
from taxonomy import selectors as taxonomy_selectors

# Objects are addressed by UUID; anything else is not a route at all (404).
UUID_PATTERN = "[0-9a-fA-F-]{36}"

# Another agency's object and a mistyped identifier get the same answer.
PERSON_NOT_FOUND = _("No person with this identifier is recorded by your agency.")
NEED_NOT_FOUND = _("No need with this identifier is in your agency's assessments.")
REFERRAL_NOT_FOUND = _("No referral with this identifier was made by your agency.")


def agency_ids(user) -> set[int]:
    """The agencies where the user is a caseworker or supervisor (cached on the user)."""
    return organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)


def caseworker_agency(user, agency_uuid=None) -> Organization:
    """The agency a caseworker records for: the one named, or their only one.

    Someone who is nobody's caseworker is refused (403): there is no object to
    hide, only an action they may not take.
    """
    candidates = account_selectors.agencies_acting_for(user, Role.CASEWORKER)
    agencies = list(candidates[:2])
    if not agencies:
        raise exceptions.PermissionDenied(
            _("Only a caseworker of an agency can record people and needs.")
        )
    if agency_uuid is not None:
        agency = candidates.filter(uuid=agency_uuid).first()
        if agency is None:
            raise serializers.ValidationError(
                {"agency": [_("You are not a caseworker of this agency.")]}
            )
        return agency
    if len(agencies) > 1:
        raise serializers.ValidationError(
            {"agency": [_("You work for several agencies: say which one this is for.")]}
        )
    return agencies[0]


class UUIDLookupMixin:
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def filter_queryset(self, queryset):
        # Query-string filters narrow lists; one object is found by its UUID alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class AuditsCaseNotes:
    """Each answer that shows case notes leaves a read in the audit log, one entry per
    person (``services.beneficiaries.record_case_notes_read``): lists in one query, after paging.

    Each viewset using it defines ``case_notes(obj)``, giving ``(beneficiary,
    {field: shown?})`` for one object (``(None, {})`` when it shows no notes).
    """

    case_notes_purpose = ""

    def audit_case_notes(self, objects) -> None:
        shown: dict = {}
        for obj in objects:
            beneficiary, fields = self.case_notes(obj)
            if beneficiary is None:
                continue
            shown.setdefault(beneficiary, []).extend(
                name for name, there in fields.items() if there
            )
        beneficiary_services.record_case_notes_read(
            user=self.request.user, shown=shown, purpose=str(self.case_notes_purpose)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.audit_case_notes(page if page is not None else queryset)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.audit_case_notes([instance])
        return Response(self.get_serializer(instance).data)


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.SlugRelatedField):
    """A related object named by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


def need_categories():
    """The categories a need may name: categories, not whole groups (a group has
    categories of its own), unless a group has none."""
    return taxonomy_selectors.active_categories().filter(
        Q(parent__isnull=False) | Q(children__isnull=True)
    )


class HouseholdMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    relation = serializers.CharField(max_length=50, required=False, allow_blank=True)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
