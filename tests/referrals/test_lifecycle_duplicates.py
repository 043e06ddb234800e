"""The same person is never referred twice at once for the same need (issue #5 point 6), and
sending is idempotent: a double click or a retried request sends once."""

import datetime
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import Role
from core.errors import ApplicationError
from referrals import services
from referrals.models import Consent, Referral, ReferralEvent, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import NeedFactory, ReferralFactory
from tests.factories.taxonomy import NeedCategoryFactory, ServiceTierFactory, need_category


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def need(agency):
    return NeedFactory(assessment__beneficiary__agency=agency)


@pytest.fixture
def first_service():
    return ServiceFactory(provider__organization__name_en="Sunshine Social Work")


@pytest.fixture
def second_service():
    return ServiceFactory()


def refer(need, service, user):
    return services.create_referral(need=need, service=service, user=user)


def send(referral, user):
    services.record_consent(
        referral=referral,
        user=user,
        fields=[ShareableField.NAME],
        purpose="安排服务",
        method=Consent.Method.SIGNED_FORM,
    )
    return services.send_referral(referral=referral, user=user)


def duplicate_message(status: str) -> str:
    return (
        f"This need already has an open referral ({status}, to Sunshine Social Work). Follow "
        "that one up, or recall it before referring again."
    )


@pytest.mark.django_db
def test_a_second_referral_for_a_need_with_a_draft_is_refused(
    need, caseworker, first_service, second_service
):
    refer(need, first_service, caseworker)

    with pytest.raises(ApplicationError) as caught:
        refer(need, second_service, caseworker)

    assert caught.value.code == "duplicate_referral"
    assert caught.value.field_errors == {"need": [duplicate_message("Draft")]}
    assert Referral.objects.filter(need=need).count() == 1


@pytest.mark.django_db
def test_a_second_referral_for_a_need_already_sent_is_refused_with_its_status(
    need, caseworker, first_service, second_service
):
    send(refer(need, first_service, caseworker), caseworker)

    with pytest.raises(ApplicationError) as caught:
        refer(need, second_service, caseworker)

    assert caught.value.message == duplicate_message("Sent — awaiting answer")


@pytest.mark.django_db
def test_another_caseworker_of_the_agency_is_refused_too(
    agency, need, caseworker, first_service, second_service
):
    refer(need, first_service, caseworker)
    colleague = user_with_role(Role.CASEWORKER, agency)

    with pytest.raises(ApplicationError):
        refer(need, second_service, colleague)


@pytest.mark.django_db
def test_another_need_of_the_same_person_may_be_referred(need, caseworker, first_service):
    refer(need, first_service, caseworker)
    legal_aid = need_category("social-services.legal-aid")
    other_need = NeedFactory(assessment=need.assessment, category=legal_aid)
    legal_service = ServiceFactory(categories=[legal_aid])

    assert refer(other_need, legal_service, caseworker).status == Referral.Status.DRAFT


def _decline(referral, caseworker):
    services.decline_referral(
        referral=referral,
        user=provider_staff_of(referral.provider),
        reason_code=Referral.DeclineReason.NO_CAPACITY,
    )


def _expire(referral, caseworker):
    services.process_referral_deadlines(now=Referral.objects.get(pk=referral.pk).expires_at)


def _recall(referral, caseworker):
    services.recall_referral(referral=referral, user=caseworker)


@pytest.mark.django_db
@pytest.mark.parametrize("give_back", [_decline, _expire, _recall], ids=lambda f: f.__name__[1:])
def test_the_need_may_be_referred_again_once_the_first_referral_came_back(
    need, caseworker, first_service, second_service, give_back
):
    first = send(refer(need, first_service, caseworker), caseworker)
    give_back(first, caseworker)

    second = refer(need, second_service, caseworker)

    assert second.status == Referral.Status.DRAFT
    assert Referral.objects.get(pk=first.pk).status in {"declined", "expired", "recalled"}


@pytest.mark.django_db
def test_a_recalled_draft_frees_the_need(need, caseworker, first_service, second_service):
    first = refer(need, first_service, caseworker)
    services.recall_referral(referral=first, user=caseworker)

    assert refer(need, second_service, caseworker).status == Referral.Status.DRAFT


@pytest.mark.django_db
def test_reopening_is_refused_while_another_referral_for_the_need_is_open(
    need, caseworker, first_service, second_service
):
    first = send(refer(need, first_service, caseworker), caseworker)
    staff = provider_staff_of(first_service.provider)
    services.accept_referral(referral=first, user=staff)
    services.fail_referral(referral=first, user=staff, reason_code="not_eligible")
    services.close_referral(referral=first, user=caseworker)
    second = refer(need, second_service, caseworker)

    with pytest.raises(ApplicationError) as caught:
        services.reopen_referral(referral=first, user=caseworker, note="想回到原机构")

    assert caught.value.code == "duplicate_referral"
    assert "This need already has an open referral (Draft" in caught.value.message
    assert Referral.objects.get(pk=first.pk).status == Referral.Status.CLOSED
    services.recall_referral(referral=second, user=caseworker)
    services.reopen_referral(referral=first, user=caseworker, note="想回到原机构")
    assert Referral.objects.get(pk=first.pk).status == Referral.Status.REOPENED


@pytest.mark.django_db
def test_the_database_refuses_two_open_referrals_for_one_need(need, first_service):
    ReferralFactory(need=need, service=first_service, status=Referral.Status.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(need=need, service=first_service, status=Referral.Status.WAITLISTED)
    ReferralFactory(need=need, service=first_service, status=Referral.Status.DECLINED)


# --- sending is idempotent ------------------------------------------------------------


@pytest.mark.django_db
def test_sending_twice_sends_once(
    need, caseworker, first_service, django_capture_on_commit_callbacks, mailoutbox
):
    first_service.provider.organization.email = "office@sunshine.example.cn"
    first_service.provider.organization.save()
    referral = refer(need, first_service, caseworker)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(referral, caseworker)
        services.send_referral(referral=referral, user=caseworker)
        services.send_referral(referral=Referral.objects.get(pk=referral.pk), user=caseworker)

    assert ReferralEvent.objects.filter(referral=referral, to_status="sent").count() == 1
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["office@sunshine.example.cn"]


@pytest.mark.django_db
def test_a_second_send_keeps_the_first_sla_clock(need, caseworker, first_service):
    referral = send(refer(need, first_service, caseworker), caseworker)
    due = Referral.objects.get(pk=referral.pk).due_at

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
        services.send_referral(referral=referral, user=caseworker)

    assert Referral.objects.get(pk=referral.pk).due_at == due


# --- a race between two caseworkers (PostgreSQL) -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_referring_the_same_need_at_once_make_one_referral(on_postgres, agency):
    # Category and tier made here: a test with real transactions cannot count on the rows
    # data migrations loaded (an earlier one may have flushed them).
    category, tier = NeedCategoryFactory(), ServiceTierFactory()
    need = NeedFactory(assessment__beneficiary__agency=agency, category=category)
    services_ = [ServiceFactory(tier=tier, categories=[category]) for _ in range(2)]
    caseworkers = [user_with_role(Role.CASEWORKER, agency) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def refer_at_once(service, user):
        try:
            barrier.wait(timeout=10)
            refer(need, service, user)
            outcomes.append("created")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=refer_at_once, args=pair)
        for pair in zip(services_, caseworkers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created", "duplicate_referral"]
    assert Referral.objects.filter(need=need).count() == 1
    assert connection.vendor == "postgresql"
