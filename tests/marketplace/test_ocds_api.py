"""The public OCDS API under /api/v1/ocds/: release and record packages, paginated by
contracting process, filterable by tender, the same for everyone — a superuser included."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import Award
from marketplace.ocds import releases as ocds
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import (
    AwardFactory,
    ClarificationFactory,
    PanelFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
    commissioner_of,
)
from tests.marketplace._ocds import assert_valid

pytestmark = pytest.mark.django_db

RELEASES = "/api/v1/ocds/releases/"
RECORDS = "/api/v1/ocds/records/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_anyone_reads_a_valid_release_package_without_drafts(api):
    published = PublishedTenderFactory()
    TenderFactory()

    response = api.get(RELEASES)

    assert response.status_code == 200
    package = response.json()
    assert_valid("release", package)
    assert {release["ocid"] for release in package["releases"]} == {ocds.ocid(published)}
    assert package["uri"] == f"http://testserver{RELEASES}"
    assert package["releases"][-1]["tender"]["documents"][0]["url"].startswith("http://testserver/")


def test_anyone_reads_a_valid_record_package(api):
    PublishedTenderFactory()

    package = api.get(RECORDS).json()

    assert_valid("record", package)
    assert package["records"][0]["compiledRelease"]["tag"] == ["compiled"]


def test_the_index_names_the_version_the_extensions_and_the_packages(api):
    index = api.get("/api/v1/ocds/").json()

    assert index["version"] == "1.1"
    assert len(index["extensions"]) == 4
    assert index["releases"].endswith(RELEASES)
    assert index["records"].endswith(RECORDS)


def test_filter_by_tender_uuid_reference_or_ocid(api):
    first, second = PublishedTenderFactory(), PublishedTenderFactory()

    def ocids(query):
        return {release["ocid"] for release in api.get(f"{RELEASES}?{query}").json()["releases"]}

    assert ocids(f"tender={first.uuid}") == {ocds.ocid(first)}
    assert ocids(f"tender={second.reference}") == {ocds.ocid(second)}
    assert ocids(f"ocid={ocds.ocid(second)}") == {ocds.ocid(second)}
    assert ocids("ocid=ocds-other-123") == set()
    assert ocids(f"tender={TenderFactory().reference}") == set()


def test_pages_hold_whole_processes_and_link_to_each_other(api):
    tenders = [PublishedTenderFactory() for _ in range(3)]

    first = api.get(f"{RELEASES}?page_size=2").json()
    second = api.get(first["links"]["next"]).json()

    assert "prev" not in first["links"]
    assert "next" not in second.get("links", {}) and second["links"]["prev"]
    seen = [{r["ocid"] for r in page["releases"]} for page in (first, second)]
    assert len(seen[0]) == 2 and len(seen[1]) == 1
    assert seen[0] | seen[1] == {ocds.ocid(tender) for tender in tenders}


@pytest.mark.parametrize("viewer", ["anonymous", "commissioner", "superuser"])
def test_sealed_bids_stay_out_of_the_api_for_everyone(api, viewer):
    tender = PublishedTenderFactory()
    bid = SubmittedBidFactory(tender=tender, price=Decimal("432109.87"))
    if viewer == "commissioner":
        api.force_authenticate(commissioner_of(tender.lead_agency))
    elif viewer == "superuser":
        api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))

    text = api.get(RELEASES).content.decode() + api.get(RECORDS).content.decode()

    assert "432109.87" not in text
    assert str(bid.uuid) not in text
    assert json.dumps(bid.provider.organization.name_zh)[1:-1] not in text
    assert '"bids"' not in text


def _evaluated_tender():
    """A tender whose prices are open, with two bids, an answered question and an award."""
    tender = PublishedTenderFactory(
        publish_at=timezone.now() - timedelta(days=40),
        enquiry_deadline=timezone.now() - timedelta(days=30),
        submission_deadline=timezone.now() - timedelta(days=20),
    )
    bids = [SubmittedBidFactory(tender=tender) for _ in range(2)]
    ClarificationFactory(
        tender=tender,
        answer="是。",
        answered_at=timezone.now() - timedelta(days=35),
        published=True,
    )
    PanelFactory(tender=tender, quality_locked_at=timezone.now() - timedelta(days=10))
    AwardFactory(
        bid=bids[0],
        status=Award.Status.APPROVED,
        approved_at=timezone.now() - timedelta(days=5),
        notice_published_at=timezone.now() - timedelta(days=5),
    )
    return tender


@pytest.mark.parametrize("url", [RELEASES, RECORDS])
def test_a_page_runs_a_fixed_number_of_queries(api, url):
    def queries_for(count):
        for _ in range(count):
            _evaluated_tender()
            PublishedTenderFactory()
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        return len(queries), response.json()

    with time_machine.travel(timezone.now(), tick=False):
        small, small_package = queries_for(1)
        large, large_package = queries_for(3)

    key = "releases" if url == RELEASES else "records"
    assert len(large_package[key]) > len(small_package[key])
    assert_valid(key[:-1], large_package)
    assert small == large
