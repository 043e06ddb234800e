"""Beneficiaries: recording and correcting a person, and every read of their personal data.

A beneficiary is recorded by a caseworker for their agency. The ID number is
validated (GB 11643), the gender and birth date come from it, the address is
placed offline, and the blind index lets the caseworker learn that another
agency already knows the person — and which help they get there — without
seeing anything else of that agency's case. Personal data and case notes are
shown only through the functions here, which leave a read in the audit log.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import record_change, record_read, record_reads
from core.blind_index import blind_index
from core.errors import ApplicationError
from places import geocoding
from referrals.models.beneficiaries import Beneficiary, Gender, GeocodePrecision
from referrals.selectors.beneficiaries import (
    PERSONAL_FIELDS,
    KnownElsewhere,
    known_elsewhere,
    records_elsewhere,
)
from referrals.services.common import check, fields_need_attention
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
        "local_household_registration",
        "gender",
        "birth_date",
    }
)


def _already_recorded():
    return _("This person is already recorded by your agency; find them by their ID number.")


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
    local_household_registration: bool = True,
    gender: str | None = None,
    birth_date: datetime.date | None = None,
) -> RecordResult:
    """Record a person for ``agency``; tell the caseworker if other agencies know them."""
    check(user, "referrals.add_beneficiary", agency)
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
        local_household_registration=local_household_registration,
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
    check(user, "referrals.change_beneficiary", beneficiary)
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
            fields_need_attention(), field_errors={"id_number": error.messages}
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
        raise ApplicationError(fields_need_attention(), field_errors=errors)
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
        raise ApplicationError(fields_need_attention(), field_errors=error.message_dict) from error
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
    check(user, "referrals.view_beneficiary", beneficiary)
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
