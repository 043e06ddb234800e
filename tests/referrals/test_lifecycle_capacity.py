"""Capacity (issue #5 point 7): accepting a referral takes one of the service's places, the
place comes back exactly once when the person leaves, the waiting list keeps its order,
and two staff accepting at the same moment cannot overbook (row lock, PostgreSQL)."""

import threading

import pytest
from django.db import connections

from accounts.models import Role
from core.errors import ApplicationError
from providers.models import Service
from referrals import services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import NeedFactory
from tests.factories.taxonomy import NeedCategoryFactory, ServiceTierFactory

NO_FREE_PLACE = "This service has no free place left. Put the person on the waiting list instead."


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


def sent_referral(service, agency, caseworker) -> Referral:
    need = NeedFactory(assessment__beneficiary__agency=agency, category=service.categories.get())
    referral = services.create_referral(need=need, service=service, user=caseworker)
    services.record_consent(
        referral=referral,
        user=caseworker,
        fields=[ShareableField.NAME],
        purpose="安排服务",
        method=Consent.Method.SIGNED_FORM,
    )
    return services.send_referral(referral=referral, user=caseworker)


def places(service) -> tuple[int, int]:
    """(free places, people on the waiting list) as stored now."""
    service = Service.objects.get(pk=service.pk)
    return service.free_slots, service.waitlist_length


def fresh(referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def service():
    return ServiceFactory(free_slots=2, waitlist_length=0)


@pytest.fixture
def staff(service):
    return provider_staff_of(service.provider)


@pytest.fixture
def referral(service, agency, caseworker):
    return sent_referral(service, agency, caseworker)


@pytest.mark.django_db
def test_accepting_takes_one_free_place(referral, service, staff):
    services.accept_referral(referral=referral, user=staff)

    assert places(service) == (1, 0)
    assert fresh(referral).holds_place


@pytest.mark.django_db
def test_accepting_is_refused_when_no_place_is_left(referral, service, staff):
    Service.objects.filter(pk=service.pk).update(free_slots=0)

    with pytest.raises(ApplicationError) as caught:
        services.accept_referral(referral=referral, user=staff)

    assert caught.value.code == "no_free_place"
    assert caught.value.message == NO_FREE_PLACE
    assert fresh(referral).status == Referral.Status.SENT
    assert not fresh(referral).holds_place
    assert places(service) == (0, 0)


@pytest.mark.django_db
def test_merely_sending_or_viewing_takes_no_place(referral, service, staff):
    services.mark_viewed(referral=referral, user=staff)

    assert places(service) == (2, 0)


def _complete(referral, staff, caseworker):
    services.start_service(referral=referral, user=staff)
    services.complete_referral(referral=referral, user=staff, outcome="achieved")


def _fail_before_starting(referral, staff, caseworker):
    services.fail_referral(referral=referral, user=staff, reason_code="could_not_contact")


def _fail_in_service(referral, staff, caseworker):
    services.start_service(referral=referral, user=staff)
    services.fail_referral(referral=referral, user=staff, reason_code="withdrew")


def _recall_after_acceptance(referral, staff, caseworker):
    services.recall_referral(referral=referral, user=caseworker)


def _recall_in_service(referral, staff, caseworker):
    services.start_service(referral=referral, user=staff)
    services.recall_referral(referral=referral, user=caseworker)


ENDINGS = [
    _complete,
    _fail_before_starting,
    _fail_in_service,
    _recall_after_acceptance,
    _recall_in_service,
]


@pytest.mark.django_db
@pytest.mark.parametrize("end", ENDINGS, ids=lambda f: f.__name__[1:])
def test_the_place_comes_back_when_the_person_leaves(referral, service, staff, caseworker, end):
    services.accept_referral(referral=referral, user=staff)
    assert places(service) == (1, 0)

    end(referral, staff, caseworker)

    assert places(service) == (2, 0)
    assert not fresh(referral).holds_place


@pytest.mark.django_db
def test_the_place_comes_back_exactly_once_whatever_follows(referral, service, staff, caseworker):
    services.accept_referral(referral=referral, user=staff)
    _complete(referral, staff, caseworker)
    services.close_referral(referral=referral, user=caseworker)
    services.reopen_referral(referral=referral, user=caseworker, note="情况反复")
    services.start_service(referral=referral, user=staff)
    services.fail_referral(referral=referral, user=staff, reason_code="withdrew")
    services.close_referral(referral=referral, user=caseworker)

    assert places(service) == (2, 0)


def _reopened(referral, staff, caseworker) -> Referral:
    services.accept_referral(referral=referral, user=staff)
    _complete(referral, staff, caseworker)
    services.close_referral(referral=referral, user=caseworker)
    return services.reopen_referral(referral=referral, user=caseworker, note="情况反复")


@pytest.mark.django_db
def test_a_reopened_referral_going_back_into_service_takes_a_place_again(
    referral, service, staff, caseworker
):
    _reopened(referral, staff, caseworker)
    assert places(service) == (2, 0)

    services.start_service(referral=referral, user=staff)

    assert places(service) == (1, 0)
    assert fresh(referral).holds_place


@pytest.mark.django_db
def test_a_reopened_referral_cannot_go_back_into_a_full_service(
    referral, service, staff, caseworker
):
    _reopened(referral, staff, caseworker)
    Service.objects.filter(pk=service.pk).update(free_slots=0)

    with pytest.raises(ApplicationError, match=NO_FREE_PLACE):
        services.start_service(referral=referral, user=staff)

    assert fresh(referral).status == Referral.Status.REOPENED
    assert not fresh(referral).holds_place
    assert places(service) == (0, 0)


@pytest.mark.django_db
def test_starting_an_accepted_referral_takes_no_second_place(referral, service, staff):
    services.accept_referral(referral=referral, user=staff)

    services.start_service(referral=referral, user=staff)

    assert places(service) == (1, 0)


@pytest.mark.django_db
def test_a_declined_or_recalled_pending_referral_gives_back_nothing(
    service, agency, caseworker, staff
):
    declined = sent_referral(service, agency, caseworker)
    recalled = sent_referral(service, agency, caseworker)

    services.decline_referral(referral=declined, user=staff, reason_code="out_of_area")
    services.recall_referral(referral=recalled, user=caseworker)

    assert places(service) == (2, 0)


# --- the waiting list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_waitlisting_adds_the_person_at_the_next_position(service, agency, caseworker, staff):
    Service.objects.filter(pk=service.pk).update(free_slots=0, waitlist_length=3)
    referral = sent_referral(service, agency, caseworker)

    services.waitlist_referral(referral=referral, user=staff)

    assert fresh(referral).status == Referral.Status.WAITLISTED
    assert fresh(referral).waitlist_position == 4
    assert places(service) == (0, 4)


@pytest.mark.django_db
def test_accepting_from_the_waiting_list_takes_a_place_and_leaves_the_list(
    referral, service, staff
):
    services.waitlist_referral(referral=referral, user=staff)
    assert places(service) == (2, 1)

    services.accept_referral(referral=fresh(referral), user=staff)

    assert places(service) == (1, 0)
    assert fresh(referral).waitlist_position is None


@pytest.mark.django_db
def test_no_place_for_someone_on_the_waiting_list_keeps_them_on_it(referral, service, staff):
    services.waitlist_referral(referral=referral, user=staff)
    Service.objects.filter(pk=service.pk).update(free_slots=0)

    with pytest.raises(ApplicationError):
        services.accept_referral(referral=referral, user=staff)

    assert fresh(referral).status == Referral.Status.WAITLISTED
    assert fresh(referral).waitlist_position == 1
    assert places(service) == (0, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("leave", ["accept", "decline", "recall"])
def test_the_people_behind_move_up_when_someone_leaves_the_waiting_list(
    service, agency, caseworker, staff, leave
):
    first, second, third = (sent_referral(service, agency, caseworker) for _ in range(3))
    for referral in (first, second, third):
        services.waitlist_referral(referral=referral, user=staff)
    assert [fresh(r).waitlist_position for r in (first, second, third)] == [1, 2, 3]

    if leave == "accept":
        services.accept_referral(referral=second, user=staff)
    elif leave == "decline":
        services.decline_referral(referral=second, user=staff, reason_code="no_capacity")
    else:
        services.recall_referral(referral=second, user=caseworker)

    assert [fresh(first).waitlist_position, fresh(third).waitlist_position] == [1, 2]
    assert places(service)[1] == 2
    newcomer = sent_referral(service, agency, caseworker)
    services.waitlist_referral(referral=newcomer, user=staff)
    assert fresh(newcomer).waitlist_position == 3


# --- two staff accepting at the same moment (PostgreSQL) ----------------------------------


def service_of_its_own(**kwargs):
    """A service with a category and tier made here: a test with real transactions cannot
    count on the rows data migrations loaded (an earlier one may have flushed them)."""
    return ServiceFactory(tier=ServiceTierFactory(), categories=[NeedCategoryFactory()], **kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_the_last_place_at_once_cannot_overbook(on_postgres):
    agency = AgencyFactory()
    caseworker = user_with_role(Role.CASEWORKER, agency)
    service = service_of_its_own(free_slots=1, waitlist_length=0)
    referrals = [sent_referral(service, agency, caseworker) for _ in range(2)]
    staff = [provider_staff_of(service.provider) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept_at_once(referral, user):
        try:
            barrier.wait(timeout=10)
            services.accept_referral(referral=referral, user=user)
            outcomes.append("accepted")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept_at_once, args=pair)
        for pair in zip(referrals, staff, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "no_free_place"]
    statuses = sorted(Referral.objects.filter(service=service).values_list("status", flat=True))
    assert statuses == [Referral.Status.ACCEPTED, Referral.Status.SENT]
    assert places(service) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_many_staff_accepting_at_once_take_exactly_the_free_places(on_postgres):
    agency = AgencyFactory()
    caseworker = user_with_role(Role.CASEWORKER, agency)
    service = service_of_its_own(free_slots=3, waitlist_length=0)
    referrals = [sent_referral(service, agency, caseworker) for _ in range(8)]
    user = provider_staff_of(service.provider)
    barrier = threading.Barrier(len(referrals))
    outcomes = []

    def accept_at_once(referral):
        try:
            barrier.wait(timeout=10)
            services.accept_referral(referral=referral, user=user)
            outcomes.append("accepted")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept_at_once, args=(r,)) for r in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("accepted") == 3
    assert outcomes.count("no_free_place") == 5
    assert places(service) == (0, 0)
    assert Referral.objects.filter(service=service, holds_place=True).count() == 3


@pytest.mark.django_db(transaction=True)
def test_people_leaving_the_waiting_list_at_once_keep_it_in_order(on_postgres):
    agency = AgencyFactory()
    caseworker = user_with_role(Role.CASEWORKER, agency)
    service = service_of_its_own(free_slots=2, waitlist_length=0)
    user = provider_staff_of(service.provider)
    waiting = [sent_referral(service, agency, caseworker) for _ in range(8)]
    for referral in waiting:
        services.waitlist_referral(referral=referral, user=user)
    leaving = waiting[:6]  # the first six are answered at the same moment, in both ways
    barrier = threading.Barrier(len(leaving))
    errors = []

    def answer_at_once(index, referral):
        try:
            barrier.wait(timeout=10)
            if index % 2:
                services.accept_referral(referral=referral, user=user)
            else:
                services.decline_referral(referral=referral, user=user, reason_code="no_capacity")
        except ApplicationError:
            pass  # no place left: the person stays on the list
        except Exception as error:  # a deadlock would land here
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=answer_at_once, args=(index, referral))
        for index, referral in enumerate(leaving)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    still_waiting = Referral.objects.filter(service=service, status=Referral.Status.WAITLISTED)
    positions = sorted(still_waiting.values_list("waitlist_position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
    assert places(service) == (
        2 - Referral.objects.filter(service=service, holds_place=True).count(),
        len(positions),
    )
