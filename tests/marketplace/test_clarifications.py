"""Clarifications: providers ask while the question period is open, the lead agency
answers in public, and nobody but the asker and the lead agency learns who asked."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from marketplace import selectors, services
from marketplace.models import Alert, Clarification
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    BidFactory,
    PublishedTenderFactory,
    TenderingTenderFactory,
    commissioner_of,
    finance_of,
)
from tests.factories.providers import (
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender():
    return PublishedTenderFactory()


@pytest.fixture
def commissioner(tender):
    return commissioner_of(tender.lead_agency)


@pytest.fixture
def asker():
    return provider_admin_of(VerifiedProviderFactory())


@pytest.fixture
def competitor():
    return provider_admin_of(VerifiedProviderFactory())


def ask(tender, user, question="服务对象是否包括非本地户籍老人？"):
    return services.ask_question(tender=tender, question=question, actor=user)


# --- asking -------------------------------------------------------------------


def test_a_provider_asks_while_questions_are_open(tender, asker):
    clarification = ask(tender, asker)

    assert clarification.asked_by == asker
    assert clarification.asked_by_organization == asker.memberships.get().organization
    assert not clarification.is_answered
    assert not clarification.published


def test_questions_are_refused_after_the_enquiry_deadline(tender, asker):
    too_late = time_machine.travel(tender.enquiry_deadline + timedelta(seconds=1))
    with too_late, pytest.raises(ApplicationError) as refused:
        ask(tender, asker)

    assert refused.value.code == "enquiries_closed"
    assert refused.value.message.startswith("Questions about this tender closed on ")
    assert "Asia/Shanghai, UTC+08:00" in refused.value.message
    assert not Clarification.objects.exists()


def test_questions_are_refused_once_bidding_has_started_or_before_publication(asker):
    for tender in (TenderingTenderFactory(), PublishedTenderFactory(status="draft")):
        with pytest.raises(ApplicationError) as refused:
            ask(tender, asker)
        assert refused.value.code == "enquiries_closed"


def test_only_people_of_a_provider_ask_questions(tender):
    with pytest.raises(PermissionDenied):
        ask(tender, commissioner_of(AgencyFactory()))


def test_an_empty_question_is_refused(tender, asker):
    with pytest.raises(ApplicationError) as refused:
        ask(tender, asker, question="   ")

    assert refused.value.field_errors == {"question": ["Write your question."]}


# --- answering ----------------------------------------------------------------


def test_the_commissioner_answers_and_the_answer_is_published(tender, commissioner, asker):
    clarification = ask(tender, asker)

    services.answer_question(clarification=clarification, answer="包括。", actor=commissioner)

    clarification.refresh_from_db()
    assert clarification.published
    assert clarification.answer == "包括。"
    assert clarification.answered_by == commissioner


def test_only_a_commissioner_of_the_lead_agency_answers(tender, asker):
    clarification = ask(tender, asker)

    for outsider in (
        commissioner_of(AgencyFactory()),
        finance_of(tender.lead_agency),
        asker,
    ):
        with pytest.raises(PermissionDenied):
            services.answer_question(clarification=clarification, answer="是", actor=outsider)

    clarification.refresh_from_db()
    assert not clarification.is_answered


def test_a_question_is_answered_once(tender, commissioner, asker):
    clarification = ask(tender, asker)
    services.answer_question(clarification=clarification, answer="包括。", actor=commissioner)

    with pytest.raises(ApplicationError) as refused:
        services.answer_question(clarification=clarification, answer="不包括。", actor=commissioner)

    assert refused.value.code == "answered"
    clarification.refresh_from_db()
    assert clarification.answer == "包括。"


def test_every_provider_that_bid_or_asked_is_alerted_to_the_answer(
    tender, commissioner, asker, competitor
):
    other_asker = provider_staff_of(VerifiedProviderFactory())
    bidder_provider = BidFactory(tender=tender).provider
    bidder_people = {provider_admin_of(bidder_provider), provider_staff_of(bidder_provider)}
    bystander = provider_admin_of(VerifiedProviderFactory())
    clarification = ask(tender, asker)
    ask(tender, other_asker, question="是否接受联合体投标？")

    services.answer_question(clarification=clarification, answer="包括。", actor=commissioner)

    alerts = Alert.objects.filter(kind=Alert.Kind.CLARIFICATION_ANSWERED, tender=tender)
    assert {alert.recipient for alert in alerts} == {asker, other_asker, *bidder_people}
    assert bystander not in {alert.recipient for alert in alerts}
    assert competitor not in {alert.recipient for alert in alerts}
    asker_name = asker.memberships.get().organization.name_zh
    assert all(asker_name not in alert.message_zh + alert.message_en for alert in alerts)


def test_each_answer_is_alerted_once(tender, commissioner, asker):
    first = ask(tender, asker)
    second = ask(tender, asker, question="是否需要提供场地？")

    services.answer_question(clarification=first, answer="是", actor=commissioner)
    services.answer_question(clarification=second, answer="否", actor=commissioner)

    assert (
        Alert.objects.filter(recipient=asker, kind=Alert.Kind.CLARIFICATION_ANSWERED).count() == 2
    )


# --- who sees what ------------------------------------------------------------


def test_other_bidders_see_published_answers_but_never_who_asked(
    tender, commissioner, asker, competitor
):
    answered = ask(tender, asker)
    ask(tender, asker, question="尚未回答的问题")
    services.answer_question(clarification=answered, answer="包括。", actor=commissioner)

    seen = selectors.clarifications_for(competitor, tender)

    assert [(c.question, c.answer) for c in seen] == [(answered.question, "包括。")]
    assert seen[0].asked_by_organization is None
    assert seen[0].asked_by is None
    assert not seen[0].asked_by_us


def test_the_public_sees_published_answers_without_the_asker(tender, commissioner, asker):
    answered = ask(tender, asker)
    services.answer_question(clarification=answered, answer="包括。", actor=commissioner)

    seen = selectors.clarifications_for(AnonymousUser(), tender)

    assert len(seen) == 1
    assert (seen[0].asked_by_organization, seen[0].asked_by) == (None, None)


def test_the_asker_sees_its_own_questions_answered_or_not(tender, commissioner, asker):
    answered = ask(tender, asker)
    waiting = ask(tender, asker, question="尚未回答的问题")
    services.answer_question(clarification=answered, answer="包括。", actor=commissioner)
    organization = asker.memberships.get().organization

    seen = {c.uuid: c for c in selectors.clarifications_for(asker, tender)}

    assert set(seen) == {answered.uuid, waiting.uuid}
    assert seen[waiting.uuid].asked_by_us
    assert seen[waiting.uuid].asked_by_organization == organization
    assert not seen[waiting.uuid].is_answered


def test_the_lead_agency_sees_every_question_with_its_asker(tender, asker, competitor):
    first = ask(tender, asker)
    second = ask(tender, competitor, question="第二个问题")

    for user in (
        commissioner_of(tender.lead_agency),
        user_with_role("supervisor", tender.lead_agency),
    ):
        seen = selectors.clarifications_for(user, tender)
        assert [c.uuid for c in seen] == [first.uuid, second.uuid]
        assert seen[0].asked_by == asker
        assert seen[1].asked_by == competitor


def test_another_agency_sees_only_published_answers_without_askers(tender, asker):
    ask(tender, asker)

    assert selectors.clarifications_for(commissioner_of(AgencyFactory()), tender) == []


def test_reading_clarifications_costs_a_fixed_number_of_queries(
    tender, commissioner, django_assert_num_queries
):
    for _ in range(5):
        clarification = ask(tender, provider_admin_of(VerifiedProviderFactory()))
        services.answer_question(clarification=clarification, answer="好", actor=commissioner)
    reader = provider_admin_of(VerifiedProviderFactory())

    with django_assert_num_queries(2):  # the reader's roles, then the clarifications
        seen = selectors.clarifications_for(reader, tender)

    assert len(seen) == 5
