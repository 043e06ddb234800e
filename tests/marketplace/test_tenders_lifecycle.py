"""The tender lifecycle: the transition table, publishing (now or scheduled), the timed
moves beat makes around each deadline (also after downtime, and never twice), material
amendments close to the deadline, cancellation and unsuccessful closure."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import move
from core.models import AuditEvent
from marketplace import selectors, services, tasks
from marketplace.models import (
    MATERIAL_AMENDMENT_WINDOW,
    TENDER_LIFECYCLE,
    TENDER_TRANSITIONS,
    Alert,
    Award,
    Bid,
    Tender,
    TenderEvent,
)
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    AwardFactory,
    BidFactory,
    ClarificationFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
    TenderingTenderFactory,
    commissioner_of,
)
from tests.factories.providers import provider_admin_of

pytestmark = pytest.mark.django_db

ALL_STATES = list(Tender.Status)


def events_of(tender) -> list[tuple[str, str]]:
    return list(
        TenderEvent.objects.filter(tender=tender)
        .order_by("at", "pk")
        .values_list("from_status", "to_status")
    )


# --- the transition table -----------------------------------------------------


@pytest.mark.parametrize("current", ALL_STATES)
def test_every_move_follows_the_transition_table(current):
    tender = TenderFactory(status=current)

    for target in ALL_STATES:
        tender.refresh_from_db()
        tender.status = current
        tender.save(update_fields=["status"])
        if target in TENDER_TRANSITIONS[current]:
            moved = move(tender, target, lifecycle=TENDER_LIFECYCLE, actor=None)
            assert moved.status == target
            assert events_of(tender)[-1] == (current, target)
        else:
            events_before = TenderEvent.objects.filter(tender=tender).count()
            with pytest.raises(InvalidTransition) as refused:
                move(tender, target, lifecycle=TENDER_LIFECYCLE, actor=None)
            assert str(Tender.Status(current).label) in refused.value.message
            tender.refresh_from_db()
            assert tender.status == current
            assert TenderEvent.objects.filter(tender=tender).count() == events_before


def test_cancelled_and_unsuccessful_end_every_open_state():
    for state in (
        Tender.Status.PUBLISHED,
        Tender.Status.TENDERING,
        Tender.Status.EVALUATION,
        Tender.Status.AWARDED,
    ):
        assert {Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL} <= TENDER_TRANSITIONS[state]
    for final in (Tender.Status.COMPLETE, Tender.Status.CANCELLED, Tender.Status.UNSUCCESSFUL):
        assert TENDER_TRANSITIONS[final] == set()


# --- publishing ---------------------------------------------------------------


def test_publishing_a_draft_opens_it_for_questions_and_records_it():
    tender = TenderFactory()
    commissioner = commissioner_of(tender.lead_agency)

    published = services.publish_tender(tender=tender, actor=commissioner)

    assert published.status == Tender.Status.PUBLISHED
    assert published.publish_at is not None
    assert published.enquiries_open()
    assert events_of(tender) == [("draft", "published")]
    event = TenderEvent.objects.get(tender=tender)
    assert event.actor == commissioner
    assert AuditEvent.objects.filter(
        action="tender.published", object_id=str(tender.uuid), actor=commissioner
    ).exists()


def test_publishing_again_is_refused():
    tender = PublishedTenderFactory()

    with pytest.raises(InvalidTransition):
        services.publish_tender(tender=tender, actor=commissioner_of(tender.lead_agency))


def test_a_draft_whose_deadline_passed_cannot_be_published():
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        tender = TenderFactory()

    with pytest.raises(ApplicationError) as refused:
        services.publish_tender(tender=tender, actor=commissioner_of(tender.lead_agency))

    assert refused.value.field_errors["enquiry_deadline"] == [
        "This deadline for questions has already passed."
    ]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT


def test_only_the_lead_agencys_commissioner_publishes():
    tender = TenderFactory()

    with pytest.raises(PermissionDenied):
        services.publish_tender(tender=tender, actor=commissioner_of(AgencyFactory()))


def test_a_tender_with_a_future_publication_time_waits_for_beat():
    tender = TenderFactory()
    publish_at = timezone.now() + timedelta(days=2)
    Tender.objects.filter(pk=tender.pk).update(publish_at=publish_at)

    scheduled = services.publish_tender(tender=tender, actor=commissioner_of(tender.lead_agency))

    assert scheduled.status == Tender.Status.DRAFT
    assert scheduled.publish_scheduled
    with time_machine.travel(publish_at - timedelta(minutes=1)):
        assert services.advance_tenders() == 0
    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT

    with time_machine.travel(publish_at + timedelta(seconds=30)):
        assert services.advance_tenders() == 1

    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert not tender.publish_scheduled
    assert tender.publish_at == publish_at
    assert TenderEvent.objects.get(tender=tender).actor is None


def test_an_unscheduled_draft_is_not_published_by_beat():
    tender = TenderFactory(publish_at=timezone.now() + timedelta(hours=1))

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert services.advance_tenders() == 0

    tender.refresh_from_db()
    assert tender.status == Tender.Status.DRAFT


# --- timed moves around the deadlines ----------------------------------------


def test_questions_close_and_bidding_opens_at_the_enquiry_deadline():
    tender = PublishedTenderFactory()

    with time_machine.travel(tender.enquiry_deadline - timedelta(seconds=1)):
        services.advance_tenders()
        tender.refresh_from_db()
        assert tender.status == Tender.Status.PUBLISHED

    with time_machine.travel(tender.enquiry_deadline + timedelta(seconds=1)):
        services.advance_tenders()

    tender.refresh_from_db()
    assert tender.status == Tender.Status.TENDERING
    assert events_of(tender) == [("published", "tendering")]


def test_unanswered_questions_keep_the_enquiry_period_open_and_tell_the_commissioner_once():
    tender = PublishedTenderFactory()
    commissioner = commissioner_of(tender.lead_agency)
    question = ClarificationFactory(tender=tender)

    with time_machine.travel(tender.enquiry_deadline + timedelta(minutes=1)):
        assert services.advance_tenders() == 0
        assert services.advance_tenders() == 0

    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    assert events_of(tender) == []
    alerts = Alert.objects.filter(tender=tender, kind=Alert.Kind.UNANSWERED_QUESTIONS)
    assert [alert.recipient for alert in alerts] == [commissioner]

    with time_machine.travel(tender.enquiry_deadline + timedelta(minutes=2)):
        services.answer_question(clarification=question, answer="包括。", actor=commissioner)
        assert services.advance_tenders() == 1

    tender.refresh_from_db()
    assert tender.status == Tender.Status.TENDERING
    assert alerts.count() == 1


def test_bids_close_and_evaluation_starts_at_the_submission_deadline():
    tender = TenderingTenderFactory()
    SubmittedBidFactory(tender=tender)

    with time_machine.travel(tender.submission_deadline - timedelta(seconds=1)):
        services.advance_tenders()
        tender.refresh_from_db()
        assert tender.status == Tender.Status.TENDERING

    with time_machine.travel(tender.submission_deadline + timedelta(seconds=1)):
        services.advance_tenders()

    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATION


def test_a_tender_without_submitted_bids_closes_unsuccessful():
    tender = TenderingTenderFactory()
    BidFactory(tender=tender)  # a draft that was never submitted

    with time_machine.travel(tender.submission_deadline + timedelta(seconds=1)):
        services.advance_tenders()

    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL
    assert "No bids were submitted by the deadline." in tender.cancellation_reason
    assert events_of(tender) == [("tendering", "unsuccessful")]


def test_a_tender_whose_deadlines_all_passed_during_downtime_catches_up_in_one_run():
    tender = TenderFactory()
    publish_at = timezone.now() + timedelta(hours=1)
    Tender.objects.filter(pk=tender.pk).update(publish_at=publish_at)
    services.publish_tender(tender=tender, actor=commissioner_of(tender.lead_agency))
    SubmittedBidFactory(tender=tender)

    with time_machine.travel(tender.submission_deadline + timedelta(days=3)):
        assert services.advance_tenders() == 3

    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATION
    assert events_of(tender) == [
        ("draft", "published"),
        ("published", "tendering"),
        ("tendering", "evaluation"),
    ]


def test_running_beat_twice_changes_nothing_the_second_time():
    due = [
        PublishedTenderFactory(),
        TenderingTenderFactory(),
    ]
    SubmittedBidFactory(tender=due[1])
    later = max(tender.submission_deadline for tender in due) + timedelta(minutes=1)

    with time_machine.travel(later):
        first = services.advance_tenders()
        events = TenderEvent.objects.count()
        audit = AuditEvent.objects.count()
        second = services.advance_tenders()

    assert first == 3  # published → tendering → unsuccessful (no bids); tendering → evaluation
    assert second == 0
    assert TenderEvent.objects.count() == events
    assert AuditEvent.objects.count() == audit
    assert selectors.tenders_due(later).count() == 0


def test_the_celery_task_runs_the_service_and_beat_runs_it_every_minute():
    tender = PublishedTenderFactory()

    with time_machine.travel(tender.enquiry_deadline + timedelta(seconds=1)):
        assert tasks.advance_tenders.delay().get() == 1

    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["marketplace.tasks.advance_tenders"] == 60
    assert "marketplace.tasks.remind_draft_bidders" in entries


# --- amendments ---------------------------------------------------------------


def test_a_material_amendment_close_to_the_deadline_extends_it_and_asks_bidders_to_reconfirm():
    tender = TenderingTenderFactory()
    submitted = SubmittedBidFactory(tender=tender)
    draft = BidFactory(tender=tender)
    bidder = provider_admin_of(submitted.provider)
    commissioner = commissioner_of(tender.lead_agency)
    two_days_before = tender.submission_deadline - timedelta(days=2)

    with time_machine.travel(two_days_before):
        amendment = services.amend_tender(
            tender=tender,
            summary="服务人数由200人增至300人。",
            is_material=True,
            new_values={"max_value": Decimal("480000")},
            actor=commissioner,
        )
        now = timezone.now()

    tender.refresh_from_db()
    assert tender.submission_deadline >= now + MATERIAL_AMENDMENT_WINDOW
    assert tender.submission_deadline < now + MATERIAL_AMENDMENT_WINDOW + timedelta(hours=1)
    assert amendment.number == 1
    assert amendment.extended_deadline
    assert amendment.new_submission_deadline == tender.submission_deadline
    assert set(amendment.changes) == {"max_value", "submission_deadline"}
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == Bid.Status.NEEDS_RECONFIRMATION
    assert draft.status == Bid.Status.DRAFT
    alert = Alert.objects.get(kind=Alert.Kind.BID_RECONFIRMATION)
    assert alert.recipient == bidder
    assert tender.reference in alert.message_en


def test_a_minor_amendment_close_to_the_deadline_changes_neither_deadline_nor_bids():
    tender = TenderingTenderFactory()
    bid = SubmittedBidFactory(tender=tender)
    deadline = tender.submission_deadline

    with time_machine.travel(deadline - timedelta(days=1)):
        amendment = services.amend_tender(
            tender=tender,
            summary="更正项目名称中的错别字。",
            is_material=False,
            new_values={"title_zh": "高龄老人居家照护服务项目（更正）"},
            actor=commissioner_of(tender.lead_agency),
        )

    tender.refresh_from_db()
    bid.refresh_from_db()
    assert tender.submission_deadline == deadline
    assert not amendment.extended_deadline
    assert bid.status == Bid.Status.SUBMITTED


def test_a_material_amendment_far_from_the_deadline_keeps_it_but_bids_are_reconfirmed():
    tender = TenderingTenderFactory()
    bid = SubmittedBidFactory(tender=tender)
    deadline = tender.submission_deadline

    services.amend_tender(
        tender=tender,
        summary="增加服务区域。",
        is_material=True,
        new_values={"min_certified_social_workers": 3},
        actor=commissioner_of(tender.lead_agency),
    )

    tender.refresh_from_db()
    bid.refresh_from_db()
    assert tender.submission_deadline == deadline
    assert tender.min_certified_social_workers == 3
    assert bid.status == Bid.Status.NEEDS_RECONFIRMATION


def test_an_amendment_cannot_bring_the_deadline_forward_and_needs_a_summary():
    tender = TenderingTenderFactory()

    with pytest.raises(ApplicationError) as refused:
        services.amend_tender(
            tender=tender,
            summary=" ",
            is_material=False,
            new_values={"submission_deadline": tender.submission_deadline - timedelta(days=1)},
            actor=commissioner_of(tender.lead_agency),
        )

    assert refused.value.field_errors["submission_deadline"] == [
        "The deadline for bids can be extended but not brought forward."
    ]
    assert refused.value.field_errors["summary"] == [
        "Say what changes, in Chinese: bidders read it."
    ]


def test_amendments_are_numbered_and_only_open_tenders_are_amended():
    tender = TenderingTenderFactory()
    commissioner = commissioner_of(tender.lead_agency)
    for title in ("一", "二"):
        last = services.amend_tender(
            tender=tender,
            summary="修改标题",
            is_material=False,
            new_values={"title_zh": title},
            actor=commissioner,
        )
    assert last.number == 2

    too_late = time_machine.travel(tender.submission_deadline + timedelta(seconds=1))
    with too_late, pytest.raises(ApplicationError) as refused:
        services.amend_tender(
            tender=tender,
            summary="太晚了",
            is_material=False,
            new_values={"title_zh": "三"},
            actor=commissioner,
        )
    assert refused.value.code == "not_amendable"


# --- cancellation and unsuccessful closure -------------------------------------


def test_cancelling_needs_a_reason():
    tender = PublishedTenderFactory()

    with pytest.raises(ApplicationError) as refused:
        services.cancel_tender(
            tender=tender, reason="  ", actor=commissioner_of(tender.lead_agency)
        )

    assert refused.value.field_errors["reason"] == ["This field is required."]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED


def test_a_cancelled_tender_keeps_its_reason_and_cannot_be_cancelled_again():
    tender = PublishedTenderFactory()
    commissioner = commissioner_of(tender.lead_agency)

    services.cancel_tender(tender=tender, reason="服务需求已由其他项目覆盖。", actor=commissioner)

    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED
    assert tender.cancellation_reason == "服务需求已由其他项目覆盖。"
    assert TenderEvent.objects.get(tender=tender).note == "服务需求已由其他项目覆盖。"
    with pytest.raises(InvalidTransition):
        services.cancel_tender(tender=tender, reason="再次取消", actor=commissioner)


def test_cancelling_an_awarded_tender_cancels_the_award_and_gives_the_money_back():
    tender = TenderingTenderFactory(status=Tender.Status.AWARDED)
    award = AwardFactory(bid__tender=tender, status=Award.Status.APPROVED)
    services.commit_funds(
        budget=tender.budget,
        amount=award.value,
        categories=list(tender.categories.all()),
        tender=tender,
        lot=award.lot,
        award=award,
    )
    assert selectors.available_funds(tender.budget) == Decimal("50000.00")

    services.cancel_tender(
        tender=tender, reason="资金调整", actor=commissioner_of(tender.lead_agency)
    )

    award.refresh_from_db()
    assert award.status == Award.Status.CANCELLED
    assert award.cancellation_reason == "资金调整"
    assert selectors.available_funds(tender.budget) == Decimal("500000.00")


def test_marking_a_tender_unsuccessful_needs_a_reason_and_an_open_tender():
    tender = TenderingTenderFactory(status=Tender.Status.EVALUATION)
    commissioner = commissioner_of(tender.lead_agency)

    with pytest.raises(ApplicationError):
        services.mark_unsuccessful(tender=tender, reason="", actor=commissioner)

    services.mark_unsuccessful(tender=tender, reason="所有投标均不符合要求。", actor=commissioner)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL

    draft = TenderFactory()
    with pytest.raises(InvalidTransition):
        services.mark_unsuccessful(
            tender=draft, reason="草稿", actor=commissioner_of(draft.lead_agency)
        )
