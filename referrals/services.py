"""Every write of the referrals app: beneficiaries, assessments, consent, referrals (SPEC §5).

A beneficiary is recorded by a caseworker for their agency. The ID number is
validated (GB 11643), the gender and birth date come from it, the address is
placed offline, and the blind index lets the caseworker learn that another
agency already knows the person — and which help they get there — without
seeing anything else of that agency's case.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change, record_read, record_reads
from core.blind_index import blind_index
from core.errors import ApplicationError, InvalidTransition
from core.integrations import geocoding
from providers import selectors as provider_selectors
from providers import services as provider_services
from providers.models import Service
from referrals import sla
from referrals.models import (
    ACCEPTED_STATUSES,
    ACTIVE_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_TRANSITIONS,
    Beneficiary,
    Consent,
    Gender,
    GeocodePrecision,
    Need,
    NeedAssessment,
    Priority,
    Referral,
    ReferralEvent,
    ShareableField,
    UnmetNeed,
)
from referrals.selectors import (
    PERSONAL_FIELDS,
    KnownElsewhere,
    known_elsewhere,
    records_elsewhere,
)
from referrals.validators import IdNumber, parse_id_number

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "id_number",
        "phone",
        "address",
        "household_members",
        "household_size",
        "assistance_statuses",
        "disability_grade",
        "local_hukou",
        "gender",
        "birth_date",
    }
)


def _allowed(user, perm: str, obj) -> bool:
    """Whether the ``rules`` permission holds for ``user`` on ``obj``.

    Asked of the rules themselves, not through ``user.has_perm``: Django lets an
    active superuser pass every ``has_perm``, and nobody outside the agency and
    the provider the person was referred to — platform administrators and
    superusers included — may see or move a case (SPEC §4).
    """
    return rules.has_perm(perm, user, obj)


def _already_recorded():
    return _("This person is already recorded by your agency; find them by their ID number.")


def _fields_need_attention():
    return _("Some fields need attention.")


@dataclass(frozen=True)
class RecordResult:
    """The saved beneficiary, and what the caseworker should be told about it.

    ``location_message`` explains why the address could not be placed on the
    map ("" when it was): the address is kept and the area left empty.
    """

    beneficiary: Beneficiary
    known_elsewhere: list[KnownElsewhere] = field(default_factory=list)
    location_message: str = ""


@transaction.atomic
def record_beneficiary(
    *,
    agency,
    user,
    name: str,
    id_number: str,
    phone: str = "",
    address: str = "",
    household_members: Iterable[dict] = (),
    household_size: int | None = None,
    assistance_statuses: Iterable[str] = (),
    disability_grade: int | None = None,
    local_hukou: bool = True,
    gender: str | None = None,
    birth_date: datetime.date | None = None,
) -> RecordResult:
    """Record a person for ``agency``; tell the caseworker if other agencies know them."""
    if not _allowed(user, "referrals.add_beneficiary", agency):
        raise PermissionDenied
    members = list(household_members)
    beneficiary = Beneficiary(
        agency=agency,
        created_by=user,
        name=(name or "").strip(),
        phone=(phone or "").strip(),
        address=(address or "").strip(),
        household_members=members,
        household_size=household_size if household_size is not None else len(members) + 1,
        assistance_statuses=list(dict.fromkeys(assistance_statuses)),
        disability_grade=disability_grade,
        local_hukou=local_hukou,
    )
    _set_identity(beneficiary, id_number=id_number, gender=gender, birth_date=birth_date)
    location_message = _locate(beneficiary)
    _save(beneficiary)
    record_change(
        action="beneficiary.recorded",
        actor=user,
        organization=agency,
        target=beneficiary,
        details={"located": beneficiary.area_id is not None},
    )
    return RecordResult(
        beneficiary=beneficiary,
        known_elsewhere=_known_elsewhere_told(beneficiary, user),
        location_message=location_message,
    )


def _known_elsewhere_told(beneficiary: Beneficiary, user) -> list[KnownElsewhere]:
    """The agencies that also know the person, each told in its own audit log that
    ``user`` learned so (the case it was matched with, the agency that asked): a
    caseworker trying ID numbers leaves a trace where it matters."""
    others = known_elsewhere(
        id_number_index=beneficiary.id_number_index, exclude_agency=beneficiary.agency
    )
    if others:
        for agency_id, record in records_elsewhere(
            id_number_index=beneficiary.id_number_index, exclude_agency=beneficiary.agency
        ):
            record_change(
                action="beneficiary.known_elsewhere_told",
                actor=user,
                organization=agency_id,
                target=("referrals.beneficiary", record),
                details={"told_to_agency": str(beneficiary.agency.uuid)},
            )
    return others


@transaction.atomic
def update_beneficiary(*, beneficiary: Beneficiary, user, **changes) -> RecordResult:
    """Correct a beneficiary's record with the same checks as when it was recorded.

    A changed ID number is checked again (and again against the agency's other
    records); gender and birth date always follow the ID number, so values
    given for them are checked against it. The result lists the agencies that
    know the person when the ID number changed.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable fields of a beneficiary: {sorted(unknown)}")
    if not _allowed(user, "referrals.change_beneficiary", beneficiary):
        raise PermissionDenied
    old_index, old_address = beneficiary.id_number_index, beneficiary.address
    identity_keys = ("id_number", "gender", "birth_date")
    identity = {key: changes.pop(key) for key in identity_keys if key in changes}
    for key in ("name", "phone", "address"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    if "household_members" in changes:
        changes["household_members"] = list(changes["household_members"])
    if "assistance_statuses" in changes:
        changes["assistance_statuses"] = list(dict.fromkeys(changes["assistance_statuses"]))
    changed = sorted(
        key for key, value in {**changes, **identity}.items() if getattr(beneficiary, key) != value
    )
    for key, value in changes.items():
        setattr(beneficiary, key, value)
    if identity:
        _set_identity(
            beneficiary,
            id_number=identity.get("id_number", beneficiary.id_number),
            gender=identity.get("gender"),
            birth_date=identity.get("birth_date"),
        )
    location_message = _locate(beneficiary) if beneficiary.address != old_address else ""
    _save(beneficiary)
    record_change(
        action="beneficiary.updated",
        actor=user,
        organization=beneficiary.agency,
        target=beneficiary,
        details={"fields": changed},
    )
    others = []
    if beneficiary.id_number_index != old_index:
        others = _known_elsewhere_told(beneficiary, user)
    return RecordResult(
        beneficiary=beneficiary, known_elsewhere=others, location_message=location_message
    )


def _set_identity(beneficiary: Beneficiary, *, id_number, gender, birth_date) -> None:
    """Validate the ID number, derive gender and birth date from it, check any given ones."""
    try:
        parsed: IdNumber = parse_id_number(id_number)
    except ValidationError as error:
        raise ApplicationError(
            _fields_need_attention(), field_errors={"id_number": error.messages}
        ) from error
    errors = {}
    if gender and gender != parsed.gender:
        errors["gender"] = [
            _("The ID number is that of a %(gender)s; check the gender or the ID number.")
            % {"gender": Gender(parsed.gender).label.lower()}
        ]
    if birth_date and birth_date != parsed.birth_date:
        errors["birth_date"] = [
            _("The ID number gives the birth date %(date)s; check the date or the ID number.")
            % {"date": parsed.birth_date.isoformat()}
        ]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    beneficiary.id_number = parsed.number
    beneficiary.id_number_index = blind_index(parsed.number)
    beneficiary.gender = parsed.gender
    beneficiary.birth_date = parsed.birth_date
    duplicate = (
        Beneficiary.objects.filter(
            agency_id=beneficiary.agency_id, id_number_index=beneficiary.id_number_index
        )
        .exclude(pk=beneficiary.pk)
        .exists()
    )
    if duplicate:
        raise ApplicationError(
            _already_recorded(),
            field_errors={"id_number": [_already_recorded()]},
            code="duplicate",
        )


def _locate(beneficiary: Beneficiary) -> str:
    """Place the address offline. Not finding it is no error: a person in need may
    have an address the geocoder does not know. Returns the message to show, or ""."""
    beneficiary.area = None
    beneficiary.latitude = beneficiary.longitude = None
    beneficiary.geocode_precision = GeocodePrecision.NONE
    if not beneficiary.address:
        return ""
    result = geocoding.geocode(beneficiary.address)
    if not result.found:
        return str(result.message)
    beneficiary.area = result.area
    beneficiary.latitude, beneficiary.longitude = result.latitude, result.longitude
    beneficiary.geocode_precision = str(result.precision)
    return str(result.message)


def _save(beneficiary: Beneficiary) -> None:
    try:
        # The unique constraint is checked by _set_identity and, under a race, by the database.
        beneficiary.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError(_fields_need_attention(), field_errors=error.message_dict) from error
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError as error:
        # Two caseworkers recording the same person at once: the second learns why.
        raise ApplicationError(
            _already_recorded(),
            field_errors={"id_number": [_already_recorded()]},
            code="duplicate",
        ) from error


# Case notes: the free texts written about a person while helping them.
CASE_NOTE_FIELDS = (
    "assessment_notes",
    "need_notes",
    "reason",
    "outcome_note",
    "event_notes",
    "override_reason",
    "revocation_note",
)


def record_case_notes_read(*, user, shown: dict, purpose: str) -> None:
    """Audit that ``user`` was shown case notes: ``shown`` maps each person to the
    case-note fields shown about them (``CASE_NOTE_FIELDS``).

    Notes (assessment, need, the referral's reason and outcome, event notes,
    consent reasons) speak of the person's health and life: they are personal
    data, so every page or API answer that shows them leaves a read in the
    audit log, one entry per person, naming the notes and never their text.
    The page's own purpose stands in for a typed one. One query for a list.
    """
    reads = []
    for beneficiary, fields in shown.items():
        fields = list(dict.fromkeys(fields))
        unknown = set(fields) - set(CASE_NOTE_FIELDS)
        if unknown:
            raise ValueError(f"Not case-note fields: {sorted(unknown)}")
        if fields:
            reads.append((beneficiary.agency_id, beneficiary, fields))
    record_reads(action="beneficiary.case_notes_read", actor=user, reads=reads, purpose=purpose)


def read_personal_data(
    *, user, beneficiary: Beneficiary, purpose: str, fields: Iterable[str]
) -> dict:
    """The decrypted ``fields`` of ``beneficiary``, recorded in the audit log with ``purpose``.

    The one path by which pages, the API and exports show a beneficiary's personal data.

    The audit entry names the fields read and why, never their values.
    """
    fields = tuple(dict.fromkeys(fields))
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"Not personal fields of a beneficiary: {sorted(unknown)}")
    if not _allowed(user, "referrals.view_beneficiary", beneficiary):
        raise PermissionDenied
    purpose = (purpose or "").strip()
    if not purpose:
        raise ApplicationError(
            _("Say why you need this person's personal data; the reason is recorded."),
            code="purpose_required",
        )
    record_read(
        action="beneficiary.personal_data_read",
        actor=user,
        organization=beneficiary.agency,
        target=beneficiary,
        purpose=purpose,
        fields=fields,
    )
    return {field: getattr(beneficiary, field) for field in fields}


# --- needs assessment ------------------------------------------------------


@transaction.atomic
def record_assessment(
    *,
    beneficiary: Beneficiary,
    user,
    needs: Iterable[dict],
    assessed_on: datetime.date | None = None,
    priority: str = Priority.ROUTINE,
    notes: str = "",
) -> NeedAssessment:
    """Record an assessment with its needs.

    Each need is a dict with ``category`` (a NeedCategory), and optionally
    ``tier``, ``severity`` and ``notes``. At least one need, each category once.
    """
    if not _allowed(user, "referrals.change_beneficiary", beneficiary):
        raise PermissionDenied
    needs = list(needs)
    errors = {}
    if not needs:
        errors["needs"] = [_("Record at least one need.")]
    categories = [need.get("category") for need in needs]
    if any(category is None for category in categories):
        errors["needs"] = [_("Choose a need category for every need.")]
    elif len({category.pk for category in categories}) != len(categories):
        errors["needs"] = [_("Each need category can be recorded once per assessment.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority from the list.")]
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = [_("The assessment date cannot be in the future.")]
    for need in needs:
        if need.get("severity", Need.Severity.MODERATE) not in Need.Severity.values:
            errors["needs"] = [_("Choose a severity from the list for every need.")]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    assessment = NeedAssessment.objects.create(
        beneficiary=beneficiary,
        assessed_by=user,
        assessed_on=assessed_on,
        priority=priority,
        notes=(notes or "").strip(),
    )
    for need in needs:
        Need.objects.create(
            assessment=assessment,
            category=need["category"],
            tier=need.get("tier"),
            severity=need.get("severity", Need.Severity.MODERATE),
            notes=(need.get("notes") or "").strip(),
        )
    record_change(
        action="beneficiary.assessed",
        actor=user,
        organization=beneficiary.agency,
        target=beneficiary,
        details={"needs": sorted(category.code for category in categories), "priority": priority},
    )
    return assessment


# --- referrals ---------------------------------------------------------------


def _duplicate_referral(existing: Referral):
    return _(
        "This need already has an open referral (%(status)s, to %(provider)s). Follow that one "
        "up, or recall it before referring again."
    ) % {"status": existing.get_status_display(), "provider": existing.provider.name}


def _ensure_no_active_referral(need: Need, exclude_pk=None) -> None:
    existing = (
        Referral.objects.filter(need=need, status__in=ACTIVE_STATUSES)
        .exclude(pk=exclude_pk)
        .select_related("provider__organization")
        .first()
    )
    if existing is not None:
        message = _duplicate_referral(existing)
        raise ApplicationError(message, field_errors={"need": [message]}, code="duplicate_referral")


@transaction.atomic
def create_referral(*, need: Need, service, user, urgency: str = "", reason: str = "") -> Referral:
    """A draft referral of ``need`` to ``service``. It is sent once consent is recorded."""
    beneficiary = need.assessment.beneficiary
    if not _allowed(user, "referrals.change_beneficiary", beneficiary):
        raise PermissionDenied
    errors = {}
    urgency = urgency or (
        Referral.Urgency.URGENT
        if need.assessment.priority == Priority.URGENT
        else Referral.Urgency.ROUTINE
    )
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = [_("Choose an urgency from the list.")]
    if not provider_selectors.can_take_referrals(service):
        errors["service"] = [
            _(
                "This service does not take referrals now (not offered, not accepting or "
                "not verified)."
            )
        ]
    elif not _offers_category(service, need.category):
        # The API can name any service; only one that offers this kind of help
        # (its category, its group, or a category of a group need) is sensible.
        errors["service"] = [
            _("This service does not offer help for %(category)s; choose a matching service.")
            % {"category": need.category.name}
        ]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    _ensure_no_active_referral(need)
    referral = Referral(
        beneficiary=beneficiary,
        need=need,
        agency=beneficiary.agency,
        service=service,
        provider=service.provider,
        category=need.category,
        district=_district_of(beneficiary.area),
        caseworker=user,
        urgency=urgency,
        reason=(reason or "").strip(),
        status=Referral.Status.DRAFT,
        status_changed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as error:
        # Two caseworkers at the same moment: the partial unique index decides.
        _ensure_no_active_referral(need)
        raise ApplicationError(
            _("This need already has an open referral."), code="duplicate_referral"
        ) from error
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=referral.status, actor=user, at=timezone.now()
    )
    record_change(
        action="referral.created", actor=user, organization=referral.agency, target=referral
    )
    return referral


def _offers_category(service, category) -> bool:
    related = {category.pk}
    if category.parent_id:
        related.add(category.parent_id)
    else:
        related.update(category.children.values_list("pk", flat=True))
    return service.categories.filter(pk__in=related).exists()


def _district_of(area):
    while area is not None and area.level > 3:
        area = area.parent
    return area if area is not None and area.level == 3 else None


def _move(
    referral: Referral,
    to: str,
    *,
    actor,
    reason_code: str = "",
    note: str = "",
    now=None,
    **values,
) -> Referral:
    """The one function that moves a referral: checks the table, writes history and audit."""
    now = now or timezone.now()
    current = referral.status
    if to not in REFERRAL_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A referral that is %(current)s cannot become %(to)s.")
            % {
                "current": Referral.Status(current).label,
                "to": Referral.Status(to).label,
            }
        )
    referral.status = to
    referral.status_changed_at = now
    for key, value in values.items():
        setattr(referral, key, value)
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        from_status=current,
        to_status=to,
        actor=actor,
        at=now,
        reason_code=reason_code,
        note=(note or "").strip(),
    )
    record_change(
        action=f"referral.{to}",
        actor=actor,
        organization=referral.agency,
        target=referral,
        details={"from": current, "reason": reason_code} if reason_code else {"from": current},
    )
    return referral


def _locked(referral: Referral) -> Referral:
    """Reload the referral under a row lock so concurrent moves queue up.

    Only the referral's row: a plain FOR UPDATE over the join would also lock
    the provider, agency and category rows, queueing every move of every
    referral that shares them behind one another.
    """
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("provider__organization", "agency", "category")
        .get(pk=referral.pk)
    )


def _check(user, perm: str, referral: Referral) -> None:
    if not _allowed(user, perm, referral):
        raise PermissionDenied


def _locked_for(user, perm: str, referral: Referral, *, service_first: bool = False) -> Referral:
    """The referral as it is now, under a row lock, if ``user`` holds ``perm`` on it.

    The permission is judged on the locked row, not on the caller's copy, which
    may be stale: a draft sent since is the provider's to answer now.
    ``service_first`` for moves that may change the service's places or waiting list.
    """
    if service_first:
        _lock_service_of(referral)
    referral = _locked(referral)
    _check(user, perm, referral)
    return referral


def _lock_service_of(referral: Referral) -> None:
    """Lock the referral's service before the referral itself.

    Leaving a waiting list moves up the referrals behind, which locks their rows
    while the service is locked; a move that locked one of those referrals first
    and then waited for the service would deadlock with it. So every move that may
    touch places or the waiting list queues on the service first, then takes its row.
    """
    list(
        Service.objects.select_for_update()
        .filter(pk=referral.service_id)
        .values_list("pk", flat=True)
    )


def _valid_fields(fields) -> list[str]:
    fields = list(dict.fromkeys(fields or ()))
    if not set(fields) <= set(ShareableField.values):
        raise ApplicationError(
            _fields_need_attention(),
            field_errors={"fields": [_("Choose the fields to share from the list.")]},
        )
    return fields


@transaction.atomic
def record_consent(
    *,
    referral: Referral,
    user,
    fields: Iterable[str],
    purpose: str,
    method: str,
    given_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
) -> Consent:
    """Record the person's consent to share ``fields`` with the referral's provider."""
    _check(user, "referrals.manage_referral", referral)
    errors = {}
    if method not in Consent.Method.values or method == Consent.Method.SUPERVISOR_OVERRIDE:
        errors["method"] = [_("Choose how the person gave consent.")]
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = [_("Say what the provider may use the data for.")]
    now = timezone.now()
    given_at = given_at or now
    if given_at > now:
        errors["given_at"] = [_("Consent cannot be given in the future.")]
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    fields = list(dict.fromkeys(fields or ()))
    if not set(fields) <= set(ShareableField.values):
        errors["fields"] = [_("Choose the fields to share from the list.")]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    consent = Consent(
        referral=referral,
        provider=referral.provider,
        fields=fields,
        purpose=purpose,
        method=method,
        given_at=given_at,
        expires_at=expires_at,
        recorded_by=user,
    )
    # The fields were checked above; an empty list is a consent to the referral that
    # shares no personal data (the provider then goes through the caseworker).
    consent.full_clean(exclude=["fields"])
    consent.save()
    record_change(
        action="referral.consent_recorded",
        actor=user,
        organization=referral.agency,
        target=referral,
        details={"fields": consent.fields, "method": method},
    )
    return consent


@transaction.atomic
def override_consent(
    *, referral: Referral, user, fields: Iterable[str], purpose: str, reason: str
) -> Consent:
    """A supervisor lets a referral go without the person's consent, with a written reason."""
    _check(user, "referrals.override_consent", referral)
    reason, purpose = (reason or "").strip(), (purpose or "").strip()
    errors = {}
    if len(reason) < 10:
        errors["reason"] = [
            _("Write why the referral must go without consent (10 characters or more).")
        ]
    if not purpose:
        errors["purpose"] = [_("Say what the provider may use the data for.")]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    consent = Consent.objects.create(
        referral=referral,
        provider=referral.provider,
        fields=_valid_fields(fields),
        purpose=purpose,
        method=Consent.Method.SUPERVISOR_OVERRIDE,
        given_at=timezone.now(),
        recorded_by=user,
        override_reason=reason,
    )
    record_change(
        action="referral.consent_overridden",
        actor=user,
        organization=referral.agency,
        target=referral,
        # The written reason stays on the consent: it may describe the person,
        # and audit details never hold personal values.
        details={"fields": consent.fields},
    )
    return consent


@transaction.atomic
def revoke_consent(*, consent: Consent, user, note: str = "") -> Consent:
    """The person withdraws consent: the provider stops seeing the fields at once.

    A person withdraws their consent, not one version of it: every consent still
    in force for the referral's provider ends with it, so that an older, broader
    consent does not come back into force when a newer one is revoked.
    """
    _check(user, "referrals.manage_referral", consent.referral)
    if consent.revoked_at is not None:
        return consent
    now = timezone.now()
    note = (note or "").strip()[:300]
    in_force = [
        other
        for other in Consent.objects.select_for_update().filter(
            referral_id=consent.referral_id, provider_id=consent.provider_id, revoked_at=None
        )
        if other.pk != consent.pk and other.is_valid(now)
    ]
    for revoked in (consent, *in_force):
        revoked.revoked_at = now
        revoked.revoked_by = user
        revoked.revocation_note = note
        revoked.save(update_fields=["revoked_at", "revoked_by", "revocation_note", "updated_at"])
    record_change(
        action="referral.consent_revoked",
        actor=user,
        organization=consent.referral.agency,
        target=consent.referral,
        details={"consents": 1 + len(in_force)},
    )
    return consent


def current_consent(referral: Referral, now=None) -> Consent | None:
    """The newest consent in force for the referral's provider, or None."""
    now = now or timezone.now()
    for consent in sorted(referral.consents.all(), key=lambda c: c.given_at, reverse=True):
        if consent.provider_id == referral.provider_id and consent.is_valid(now):
            return consent
    return None


def _no_consent():
    return _(
        "Record the person's consent before sending, or ask a supervisor to send it without "
        "consent with a written reason."
    )


@transaction.atomic
def send_referral(*, referral: Referral, user) -> Referral:
    """Send a draft referral to the provider. Sending twice sends once (idempotent)."""
    referral = _locked_for(user, "referrals.manage_referral", referral)
    if referral.status != Referral.Status.DRAFT:
        if referral.status in ACTIVE_STATUSES:
            return referral  # already sent: a double click or a retried request
        raise InvalidTransition(
            _("This referral is %(status)s and cannot be sent; make a new referral.")
            % {"status": referral.get_status_display()}
        )
    if current_consent(referral) is None:
        raise ApplicationError(_no_consent(), code="consent_required")
    if not provider_selectors.can_take_referrals(referral.service):
        raise ApplicationError(
            _("This service no longer takes referrals; choose another one."),
            code="service_unavailable",
        )
    now = timezone.now()
    clock = sla.clock_for(urgency=referral.urgency, category=referral.category, start=now)
    _move(
        referral,
        Referral.Status.SENT,
        actor=user,
        now=now,
        sent_at=now,
        due_at=clock.due_at,
        expires_at=clock.expires_at,
        reminded_half_at=None,
        reminded_full_at=None,
        return_code="",
    )
    _notify(referral, "sent")
    return referral


def _notify(referral: Referral, event: str) -> None:
    from referrals import tasks

    referral_id = referral.pk
    transaction.on_commit(lambda: tasks.send_referral_notification.delay(referral_id, event))


@transaction.atomic
def mark_viewed(*, referral: Referral, user) -> Referral:
    """The provider opened a sent referral. Opening it again changes nothing."""
    referral = _locked_for(user, "referrals.answer_referral", referral)
    if referral.status != Referral.Status.SENT:
        return referral
    return _move(referral, Referral.Status.VIEWED, actor=user)


@transaction.atomic
def accept_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The provider takes the person in: one of the service's places is taken (row lock)."""
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if Referral.Status.ACCEPTED not in REFERRAL_TRANSITIONS[referral.status]:
        _move(referral, Referral.Status.ACCEPTED, actor=user)  # raises with the reason
    waitlisted_at = _waitlist_position(referral)
    provider_services.take_place(service_id=referral.service_id)
    _move(
        referral,
        Referral.Status.ACCEPTED,
        actor=user,
        note=note,
        holds_place=True,
        waitlist_position=None,
        due_at=None,
        expires_at=None,
    )
    _leave_waiting_list(referral, waitlisted_at)
    _notify(referral, "accepted")
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, user, reason_code: str, note: str = "") -> Referral:
    """The provider declines with a reason code; the referral returns to the caseworker."""
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if reason_code not in Referral.DeclineReason.values:
        raise ApplicationError(
            _fields_need_attention(),
            field_errors={"reason_code": [_("Choose why you decline the referral.")]},
        )
    if reason_code == Referral.DeclineReason.OTHER and not (note or "").strip():
        raise ApplicationError(
            _fields_need_attention(),
            field_errors={"note": [_("Explain the reason in a note.")]},
        )
    waitlisted_at = _waitlist_position(referral)
    _move(
        referral,
        Referral.Status.DECLINED,
        actor=user,
        reason_code=reason_code,
        note=note,
        decline_reason=reason_code,
        return_code=Referral.ReturnCode.DECLINED,
        waitlist_position=None,
        due_at=None,
        expires_at=None,
    )
    _leave_waiting_list(referral, waitlisted_at)
    _notify(referral, "declined")
    return referral


@transaction.atomic
def waitlist_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """No place now: the person joins the service's waiting list at the next position."""
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if Referral.Status.WAITLISTED not in REFERRAL_TRANSITIONS[referral.status]:
        _move(referral, Referral.Status.WAITLISTED, actor=user)  # raises
    position = provider_services.join_waiting_list(service_id=referral.service_id)
    now = timezone.now()
    _move(
        referral,
        Referral.Status.WAITLISTED,
        actor=user,
        note=note,
        now=now,
        waitlist_position=position,
        due_at=None,
        expires_at=now + sla.WAITLIST_EXPIRES_AFTER,
    )
    _notify(referral, "waitlisted")
    return referral


@transaction.atomic
def start_service(*, referral: Referral, user, note: str = "") -> Referral:
    """The person starts receiving the service.

    An accepted referral already holds its place. A reopened one gave its place
    back when it completed, so going back into service takes one again (row
    lock, refused when the service is full) — the count of free places stays true.
    """
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if Referral.Status.IN_SERVICE not in REFERRAL_TRANSITIONS[referral.status]:
        _move(referral, Referral.Status.IN_SERVICE, actor=user)  # raises with the reason
    if not referral.holds_place:
        provider_services.take_place(service_id=referral.service_id)
    return _move(
        referral,
        Referral.Status.IN_SERVICE,
        actor=user,
        note=note,
        holds_place=True,
    )


def _waitlist_position(referral: Referral) -> int | None:
    """The referral's place on the waiting list (0 when unknown), or None when not on it."""
    if referral.status != Referral.Status.WAITLISTED:
        return None
    return referral.waitlist_position or 0


def _leave_waiting_list(referral: Referral, position: int | None) -> None:
    """The person leaves the service's waiting list; those behind them move up one place."""
    if position is None:
        return
    provider_services.leave_waiting_list(service_id=referral.service_id)
    if not position:
        return
    Referral.objects.filter(
        service_id=referral.service_id,
        status=Referral.Status.WAITLISTED,
        waitlist_position__gt=position,
    ).update(waitlist_position=F("waitlist_position") - 1)


def _release(referral: Referral) -> None:
    if referral.holds_place:
        provider_services.release_place(service_id=referral.service_id)
        referral.holds_place = False
        referral.save(update_fields=["holds_place", "updated_at"])


@transaction.atomic
def complete_referral(*, referral: Referral, user, outcome: str, note: str = "") -> Referral:
    """The provider reports the service complete, with its outcome."""
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if outcome not in Referral.Outcome.values:
        raise ApplicationError(
            _fields_need_attention(), field_errors={"outcome": [_("Choose the outcome.")]}
        )
    _move(
        referral,
        Referral.Status.COMPLETED,
        actor=user,
        note=note,
        outcome=outcome,
        outcome_note=(note or "").strip(),
    )
    _release(referral)
    _notify(referral, "completed")
    return referral


@transaction.atomic
def fail_referral(*, referral: Referral, user, reason_code: str, note: str = "") -> Referral:
    """The service could not go ahead: could not contact, not eligible, or the person withdrew."""
    referral = _locked_for(user, "referrals.answer_referral", referral, service_first=True)
    if reason_code not in Referral.FailureReason.values:
        raise ApplicationError(
            _fields_need_attention(),
            field_errors={"reason_code": [_("Choose why the service did not go ahead.")]},
        )
    _move(
        referral,
        Referral.Status.FAILED,
        actor=user,
        reason_code=reason_code,
        note=note,
        failure_reason=reason_code,
    )
    _release(referral)
    _notify(referral, "failed")
    return referral


@transaction.atomic
def recall_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The caseworker takes the referral back (a draft is simply withdrawn)."""
    referral = _locked_for(user, "referrals.manage_referral", referral, service_first=True)
    waitlisted_at = _waitlist_position(referral)
    was_sent = referral.status != Referral.Status.DRAFT
    _move(
        referral,
        Referral.Status.RECALLED,
        actor=user,
        note=note,
        return_code=Referral.ReturnCode.RECALLED,
        waitlist_position=None,
        due_at=None,
        expires_at=None,
    )
    _leave_waiting_list(referral, waitlisted_at)
    _release(referral)
    if was_sent:
        _notify(referral, "recalled")
    return referral


@transaction.atomic
def close_referral(*, referral: Referral, user, note: str = "") -> Referral:
    """The caseworker confirms the outcome the provider reported; the loop is closed."""
    referral = _locked_for(user, "referrals.manage_referral", referral)
    return _move(referral, Referral.Status.CLOSED, actor=user, note=note, closed_at=timezone.now())


@transaction.atomic
def reopen_referral(*, referral: Referral, user, note: str) -> Referral:
    """Reopen a closed referral: the need came back. A note says why."""
    referral = _locked_for(user, "referrals.manage_referral", referral)
    if not (note or "").strip():
        raise ApplicationError(
            _fields_need_attention(),
            field_errors={"note": [_("Say why the referral is reopened.")]},
        )
    _ensure_no_active_referral(referral.need, exclude_pk=referral.pk)
    _move(referral, Referral.Status.REOPENED, actor=user, note=note, closed_at=None)
    _notify(referral, "reopened")
    return referral


# --- SLA: reminders and expiry run by beat ----------------------------------


def process_referral_deadlines(now=None) -> dict[str, int]:
    """Remind at half and full time, then return unanswered referrals to the caseworker.

    Idempotent and catches up: each step is stamped on the referral, so a
    second run changes nothing, and a run after downtime does only the step
    the clock has reached — a referral already past its expiry is returned
    without the reminders it missed, one past its due time gets the full-time
    reminder only.
    """
    now = now or timezone.now()
    counts = {"half": 0, "full": 0, "expired": 0}
    open_statuses = AWAITING_ANSWER | {Referral.Status.WAITLISTED}
    expiring = Referral.objects.filter(status__in=open_statuses, expires_at__lte=now)
    for referral in expiring.only("pk", "service_id"):
        with transaction.atomic():
            _lock_service_of(referral)
            referral = _locked(referral)
            if (
                referral.status not in open_statuses
                or referral.expires_at is None
                or referral.expires_at > now
            ):
                continue  # answered since the query ran
            waitlisted_at = _waitlist_position(referral)
            _move(
                referral,
                Referral.Status.EXPIRED,
                actor=None,
                now=now,
                reason_code="waitlist_timeout" if waitlisted_at is not None else "no_answer",
                return_code=(
                    Referral.ReturnCode.WAITLIST_TIMEOUT
                    if waitlisted_at is not None
                    else Referral.ReturnCode.NO_ANSWER
                ),
                waitlist_position=None,
            )
            _leave_waiting_list(referral, waitlisted_at)
            counts["expired"] += 1
            _notify(referral, "expired")
    # Expired ones are gone from here: what is left is still waiting.
    waiting = Referral.objects.filter(status__in=AWAITING_ANSWER, due_at__isnull=False)
    for referral in waiting.filter(reminded_full_at__isnull=True, due_at__lte=now).only("pk"):
        with transaction.atomic():
            # Full time reached: the half-time reminder is past its use and is not sent.
            updated = Referral.objects.filter(
                pk=referral.pk, reminded_full_at__isnull=True, status__in=AWAITING_ANSWER
            ).update(reminded_full_at=now, reminded_half_at=Coalesce("reminded_half_at", now))
            if updated:
                counts["full"] += 1
                _notify(referral, "reminder_full")
    candidates = (
        waiting.filter(reminded_half_at__isnull=True, due_at__gt=now, sent_at__isnull=False)
        .select_related("category")
        .only("pk", "sent_at", "urgency", "category__code")
    )
    for referral in candidates:
        clock = sla.clock_for(
            urgency=referral.urgency, category=referral.category, start=referral.sent_at
        )
        if now < clock.half_at:
            continue
        with transaction.atomic():
            updated = Referral.objects.filter(
                pk=referral.pk, reminded_half_at__isnull=True, status__in=AWAITING_ANSWER
            ).update(reminded_half_at=now)
            if updated:
                counts["half"] += 1
                _notify(referral, "reminder_half")
    return counts


# --- what a provider may see -------------------------------------------------


def read_shared_fields(*, user, referral: Referral, purpose: str) -> dict:
    """The personal data the provider may see: the consented fields, once it has accepted.

    Empty while the referral is pending, after the consent was revoked or has
    expired, or when nothing was consented. Every non-empty read is audited.
    """
    # Judged on the referral as it is now: a copy loaded before a recall must not show more.
    referral = Referral.objects.select_related(
        "beneficiary", "provider__organization", "need__assessment"
    ).get(pk=referral.pk)
    _check(user, "referrals.answer_referral", referral)
    if referral.status not in ACCEPTED_STATUSES:
        return {}
    consent = current_consent(referral)
    if consent is None or not consent.fields:
        return {}
    beneficiary = referral.beneficiary
    shared = {}
    for field_name in consent.fields:
        if field_name == ShareableField.SITUATION:
            shared["situation"] = {
                "reason": referral.reason,
                "assessment_notes": referral.need.assessment.notes,
                "need_notes": referral.need.notes,
            }
        else:
            shared[field_name] = getattr(beneficiary, field_name)
    # Filed under the agency that holds the case, so that its supervisors see which
    # provider's people read what; the provider is named in the details.
    record_read(
        action="referral.shared_data_read",
        actor=user,
        organization=referral.agency_id,
        target=beneficiary,
        purpose=(purpose or "").strip() or consent.purpose,
        fields=tuple(consent.fields),
        details={"provider": str(referral.provider.uuid)},
    )
    return shared


# --- unmet needs -------------------------------------------------------------


@transaction.atomic
def record_unmet_need(
    *,
    user,
    agency,
    category,
    reason: str,
    area=None,
    need: Need | None = None,
    note: str = "",
) -> UnmetNeed:
    """Record that nothing eligible could meet a need, for commissioning and statistics."""
    if need is not None:
        if not _allowed(user, "referrals.change_beneficiary", need.assessment.beneficiary):
            raise PermissionDenied
        agency = need.assessment.beneficiary.agency
        category = category or need.category
        area = area or _district_of(need.assessment.beneficiary.area)
    elif not _allowed(user, "referrals.add_beneficiary", agency):
        raise PermissionDenied
    errors = {}
    if reason not in UnmetNeed.Reason.values:
        errors["reason"] = [_("Choose why the need could not be met.")]
    if category is None:
        errors["category"] = [_("Choose the need category.")]
    if reason == UnmetNeed.Reason.OTHER and not (note or "").strip():
        errors["note"] = [_("Explain the reason in a note.")]
    if errors:
        raise ApplicationError(_fields_need_attention(), field_errors=errors)
    unmet = UnmetNeed.objects.create(
        agency=agency,
        need=need,
        category=category,
        area=area,
        reason=reason,
        note=(note or "").strip()[:300],
        recorded_by=user,
    )
    record_change(
        action="referral.unmet_need_recorded",
        actor=user,
        organization=agency,
        target=unmet,
        details={"category": category.code, "reason": reason},
    )
    return unmet
