"""Who sees which tender: the public sees every tender once published; drafts stay
with their own agency; each person sees their own alerts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from marketplace import selectors
from marketplace.models import Alert, Tender
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import PublishedTenderFactory, TenderFactory, commissioner_of

pytestmark = pytest.mark.django_db


def test_the_public_sees_published_tenders_in_every_later_state_but_no_draft():
    published = [
        PublishedTenderFactory(status=status)
        for status in Tender.Status
        if status != Tender.Status.DRAFT
    ]
    draft = TenderFactory()

    assert set(selectors.public_tenders()) == set(published)
    assert set(selectors.tenders_visible_to(AnonymousUser())) == set(published)
    assert draft not in selectors.tenders_visible_to(commissioner_of(AgencyFactory()))


def test_an_agency_sees_its_own_drafts():
    draft = TenderFactory()

    for role in ("commissioner", "finance", "supervisor"):
        assert draft in selectors.tenders_visible_to(user_with_role(role, draft.lead_agency))
    assert draft not in selectors.tenders_visible_to(
        user_with_role("caseworker", draft.lead_agency)
    )


def test_listing_tenders_costs_the_same_queries_however_many(django_assert_num_queries):
    for _ in range(3):
        PublishedTenderFactory()

    def titles():
        return [
            (
                tender.lead_agency.name,
                [c.code for c in tender.categories.all()],
                tender.lots.count(),
            )
            for tender in selectors.public_tenders()
        ]

    with django_assert_num_queries(4):  # tenders with agency and budget; categories; areas; lots
        few = titles()
    for _ in range(3):
        PublishedTenderFactory()
    with django_assert_num_queries(4):
        many = titles()

    assert (len(few), len(many)) == (3, 6)


def test_each_person_sees_only_their_alerts_unread_first():
    tender = PublishedTenderFactory()
    reader, other = user_with_role("provider_admin"), user_with_role("provider_admin")
    read = Alert.objects.create(
        recipient=reader,
        tender=tender,
        kind=Alert.Kind.TENDER_PUBLISHED,
        key="a",
        message_zh="旧",
        read_at=timezone.now(),
    )
    unread = Alert.objects.create(
        recipient=reader,
        tender=tender,
        kind=Alert.Kind.TENDER_PUBLISHED,
        key="b",
        message_zh="新",
    )
    Alert.objects.create(recipient=other, tender=tender, kind=Alert.Kind.TENDER_PUBLISHED)

    assert list(selectors.alerts_for(reader)) == [unread, read]
    assert list(selectors.alerts_for(AnonymousUser())) == []
