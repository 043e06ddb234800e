"""Reads of beneficiaries, always scoped to what the user may see (SPEC §4).

Encrypted columns cannot be searched: a person is found through the blind
index of their ID number, so only the matching row is ever loaded and
decrypted. Showing personal data goes through ``services.read_personal_data``,
which writes the audit entry every such read needs.
"""

import datetime
from dataclasses import dataclass

import rules
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Role
from accounts.rules import organizations_where
from core.blind_index import blind_index
from core.i18n import in_active_language
from places.models import Area
from referrals.models import (
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    AssistanceStatus,
    Beneficiary,
    Consent,
    Need,
    NeedAssessment,
    Referral,
    UnmetNeed,
)

PERSONAL_FIELDS = ("name", "id_number", "phone", "address", "household_members")
# A provider that has reported an outcome waits for the caseworker to confirm it.
OUTCOME_CONFIRMATION_DUE = datetime.timedelta(days=5)
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


# --- referrals -----------------------------------------------------------------

PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


def _referral_list_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    return queryset.select_related(
        "category",
        "district",
        "service",
        "provider__organization",
        "agency",
        "caseworker",
        "beneficiary",
    )


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals of the user's agencies (caseworker, supervisor): the agency side."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return Referral.objects.none()
    return _referral_list_related(Referral.objects.filter(agency_id__in=agencies))


def inbox_for(user) -> QuerySet[Referral]:
    """Referrals sent to the providers where the user works; drafts are never theirs."""
    organizations = organizations_where(user, *PROVIDER_ROLES)
    if not organizations:
        return Referral.objects.none()
    return _referral_list_related(
        Referral.objects.filter(provider__organization_id__in=organizations)
        .exclude(status=Referral.Status.DRAFT)
        # A draft recalled before it was sent never reached the provider either.
        .exclude(status=Referral.Status.RECALLED, sent_at__isnull=True)
    ).order_by(
        # Waiting for an answer first, the most pressing deadline first.
        models.Case(
            models.When(status__in=list(AWAITING_ANSWER), then=0),
            models.When(status=Referral.Status.WAITLISTED, then=1),
            default=2,
        ),
        models.F("due_at").asc(nulls_last=True),
        "-status_changed_at",
    )


def referral_for(user, uuid) -> Referral | None:
    """The referral with ``uuid`` if the user may see it (agency side or provider side)."""
    referral = (
        _referral_list_related(Referral.objects.filter(uuid=uuid))
        .select_related("need__assessment", "need__tier", "service__tier")
        .prefetch_related("consents", "events__actor")
        .first()
    )
    # The rules themselves, not user.has_perm: an active superuser passes every
    # has_perm, and a case is nobody's business outside its agency and provider.
    if referral is None or not rules.has_perm("referrals.view_referral", user, referral):
        return None
    return referral


def returned_to(user) -> QuerySet[Referral]:
    """Referrals that came back to the user's agencies (declined, expired) with nothing after.

    A need that was referred again since, or recorded as unmet, drops off the list.
    """
    newer = Referral.objects.filter(
        need_id=models.OuterRef("need_id"), created_at__gt=models.OuterRef("created_at")
    )
    unmet = UnmetNeed.objects.filter(
        need_id=models.OuterRef("need_id"), created_at__gt=models.OuterRef("status_changed_at")
    )
    return (
        referrals_visible_to(user)
        .filter(status__in=[Referral.Status.DECLINED, Referral.Status.EXPIRED])
        .exclude(models.Exists(newer))
        .exclude(models.Exists(unmet))
        .order_by("-status_changed_at")
    )


def overdue_referrals(user, now=None) -> QuerySet[Referral]:
    """For supervisors: referrals of their agencies not answered by their SLA deadline,
    and outcomes reported but not confirmed by the caseworker within 5 days."""
    from django.utils import timezone

    now = now or timezone.now()
    agencies = organizations_where(user, Role.SUPERVISOR)
    if not agencies:
        return Referral.objects.none()
    return (
        _referral_list_related(Referral.objects.filter(agency_id__in=agencies))
        .filter(
            models.Q(status__in=list(AWAITING_ANSWER), due_at__lte=now)
            | models.Q(
                status__in=[Referral.Status.COMPLETED, Referral.Status.FAILED],
                status_changed_at__lte=now - OUTCOME_CONFIRMATION_DUE,
            )
        )
        .order_by("due_at", "status_changed_at")
    )


def returned_count(user) -> int:
    """How many referrals came back to the user's agencies and wait for a next step."""
    return returned_to(user).count()


def overdue_count(user) -> int:
    """How many referrals of the supervisor's agencies are overdue (``overdue_referrals``)."""
    return overdue_referrals(user).count()


def awaiting_answer_count(user) -> int:
    """How many referrals wait for an answer from the user's providers."""
    return inbox_for(user).filter(status__in=list(AWAITING_ANSWER)).count()


def referral_counts_for_provider(user) -> dict[str, int]:
    """How many referrals of each status the user's providers have (for the inbox tabs)."""
    rows = (
        inbox_for(user)
        .order_by()
        .values("status")
        .annotate(count=models.Count("pk"))
        .values_list("status", "count")
    )
    return dict(rows)


def referral_counts_for_agency(user) -> dict[str, int]:
    """How many referrals of each status the user's agencies have (for the list's tabs)."""
    rows = (
        referrals_visible_to(user)
        .order_by()
        .values("status")
        .annotate(count=models.Count("pk"))
        .values_list("status", "count")
    )
    return dict(rows)


def active_referral_for_need(need: Need) -> Referral | None:
    return (
        Referral.objects.filter(need=need, status__in=ACTIVE_STATUSES)
        .select_related("provider__organization")
        .first()
    )


def assessments_of(beneficiary: Beneficiary) -> QuerySet[NeedAssessment]:
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
    if need is None or not rules.has_perm(
        "referrals.view_beneficiary", user, need.assessment.beneficiary
    ):
        return None
    return need


def unmet_needs_visible_to(user) -> QuerySet[UnmetNeed]:
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return UnmetNeed.objects.none()
    return UnmetNeed.objects.filter(agency_id__in=agencies).select_related(
        "category", "area", "recorded_by"
    )


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


def consents_visible_to(user) -> QuerySet[Consent]:
    """Consents given for the user's agencies' referrals: the agency keeps them, not the provider.

    The provider learns what it may see through the referral itself
    (``services.read_shared_fields``), never by reading the consent records.
    """
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return Consent.objects.none()
    return Consent.objects.filter(referral__agency_id__in=agencies).select_related(
        "referral", "provider"
    )


def age_band(birth_date, today=None) -> str:
    """The age band a pending referral shows instead of the birth date (SPEC §4)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    birthday_to_come = (today.month, today.day) < (birth_date.month, birth_date.day)
    age = today.year - birth_date.year - birthday_to_come
    for upper, label in AGE_BANDS:
        if age <= upper:
            return label
    return AGE_BANDS[-1][1]


# --- public statistics: counts only ----------------------------------------------------
# What the public statistics page (cms.statistics) counts: one number per kind of help
# or district, never a row, a date or anything else about a person. The counts are raw;
# cms.statistics hides the small ones (1–4 become "<5", with any cell that would give
# one away) before a figure is published, in one place for all its tables.

# How a referral sent to a provider stands, in the public figures.
STANDING_OPEN = "open"
STANDING_HELPED = "helped"
STANDING_NOT_HELPED = "not_helped"
STANDING_RETURNED = "returned"
STANDINGS = (STANDING_HELPED, STANDING_NOT_HELPED, STANDING_RETURNED, STANDING_OPEN)


def _category_group():
    """The top-level need category (基本生活救助, 专项救助…) of the row's category."""
    return Coalesce("category__parent__code", "category__code")


def referral_statistics() -> dict[str, dict[str, int]]:
    """Referrals sent to a provider, by top-level need category code and standing.

    ``helped``: completed or closed with the need met or partly met; ``not_helped``:
    the service did not go ahead, or the need was not met; ``returned``: declined,
    expired or recalled, so back with the caseworker (who may refer again: a need can
    count more than once); ``open``: waiting for an answer, waitlisted, accepted, in
    service or reopened. Drafts, sent or not, are not referrals yet.
    """
    status = Referral.Status
    standing = models.Case(
        models.When(
            status__in=[status.DECLINED, status.EXPIRED, status.RECALLED],
            then=models.Value(STANDING_RETURNED),
        ),
        models.When(
            status__in=[status.COMPLETED, status.CLOSED],
            outcome__in=[Referral.Outcome.ACHIEVED, Referral.Outcome.PARTLY],
            then=models.Value(STANDING_HELPED),
        ),
        models.When(
            status__in=[status.COMPLETED, status.CLOSED, status.FAILED],
            then=models.Value(STANDING_NOT_HELPED),
        ),
        default=models.Value(STANDING_OPEN),
    )
    rows = (
        Referral.objects.filter(sent_at__isnull=False)
        .annotate(group=_category_group(), standing=standing)
        .order_by()
        .values("group", "standing")
        .annotate(count=models.Count("pk"))
        .values_list("group", "standing", "count")
    )
    counts: dict[str, dict[str, int]] = {}
    for group, standing_, count in rows:
        counts.setdefault(group, dict.fromkeys(STANDINGS, 0))[standing_] += count
    return counts


def unmet_need_statistics() -> dict[tuple[str, str], int]:
    """Unmet needs recorded, by (district code, top-level need category code).

    The district code is the 6-digit code of the district the need's area lies in,
    or "" when the area was not recorded or is larger than a district.
    """
    rows = (
        UnmetNeed.objects.annotate(group=_category_group())
        .order_by()
        .values("area__code", "area__level", "group")
        .annotate(count=models.Count("pk"))
        .values_list("area__code", "area__level", "group", "count")
    )
    counts: dict[tuple[str, str], int] = {}
    for area_code, level, group, count in rows:
        district = area_code[:6] if area_code and level >= Area.Level.DISTRICT else ""
        counts[(district, group)] = counts.get((district, group), 0) + count
    return counts
