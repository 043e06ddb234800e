"""The sealed-bid rule (SPEC §4, issue #4 point 5), role by role and path by path.

Until the submission deadline has passed, a bid's price and content — and that it exists —
are visible to its own provider only: not to the lead agency, panel members, platform
administrators or superusers. After the deadline the evaluators read the responses; prices
open only when the chair locks moderation (two envelopes). Pages and the API have their own
path tests; here: the selectors and rules they all go through, the Django and Wagtail admin,
and the audit log.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import rules
import time_machine
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from core.models import AuditEvent
from marketplace import selectors, services
from marketplace.models import Bid, Panel, PanelMember
from tests.factories.accounts import OrganizationFactory, UserFactory, user_with_role
from tests.factories.marketplace import (
    BidFactory,
    SubmittedBidFactory,
    TenderingTenderFactory,
    agency_user,
    bidder_of,
    commissioner_of,
    complete_bid,
)
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

PRICE = Decimal("412345.67")
PRICE_TEXTS = ("412345.67", "412,345.67", "412345,67", "412 345")
RESPONSE_MARKER = "封存测试标记：每周探访三次"
ATTACHMENT_TITLE = "封存附件标题"

# Everyone who is not the bidder. Each makes a user for the given tender.
OTHER_ROLES = {
    "other bidder": lambda tender: bidder_of(VerifiedProviderFactory()),
    "commissioner": lambda tender: commissioner_of(tender.lead_agency),
    "finance": lambda tender: user_with_role("finance", tender.lead_agency),
    "supervisor": lambda tender: user_with_role("supervisor", tender.lead_agency),
    "panel member": lambda tender: _cleared_member(tender),
    "panel chair": lambda tender: _cleared_member(tender, chair=True),
    "platform admin": lambda tender: user_with_role(
        "platform_admin", OrganizationFactory(kind=Organization.Kind.PLATFORM)
    ),
    "superuser": lambda tender: UserFactory(is_superuser=True, is_staff=True),
    "superuser commissioner": lambda tender: commissioner_of(
        tender.lead_agency, is_superuser=True, is_staff=True
    ),
    "anonymous": lambda tender: AnonymousUser(),
}


def _cleared_member(tender, chair=False):
    """A panel member who declared no conflict (the chair, when asked)."""
    user = agency_user(tender.lead_agency)
    panel = Panel.objects.filter(tender=tender).first()
    if panel is None:
        panel = Panel.objects.create(tender=tender, chair=user if chair else agency_user())
    elif chair:
        Panel.objects.filter(pk=panel.pk).update(chair=user)
    PanelMember.objects.create(
        panel=panel, user=user, conflict_declared_at=timezone.now(), has_conflict=False
    )
    return user


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def bidder(provider):
    return bidder_of(provider)


@pytest.fixture
def bid(tender, provider, bidder):
    """A submitted bid with a distinctive price, response and attachment, made through services."""
    responses = {
        criterion.pk: RESPONSE_MARKER
        for criterion in tender.criteria.all()
        if criterion.is_scored_by_panel
    }
    bid = services.save_bid_draft(
        lot=tender.lots.get(number=1),
        provider=provider,
        user=bidder,
        price=PRICE,
        responses=responses,
    )
    services.add_bid_attachment(
        bid=bid,
        user=bidder,
        title=ATTACHMENT_TITLE,
        uploaded_file=SimpleUploadedFile("plan.pdf", PDF_BYTES),
    )
    return services.submit_bid(bid=bid, user=bidder)


def before_deadline(tender):
    return time_machine.travel(tender.submission_deadline - timedelta(seconds=1), tick=False)


def after_deadline(tender):
    return time_machine.travel(tender.submission_deadline + timedelta(seconds=1), tick=False)


def sees_nothing(user, tender, bid):
    """Every selector and rule answers as if the bid did not exist."""
    assert not selectors.bids_visible_to(user, tender).exists()
    assert selectors.visible_bids(user, tender) == []
    assert selectors.bid_for(user, bid.uuid) is None
    assert selectors.visible_bid(user, bid) is None
    assert not selectors.can_view_bid_content(user, bid)
    assert not selectors.can_view_bid_price(user, bid)
    assert not rules.has_perm("marketplace.view_bid", user, bid)
    assert not rules.has_perm("marketplace.view_bid_price", user, bid)
    assert not selectors.scores_visible_to(user, tender).exists()
    assert not selectors.results_for(user, tender).exists()


# --- the bidder -------------------------------------------------------------


def test_the_bidder_sees_its_own_bid_whole_before_the_deadline(tender, bid, provider):
    with before_deadline(tender):
        for person in (bidder_of(provider), bidder_of(provider, role="provider_admin")):
            [seen] = selectors.visible_bids(person, tender)
            assert seen.is_own and seen.sealed
            assert seen.price == PRICE
            assert {response.text for response in seen.responses} == {RESPONSE_MARKER}
            assert [attachment.title for attachment in seen.attachments] == [ATTACHMENT_TITLE]
            assert selectors.bid_for(person, bid.uuid) == bid
            assert rules.has_perm("marketplace.view_bid", person, bid)


def test_the_bidder_sees_its_drafts_and_withdrawn_bids_too(tender, bid, bidder):
    services.withdraw_bid(bid=bid, user=bidder)
    assert list(selectors.bids_of(bidder)) == [bid]
    assert selectors.visible_bid(bidder, bid).status == Bid.Status.WITHDRAWN


# --- everyone else, before the deadline -------------------------------------


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_before_the_deadline_nobody_else_knows_of_the_bid(tender, bid, role):
    user = OTHER_ROLES[role](tender)
    with before_deadline(tender):
        sees_nothing(user, tender, bid)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_a_locked_panel_before_the_deadline_still_opens_nothing(tender, bid, role):
    # The deadline comes before any role or panel state: nothing can open a sealed bid.
    user = OTHER_ROLES[role](tender)
    panel = Panel.objects.filter(tender=tender).first() or Panel.objects.create(
        tender=tender, chair=agency_user()
    )
    Panel.objects.filter(pk=panel.pk).update(quality_locked_at=timezone.now())
    with before_deadline(tender):
        sees_nothing(user, tender, bid)
        assert not selectors.opened_bids(tender).exists()


def test_before_the_deadline_not_even_the_number_of_bids_is_told(tender, bid):
    with before_deadline(tender):
        assert selectors.submitted_bid_count(tender) is None
        assert selectors.bid_counts(tender) is None
    with after_deadline(tender):
        assert selectors.submitted_bid_count(tender) == 1
        assert selectors.bid_counts(tender) == {1: 1}


def test_django_has_perm_lets_superusers_through_so_bids_are_read_with_selectors(tender, bid):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    with before_deadline(tender):
        # Why views must not gate bid content on has_perm alone:
        assert superuser.has_perm("marketplace.view_bid", bid)
        # while the rule and every selector refuse.
        sees_nothing(superuser, tender, bid)


# --- after the deadline: the first envelope ---------------------------------


@pytest.mark.parametrize("role", ["commissioner", "panel member", "panel chair"])
def test_after_the_deadline_evaluators_read_the_responses_but_not_the_price(tender, bid, role):
    user = OTHER_ROLES[role](tender)
    with after_deadline(tender):
        [seen] = selectors.visible_bids(user, tender)
        assert not seen.is_own and seen.content_visible
        assert {response.text for response in seen.responses} == {RESPONSE_MARKER}
        assert seen.price is None and not seen.price_visible
        assert seen.eligibility_report == []
        assert selectors.bid_for(user, bid.uuid) == bid
        assert not selectors.can_view_bid_price(user, bid)


@pytest.mark.parametrize(
    "role",
    [
        "other bidder",
        "finance",
        "supervisor",
        "platform admin",
        "superuser",
        "anonymous",
    ],
)
def test_after_the_deadline_people_who_do_not_evaluate_still_see_nothing(tender, bid, role):
    user = OTHER_ROLES[role](tender)
    with after_deadline(tender):
        sees_nothing(user, tender, bid)


def test_a_member_who_has_not_declared_or_declared_a_conflict_sees_no_bid(tender, bid):
    undeclared, conflicted = agency_user(tender.lead_agency), agency_user(tender.lead_agency)
    panel = Panel.objects.create(tender=tender, chair=undeclared)
    PanelMember.objects.create(panel=panel, user=undeclared)
    PanelMember.objects.create(
        panel=panel,
        user=conflicted,
        conflict_declared_at=timezone.now(),
        has_conflict=True,
        conflict_note="亲属任职",
    )
    with after_deadline(tender):
        sees_nothing(undeclared, tender, bid)
        sees_nothing(conflicted, tender, bid)


def test_drafts_and_withdrawn_bids_stay_with_the_bidder_after_the_deadline(tender, bid, bidder):
    bid = services.withdraw_bid(bid=bid, user=bidder)
    draft = BidFactory(tender=tender, price=PRICE)
    commissioner = commissioner_of(tender.lead_agency)
    with after_deadline(tender):
        sees_nothing(commissioner, tender, bid)
        sees_nothing(commissioner, tender, draft)
        assert selectors.submitted_bid_count(tender) == 0


# --- after the lock: the second envelope ------------------------------------


def test_once_moderation_is_locked_prices_open_and_responses_stay_with_the_evaluators(tender, bid):
    commissioner = commissioner_of(tender.lead_agency)
    member = _cleared_member(tender)
    with after_deadline(tender):
        Panel.objects.filter(tender=tender).update(quality_locked_at=timezone.now())
        for user in (commissioner, member):
            [seen] = selectors.visible_bids(user, tender)
            assert seen.price == PRICE and seen.responses
        # Opened prices are public (OCDS bids); responses never are.
        anonymous = AnonymousUser()
        assert selectors.can_view_bid_price(anonymous, bid)
        assert not selectors.can_view_bid_content(anonymous, bid)
        assert list(selectors.opened_bids(tender)) == [bid]


# --- the Django and Wagtail admin ---------------------------------------------


def _marketplace_admin_urls(tender) -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["marketplace"])]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("marketplace", "accounts", "core"):
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_changelist") + "?q=412345")
        for obj in model_admin.get_queryset(_request()).order_by("-pk")[:5]:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
    return urls


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    return request


@pytest.mark.parametrize("moment", [before_deadline, after_deadline])
def test_the_django_admin_shows_no_bid_price_or_content_to_a_superuser(client, tender, bid, moment):
    superuser = commissioner_of(tender.lead_agency, is_superuser=True, is_staff=True)
    with moment(tender):
        client.force_login(superuser)  # sessions last hours: sign in at the frozen time
        pages = _marketplace_admin_urls(tender)
        assert any("/marketplace/tender/" in url for url in pages)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for secret in (*PRICE_TEXTS, RESPONSE_MARKER, ATTACHMENT_TITLE):
                assert secret not in html, (url, secret)
        # Bids, responses and attachments have no admin pages at all.
        for name in ("bid", "bidresponse", "bidattachment", "score"):
            assert client.get(f"/django-admin/marketplace/{name}/").status_code == 404


def test_the_wagtail_admin_finds_no_bid_content(client, tender, bid):
    search = reverse("wagtailadmin_pages:search")
    with before_deadline(tender):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        for url in (
            reverse("wagtailadmin_home"),
            f"{search}?q=412345",
            f"{search}?q={RESPONSE_MARKER[:4]}",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for secret in (*PRICE_TEXTS, RESPONSE_MARKER):
                assert secret not in html, (url, secret)


# --- the audit log --------------------------------------------------------------


def test_audit_entries_about_bids_carry_no_price_text_or_attachment_title(
    tender, bid, provider, bidder
):
    services.reopen_bid(bid=bid, user=bidder)
    services.save_bid_draft(lot=bid.lot, provider=provider, user=bidder, price=PRICE, responses={})
    services.submit_bid(bid=bid, user=bidder)
    services.withdraw_bid(bid=bid, user=bidder)
    events = AuditEvent.objects.filter(action__startswith="bid.")
    assert {event.action for event in events} >= {
        "bid.started",
        "bid.attachment_added",
        "bid.submitted",
        "bid.reopened",
        "bid.draft_saved",
        "bid.withdrawn",
    }
    for event in AuditEvent.objects.all():
        written = json.dumps(event.details, ensure_ascii=False) + event.object_label
        for secret in (*PRICE_TEXTS, RESPONSE_MARKER, ATTACHMENT_TITLE):
            assert secret not in written, (event.action, secret)


# --- a fixed number of queries ----------------------------------------------------


def test_listing_visible_bids_costs_the_same_queries_however_many(
    tender, bid, django_assert_max_num_queries
):
    commissioner = commissioner_of(tender.lead_agency)
    with after_deadline(tender):
        selectors.visible_bids(commissioner, tender)  # warms the role cache
        with django_assert_max_num_queries(5) as few:
            assert len(selectors.visible_bids(commissioner, tender)) == 1
        for _ in range(4):
            complete_bid(
                SubmittedBidFactory(
                    tender=tender, submitted_at=tender.submission_deadline - timedelta(hours=1)
                )
            )
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(selectors.visible_bids(commissioner, tender)) == 5
