"""Satisfaction surveys (issue #13, item 2): single-use, expiring, unguessable links;
answers validated; ID and phone numbers masked before storage; rate-limited; only
aggregates of at least five answers are ever read."""

import datetime
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from core.errors import ApplicationError
from evaluation.masking import mask_personal_numbers
from evaluation.models import SurveyInvitation, SurveyResponse
from evaluation.models.surveys import MIN_AGGREGATE, SURVEY_VALID_FOR
from evaluation.selectors import surveys as selectors
from evaluation.services import surveys as services
from tests.factories.evaluation import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    in_service_referral,
)

ANSWERS = {"helped": 5, "respect": 4, "timely": 3, "explained": 4, "recommend": 5}


@pytest.fixture(autouse=True)
def _empty_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_token_is_unguessable_and_only_its_digest_finds_it():
    invitation = services.invite_to_survey(referral=in_service_referral())

    token = invitation.token
    assert len(token) >= 43  # 32 random bytes, base64: 256 bits, well over 128
    assert invitation.token_digest == services.token_digest(token)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {SurveyInvitation._meta.db_table}")  # noqa: S608 (a table name)
        (stored,) = cursor.fetchone()
    assert token not in stored  # the token is kept encrypted
    assert selectors.invitation_by_token(token) == invitation
    assert selectors.invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    # Idempotent: one invitation per referral.
    assert services.invite_to_survey(referral=invitation.referral) == invitation


@pytest.mark.django_db
def test_an_answer_is_stored_once_and_the_link_then_refuses():
    invitation = SurveyInvitationFactory()

    response = services.submit_survey(token=invitation.token, answers=ANSWERS, language="zh-hans")

    assert response.provider_id == invitation.provider_id
    assert (response.helped, response.timely, response.recommend) == (5, 3, 5)
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    with pytest.raises(ApplicationError) as refused:
        services.submit_survey(token=invitation.token, answers=ANSWERS)
    assert refused.value.code == "used"
    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db
def test_a_link_expires():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        invitation = services.invite_to_survey(referral=in_service_referral())
    with time_machine.travel(start + SURVEY_VALID_FOR - datetime.timedelta(minutes=1)):
        assert invitation.is_open()
    with (
        time_machine.travel(start + SURVEY_VALID_FOR + datetime.timedelta(seconds=1)),
        pytest.raises(ApplicationError) as refused,
    ):
        services.submit_survey(token=invitation.token, answers=ANSWERS)
    assert refused.value.code == "expired"
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_an_unknown_link_is_refused_as_unknown():
    with pytest.raises(ApplicationError) as refused:
        services.submit_survey(token="not-a-real-token", answers=ANSWERS)
    assert refused.value.code == "unknown"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers, field",
    [
        ({**ANSWERS, "helped": 0}, "helped"),
        ({**ANSWERS, "recommend": 6}, "recommend"),
        ({key: value for key, value in ANSWERS.items() if key != "timely"}, "timely"),
        ({**ANSWERS, "respect": "很好"}, "respect"),
    ],
)
def test_answers_out_of_range_are_field_errors_and_nothing_is_used(answers, field):
    invitation = SurveyInvitationFactory()

    with pytest.raises(ApplicationError) as refused:
        services.submit_survey(token=invitation.token, answers=answers)

    assert list(refused.value.field_errors) == [field]
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "typed, masked",
    [
        ("我的身份证110105194912310021", "我的身份证110*************21"),
        ("号码11010519491231002X", "号码110*************2X"),
        ("电话 138 1234 5678 谢谢", "电话 138******78 谢谢"),
        ("+86-13812345678", "138******78"),
        ("座机021-62345678", "座机021-********"),
        ("2024年3月5日在100号付了30元", "2024年3月5日在100号付了30元"),
    ],
)
def test_id_and_phone_numbers_are_masked(typed, masked):
    assert mask_personal_numbers(typed) == masked


@pytest.mark.django_db
def test_a_comment_is_stored_masked():
    invitation = SurveyInvitationFactory()

    services.submit_survey(
        token=invitation.token, answers=ANSWERS, comment="社工很好，有事打我13912345678"
    )

    comment = SurveyResponse.objects.get().comment
    assert "13912345678" not in comment
    assert comment == "社工很好，有事打我139******78"


@pytest.mark.django_db
def test_submissions_from_one_connection_are_limited():
    invitations = SurveyInvitationFactory.create_batch(2)
    for _ in range(services.SUBMISSIONS_PER_HOUR):
        with pytest.raises(ApplicationError):
            services.submit_survey(token="guess", answers=ANSWERS, client_ip="10.0.0.7")

    with pytest.raises(ApplicationError) as refused:
        services.submit_survey(token=invitations[0].token, answers=ANSWERS, client_ip="10.0.0.7")
    assert refused.value.code == "rate_limited"
    # Another connection is not held back, and the window slides.
    services.submit_survey(token=invitations[1].token, answers=ANSWERS, client_ip="10.0.0.8")
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        services.submit_survey(token=invitations[0].token, answers=ANSWERS, client_ip="10.0.0.7")
    assert SurveyResponse.objects.count() == 2


@pytest.mark.django_db
def test_a_provider_never_reads_fewer_than_five_answers():
    invitation = SurveyInvitationFactory()
    provider = invitation.provider
    SurveyResponseFactory(invitation=invitation, helped=1)
    for _ in range(MIN_AGGREGATE - 2):
        SurveyResponseFactory(provider=provider)

    assert SurveyResponse.objects.filter(provider=provider).count() == MIN_AGGREGATE - 1
    assert selectors.satisfaction_summary(provider.pk) is None
    assert selectors.satisfaction_summaries([provider.pk]) == {}

    SurveyResponseFactory(provider=provider)
    summary = selectors.satisfaction_summary(provider.pk)
    assert summary["count"] == MIN_AGGREGATE
    assert str(summary["means"]["helped"]) == "3.4"  # (1 + 4·4) / 5
    assert selectors.satisfaction_summaries([provider.pk])[provider.pk] == summary


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_use_the_link_once(on_postgres):
    invitation = SurveyInvitationFactory()
    barrier = threading.Barrier(2)
    results = []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.submit_survey(token=invitation.token, answers=ANSWERS)
            results.append("answered")
        except ApplicationError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["answered", "used"]
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1
