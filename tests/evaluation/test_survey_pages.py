"""Survey pages (issue #13, item 2): the beneficiary answers from a link, with plain form
posts and no login; used, expired and unknown links and too many answers say so in
words; the slip carries the link and its QR code but nothing about the person; the
provider and the public only ever see aggregates of at least five answers."""

import datetime
import re
import zlib

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from evaluation.models import SurveyResponse
from evaluation.models.surveys import MIN_AGGREGATE
from evaluation.services import surveys as services
from tests.factories.accounts import user_with_role
from tests.factories.evaluation import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    in_service_referral,
)
from tests.factories.providers import ServiceFactory, VerifiedProviderFactory, provider_staff_of

ANSWERS = {"helped": "5", "respect": "4", "timely": "3", "explained": "4", "recommend": "5"}


def survey_url(invitation) -> str:
    return reverse("evaluation:survey", args=[invitation.token])


def assert_private(response):
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]


# --- the survey ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_survey_asks_five_questions_without_login_and_is_kept_out_of_search(client):
    invitation = SurveyInvitationFactory()

    response = client.get(survey_url(invitation))

    assert response.status_code == 200
    assert_private(response)
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "css/survey.css" in page
    assert page.count("<fieldset") == 5
    assert page.count('type="radio"') == 25
    assert "Not at all" in page and "Completely" in page
    assert invitation.provider.name in page
    assert "<script" not in page.split("</main>")[0]  # the form needs no JavaScript


@pytest.mark.django_db
def test_a_plain_form_post_records_the_answers_and_thanks(client):
    invitation = SurveyInvitationFactory()

    response = client.post(
        survey_url(invitation),
        {**ANSWERS, "comment": "很好，电话 13812345678"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert_private(response)
    assert "Thank you for your answers" in response.content.decode()
    answer = SurveyResponse.objects.get(invitation=invitation)
    assert (answer.helped, answer.timely, answer.recommend) == (5, 3, 5)
    assert answer.language == "en"
    assert "13812345678" not in answer.comment


@pytest.mark.django_db
def test_a_second_post_is_refused_as_already_answered(client):
    invitation = SurveyInvitationFactory()
    client.post(survey_url(invitation), ANSWERS)

    again = client.post(survey_url(invitation), {**ANSWERS, "helped": "1"})

    assert again.status_code == 410
    assert_private(again)
    assert "already been answered" in again.content.decode()
    assert SurveyResponse.objects.get(invitation=invitation).helped == 5
    assert client.get(survey_url(invitation)).status_code == 410


@pytest.mark.django_db
def test_missing_answers_are_shown_at_their_questions_and_the_link_still_works(client):
    invitation = SurveyInvitationFactory()
    partial = {key: value for key, value in ANSWERS.items() if key != "timely"}

    response = client.post(survey_url(invitation), {**partial, "helped": "9"})

    assert response.status_code == 400
    assert_private(response)
    page = response.content.decode()
    assert 'id="id_timely_error"' in page
    assert 'id="id_helped_error"' in page
    assert 'id="id_respect_error"' not in page
    assert "Choose an answer from 1 to 5." in page
    assert re.search(r'name="respect" value="4"[^>]*checked', page)  # answers kept
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert client.post(survey_url(invitation), ANSWERS).status_code == 200


@pytest.mark.django_db
def test_a_comment_over_the_limit_is_refused_next_to_the_comment(client):
    invitation = SurveyInvitationFactory()

    response = client.post(
        survey_url(invitation), {**ANSWERS, "comment": "x" * (services.COMMENT_MAX + 1)}
    )

    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_an_unknown_link_says_so_plainly(client):
    response = client.get(reverse("evaluation:survey", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert_private(response)
    assert "not known" in response.content.decode()
    assert client.post(reverse("evaluation:survey", args=["nope"]), ANSWERS).status_code == 404


@pytest.mark.django_db
def test_an_expired_link_says_so_plainly(client):
    invitation = SurveyInvitationFactory()

    with time_machine.travel(invitation.expires_at + datetime.timedelta(minutes=1), tick=False):
        shown = client.get(survey_url(invitation))
        posted = client.post(survey_url(invitation), ANSWERS)

    assert shown.status_code == posted.status_code == 410
    assert "has expired" in shown.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_too_many_answers_from_one_connection_are_refused_with_429(client):
    for attempt in range(services.SUBMISSIONS_PER_HOUR):
        client.post(reverse("evaluation:survey", args=[f"guess-{attempt}"]), ANSWERS)
    invitation = SurveyInvitationFactory()

    response = client.post(survey_url(invitation), ANSWERS)

    assert response.status_code == 429
    assert_private(response)
    assert "try again later" in response.content.decode()
    assert not SurveyResponse.objects.exists()


# --- the slip -----------------------------------------------------------------------------


@pytest.fixture
def slip_invitation():
    return SurveyInvitationFactory(referral=in_service_referral())


def caseworker_of(referral):
    return user_with_role(Role.CASEWORKER, referral.agency)


@pytest.mark.django_db
def test_the_slip_has_the_link_its_qr_code_and_no_personal_data(client, slip_invitation):
    referral = slip_invitation.referral
    client.force_login(caseworker_of(referral))

    response = client.get(reverse("evaluation:survey_slip", args=[referral.uuid]))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    page = response.content.decode()
    assert f"http://testserver/survey/{slip_invitation.token}/" in page
    assert "<svg" in page and "<path" in page
    assert referral.service.name_zh in page and referral.service.name_en in page
    assert referral.provider.organization.name_zh in page
    assert timezone.localdate(slip_invitation.expires_at).isoformat() in page
    beneficiary = referral.beneficiary
    for personal in (beneficiary.name, beneficiary.phone, beneficiary.id_number):
        assert personal not in page


def characters_in(pdf: bytes) -> set[str]:
    """Every character the PDF's embedded fonts can show (WeasyPrint embeds only the glyphs
    a document uses, each mapped back to Unicode in a compressed ToUnicode map)."""
    found = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"begincmap" not in data:
            continue
        for hex_text in re.findall(rb"<([0-9A-Fa-f]{4,})>", data):
            raw = bytes.fromhex(hex_text.decode())
            if len(raw) % 2 == 0:
                found.update(raw.decode("utf-16-be", errors="ignore"))
    return found


@pytest.mark.django_db
def test_the_slip_pdf_is_a_pdf_without_the_persons_name(client, slip_invitation):
    referral = slip_invitation.referral
    beneficiary = referral.beneficiary
    beneficiary.name = "龘靐齉"  # characters nothing else on the slip uses
    beneficiary.save(update_fields=["name"])
    client.force_login(provider_staff_of(referral.provider))

    response = client.get(reverse("evaluation:survey_slip_pdf", args=[referral.uuid]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    shown = characters_in(response.content)
    assert set(referral.provider.organization.name_zh) <= shown
    assert set(slip_invitation.token) <= shown  # the link is written out
    assert not set(beneficiary.name) & shown


@pytest.mark.django_db
def test_the_slip_is_404_outside_the_referral(client, slip_invitation):
    referral = slip_invitation.referral
    strangers = [
        user_with_role(Role.CASEWORKER),  # another agency's caseworker
        provider_staff_of(VerifiedProviderFactory()),  # another provider's staff
    ]
    for stranger in strangers:
        client.force_login(stranger)
        for name in ("evaluation:survey_slip", "evaluation:survey_slip_pdf"):
            assert client.get(reverse(name, args=[referral.uuid])).status_code == 404


@pytest.mark.django_db
def test_a_referral_without_a_survey_has_no_slip(client):
    referral = in_service_referral()
    client.force_login(caseworker_of(referral))

    assert client.get(reverse("evaluation:survey_slip", args=[referral.uuid])).status_code == 404


@pytest.mark.django_db
def test_the_slip_needs_a_login(client, slip_invitation):
    response = client.get(reverse("evaluation:survey_slip", args=[slip_invitation.referral.uuid]))

    assert response.status_code == 302
    assert slip_invitation.token not in response["Location"]


@pytest.mark.django_db
def test_the_slip_link_shows_only_to_those_who_may_print_it(slip_invitation):
    referral = slip_invitation.referral
    template = Template("{% load surveys %}{% survey_slip_link referral %}")

    def rendered_for(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request, "referral": referral}))

    shown = rendered_for(caseworker_of(referral))
    assert "Print the survey slip" in shown
    assert reverse("evaluation:survey_slip_pdf", args=[referral.uuid]) in shown
    assert rendered_for(provider_staff_of(VerifiedProviderFactory())).strip() == ""


# --- aggregates -----------------------------------------------------------------------------


def answers_for(service, count: int) -> None:
    for _number in range(count):
        SurveyResponseFactory(invitation__referral=in_service_referral(service=service))


@pytest.mark.django_db
def test_the_summary_hides_fewer_than_five_answers_and_shows_five():
    service = ServiceFactory()
    provider = service.provider
    template = Template("{% load surveys %}{% satisfaction_summary provider %}")
    answers_for(service, MIN_AGGREGATE - 1)

    hidden = template.render(Context({"provider": provider}))

    assert "Fewer than 5 answers so far" in hidden
    assert "<table" not in hidden

    answers_for(service, 1)
    shown = template.render(Context({"provider": provider}))

    assert "Fewer than" not in shown
    assert "from 5 answers" in shown
    assert "<table" in shown and "4.0" in shown and "5.0" in shown  # helped 4, respect 5


@pytest.mark.django_db
def test_the_public_profile_shows_the_summary_only_from_five_answers(client):
    provider = VerifiedProviderFactory()
    service = ServiceFactory(provider=provider)
    profile = reverse("providers:profile", args=[provider.uuid])
    answers_for(service, MIN_AGGREGATE - 1)

    hidden = client.get(profile).text
    assert "What the people served said" in hidden
    assert "Fewer than 5 answers so far" in hidden

    answers_for(service, 1)
    shown = client.get(profile).text
    assert "from 5 answers" in shown
    assert "Fewer than 5 answers so far" not in shown


@pytest.mark.django_db
def test_the_api_lists_only_aggregates_of_at_least_five_answers(client):
    counted, too_few = ServiceFactory(), ServiceFactory()
    answers_for(counted, MIN_AGGREGATE)
    answers_for(too_few, MIN_AGGREGATE - 1)

    response = client.get("/api/v1/survey-summaries/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["provider"] for row in rows] == [str(counted.provider.uuid)]
    assert rows[0]["count"] == MIN_AGGREGATE
    assert rows[0]["means"] == {
        "helped": "4.0",
        "respect": "5.0",
        "timely": "4.0",
        "explained": "4.0",
        "recommend": "5.0",
    }
    assert rows[0]["overall"] == "4.4"
    assert not {"comment", "submitted_at", "invitation"} & set(rows[0])


@pytest.mark.django_db
def test_the_api_counts_only_the_category_asked_for(client):
    service = ServiceFactory()
    answers_for(service, MIN_AGGREGATE)
    code = service.categories.get().code

    assert len(client.get(f"/api/v1/survey-summaries/?category={code}").json()["results"]) == 1
    other = client.get("/api/v1/survey-summaries/?category=no-such-category")
    assert other.status_code == 400
    assert "category" in other.json()["errors"]


@pytest.mark.django_db
def test_the_api_runs_the_same_queries_for_one_provider_and_three(
    client, django_assert_num_queries
):
    services_ = [ServiceFactory() for _number in range(3)]
    answers_for(services_[0], MIN_AGGREGATE)

    with django_assert_num_queries(4):
        one = client.get("/api/v1/survey-summaries/")
    for service in services_[1:]:
        answers_for(service, MIN_AGGREGATE)
    with django_assert_num_queries(4):
        three = client.get("/api/v1/survey-summaries/")

    assert len(one.json()["results"]) == 1
    assert len(three.json()["results"]) == 3
