"""Reads of beneficiaries, always scoped to what the user may see (SPEC §4).

Encrypted columns cannot be searched: a person is found through the blind
index of their ID number, so only the matching row is ever loaded and
decrypted. Showing personal data goes through
``referrals.services.beneficiaries.read_personal_data``, which writes the
audit entry every such read needs; lists never fetch an encrypted column.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from core.blind_index import blind_index
from core.i18n import in_active_language
from referrals.models.assessments import Need
from referrals.models.beneficiaries import AssistanceStatus, Beneficiary
from referrals.models.lifecycle import ACTIVE_STATUSES, Referral

PERSONAL_FIELDS = ("name", "id_number", "phone", "address", "household_members")
# Age bands shown to a provider before it accepts (upper bound inclusive, label).
AGE_BANDS = (
    (5, "0–5"),
    (17, "6–17"),
    (34, "18–34"),
    (59, "35–59"),
    (69, "60–69"),
    (79, "70–79"),
    (200, "80+"),
)


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


def beneficiary_list_for(user) -> QuerySet[Beneficiary]:
    """The agency's people as a list shows them, without fetching any encrypted column.

    So listing decrypts nothing: a person is told apart by a reference, gender,
    age band, area and assistance statuses. Each row carries the category of its
    latest need (``latest_need_zh``/``latest_need_en``) and its number of open
    referrals (``open_referrals``), as subqueries: one query for the whole page.
    """
    latest_need = Need.objects.filter(assessment__beneficiary=models.OuterRef("pk")).order_by(
        "-assessment__assessed_on", "-assessment__created_at", "-severity", "pk"
    )
    open_referrals = (
        Referral.objects.filter(beneficiary=models.OuterRef("pk"), status__in=list(ACTIVE_STATUSES))
        .order_by()
        .values("beneficiary")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return (
        beneficiaries_visible_to(user)
        .defer(*PERSONAL_FIELDS)
        .annotate(
            latest_need_zh=models.Subquery(latest_need.values("category__name_zh")[:1]),
            latest_need_en=models.Subquery(latest_need.values("category__name_en")[:1]),
            open_referrals=Coalesce(models.Subquery(open_referrals), 0),
        )
    )


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


def records_elsewhere(*, id_number_index: str, exclude_agency) -> list[tuple[int, str]]:
    """``(agency id, record uuid)`` of the other agencies' records with this blind index:
    for their audit logs, never for the caseworker's eyes."""
    rows = (
        Beneficiary.objects.filter(id_number_index=id_number_index)
        .exclude(agency=exclude_agency)
        .order_by("agency_id", "pk")
        .values_list("agency_id", "uuid")
    )
    return [(agency_id, str(uuid)) for agency_id, uuid in rows]


def age_band(birth_date, today=None) -> str:
    """The age band a pending referral shows instead of the birth date (SPEC §4)."""
    today = today or timezone.localdate()
    birthday_to_come = (today.month, today.day) < (birth_date.month, birth_date.day)
    age = today.year - birth_date.year - birthday_to_come
    for upper, label in AGE_BANDS:
        if age <= upper:
            return label
    return AGE_BANDS[-1][1]
