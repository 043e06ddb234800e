"""A referral goes to a service that offers the kind of help needed (issue #5: people are
not sent to providers that cannot help them), whether it is made on a page or through the API."""

import pytest

from accounts.models import Role
from core.errors import ApplicationError
from referrals import services
from referrals.models import Referral
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import NeedFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


def need_of(agency, code):
    return NeedFactory(assessment__beneficiary__agency=agency, category=need_category(code))


def test_a_service_of_another_kind_of_help_is_refused_with_the_reason(agency, caseworker):
    need = need_of(agency, "social-services.elderly-care")
    legal_aid = ServiceFactory(categories=[need_category("social-services.legal-aid")])

    with pytest.raises(ApplicationError) as caught:
        services.create_referral(need=need, service=legal_aid, user=caseworker)

    assert "does not offer help for" in caught.value.field_errors["service"][0]
    assert not Referral.objects.exists()


def test_a_service_of_the_same_category_is_accepted(agency, caseworker):
    need = need_of(agency, "social-services.elderly-care")
    service = ServiceFactory(categories=[need_category("social-services.elderly-care")])

    referral = services.create_referral(need=need, service=service, user=caseworker)

    assert referral.status == Referral.Status.DRAFT


def test_a_generalist_of_the_whole_group_may_take_a_need_of_one_category(agency, caseworker):
    need = need_of(agency, "social-services.elderly-care")
    generalist = ServiceFactory(categories=[need_category("social-services")])

    referral = services.create_referral(need=need, service=generalist, user=caseworker)

    assert referral.service == generalist


def test_a_need_of_a_group_may_go_to_any_category_of_the_group(agency, caseworker):
    need = need_of(agency, "social-services")
    service = ServiceFactory(categories=[need_category("social-services.family-support")])

    referral = services.create_referral(need=need, service=service, user=caseworker)

    assert referral.category.code == "social-services"


def test_a_sibling_category_is_not_enough(agency, caseworker):
    need = need_of(agency, "social-services.elderly-care")
    sibling = ServiceFactory(categories=[need_category("social-services.child-welfare")])

    with pytest.raises(ApplicationError):
        services.create_referral(need=need, service=sibling, user=caseworker)
