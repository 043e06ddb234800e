"""Alerts: each person reads their own; opening one marks it read and goes to what it is
about; "mark all as read" touches only the person's unread alerts; the workspace counts
what is new; a commissioner sees the unanswered-questions alert the lifecycle raises."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace import services
from marketplace.models import Alert
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    ClarificationFactory,
    PublishedTenderFactory,
    TenderingTenderFactory,
    commissioner_of,
)
from tests.factories.providers import VerifiedProviderFactory, provider_admin_of, provider_staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def reader(provider):
    return provider_admin_of(provider, username="reader")


def alert_for(user, message="A new tender matches your services.", **kwargs):
    tender = kwargs.pop("tender", None) or TenderingTenderFactory()
    return Alert.objects.create(
        recipient=user,
        tender=tender,
        kind=kwargs.pop("kind", Alert.Kind.TENDER_PUBLISHED),
        key=kwargs.pop("key", ""),
        message_zh="新招标",
        message_en=message,
        url=kwargs.pop("url", reverse("marketplace:tender_detail", args=[tender.uuid])),
        **kwargs,
    )


def text(response) -> str:
    return response.content.decode()


def test_the_alert_page_lists_the_person_s_own_alerts_unread_first(client_en, provider, reader):
    old = alert_for(reader, "An answer was published.", read_at=timezone.now())
    new = alert_for(reader, "A new tender matches your services.")
    colleague = alert_for(provider_staff_of(provider), "Meant for a colleague.")
    client_en.force_login(reader)

    page = text(client_en.get(reverse("marketplace:alerts")))

    assert page.index(new.message_en) < page.index(old.message_en)
    assert colleague.message_en not in page
    assert "1 unread alert." in page
    assert reverse("marketplace:alert_open", args=[new.uuid]) in page


def test_opening_an_alert_marks_it_read_and_goes_to_its_page(client_en, reader):
    alert = alert_for(reader)
    other = alert_for(reader, key="other")
    client_en.force_login(reader)

    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        response = client_en.get(reverse("marketplace:alert_open", args=[alert.uuid]))

    assert response.status_code == 302
    assert response["Location"] == alert.url
    alert.refresh_from_db()
    other.refresh_from_db()
    assert alert.read_at == moment
    assert other.read_at is None


def test_opening_it_again_keeps_the_moment_it_was_first_read(client_en, reader):
    first = timezone.now() - timedelta(days=3)
    alert = alert_for(reader, read_at=first)
    client_en.force_login(reader)

    client_en.get(reverse("marketplace:alert_open", args=[alert.uuid]))

    alert.refresh_from_db()
    assert alert.read_at == first


def test_someone_else_s_alert_answers_404_and_stays_unread(client_en, provider, reader):
    alert = alert_for(provider_staff_of(provider))
    client_en.force_login(reader)

    assert client_en.get(reverse("marketplace:alert_open", args=[alert.uuid])).status_code == 404
    alert.refresh_from_db()
    assert alert.read_at is None


def test_an_alert_never_sends_the_reader_to_another_site(client_en, reader):
    alert = alert_for(reader, url="https://evil.example/phish")
    client_en.force_login(reader)

    response = client_en.get(reverse("marketplace:alert_open", args=[alert.uuid]))

    assert response["Location"] == reverse("marketplace:alerts")


def test_mark_all_as_read_touches_only_the_person_s_unread_alerts(client_en, provider, reader):
    earlier = timezone.now() - timedelta(days=2)
    read_before = alert_for(reader, key="before", read_at=earlier)
    unread = [alert_for(reader, key=str(number)) for number in range(3)]
    colleague = alert_for(provider_staff_of(provider))
    client_en.force_login(reader)

    response = client_en.post(
        reverse("marketplace:alerts_mark_read"), {"next": reverse("marketplace:my_tenders")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:my_tenders")
    assert Alert.objects.filter(pk__in=[a.pk for a in unread], read_at=None).count() == 0
    read_before.refresh_from_db()
    colleague.refresh_from_db()
    assert read_before.read_at == earlier
    assert colleague.read_at is None
    page = text(client_en.get(reverse("marketplace:alerts")))
    assert "unread alert" not in page


def test_mark_all_as_read_says_how_many_and_refuses_get(client_en, reader):
    alert_for(reader, key="a")
    alert_for(reader, key="b")
    client_en.force_login(reader)

    assert client_en.get(reverse("marketplace:alerts_mark_read")).status_code == 405
    page = text(client_en.post(reverse("marketplace:alerts_mark_read"), follow=True))

    assert "2 alerts marked as read." in page


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "garbage", ""])
def test_mark_all_as_read_goes_back_only_to_a_page_of_this_site(client_en, reader, back):
    client_en.force_login(reader)

    response = client_en.post(reverse("marketplace:alerts_mark_read"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:alerts")


def test_alerts_need_a_signed_in_person(client_en):
    response = client_en.get(reverse("marketplace:alerts"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_service_marks_only_the_alerts_named(reader):
    chosen, left = alert_for(reader, key="chosen"), alert_for(reader, key="left")

    assert services.mark_alerts_read(user=reader, alert_ids=[chosen.pk]) == 1
    assert services.mark_alerts_read(user=reader, alert_ids=[chosen.pk]) == 0

    assert Alert.objects.get(pk=chosen.pk).read_at is not None
    assert Alert.objects.get(pk=left.pk).read_at is None


def test_the_workspace_counts_new_alerts_on_the_alerts_card(client_en, reader):
    for number in range(3):
        alert_for(reader, key=str(number))
    alert_for(reader, key="old", read_at=timezone.now())
    client_en.force_login(reader)

    page = text(client_en.get(reverse("accounts:workspace")))

    assert reverse("marketplace:alerts") in page
    assert "3 new alerts" in page


def test_a_commissioner_reads_the_unanswered_questions_alert_and_reaches_the_questions(client_en):
    tender = PublishedTenderFactory(title_en="Meals for elderly people")
    commissioner = commissioner_of(tender.lead_agency)
    ClarificationFactory(tender=tender)
    with time_machine.travel(tender.enquiry_deadline + timedelta(minutes=1)):
        services.advance_tenders()
    alert = Alert.objects.get(recipient=commissioner, kind=Alert.Kind.UNANSWERED_QUESTIONS)
    client_en.force_login(commissioner)

    workspace = text(client_en.get(reverse("accounts:workspace")))
    page = text(client_en.get(reverse("marketplace:alerts")))
    opened = client_en.get(reverse("marketplace:alert_open", args=[alert.uuid]))

    assert "1 new alert" in workspace
    assert tender.reference in page
    assert opened["Location"] == reverse("marketplace:tender_questions", args=[tender.uuid])
    assert client_en.get(opened["Location"]).status_code == 200


def test_the_alert_page_costs_the_same_number_of_queries_however_many_alerts(client_en, reader):
    client_en.force_login(reader)
    url = reverse("marketplace:alerts")
    alert_for(reader, key="first")
    client_en.get(url)
    with CaptureQueriesContext(connection) as few:
        client_en.get(url)
    for number in range(6):
        alert_for(reader, key=str(number))
    with CaptureQueriesContext(connection) as many:
        client_en.get(url)

    assert len(few) == len(many)


def test_the_alert_page_speaks_chinese(client, reader):
    alert_for(reader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(reader)

    page = text(client.get(reverse("marketplace:alerts")))

    assert '<html lang="zh-Hans"' in page
    assert "新招标" in page
    assert "全部标为已读" in page


def test_a_person_with_no_alerts_is_told_so(client_en):
    client_en.force_login(commissioner_of(AgencyFactory()))

    page = text(client_en.get(reverse("marketplace:alerts")))

    assert "No alerts yet." in page
