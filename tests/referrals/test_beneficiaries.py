"""Recording beneficiaries: ID checks, duplicates, location, encryption at rest, scoped reads."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.errors import ApplicationError
from core.models import AuditEvent
from places import geocoding
from referrals import selectors, services
from referrals.models import AssistanceStatus, Beneficiary
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.referrals import BeneficiaryFactory, id_number

pytestmark = pytest.mark.django_db

NAME = "王秀英"
PHONE = "13912345678"
ADDRESS = "上海市浦东新区塘桥街道蓝村路100弄5号"
WOMAN_1985 = id_number(birth_date=datetime.date(1985, 3, 2), sequence=7, male=False)


@pytest.fixture
def agency():
    return AgencyFactory(name_zh="浦东新区民政局", name_en="Pudong Civil Affairs Bureau")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


def record(agency, user, **kwargs):
    values = {"name": NAME, "id_number": WOMAN_1985, "phone": PHONE, "address": ADDRESS}
    return services.record_beneficiary(agency=agency, user=user, **{**values, **kwargs})


def test_recording_derives_gender_and_birth_date_from_the_id_number(agency, caseworker):
    beneficiary = record(agency, caseworker).beneficiary

    assert beneficiary.gender == "female"
    assert beneficiary.birth_date == datetime.date(1985, 3, 2)
    assert beneficiary.agency == agency
    assert beneficiary.created_by == caseworker


def test_a_gender_or_birth_date_that_contradicts_the_id_number_is_refused(agency, caseworker):
    with pytest.raises(ApplicationError) as caught:
        record(agency, caseworker, gender="male", birth_date=datetime.date(1985, 3, 3))

    assert set(caught.value.field_errors) == {"gender", "birth_date"}
    assert "1985-03-02" in caught.value.field_errors["birth_date"][0]
    assert not Beneficiary.objects.exists()


def test_an_invalid_id_number_is_a_field_error(agency, caseworker):
    with pytest.raises(ApplicationError) as caught:
        record(agency, caseworker, id_number="110105491231002")

    assert "15-digit ID numbers were replaced" in caught.value.field_errors["id_number"][0]


def test_the_same_person_cannot_be_recorded_twice_by_one_agency(agency, caseworker):
    record(agency, caseworker)

    with pytest.raises(ApplicationError) as caught:
        record(agency, caseworker, id_number=WOMAN_1985.lower().replace("", " ").strip())

    assert caught.value.code == "duplicate"
    assert caught.value.field_errors["id_number"] == [
        "This person is already recorded by your agency; find them by their ID number."
    ]
    assert Beneficiary.objects.count() == 1


def test_an_address_the_geocoder_cannot_place_is_kept_and_the_result_says_so(agency, caseworker):
    result = record(agency, caseworker, address="某个不知道的地方")

    assert result.beneficiary.address == "某个不知道的地方"
    assert result.beneficiary.area is None
    assert result.location_message.startswith("Address not found")


def test_a_placed_address_gives_area_and_point(agency, caseworker, monkeypatch):
    pudong = shanghai_district()
    placed = geocoding.GeocodeResult(
        found=True,
        area=pudong,
        latitude=Decimal("31.221517"),
        longitude=Decimal("121.544379"),
        precision=geocoding.Precision.DISTRICT,
    )
    monkeypatch.setattr(geocoding, "geocode", lambda address: placed)

    result = record(agency, caseworker)

    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.area, beneficiary.geocode_precision) == (pudong, "district")
    assert beneficiary.latitude == Decimal("31.221517")
    assert result.location_message == ""


def test_only_a_caseworker_of_the_agency_may_record(agency):
    supervisor = user_with_role(Role.SUPERVISOR, agency)
    other_caseworker = user_with_role(Role.CASEWORKER)

    for user in (supervisor, other_caseworker):
        with pytest.raises(PermissionDenied):
            record(agency, user)


def test_the_raw_table_holds_no_name_id_number_phone_or_address(agency, caseworker):
    record(
        agency,
        caseworker,
        household_members=[{"name": "李建国", "relation": "spouse"}],
    )

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Beneficiary._meta.db_table)
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a model's own table name)
        raw = " ".join(str(value) for row in cursor.fetchall() for value in row)

    for secret in (NAME, WOMAN_1985, WOMAN_1985[:17], PHONE, "蓝村路", "李建国", "spouse"):
        assert secret not in raw
    # The values still read back in Python.
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.name, beneficiary.id_number, beneficiary.phone) == (
        NAME,
        WOMAN_1985,
        PHONE,
    )


def test_recording_writes_an_audit_entry_without_personal_values(agency, caseworker):
    beneficiary = record(agency, caseworker).beneficiary

    event = AuditEvent.objects.get(action="beneficiary.recorded")
    assert event.object_id == str(beneficiary.uuid)
    assert (event.actor, event.organization) == (caseworker, agency)
    logged = f"{event.details} {event.object_label} {event.purpose}"
    for secret in (NAME, WOMAN_1985, PHONE, ADDRESS):
        assert secret not in logged


def test_str_never_shows_the_name():
    beneficiary = BeneficiaryFactory.build(name=NAME)

    assert NAME not in str(beneficiary)
    assert str(beneficiary.uuid) in str(beneficiary)


def test_disability_grade_goes_with_the_disability_status(agency, caseworker):
    with pytest.raises(ApplicationError) as caught:
        record(agency, caseworker, disability_grade=2)
    assert "disability_grade" in caught.value.field_errors

    result = record(
        agency,
        caseworker,
        assistance_statuses=[AssistanceStatus.DISABILITY],
        disability_grade=2,
    )
    assert result.beneficiary.disability_grade == 2


def test_an_unknown_assistance_status_is_refused(agency, caseworker):
    with pytest.raises(ApplicationError) as caught:
        record(agency, caseworker, assistance_statuses=["lottery_winner"])

    assert "assistance_statuses" in caught.value.field_errors


def test_a_caseworker_corrects_a_record_and_the_audit_names_only_the_fields(agency, caseworker):
    beneficiary = record(agency, caseworker).beneficiary

    services.update_beneficiary(beneficiary=beneficiary, user=caseworker, phone="13700000000")

    beneficiary.refresh_from_db()
    assert beneficiary.phone == "13700000000"
    event = AuditEvent.objects.get(action="beneficiary.updated")
    assert event.details == {"fields": ["phone"]}


def test_correcting_the_id_number_to_one_already_recorded_is_refused(agency, caseworker):
    record(agency, caseworker)
    other = record(agency, caseworker, id_number=id_number(sequence=3)).beneficiary

    with pytest.raises(ApplicationError) as caught:
        services.update_beneficiary(beneficiary=other, user=caseworker, id_number=WOMAN_1985)

    assert caught.value.code == "duplicate"


def test_a_supervisor_reads_but_cannot_change(agency, caseworker):
    supervisor = user_with_role(Role.SUPERVISOR, agency)
    beneficiary = record(agency, caseworker).beneficiary

    assert list(selectors.beneficiaries_visible_to(supervisor)) == [beneficiary]
    assert supervisor.has_perm("referrals.view_beneficiary", beneficiary)
    with pytest.raises(PermissionDenied):
        services.update_beneficiary(beneficiary=beneficiary, user=supervisor, phone="1")


def test_another_agencys_caseworker_sees_nothing(agency, caseworker):
    record(agency, caseworker)
    caseworker2 = user_with_role(Role.CASEWORKER, AgencyFactory())

    assert not selectors.beneficiaries_visible_to(caseworker2).exists()
    assert selectors.find_by_id_number(user=caseworker2, id_number=WOMAN_1985) is None


@pytest.mark.parametrize("role", [Role.PROVIDER_ADMIN, Role.PLATFORM_ADMIN, Role.COMMISSIONER])
def test_other_roles_see_no_beneficiary(agency, caseworker, role):
    record(agency, caseworker)
    user = user_with_role(role, agency if role == Role.COMMISSIONER else None)

    assert not selectors.beneficiaries_visible_to(user).exists()


def test_finding_a_person_by_id_number_uses_the_blind_index_only(agency, caseworker):
    wanted = record(agency, caseworker).beneficiary
    BeneficiaryFactory.create_batch(3, agency=agency)

    typed = " " + WOMAN_1985[:6] + " " + WOMAN_1985[6:].lower()
    with CaptureQueriesContext(connection) as queries:
        found = selectors.find_by_id_number(user=caseworker, id_number=typed)

    assert found == wanted
    lookup = next(q["sql"] for q in queries if Beneficiary._meta.db_table in q["sql"])
    assert '"id_number_index" =' in lookup
    assert "LIMIT 1" in lookup


def test_reading_personal_data_is_audited_with_purpose_and_field_names(agency, caseworker):
    beneficiary = record(agency, caseworker).beneficiary

    data = services.read_personal_data(
        user=caseworker,
        beneficiary=beneficiary,
        purpose="Home visit planning",
        fields=["name", "phone"],
    )

    assert data == {"name": NAME, "phone": PHONE}
    event = AuditEvent.objects.get(action="beneficiary.personal_data_read")
    assert event.kind == AuditEvent.Kind.READ
    assert event.purpose == "Home visit planning"
    assert event.details == {"fields": ["name", "phone"]}
    assert NAME not in str(event.details) and PHONE not in str(event.details)


def test_reading_personal_data_needs_a_purpose_and_access(agency, caseworker):
    beneficiary = record(agency, caseworker).beneficiary
    caseworker2 = user_with_role(Role.CASEWORKER, AgencyFactory())

    with pytest.raises(ApplicationError):
        services.read_personal_data(
            user=caseworker, beneficiary=beneficiary, purpose=" ", fields=["name"]
        )
    with pytest.raises(PermissionDenied):
        services.read_personal_data(
            user=caseworker2, beneficiary=beneficiary, purpose="curiosity", fields=["name"]
        )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).exists()


# Whoever calls the services — a page, the API, a command — these people are refused.
OUTSIDERS = {
    "another agency's caseworker": lambda: user_with_role(Role.CASEWORKER, AgencyFactory()),
    "provider staff": lambda: user_with_role(Role.PROVIDER_STAFF),
    "platform administrator": lambda: user_with_role(Role.PLATFORM_ADMIN),
    "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
}


@pytest.mark.parametrize("outsider", sorted(OUTSIDERS))
def test_nobody_outside_the_agency_records_corrects_or_reads_its_people(
    agency, caseworker, outsider
):
    beneficiary = record(agency, caseworker).beneficiary
    user = OUTSIDERS[outsider]()
    audits_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        record(agency, user, id_number=id_number(sequence=8))
    with pytest.raises(PermissionDenied):
        services.update_beneficiary(beneficiary=beneficiary, user=user, phone="13800000000")
    with pytest.raises(PermissionDenied):
        services.read_personal_data(
            user=user, beneficiary=beneficiary, purpose="Home visit planning", fields=["name"]
        )

    assert Beneficiary.objects.get().phone == PHONE
    assert AuditEvent.objects.count() == audits_before
