"""Which agencies a person acts for (accounts.selectors.agencies_acting_for), in which role."""

import pytest

from accounts.models import Role
from accounts.selectors import agencies_acting_for
from tests.factories.accounts import (
    AgencyFactory,
    MembershipFactory,
    ProviderOrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_person_acts_for_the_agencies_where_they_hold_the_role_by_name():
    person = UserFactory()
    second = AgencyFactory(name_zh="民政局B")
    first = AgencyFactory(name_zh="民政局A")
    elsewhere = AgencyFactory(name_zh="民政局C")
    for agency in (second, first):
        MembershipFactory(user=person, organization=agency, role=Role.CASEWORKER)
    MembershipFactory(user=person, organization=elsewhere, role=Role.SUPERVISOR)

    assert list(agencies_acting_for(person, Role.CASEWORKER)) == [first, second]
    assert list(agencies_acting_for(person, Role.SUPERVISOR)) == [elsewhere]
    assert set(agencies_acting_for(person, Role.CASEWORKER, Role.SUPERVISOR)) == {
        first,
        second,
        elsewhere,
    }


def test_without_roles_named_any_role_counts():
    person = UserFactory()
    agency = AgencyFactory()
    MembershipFactory(user=person, organization=agency, role=Role.FINANCE)

    assert list(agencies_acting_for(person)) == [agency]


def test_a_provider_is_not_an_agency():
    person = UserFactory()
    MembershipFactory(
        user=person, organization=ProviderOrganizationFactory(), role=Role.PROVIDER_ADMIN
    )

    assert not agencies_acting_for(person).exists()


def test_an_ended_membership_or_a_closed_agency_does_not_count():
    person = UserFactory()
    MembershipFactory(user=person, role=Role.CASEWORKER, is_active=False)
    MembershipFactory(
        user=person, organization=AgencyFactory(is_active=False), role=Role.CASEWORKER
    )

    assert not agencies_acting_for(person, Role.CASEWORKER).exists()


def test_nobody_signed_in_acts_for_no_agency():
    from django.contrib.auth.models import AnonymousUser

    assert not agencies_acting_for(AnonymousUser(), Role.CASEWORKER).exists()


def test_the_agencies_and_their_areas_take_one_query_after_the_roles(django_assert_num_queries):
    person = UserFactory()
    for _ in range(3):
        MembershipFactory(user=person, role=Role.COMMISSIONER)

    with django_assert_num_queries(2):  # the person's memberships, then the agencies
        names = [
            (agency.name, agency.area) for agency in agencies_acting_for(person, Role.COMMISSIONER)
        ]
    assert len(names) == 3
