"""Public tender pages: the list with its filters, each tender's notice, the feeds of new
tenders and the home page's open tenders. Anyone may read them; drafts stay with their
agency, questions never name who asked, and how many bids came in shows only after the
deadline."""

import datetime
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Award, Tender, TenderDocument
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    AwardFactory,
    ClarificationFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
    TenderingTenderFactory,
    commissioner_of,
)
from tests.factories.places import shanghai_district
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory, provider_admin_of
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

LIST_URL = "/tenders/"


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def main_of(page: str) -> str:
    """The page's main content, without the header (which names the signed-in person)."""
    return page[page.index("<main") : page.index("</main>")]


def detail_url(tender) -> str:
    return reverse("marketplace:tender_detail", args=[tender.uuid])


# --- the list -----------------------------------------------------------------


def test_the_list_shows_published_tenders_and_never_drafts(client_en):
    published = PublishedTenderFactory(title_en="Home care in Pudong")
    draft = TenderFactory(title_en="Secret draft plan")
    PublishedTenderFactory(status=Tender.Status.CANCELLED, title_en="Called off")

    page = page_of(client_en.get(LIST_URL))

    assert "Home care in Pudong" in page
    assert "Called off" in page  # public once published, whatever became of it
    assert draft.title_en not in page
    assert published.reference in page
    assert "2 tenders found" in page


def test_every_deadline_on_the_list_carries_its_time_zone(client_en):
    deadline = timezone.make_aware(datetime.datetime(2031, 12, 1, 17, 0))
    PublishedTenderFactory(
        enquiry_deadline=deadline - timedelta(days=5), submission_deadline=deadline
    )

    page = page_of(client_en.get(LIST_URL))

    assert "2031-12-01 17:00 CST (Asia/Shanghai)" in page
    assert 'datetime="2031-12-01T09:00:00+00:00"' in page or "2031-12-01T17:00:00+08:00" in page


def test_the_list_filters_by_stage(client_en):
    PublishedTenderFactory(title_en="Asking questions now")
    TenderingTenderFactory(title_en="Taking bids now")

    page = page_of(client_en.get(LIST_URL, {"status": "tendering"}))

    assert "Taking bids now" in page
    assert "Asking questions now" not in page


def test_the_list_filters_by_kind_of_service_including_a_whole_group(client_en):
    PublishedTenderFactory(title_en="Elderly care tender")
    PublishedTenderFactory(
        title_en="Dibao tender", categories=[need_category("basic-living.dibao")]
    )

    by_category = page_of(client_en.get(LIST_URL, {"category": "social-services.elderly-care"}))
    by_group = page_of(client_en.get(LIST_URL, {"category": "basic-living"}))

    assert "Elderly care tender" in by_category and "Dibao tender" not in by_category
    assert "Dibao tender" in by_group and "Elderly care tender" not in by_group


def test_the_list_filters_by_district_counting_city_wide_tenders(client_en):
    pudong = shanghai_district()
    xuhui = shanghai_district("310104", "徐汇区", "Xuhui District")
    PublishedTenderFactory(title_en="Pudong only", areas=[pudong])
    PublishedTenderFactory(title_en="Xuhui only", areas=[xuhui])
    PublishedTenderFactory(title_en="Whole city", areas=[pudong.parent])

    page = page_of(client_en.get(LIST_URL, {"district": "310115"}))

    assert "Pudong only" in page and "Whole city" in page
    assert "Xuhui only" not in page


def test_the_list_filters_by_lead_agency(client_en):
    bureau = AgencyFactory(name_en="Civil Affairs Bureau")
    PublishedTenderFactory(title_en="Bureau tender", lead_agency=bureau)
    PublishedTenderFactory(title_en="Other agency tender")

    page = page_of(client_en.get(LIST_URL, {"agency": str(bureau.uuid)}))

    assert "Bureau tender" in page and "Other agency tender" not in page
    assert "Civil Affairs Bureau" in page  # offered as a choice


def test_the_list_filters_by_closing_date(client_en):
    soon = timezone.now() + timedelta(days=5)
    later = timezone.now() + timedelta(days=60)
    PublishedTenderFactory(
        title_en="Closing soon",
        enquiry_deadline=soon - timedelta(days=2),
        submission_deadline=soon,
    )
    PublishedTenderFactory(
        title_en="Closing later",
        enquiry_deadline=later - timedelta(days=2),
        submission_deadline=later,
    )
    cut = timezone.localdate(soon) + timedelta(days=10)

    before = page_of(client_en.get(LIST_URL, {"closing_before": cut.isoformat()}))
    after = page_of(client_en.get(LIST_URL, {"closing_after": cut.isoformat()}))

    assert "Closing soon" in before and "Closing later" not in before
    assert "Closing later" in after and "Closing soon" not in after


def test_the_list_searches_titles_descriptions_and_references(client_en):
    wanted = PublishedTenderFactory(title_zh="社区心理援助服务", title_en="Counselling")
    PublishedTenderFactory(title_zh="助餐服务", title_en="Meals")

    by_words = page_of(client_en.get(LIST_URL, {"q": "心理"}))
    by_reference = page_of(client_en.get(LIST_URL, {"q": wanted.reference}))

    assert "Counselling" in by_words and "Meals" not in by_words
    assert "Counselling" in by_reference and "Meals" not in by_reference


def test_a_bad_filter_value_is_reported_and_the_list_still_answers(client_en):
    PublishedTenderFactory(title_en="Still listed")

    response = client_en.get(LIST_URL, {"closing_after": "next tuesday", "status": "draft"})

    page = page_of(response)
    assert "Still listed" in page
    assert "Please correct the following" in page


def test_pages_of_the_list_keep_the_filters(client_en):
    for _number in range(21):
        TenderingTenderFactory()

    page = page_of(client_en.get(LIST_URL, {"status": "tendering"}))

    assert "21 tenders found" in page
    assert "?status=tendering&amp;page=2" in page


def _queries_for_list(client, count):
    for _number in range(count):
        PublishedTenderFactory(areas=[shanghai_district()])
    client.get(LIST_URL)  # warm caches that are not per request (site, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"status": "published"})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_number_of_queries_for_2_or_20_tenders(client_en):
    two = _queries_for_list(client_en, 2)
    twenty = _queries_for_list(client_en, 18)

    assert two == twenty


# --- one tender -----------------------------------------------------------------


def test_a_tender_is_found_by_its_uuid_and_by_its_reference(client_en):
    tender = PublishedTenderFactory(title_en="Found twice")

    by_uuid = page_of(client_en.get(detail_url(tender)))
    by_reference = page_of(client_en.get(f"/tenders/{tender.reference}/"))

    assert "Found twice" in by_uuid and "Found twice" in by_reference
    assert f'rel="canonical" href="{detail_url(tender)}"' in by_reference


def test_a_draft_answers_404_to_the_public_other_agencies_and_providers(client_en):
    draft = TenderFactory()
    outsiders = [
        None,
        commissioner_of(AgencyFactory()),
        provider_admin_of(VerifiedProviderFactory()),
    ]
    for outsider in outsiders:
        client_en.logout()
        if outsider is not None:
            client_en.force_login(outsider)
        assert client_en.get(detail_url(draft)).status_code == 404
        assert client_en.get(f"/tenders/{draft.reference}/").status_code == 404
    assert client_en.get("/tenders/no-such-reference/").status_code == 404


def test_the_lead_agency_previews_its_own_draft(client_en):
    draft = TenderFactory(title_en="Our draft")
    client_en.force_login(commissioner_of(draft.lead_agency))

    page = page_of(client_en.get(detail_url(draft)))

    assert "Our draft" in page
    assert "only your agency sees this page" in page


def test_the_notice_shows_lots_criteria_weights_eligibility_and_timeline(client_en):
    deadline = timezone.make_aware(datetime.datetime(2031, 6, 30, 17, 0))
    tender = PublishedTenderFactory(
        enquiry_deadline=deadline - timedelta(days=10),
        submission_deadline=deadline,
        min_certified_social_workers=3,
        description_en="Home visits for people over 80.",
    )

    page = page_of(client_en.get(detail_url(tender)))

    assert "Home visits for people over 80." in page
    assert tender.lots.get().title_en in page
    assert "¥500,000.00" in page
    for name, weight in (("Price", 40), ("Service plan", 40), ("Social value", 10)):
        assert name in page and f"{weight}%" in page
    assert "At least 3 certified social workers." in page
    assert "2031-06-30 17:00 CST (Asia/Shanghai)" in page
    assert "2031-06-20 17:00 CST (Asia/Shanghai)" in page


def test_the_notice_lists_documents_and_amendments(client_en):
    tender = PublishedTenderFactory()
    TenderDocument.objects.create(
        tender=tender,
        title="Service specification",
        file=SimpleUploadedFile("spec.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    tender.amendments.create(
        number=1,
        summary_zh="延长截止时间",
        summary_en="The deadline is extended by a week.",
        is_material=True,
        previous_submission_deadline=tender.submission_deadline - timedelta(days=7),
        new_submission_deadline=tender.submission_deadline,
    )

    page = page_of(client_en.get(detail_url(tender)))

    assert "Service specification" in page
    assert "Amendment 1" in page and "The deadline is extended by a week." in page
    assert "Material change" in page


def test_published_answers_appear_without_who_asked(client_en):
    tender = PublishedTenderFactory()
    asker = VerifiedProviderFactory(
        organization__name_zh="提问的社工机构", organization__name_en="Asking Agency"
    )
    asking_person = provider_admin_of(asker, display_name="Zhang Wei")
    ClarificationFactory(
        tender=tender,
        asked_by_organization=asker.organization,
        asked_by=asking_person,
        question="Does the service cover weekends?",
        answer="Yes, Saturdays included.",
        answered_at=timezone.now(),
        published=True,
    )
    ClarificationFactory(tender=tender, question="An unanswered question?")

    for viewer in (None, commissioner_of(tender.lead_agency), asking_person):
        client_en.logout()
        if viewer is not None:
            client_en.force_login(viewer)
        page = main_of(page_of(client_en.get(detail_url(tender))))
        assert "Does the service cover weekends?" in page
        assert "Yes, Saturdays included." in page
        assert "Asking Agency" not in page and "提问的社工机构" not in page
        assert "Zhang Wei" not in page and asking_person.username not in page
        assert "An unanswered question?" not in page


def test_the_asker_sees_its_own_unanswered_question_on_the_notice(client_en):
    tender = PublishedTenderFactory()
    provider = VerifiedProviderFactory()
    ClarificationFactory(
        tender=tender,
        asked_by_organization=provider.organization,
        question="Our own pending question?",
    )
    client_en.force_login(provider_admin_of(provider))

    page = page_of(client_en.get(detail_url(tender)))

    assert "Our own pending question?" in page
    assert "awaiting an answer" in page


def test_no_bid_count_and_no_price_before_the_deadline_then_the_count(client_en):
    tender = TenderingTenderFactory()
    SubmittedBidFactory(tender=tender, price=Decimal("432100.00"))
    SubmittedBidFactory(tender=tender, price=Decimal("398765.00"))

    before = page_of(client_en.get(detail_url(tender)))
    with time_machine.travel(tender.submission_deadline + timedelta(seconds=1)):
        after = page_of(client_en.get(detail_url(tender)))

    assert "Sealed until" in before
    assert "bids were submitted" not in before
    assert "2 bids were submitted by the deadline." in after
    assert '<td class="numeric">2</td>' in after  # per lot, after the deadline only
    assert '<td class="numeric">2</td>' not in before
    for page in (before, after):
        assert "432,100" not in page and "432100" not in page
        assert "398,765" not in page and "398765" not in page


def test_award_notices_name_the_winner_and_the_value(client_en):
    tender = TenderingTenderFactory(status=Tender.Status.AWARDED)
    winner = VerifiedProviderFactory(organization__name_en="Winning Social Work Agency")
    with time_machine.travel(tender.submission_deadline + timedelta(days=1)):
        bid = SubmittedBidFactory(tender=tender, provider=winner, price=Decimal("420000.00"))
        AwardFactory(
            bid=bid,
            status=Award.Status.APPROVED,
            approved_at=timezone.now(),
            notice_published_at=timezone.now(),
            standstill_ends_at=timezone.now() + timedelta(days=10),
        )
        page = page_of(client_en.get(detail_url(tender)))

    assert "Winning Social Work Agency" in page
    assert "¥420,000.00" in page
    assert "Standstill until" in page


def test_a_recommended_award_is_not_yet_a_public_notice(client_en):
    tender = TenderingTenderFactory(status=Tender.Status.EVALUATION)
    loser = VerifiedProviderFactory(organization__name_en="Not Yet Announced")
    with time_machine.travel(tender.submission_deadline + timedelta(days=1)):
        AwardFactory(bid=SubmittedBidFactory(tender=tender, provider=loser))
        page = page_of(client_en.get(detail_url(tender)))

    assert "Not Yet Announced" not in page
    assert "No award has been made yet." in page


def test_a_cancelled_tender_shows_the_reason(client_en):
    tender = PublishedTenderFactory(
        status=Tender.Status.CANCELLED, cancellation_reason="The budget was withdrawn."
    )

    page = page_of(client_en.get(detail_url(tender)))

    assert "This tender was cancelled" in page
    assert "The budget was withdrawn." in page


def _queries_for_detail(client, tender, bids):
    for _number in range(bids):
        SubmittedBidFactory(tender=tender)
        ClarificationFactory(
            tender=tender, answer="Yes.", answered_at=timezone.now(), published=True
        )
    with time_machine.travel(tender.submission_deadline + timedelta(hours=1)):
        client.get(detail_url(tender))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail_url(tender))
    assert response.status_code == 200
    return len(queries)


def test_the_notice_costs_the_same_number_of_queries_whatever_the_bids_and_questions(client_en):
    one = _queries_for_detail(client_en, TenderingTenderFactory(), 1)
    many = _queries_for_detail(client_en, TenderingTenderFactory(), 6)

    assert one == many


def test_the_notice_is_in_chinese_by_default(client):
    tender = PublishedTenderFactory(title_zh="高龄老人助餐服务")

    page = page_of(client.get(detail_url(tender)))

    assert "高龄老人助餐服务" in page
    assert re.search(r'<html lang="zh-Hans"', page)


# --- asking a question from the notice -------------------------------------------------


def test_a_provider_asks_a_question_from_the_notice(client_en):
    tender = PublishedTenderFactory()
    provider = VerifiedProviderFactory()
    person = provider_admin_of(provider)
    client_en.force_login(person)

    page = page_of(client_en.get(detail_url(tender)))
    assert "Ask a question" in page

    response = client_en.post(
        reverse("marketplace:ask_question", args=[tender.uuid]),
        {"question": "How many people will be served?"},
    )

    assert response.status_code == 302
    clarification = tender.clarifications.get()
    assert clarification.asked_by == person
    assert clarification.asked_by_organization == provider.organization


def test_an_empty_question_comes_back_with_the_message_next_to_the_field(client_en):
    tender = PublishedTenderFactory()
    client_en.force_login(provider_admin_of(VerifiedProviderFactory()))

    response = client_en.post(
        reverse("marketplace:ask_question", args=[tender.uuid]), {"question": "  "}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not tender.clarifications.exists()


def test_a_question_after_the_deadline_is_refused_with_the_deadline_shown(client_en):
    tender = PublishedTenderFactory(enquiry_deadline=timezone.now() + timedelta(hours=1))
    client_en.force_login(provider_admin_of(VerifiedProviderFactory()))

    with time_machine.travel(tender.enquiry_deadline + timedelta(minutes=1)):
        response = client_en.post(
            reverse("marketplace:ask_question", args=[tender.uuid]), {"question": "Too late?"}
        )

    assert response.status_code == 400
    assert "Questions about this tender closed on" in response.content.decode()
    assert not tender.clarifications.exists()


def test_only_provider_people_may_ask_and_drafts_cannot_be_asked_about(client_en):
    tender = PublishedTenderFactory()
    url = reverse("marketplace:ask_question", args=[tender.uuid])

    client_en.force_login(commissioner_of(AgencyFactory()))
    assert client_en.post(url, {"question": "?"}).status_code == 404

    client_en.force_login(provider_admin_of(VerifiedProviderFactory()))
    draft = TenderFactory()
    assert (
        client_en.post(
            reverse("marketplace:ask_question", args=[draft.uuid]), {"question": "?"}
        ).status_code
        == 404
    )
    assert not tender.clarifications.exists() and not draft.clarifications.exists()


def test_anonymous_visitors_are_sent_to_sign_in_before_asking(client_en):
    tender = PublishedTenderFactory()

    response = client_en.post(
        reverse("marketplace:ask_question", args=[tender.uuid]), {"question": "?"}
    )

    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


# --- feeds and the home page ---------------------------------------------------------


@pytest.mark.parametrize(
    "url, marker",
    [
        ("/tenders/feed/rss/", "<rss"),
        ("/tenders/feed/atom/", 'xmlns="http://www.w3.org/2005/Atom"'),
    ],
)
def test_feeds_list_new_tenders_with_their_deadline_and_never_drafts(client_en, url, marker):
    tender = PublishedTenderFactory(title_en="Fresh call for bids")
    TenderFactory(title_en="Unpublished idea")

    response = client_en.get(url)

    body = response.content.decode()
    assert response.status_code == 200
    assert marker in body
    assert f"{tender.reference} Fresh call for bids" in body
    assert "Unpublished idea" not in body
    assert "(Asia/Shanghai)" in body
    assert detail_url(tender) in body
    assert "max-age=" in response["Cache-Control"]


def test_the_list_links_to_its_feeds(client_en):
    page = page_of(client_en.get(LIST_URL))

    assert 'type="application/rss+xml"' in page and "/tenders/feed/rss/" in page
    assert 'type="application/atom+xml"' in page and "/tenders/feed/atom/" in page


def test_the_home_page_lists_the_five_tenders_closing_next(client_en):
    from tests.cms.pages import ensure_home_pages

    ensure_home_pages()
    now = timezone.now()
    for days in range(1, 8):
        deadline = now + timedelta(days=days + 2)
        PublishedTenderFactory(
            title_en=f"Closing in {days + 2} days",
            enquiry_deadline=deadline - timedelta(days=1),
            submission_deadline=deadline,
        )
    TenderFactory(
        title_en="Draft that closes first",
        enquiry_deadline=now + timedelta(days=1),
        submission_deadline=now + timedelta(days=2),
    )

    page = page_of(client_en.get("/"))

    assert "Open tenders" in page
    for days in range(3, 8):
        assert f"Closing in {days} days" in page
    assert "Closing in 8 days" not in page and "Closing in 9 days" not in page
    assert "Draft that closes first" not in page
    assert "/tenders/" in page
