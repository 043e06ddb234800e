"""Alerts through the API: each person lists and marks read only their own alerts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import Alert
from tests.factories.marketplace import TenderingTenderFactory
from tests.factories.providers import VerifiedProviderFactory, provider_admin_of, provider_staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def reader(provider):
    return provider_admin_of(provider)


def client_for(user=None, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def alert_for(user, key="", **kwargs):
    return Alert.objects.create(
        recipient=user,
        tender=kwargs.pop("tender", None) or TenderingTenderFactory(),
        kind=Alert.Kind.TENDER_PUBLISHED,
        key=key,
        message_zh="有新的采购项目与您的服务相匹配。",
        message_en="A new tender matches your services.",
        url="/tenders/",
        **kwargs,
    )


def test_a_person_lists_their_own_alerts_unread_first(provider, reader):
    read = alert_for(reader, "read", read_at=timezone.now())
    unread = alert_for(reader, "unread")
    alert_for(provider_staff_of(provider), "colleague")

    body = client_for(reader).get("/api/v1/alerts/").json()

    assert [item["uuid"] for item in body["results"]] == [str(unread.uuid), str(read.uuid)]
    first = body["results"][0]
    assert first["message"] == "A new tender matches your services."
    assert first["tender"]["reference"] == unread.tender.reference
    assert first["read_at"] is None
    assert "recipient" not in first


def test_the_message_follows_the_request_language(reader):
    alert_for(reader)

    body = client_for(reader, language="zh-hans").get("/api/v1/alerts/").json()

    assert body["results"][0]["message"] == "有新的采购项目与您的服务相匹配。"


def test_only_unread_alerts_on_request(reader):
    alert_for(reader, "read", read_at=timezone.now())
    unread = alert_for(reader, "unread")

    body = client_for(reader).get("/api/v1/alerts/?unread=true").json()

    assert [item["uuid"] for item in body["results"]] == [str(unread.uuid)]


def test_marking_one_read_keeps_the_others_unread(reader):
    alert, other = alert_for(reader, "one"), alert_for(reader, "other")

    response = client_for(reader).post(f"/api/v1/alerts/{alert.uuid}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert Alert.objects.get(pk=other.pk).read_at is None


def test_marking_read_again_keeps_the_first_moment(reader):
    first = timezone.now() - timedelta(days=1)
    alert = alert_for(reader, read_at=first)

    client_for(reader).post(f"/api/v1/alerts/{alert.uuid}/read/")

    assert Alert.objects.get(pk=alert.pk).read_at == first


def test_read_all_marks_the_person_s_unread_alerts_and_says_how_many(provider, reader):
    for key in "abc":
        alert_for(reader, key)
    colleague = alert_for(provider_staff_of(provider))

    response = client_for(reader).post("/api/v1/alerts/read-all/")

    assert response.json() == {"marked": 3}
    assert Alert.objects.filter(recipient=reader, read_at=None).count() == 0
    assert Alert.objects.get(pk=colleague.pk).read_at is None


def test_someone_else_s_alert_answers_404_and_stays_unread(provider, reader):
    alert = alert_for(provider_staff_of(provider))
    client = client_for(reader)

    assert client.get(f"/api/v1/alerts/{alert.uuid}/").status_code == 404
    assert client.post(f"/api/v1/alerts/{alert.uuid}/read/").status_code == 404
    assert Alert.objects.get(pk=alert.pk).read_at is None


def test_alerts_need_a_signed_in_caller():
    assert client_for().get("/api/v1/alerts/").status_code in (401, 403)
    assert client_for().post("/api/v1/alerts/read-all/").status_code in (401, 403)


def test_the_list_costs_the_same_number_of_queries_however_many_alerts(reader):
    client = client_for(reader)
    alert_for(reader, "first")
    client.get("/api/v1/alerts/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/alerts/")
    for number in range(6):
        alert_for(reader, str(number))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/alerts/").json()

    assert body["count"] == 7
    assert len(few) == len(many)
