"""Known elsewhere: the caseworker learns which other agency knows the person and which
help is active there — and nothing else about that agency's case (SPEC §5)."""

import dataclasses
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Role
from referrals import services
from referrals.models import AssistanceStatus, Beneficiary
from referrals.selectors import KnownElsewhere, beneficiaries_visible_to, find_by_id_number
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.referrals import BeneficiaryFactory, id_number

pytestmark = pytest.mark.django_db

PERSON = id_number(birth_date=datetime.date(1962, 8, 15), sequence=11, male=True)


@pytest.fixture
def other_agency_case():
    """The person as the Jing'an bureau recorded them, with details no one else may see."""
    return BeneficiaryFactory(
        agency=AgencyFactory(name_zh="静安区民政局", name_en="Jing'an Civil Affairs Bureau"),
        id_number=PERSON,
        name="赵大海",
        phone="13511112222",
        address="上海市静安区秘密路9号",
        assistance_statuses=[AssistanceStatus.DIBAO, AssistanceStatus.DISABILITY],
        disability_grade=2,
    )


@pytest.fixture
def caseworker():
    return user_with_role(Role.CASEWORKER, AgencyFactory(name_zh="浦东新区民政局"))


def record(caseworker, number=PERSON):
    agency = caseworker.memberships.get().organization
    return services.record_beneficiary(
        agency=agency, user=caseworker, name="赵大海", id_number=number
    )


def test_the_caseworker_is_told_the_other_agency_and_its_active_help(other_agency_case, caseworker):
    result = record(caseworker, number=PERSON.lower())

    assert result.known_elsewhere == [
        KnownElsewhere(
            agency_name="Jing'an Civil Affairs Bureau",
            active_help=("dibao", "disability"),
        )
    ]
    notice = result.known_elsewhere[0]
    assert [f.name for f in dataclasses.fields(notice)] == ["agency_name", "active_help"]
    assert notice.active_help_labels == [
        "Dibao (minimum living allowance)",
        "Disability certificate",
    ]
    # Both agencies now hold their own record of the person.
    assert (
        Beneficiary.objects.filter(id_number_index=other_agency_case.id_number_index).count() == 2
    )


def test_the_notice_reveals_nothing_else_of_the_other_case(other_agency_case, caseworker):
    notice = record(caseworker).known_elsewhere[0]

    shown = repr(notice)
    for secret in (
        other_agency_case.name,
        other_agency_case.phone,
        other_agency_case.address,
        PERSON,
        str(other_agency_case.uuid),
        "1962",
        "grade",
    ):
        assert secret not in shown


def test_the_other_agencys_personal_columns_are_never_fetched(other_agency_case, caseworker):
    with CaptureQueriesContext(connection) as queries:
        record(caseworker)

    notice_query = next(
        q["sql"] for q in queries if "assistance_statuses" in q["sql"] and "SELECT" in q["sql"]
    )
    selected = notice_query.split(" FROM ")[0]
    table = Beneficiary._meta.db_table
    assert set(re.findall(rf'"{table}"\."(\w+)"', selected)) == {"assistance_statuses"}


def test_a_person_unknown_elsewhere_gives_no_notice(caseworker):
    assert record(caseworker).known_elsewhere == []


def test_the_notice_is_given_in_the_reader_s_language(other_agency_case, caseworker):
    with translation.override("zh-hans"):
        notice = record(caseworker).known_elsewhere[0]

    assert notice.agency_name == "静安区民政局"


def test_the_other_agency_still_sees_only_its_own_record(other_agency_case, caseworker):
    ours = record(caseworker).beneficiary
    theirs = user_with_role(Role.CASEWORKER, other_agency_case.agency)

    assert list(beneficiaries_visible_to(theirs)) == [other_agency_case]
    assert find_by_id_number(user=theirs, id_number=PERSON) == other_agency_case
    assert find_by_id_number(user=caseworker, id_number=PERSON) == ours


def test_the_other_agency_sees_in_its_audit_log_that_another_was_told(
    other_agency_case, caseworker
):
    from accounts.selectors import audit_events_visible_to
    from core.models import AuditEvent

    ours = record(caseworker).beneficiary
    their_supervisor = user_with_role(Role.SUPERVISOR, other_agency_case.agency)

    told = AuditEvent.objects.get(action="beneficiary.known_elsewhere_told")
    assert told.actor == caseworker
    assert told.organization_id == other_agency_case.agency_id
    assert (told.object_type, told.object_id) == (
        "referrals.beneficiary",
        str(other_agency_case.uuid),
    )
    assert told.details == {"told_to_agency": str(ours.agency.uuid)}
    assert told in audit_events_visible_to(their_supervisor)


def test_correcting_an_id_number_into_a_known_one_is_on_the_other_agency_s_record(
    other_agency_case, caseworker
):
    from core.models import AuditEvent

    ours = record(
        caseworker, number=id_number(birth_date=datetime.date(1962, 8, 15), sequence=12, male=True)
    )
    assert not AuditEvent.objects.filter(action="beneficiary.known_elsewhere_told").exists()

    result = services.update_beneficiary(
        beneficiary=ours.beneficiary, user=caseworker, id_number=PERSON
    )

    assert [notice.agency_name for notice in result.known_elsewhere] == [
        "Jing'an Civil Affairs Bureau"
    ]
    told = AuditEvent.objects.get(action="beneficiary.known_elsewhere_told")
    assert told.organization_id == other_agency_case.agency_id
