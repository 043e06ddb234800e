"""Reads of beneficiaries, always scoped to what the user may see (SPEC §4).

Encrypted columns cannot be searched: a person is found through the blind
index of their ID number, so only the matching row is ever loaded and
decrypted. Showing personal data goes through ``services.read_personal_data``,
which writes the audit entry every such read needs.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Role
from accounts.rules import organizations_where
from core.blind_index import blind_index
from core.i18n import in_active_language
from referrals.models import AssistanceStatus, Beneficiary

PERSONAL_FIELDS = ("name", "id_number", "phone", "address", "household_members")


@dataclass(frozen=True)
class KnownElsewhere:
    """That another agency knows the person, and which kinds of help are active there.

    Deliberately nothing else — no name, contact, address, dates or identifiers
    of the other agency's case (SPEC §5): the caseworker learns whom to call.
    """

    agency_name: str
    active_help: tuple[str, ...]  # AssistanceStatus codes

    @property
    def active_help_labels(self) -> list[str]:
        return [str(AssistanceStatus(code).label) for code in self.active_help]


def beneficiaries_visible_to(user) -> QuerySet[Beneficiary]:
    """Beneficiaries of the agencies where the user is a caseworker or supervisor."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(agency_id__in=agencies).select_related("agency", "area")


def find_by_id_number(*, user, id_number: str) -> Beneficiary | None:
    """The user's agency's record of the person holding ``id_number``, or None.

    Matches on the blind index: the number is normalized and hashed, so
    "11010519491231002x" finds "11010519491231002X", and no other row is read.
    """
    try:
        index = blind_index(id_number)
    except ValueError:
        return None
    return beneficiaries_visible_to(user).filter(id_number_index=index).first()


def known_elsewhere(*, id_number_index: str, exclude_agency) -> list[KnownElsewhere]:
    """Other agencies holding a record with this blind index, and the help they give."""
    rows = (
        Beneficiary.objects.filter(id_number_index=id_number_index)
        .exclude(agency=exclude_agency)
        .order_by("agency__name_zh")
        # Only the agency's name and the statuses: the encrypted columns of
        # another agency's case are never even fetched.
        .values_list("agency__name_zh", "agency__name_en", "assistance_statuses")
    )
    return [
        KnownElsewhere(
            agency_name=in_active_language(name_zh, name_en), active_help=tuple(statuses or ())
        )
        for name_zh, name_en, statuses in rows
    ]
