"""A superuser with no role in the agency or the provider has no path to a person or a
referral through the pages either (SPEC §4: objects outside a user's scope answer 404)."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.factories.accounts import UserFactory
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return ReferralFactory(status=Referral.Status.SENT)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize(
    "route",
    [
        lambda r: reverse("referrals:person", args=[r.beneficiary.uuid]),
        lambda r: reverse("referrals:referral", args=[r.uuid]),
        lambda r: reverse("referrals:matches", args=[r.need.uuid]),
        lambda r: reverse("referrals:inbox_referral", args=[r.uuid]),
    ],
    ids=["person", "referral", "matches", "inbox referral"],
)
def test_a_superuser_outside_the_case_gets_404(superuser_client, referral, route):
    response = superuser_client.get(route(referral))

    assert response.status_code == 404
    assert referral.beneficiary.name not in response.content.decode()
