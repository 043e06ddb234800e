"""Needs assessment (issue #5 point 3): needs with category, tier, severity and notes, a
priority, the assessor and the date — recorded by the person's agency only."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Organization, Role
from core.errors import ApplicationError
from core.models import AuditEvent
from referrals import services
from referrals.models import Need, NeedAssessment, Priority
from tests.factories.accounts import (
    AgencyFactory,
    OrganizationFactory,
    UserFactory,
    user_with_role,
)
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import BeneficiaryFactory
from tests.factories.taxonomy import need_category, service_tier

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOTES = "独居，子女在外地，近期跌倒一次。"
ATTENTION = "Some fields need attention."


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def beneficiary(agency):
    return BeneficiaryFactory(agency=agency)


@pytest.fixture
def elderly_care():
    return need_category("social-services.elderly-care")


@pytest.fixture
def legal_aid():
    return need_category("social-services.legal-aid")


def assess(beneficiary, user, **kwargs):
    return services.record_assessment(beneficiary=beneficiary, user=user, **kwargs)


def test_an_assessment_records_its_needs_priority_assessor_and_date(
    beneficiary, caseworker, elderly_care, legal_aid
):
    assessment = assess(
        beneficiary,
        caseworker,
        priority=Priority.HIGH,
        assessed_on=datetime.date(2026, 1, 5),
        notes=f"  {NOTES}  ",
        needs=[
            {
                "category": elderly_care,
                "tier": service_tier("survival"),
                "severity": Need.Severity.CRITICAL,
                "notes": "需要每日上门",
            },
            {"category": legal_aid},
        ],
    )

    assert assessment.beneficiary == beneficiary
    assert assessment.assessed_by == caseworker
    assert assessment.assessed_on == datetime.date(2026, 1, 5)
    assert assessment.priority == Priority.HIGH
    assert assessment.notes == NOTES
    care, legal = assessment.needs.order_by("-severity")
    assert (care.category, care.tier.code, care.severity) == (
        elderly_care,
        "survival",
        Need.Severity.CRITICAL,
    )
    assert care.notes == "需要每日上门"
    assert (legal.category, legal.tier, legal.severity) == (
        legal_aid,
        None,
        Need.Severity.MODERATE,
    )


def test_the_assessment_is_dated_today_in_shanghai_by_default(beneficiary, caseworker, legal_aid):
    late_friday_evening = datetime.datetime(2026, 1, 9, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC

    with time_machine.travel(late_friday_evening, tick=False):
        assessment = assess(beneficiary, caseworker, needs=[{"category": legal_aid}])

    assert assessment.assessed_on == datetime.date(2026, 1, 9)
    assert assessment.priority == Priority.ROUTINE


def test_an_assessment_is_audited_by_category_and_priority_never_by_its_notes(
    beneficiary, caseworker, elderly_care, legal_aid
):
    assess(
        beneficiary,
        caseworker,
        notes=NOTES,
        priority=Priority.URGENT,
        needs=[{"category": legal_aid}, {"category": elderly_care, "notes": "需要助浴"}],
    )

    audit = AuditEvent.objects.get(action="beneficiary.assessed")
    assert audit.actor == caseworker
    assert audit.organization == beneficiary.agency
    assert audit.object_id == str(beneficiary.uuid)
    assert audit.details == {
        "needs": ["social-services.elderly-care", "social-services.legal-aid"],
        "priority": "urgent",
    }


@pytest.mark.parametrize(
    ("kwargs", "field_errors"),
    [
        ({"needs": []}, {"needs": ["Record at least one need."]}),
        ({"needs": [{"severity": 2}]}, {"needs": ["Choose a need category for every need."]}),
        (
            {"needs": [{"category": "care"}, {"category": "care"}]},
            {"needs": ["Each need category can be recorded once per assessment."]},
        ),
        (
            {"needs": [{"category": "care", "severity": 9}]},
            {"needs": ["Choose a severity from the list for every need."]},
        ),
        (
            {"needs": [{"category": "care"}], "priority": "whenever"},
            {"priority": ["Choose a priority from the list."]},
        ),
        (
            {"needs": [{"category": "care"}], "assessed_on": "tomorrow"},
            {"assessed_on": ["The assessment date cannot be in the future."]},
        ),
    ],
    ids=["no need", "no category", "category twice", "severity", "priority", "future date"],
)
def test_an_assessment_that_does_not_add_up_is_refused_with_field_messages(
    beneficiary, caseworker, elderly_care, kwargs, field_errors
):
    def resolve(value):
        return elderly_care if value == "care" else value

    kwargs = {
        **kwargs,
        "needs": [{k: resolve(v) for k, v in need.items()} for need in kwargs["needs"]],
    }
    if kwargs.get("assessed_on") == "tomorrow":
        kwargs["assessed_on"] = datetime.date.today() + datetime.timedelta(days=2)

    with pytest.raises(ApplicationError) as caught:
        assess(beneficiary, caseworker, **kwargs)

    assert caught.value.message == ATTENTION
    assert caught.value.field_errors == field_errors
    assert not NeedAssessment.objects.exists()
    assert not Need.objects.exists()


def platform_admin():
    return user_with_role(Role.PLATFORM_ADMIN, OrganizationFactory(kind=Organization.Kind.PLATFORM))


@pytest.mark.parametrize(
    "outsider",
    [
        lambda agency: user_with_role(Role.SUPERVISOR, agency),
        lambda agency: user_with_role(Role.CASEWORKER, AgencyFactory()),
        lambda agency: user_with_role(Role.COMMISSIONER, agency),
        lambda agency: provider_staff_of(ServiceFactory().provider),
        lambda agency: platform_admin(),
        lambda agency: UserFactory(is_superuser=True, is_staff=True),
    ],
    ids=[
        "supervisor (read-only)",
        "caseworker of another agency",
        "commissioner of the agency",
        "provider staff",
        "platform admin",
        "superuser",
    ],
)
def test_only_the_persons_agency_caseworkers_record_assessments(
    agency, beneficiary, legal_aid, outsider
):
    with pytest.raises(PermissionDenied):
        assess(beneficiary, outsider(agency), needs=[{"category": legal_aid}])

    assert not NeedAssessment.objects.exists()
