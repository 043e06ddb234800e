"""Tender alerts: providers whose services match a new tender's categories and areas hear
about it in the app and by e-mail, once; providers with unfinished bids are reminded
48 hours before each deadline, once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from core.mail import LANGUAGE_SEPARATOR
from marketplace import selectors, services, tasks
from marketplace.models import Alert, Bid
from providers.models import Provider
from tests.factories.marketplace import (
    BidFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
    commissioner_of,
)
from tests.factories.places import DistrictFactory, StreetFactory
from tests.factories.providers import (
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"
DIBAO = "basic-living.dibao"


@pytest.fixture
def district():
    return DistrictFactory()


def provider_with_service(*, categories=None, areas_covered=(), sites_in=(), provider=None):
    provider = provider or VerifiedProviderFactory()
    sites = [SiteFactory(provider=provider, area=area) for area in sites_in]
    ServiceFactory(
        provider=provider,
        categories=categories or [need_category(ELDERLY_CARE)],
        areas_covered=list(areas_covered),
        sites=sites,
    )
    return provider


# --- who matches --------------------------------------------------------------


def test_providers_matching_the_tenders_categories_and_areas_are_chosen(district):
    tender = TenderFactory(areas=[district])
    elderly_care = need_category(ELDERLY_CARE)
    covering = provider_with_service(areas_covered=[district])
    with_a_site_in_a_street = provider_with_service(sites_in=[StreetFactory(parent=district)])
    covering_the_whole_city = provider_with_service(areas_covered=[district.parent])
    filed_under_the_group = provider_with_service(
        categories=[elderly_care.parent], areas_covered=[district]
    )
    provider_with_service(categories=[need_category(DIBAO)], areas_covered=[district])
    provider_with_service(areas_covered=[DistrictFactory()])
    provider_with_service(sites_in=[DistrictFactory()])
    provider_with_service(
        areas_covered=[district], provider=ProviderFactory(status=Provider.Status.SUBMITTED)
    )
    provider_with_service(
        areas_covered=[district], provider=VerifiedProviderFactory(status=Provider.Status.SUSPENDED)
    )

    chosen = set(selectors.providers_to_alert(tender))

    assert chosen == {
        covering,
        with_a_site_in_a_street,
        covering_the_whole_city,
        filed_under_the_group,
    }


def test_a_tender_about_a_whole_group_reaches_services_in_its_categories(district):
    group = need_category(ELDERLY_CARE).parent
    tender = TenderFactory(areas=[district], categories=[group])
    in_the_group = provider_with_service(areas_covered=[district])

    assert list(selectors.providers_to_alert(tender)) == [in_the_group]


def test_a_service_no_longer_offered_brings_no_alert(district):
    tender = TenderFactory(areas=[district])
    provider = provider_with_service(areas_covered=[district])
    provider.services.update(is_active=False)

    assert list(selectors.providers_to_alert(tender)) == []


# --- alerts and e-mails on publication ---------------------------------------


def test_publishing_alerts_matching_providers_in_the_app_and_by_email(
    district, django_capture_on_commit_callbacks
):
    tender = TenderFactory(areas=[district])
    provider = provider_with_service(areas_covered=[district])
    provider.organization.email = "office@ngo.example.org"
    provider.organization.save()
    admin, staff = provider_admin_of(provider), provider_staff_of(provider)
    elsewhere = provider_admin_of(provider_with_service(areas_covered=[DistrictFactory()]))

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_tender(tender=tender, actor=commissioner_of(tender.lead_agency))

    alerts = Alert.objects.filter(tender=tender, kind=Alert.Kind.TENDER_PUBLISHED)
    assert {alert.recipient for alert in alerts} == {admin, staff}
    assert elsewhere not in {alert.recipient for alert in alerts}
    alert = alerts.first()
    assert alert.url == f"/tenders/{tender.uuid}/"
    assert tender.reference in alert.message_en
    assert "Asia/Shanghai" in alert.message_en
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"office@ngo.example.org", admin.email, staff.email}
    assert tender.reference in message.subject
    assert LANGUAGE_SEPARATOR in message.body
    chinese, english = message.body.split(LANGUAGE_SEPARATOR)
    assert tender.title_zh in chinese
    assert tender.title_en in english
    assert f"http://testserver/tenders/{tender.uuid}/" in english


def test_alerting_twice_alerts_and_emails_nobody_again(
    district, django_capture_on_commit_callbacks
):
    tender = PublishedTenderFactory(areas=[district])
    provider_admin_of(provider_with_service(areas_covered=[district]))

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_tender_published_alerts.delay(tender.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.send_tender_published_alerts.delay(tender.pk).get()

    assert (first, second) == (1, 0)
    assert Alert.objects.filter(tender=tender).count() == 1
    assert len(mail.outbox) == 1


def test_a_provider_joining_later_is_alerted_on_the_next_run_and_nobody_else_is(
    district, django_capture_on_commit_callbacks
):
    tender = PublishedTenderFactory(areas=[district])
    first = provider_admin_of(provider_with_service(areas_covered=[district]))
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_matching_providers(tender=tender)
    newcomer = provider_admin_of(provider_with_service(areas_covered=[district]))

    with django_capture_on_commit_callbacks(execute=True):
        services.alert_matching_providers(tender=tender)

    assert {a.recipient for a in Alert.objects.filter(tender=tender)} == {first, newcomer}
    assert [message.to for message in mail.outbox] == [[first.email], [newcomer.email]]


def test_a_draft_or_cancelled_tender_alerts_nobody(district):
    provider_admin_of(provider_with_service(areas_covered=[district]))

    for tender in (
        TenderFactory(areas=[district]),
        PublishedTenderFactory(areas=[district], status="cancelled"),
    ):
        assert services.alert_matching_providers(tender=tender) == 0

    assert not Alert.objects.exists()


# --- reminders before the deadlines ------------------------------------------


@pytest.fixture
def bidding():
    """A published tender with a draft bid, a submitted bid and one awaiting reconfirmation."""
    tender = PublishedTenderFactory()
    draft = BidFactory(tender=tender)
    submitted = SubmittedBidFactory(tender=tender)
    reconfirm = SubmittedBidFactory(tender=tender, status=Bid.Status.NEEDS_RECONFIRMATION)
    return {
        "tender": tender,
        "draft": provider_admin_of(draft.provider),
        "submitted": provider_admin_of(submitted.provider),
        "reconfirm": provider_admin_of(reconfirm.provider),
    }


def reminded(kind) -> set:
    return {alert.recipient for alert in Alert.objects.filter(kind=kind)}


def test_draft_bidders_are_reminded_48_hours_before_the_question_deadline(
    bidding, django_capture_on_commit_callbacks
):
    deadline = bidding["tender"].enquiry_deadline

    with time_machine.travel(deadline - timedelta(hours=49)):
        assert services.remind_draft_bidders() == 0
    with (
        time_machine.travel(deadline - timedelta(hours=47)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.remind_draft_bidders() == 1
        assert services.remind_draft_bidders() == 0

    assert reminded(Alert.Kind.ENQUIRY_DEADLINE_SOON) == {bidding["draft"]}
    assert [message.to for message in mail.outbox] == [[bidding["draft"].email]]
    assert "Questions close soon" in mail.outbox[0].subject


def test_unfinished_bids_are_reminded_48_hours_before_the_bid_deadline(bidding):
    deadline = bidding["tender"].submission_deadline

    with time_machine.travel(deadline - timedelta(hours=47)):
        tasks.remind_draft_bidders.delay().get()
        tasks.remind_draft_bidders.delay().get()

    assert reminded(Alert.Kind.SUBMISSION_DEADLINE_SOON) == {
        bidding["draft"],
        bidding["reconfirm"],
    }
    assert Alert.objects.filter(kind=Alert.Kind.SUBMISSION_DEADLINE_SOON).count() == 2


def test_no_reminder_after_the_deadline(bidding):
    deadline = bidding["tender"].submission_deadline

    with time_machine.travel(deadline + timedelta(minutes=1)):
        assert services.remind_draft_bidders() == 0


def test_an_extended_deadline_earns_a_new_reminder(bidding):
    tender = bidding["tender"]
    old_deadline = tender.submission_deadline
    with time_machine.travel(old_deadline - timedelta(hours=47)):
        services.remind_draft_bidders()
        services.amend_tender(
            tender=tender,
            summary="延长投标截止时间。",
            is_material=False,
            new_values={"submission_deadline": old_deadline + timedelta(days=7)},
            actor=commissioner_of(tender.lead_agency),
        )

    with time_machine.travel(old_deadline + timedelta(days=7) - timedelta(hours=47)):
        services.remind_draft_bidders()

    alerts = Alert.objects.filter(
        kind=Alert.Kind.SUBMISSION_DEADLINE_SOON, recipient=bidding["draft"]
    )
    assert alerts.count() == 2
