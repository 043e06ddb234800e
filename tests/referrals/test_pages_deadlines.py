"""The supervisor's view of overdue referrals: which are late and why, by how much,
whose they are, and that nobody else sees it."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from referrals.models import Referral
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, VerifiedProviderFactory, provider_admin_of
from tests.factories.referrals import BeneficiaryFactory, NeedFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agency():
    return AgencyFactory(name_en="Xujiahui Street Office")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency, username="li_caseworker")


@pytest.fixture
def supervisor(agency):
    return user_with_role(Role.SUPERVISOR, agency, username="wang_supervisor")


@pytest.fixture
def provider():
    return VerifiedProviderFactory(organization__name_en="Sunshine Social Work Agency")


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def as_supervisor(client_en, supervisor):
    client_en.force_login(supervisor)
    return client_en


def referral_of(agency, caseworker, provider, **values):
    return ReferralFactory(
        need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
        service=ServiceFactory(provider=provider),
        caseworker=caseworker,
        **values,
    )


def unanswered(agency, caseworker, provider, *, late_by):
    due = NOW - late_by
    return referral_of(
        agency,
        caseworker,
        provider,
        status=Referral.Status.SENT,
        sent_at=due - datetime.timedelta(hours=4),
        due_at=due,
        expires_at=due + datetime.timedelta(hours=2),
        status_changed_at=due - datetime.timedelta(hours=4),
    )


def test_supervisors_see_unanswered_referrals_with_how_late_whose_and_where(
    as_supervisor, agency, caseworker, provider
):
    late = unanswered(agency, caseworker, provider, late_by=datetime.timedelta(hours=3))
    on_time = referral_of(
        agency,
        caseworker,
        provider,
        status=Referral.Status.SENT,
        due_at=NOW + datetime.timedelta(hours=1),
    )

    response = as_supervisor.get(reverse("referrals:overdue"))

    text = response.text
    assert response.status_code == 200
    assert reverse("referrals:referral", args=[late.uuid]) in text
    assert reverse("referrals:referral", args=[on_time.uuid]) not in text
    assert "3\xa0hours" in text
    assert "The provider's answer" in text
    assert str(caseworker) in text
    assert "Sunshine Social Work Agency" in text
    assert "2026-11-24 21:00 CST" in text  # due 13:00 UTC, shown in Shanghai time


def test_outcomes_not_confirmed_within_five_days_are_overdue_too(
    as_supervisor, agency, caseworker, provider
):
    waiting = referral_of(
        agency,
        caseworker,
        provider,
        status=Referral.Status.COMPLETED,
        status_changed_at=NOW - datetime.timedelta(days=7),
    )
    recent = referral_of(
        agency,
        caseworker,
        provider,
        status=Referral.Status.COMPLETED,
        status_changed_at=NOW - datetime.timedelta(days=2),
    )

    text = as_supervisor.get(reverse("referrals:overdue")).text

    assert reverse("referrals:referral", args=[waiting.uuid]) in text
    assert reverse("referrals:referral", args=[recent.uuid]) not in text
    assert "The caseworker to confirm the outcome" in text
    assert "2\xa0days" in text


def test_the_overdue_view_shows_nothing_of_the_person(as_supervisor, agency, caseworker, provider):
    late = unanswered(agency, caseworker, provider, late_by=datetime.timedelta(hours=1))

    text = as_supervisor.get(reverse("referrals:overdue")).text

    assert late.beneficiary.name not in text
    assert late.beneficiary.phone not in text
    assert late.reason not in text


def test_a_supervisor_of_another_agency_does_not_see_our_overdue_referrals(
    client_en, agency, caseworker, provider
):
    late = unanswered(agency, caseworker, provider, late_by=datetime.timedelta(hours=5))
    client_en.force_login(user_with_role(Role.SUPERVISOR, AgencyFactory()))

    response = client_en.get(reverse("referrals:overdue"))

    assert response.status_code == 200
    assert str(late.uuid) not in response.text
    assert "Nothing is overdue." in response.text


def test_only_supervisors_open_the_overdue_view(client_en, caseworker, provider):
    url = reverse("referrals:overdue")
    for user in (caseworker, provider_admin_of(provider), user_with_role(Role.COMMISSIONER)):
        client_en.force_login(user)
        assert client_en.get(url).status_code == 404, user
    client_en.logout()

    response = client_en.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_supervisor_s_workspace_and_navigation_link_to_it(as_supervisor):
    workspace = as_supervisor.get(reverse("accounts:workspace")).text
    people = as_supervisor.get(reverse("referrals:people")).text

    assert reverse("referrals:overdue") in workspace
    assert reverse("referrals:overdue") in people


def test_the_overdue_view_runs_a_fixed_number_of_queries(
    as_supervisor, agency, caseworker, provider
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_supervisor.get(reverse("referrals:overdue")).status_code == 200
        return len(queries)

    unanswered(agency, caseworker, provider, late_by=datetime.timedelta(hours=1))
    with_one = count()
    for hours in (2, 3, 4):
        unanswered(
            agency, caseworker, VerifiedProviderFactory(), late_by=datetime.timedelta(hours=hours)
        )

    assert count() == with_one


def test_unanswered_referrals_come_oldest_deadline_first(
    as_supervisor, agency, caseworker, provider
):
    an_hour = unanswered(agency, caseworker, provider, late_by=datetime.timedelta(hours=1))
    a_day = unanswered(agency, caseworker, provider, late_by=datetime.timedelta(days=1))

    text = as_supervisor.get(reverse("referrals:overdue")).text

    assert text.index(str(a_day.uuid)) < text.index(str(an_hour.uuid))
    assert timezone.now() == NOW
