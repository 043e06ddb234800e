"""The sealed-bid rule through the web pages, for every role.

Before the deadline for bids, a bid's price, its responses and its attachments appear on
no page for anyone but its own provider: not the lead agency's commissioners, finance
officers or supervisors, not panel members or the chair, not platform administrators or
superusers, not other bidders or the public. After the deadline the evaluators read the
responses, and prices only once the chair has locked the quality scores (two envelopes);
people who do not evaluate never read a bid's content.
"""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from marketplace import services
from marketplace.models import Bid, Criterion
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.marketplace import (
    BidFactory,
    BidResponseFactory,
    TenderingTenderFactory,
    agency_user,
    bidder_of,
    commissioner_of,
    finance_of,
)
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

PRICE = Decimal("431234.00")
PRICE_MARKS = ("431,234", "431234")
RESPONSE = "SEALED-RESPONSE-TEXT 每周上门探访三次"
ATTACHMENT = "SEALED-ATTACHMENT-TITLE"
SECRETS = (*PRICE_MARKS, RESPONSE, ATTACHMENT)


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world():
    """A tender open for bids, with a complete submitted bid and a panel that has declared."""
    tender = TenderingTenderFactory()
    provider = VerifiedProviderFactory()
    owner = bidder_of(provider, role="provider_admin")
    bid = BidFactory(tender=tender, provider=provider, price=PRICE)
    for criterion in tender.criteria.all():
        if criterion.is_scored_by_panel:
            BidResponseFactory(bid=bid, criterion=criterion, text=RESPONSE)
    services.add_bid_attachment(
        bid=bid,
        user=owner,
        title=ATTACHMENT,
        uploaded_file=SimpleUploadedFile("plan.pdf", PDF_BYTES),
    )
    services.submit_bid(bid=bid, user=owner)
    commissioner = commissioner_of(tender.lead_agency)
    chair = agency_user(tender.lead_agency)
    member = agency_user()
    panel = services.set_panel(
        tender=tender, chair=chair, members=[member, agency_user()], actor=commissioner
    )
    for panel_member in panel.members.all():
        services.declare_conflict(member=panel_member, has_conflict=False)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    roles = {
        "commissioner": commissioner,
        "finance": finance_of(tender.lead_agency),
        "supervisor": user_with_role(Role.SUPERVISOR, tender.lead_agency),
        "panel chair": chair,
        "panel member": member,
        "platform admin": user_with_role(Role.PLATFORM_ADMIN),
        "superuser": superuser,
        "other provider": bidder_of(VerifiedProviderFactory(), role="provider_admin"),
        "anonymous": None,
    }
    return {
        "tender": tender,
        "bid": Bid.objects.get(pk=bid.pk),
        "owner": owner,
        "roles": roles,
        "attachment": bid.attachments.get(),
    }


def pages(world) -> list[str]:
    """Every page that could show the bid to someone."""
    tender, bid, attachment = world["tender"], world["bid"], world["attachment"]
    return [
        "/",
        reverse("marketplace:tender_list"),
        reverse("marketplace:tender_detail", args=[tender.uuid]),
        reverse("marketplace:tender_by_reference", args=[tender.reference]),
        reverse("marketplace:tender_feed_rss"),
        reverse("marketplace:tender_feed_atom"),
        reverse("marketplace:manage_tenders"),
        reverse("marketplace:manage_tender", args=[tender.uuid]),
        reverse("marketplace:tender_bids", args=[tender.uuid]),
        reverse("marketplace:tender_questions", args=[tender.uuid]),
        reverse("marketplace:panel_setup", args=[tender.uuid]),
        reverse("marketplace:tender_awards", args=[tender.uuid]),
        reverse("marketplace:budget_detail", args=[tender.budget.uuid]),
        reverse("marketplace:my_panels"),
        reverse("marketplace:evaluation", args=[tender.uuid]),
        reverse("marketplace:score_bid", args=[tender.uuid, bid.uuid]),
        reverse("marketplace:moderation", args=[tender.uuid]),
        reverse("marketplace:results", args=[tender.uuid]),
        reverse("marketplace:my_tenders"),
        reverse("marketplace:bid_detail", args=[bid.uuid]),
        reverse("marketplace:bid_edit", args=[tender.uuid, bid.lot.number]),
        reverse("marketplace:bid_attachment", args=[bid.uuid, attachment.uuid]),
        reverse("marketplace:assessment_summary", args=[bid.uuid]),
        reverse("accounts:workspace"),
    ]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


@contextmanager
def as_person(client, user, moment=None):
    """``user`` signed in (None: anonymous), with the clock at ``moment`` when given."""
    travel = time_machine.travel(moment, tick=False) if moment else None
    if travel:
        travel.start()
    try:
        client.logout()
        if user is not None:
            client.force_login(user)
        yield client
    finally:
        if travel:
            travel.stop()


def what_leaks(client, world, user, moment=None) -> dict[str, list[str]]:
    """For each page that shows a secret of the bid to ``user``: which secrets."""
    leaks = {}
    with as_person(client, user, moment):
        for url in pages(world):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            content = body(response)
            found = [secret for secret in SECRETS if secret in content]
            if url.endswith(f"{world['attachment'].uuid}/") and response.status_code == 200:
                found.append("attachment file")
            if found:
                leaks[url] = found
    return leaks


ROLES = [
    "commissioner",
    "finance",
    "supervisor",
    "panel chair",
    "panel member",
    "platform admin",
    "superuser",
    "other provider",
    "anonymous",
]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_sealed_bid_before_the_deadline(client_en, world, role):
    assert what_leaks(client_en, world, world["roles"][role]) == {}


def test_the_own_provider_sees_its_price_responses_and_attachments(client_en, world):
    leaks = what_leaks(client_en, world, world["owner"])

    bid_page = reverse("marketplace:bid_detail", args=[world["bid"].uuid])
    assert set(leaks[bid_page]) >= {PRICE_MARKS[0], RESPONSE, ATTACHMENT}
    attachment = reverse(
        "marketplace:bid_attachment", args=[world["bid"].uuid, world["attachment"].uuid]
    )
    assert "attachment file" in leaks[attachment]
    # Nothing of it reaches the public pages, even for the bidder.
    assert reverse("marketplace:tender_detail", args=[world["tender"].uuid]) not in leaks


def test_a_second_before_the_deadline_the_bid_is_still_sealed(client_en, world):
    moment = world["tender"].submission_deadline - timedelta(seconds=1)

    assert what_leaks(client_en, world, world["roles"]["commissioner"], moment) == {}
    assert what_leaks(client_en, world, world["roles"]["panel member"], moment) == {}


@pytest.mark.parametrize(
    "role", ["finance", "supervisor", "platform admin", "superuser", "other provider", "anonymous"]
)
def test_after_the_deadline_people_who_do_not_evaluate_still_see_nothing(client_en, world, role):
    after = world["tender"].submission_deadline + timedelta(minutes=1)

    assert what_leaks(client_en, world, world["roles"][role], after) == {}


@pytest.mark.parametrize("role", ["commissioner", "panel chair", "panel member"])
def test_after_the_deadline_evaluators_read_responses_but_no_price_before_the_lock(
    client_en, world, role
):
    after = world["tender"].submission_deadline + timedelta(minutes=1)

    leaks = what_leaks(client_en, world, world["roles"][role], after)

    seen = {secret for found in leaks.values() for secret in found}
    assert RESPONSE in seen
    assert not seen & set(PRICE_MARKS)


def test_prices_appear_to_evaluators_once_the_chair_locks(client_en, world):
    tender, chair = world["tender"], world["roles"]["panel chair"]
    after = tender.submission_deadline + timedelta(minutes=1)
    quality = tender.criteria.get(kind=Criterion.Kind.QUALITY)
    social = tender.criteria.get(kind=Criterion.Kind.SOCIAL_VALUE)
    with time_machine.travel(after, tick=False):
        for panel_member in tender.panel.members.all():
            services.save_scores(
                member=panel_member, bid=world["bid"], scores={quality.pk: 7, social.pk: 6}
            )
            services.submit_scores(member=panel_member)
        services.lock_moderation(panel=tender.panel, chair=chair)

    for role in ("commissioner", "panel chair", "panel member"):
        leaks = what_leaks(client_en, world, world["roles"][role], after)
        seen = {secret for found in leaks.values() for secret in found}
        assert PRICE_MARKS[0] in seen, role
    for role in ("finance", "platform admin", "superuser", "other provider"):
        leaks = what_leaks(client_en, world, world["roles"][role], after)
        seen = {secret for found in leaks.values() for secret in found}
        assert RESPONSE not in seen and ATTACHMENT not in seen, role
