"""Unmet needs (issue #5 point 5): when nothing eligible has room, the caseworker records the
category, the area and why — for the next commissioning round, scoped to the agency."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from core.errors import ApplicationError
from core.models import AuditEvent
from referrals import selectors, services
from referrals.models import Consent, ShareableField, UnmetNeed
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import BeneficiaryFactory, NeedFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def pudong():
    return shanghai_district()


@pytest.fixture
def need(agency, pudong):
    beneficiary = BeneficiaryFactory(agency=agency, area=StreetFactory(parent=pudong))
    return NeedFactory(
        assessment__beneficiary=beneficiary, category=need_category("social-services.legal-aid")
    )


def test_an_unmet_need_takes_category_agency_and_district_from_the_need(
    need, caseworker, agency, pudong
):
    unmet = services.record_unmet_need(
        user=caseworker,
        agency=None,
        category=None,
        need=need,
        reason=UnmetNeed.Reason.NO_CAPACITY,
        note="  两家机构均已满员  ",
    )

    assert unmet.agency == agency
    assert unmet.category == need.category
    # The person lives in a street of Pudong: statistics count by district.
    assert unmet.area == pudong
    assert unmet.reason == UnmetNeed.Reason.NO_CAPACITY
    assert unmet.note == "两家机构均已满员"
    assert unmet.recorded_by == caseworker


def test_an_unmet_need_may_be_recorded_without_a_person(caseworker, agency, pudong):
    unmet = services.record_unmet_need(
        user=caseworker,
        agency=agency,
        category=need_category("emergency.homeless"),
        area=pudong,
        reason=UnmetNeed.Reason.NO_SERVICE,
    )

    assert (unmet.need, unmet.area, unmet.agency) == (None, pudong, agency)


def test_recording_is_audited_with_category_and_reason_only(need, caseworker):
    unmet = services.record_unmet_need(
        user=caseworker,
        agency=None,
        category=None,
        need=need,
        reason=UnmetNeed.Reason.OTHER,
        note="需要懂粤语的律师",
    )

    audit = AuditEvent.objects.get(action="referral.unmet_need_recorded")
    assert audit.actor == caseworker
    assert audit.object_id == str(unmet.uuid)
    assert audit.details == {"category": "social-services.legal-aid", "reason": "other"}


@pytest.mark.parametrize(
    ("kwargs", "field_errors"),
    [
        ({"reason": "bad luck"}, {"reason": ["Choose why the need could not be met."]}),
        ({"reason": "other", "note": "  "}, {"note": ["Explain the reason in a note."]}),
        ({"reason": "no_service", "category": None}, {"category": ["Choose the need category."]}),
        (
            {"reason": "", "category": None},
            {
                "reason": ["Choose why the need could not be met."],
                "category": ["Choose the need category."],
            },
        ),
    ],
    ids=["unknown reason", "other without note", "no category", "reason and category"],
)
def test_an_unmet_need_needs_a_reason_and_a_category(caseworker, agency, kwargs, field_errors):
    values = {"category": need_category("social-services.elderly-care"), "note": "", **kwargs}

    with pytest.raises(ApplicationError) as caught:
        services.record_unmet_need(user=caseworker, agency=agency, **values)

    assert caught.value.message == "Some fields need attention."
    assert caught.value.field_errors == field_errors
    assert not UnmetNeed.objects.exists()


# --- scoped to the agency ------------------------------------------------------------------


def test_a_caseworker_cannot_record_an_unmet_need_for_another_agencys_person(need):
    stranger = user_with_role(Role.CASEWORKER, AgencyFactory())

    with pytest.raises(PermissionDenied):
        services.record_unmet_need(
            user=stranger, agency=None, category=None, need=need, reason="no_capacity"
        )


def test_nobody_records_for_an_agency_they_are_not_a_caseworker_of(agency):
    for outsider in (
        user_with_role(Role.CASEWORKER, AgencyFactory()),
        user_with_role(Role.SUPERVISOR, agency),
        provider_staff_of(ServiceFactory().provider),
        user_with_role(Role.PLATFORM_ADMIN),
        UserFactory(is_superuser=True, is_staff=True),
    ):
        with pytest.raises(PermissionDenied):
            services.record_unmet_need(
                user=outsider,
                agency=agency,
                category=need_category("social-services.elderly-care"),
                reason="no_service",
            )

    assert not UnmetNeed.objects.exists()


def test_each_agency_sees_its_own_unmet_needs(agency, caseworker, need):
    mine = services.record_unmet_need(
        user=caseworker, agency=None, category=None, need=need, reason="no_capacity"
    )
    other_agency = AgencyFactory()
    theirs = services.record_unmet_need(
        user=user_with_role(Role.CASEWORKER, other_agency),
        agency=other_agency,
        category=need_category("social-services.elderly-care"),
        reason="too_far",
    )

    assert list(selectors.unmet_needs_visible_to(caseworker)) == [mine]
    assert list(selectors.unmet_needs_visible_to(user_with_role(Role.SUPERVISOR, agency))) == [mine]
    assert list(
        selectors.unmet_needs_visible_to(user_with_role(Role.CASEWORKER, other_agency))
    ) == [theirs]
    assert not selectors.unmet_needs_visible_to(provider_staff_of(ServiceFactory().provider))


def test_an_unmet_need_takes_the_returned_referral_off_the_caseworkers_list(
    need, caseworker, agency
):
    service = ServiceFactory(categories=[need.category])
    referral = services.create_referral(need=need, service=service, user=caseworker)
    services.record_consent(
        referral=referral,
        user=caseworker,
        fields=[ShareableField.NAME],
        purpose="安排服务",
        method=Consent.Method.SIGNED_FORM,
    )
    services.send_referral(referral=referral, user=caseworker)
    services.decline_referral(
        referral=referral, user=provider_staff_of(service.provider), reason_code="no_capacity"
    )
    assert [r.pk for r in selectors.returned_to(caseworker)] == [referral.pk]

    services.record_unmet_need(
        user=caseworker, agency=None, category=None, need=need, reason="declined"
    )

    assert list(selectors.returned_to(caseworker)) == []
