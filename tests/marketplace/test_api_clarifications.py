"""Clarifications through the API: providers ask, the lead agency answers, and nobody but the
asking provider and the lead agency ever learns who asked."""

import pytest
from rest_framework.test import APIClient

from marketplace.models import Clarification
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ClarificationFactory,
    PublishedTenderFactory,
    TenderFactory,
    commissioner_of,
)
from tests.factories.providers import VerifiedProviderFactory, provider_staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender():
    return PublishedTenderFactory()


@pytest.fixture
def asker():
    return VerifiedProviderFactory()


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def questions_url(tender):
    return f"/api/v1/tenders/{tender.uuid}/clarifications/"


def answered(tender, asker, question="服务人数是否包括新增老人？"):
    clarification = ClarificationFactory(
        tender=tender, asked_by_organization=asker.organization, question=question
    )
    response = client_for(commissioner_of(tender.lead_agency)).post(
        f"/api/v1/clarifications/{clarification.uuid}/answer/",
        {"answer": "包括。"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return clarification


def test_a_provider_asks_and_sees_its_own_question_as_its_own(tender, asker):
    client = client_for(provider_staff_of(asker))

    response = client.post(questions_url(tender), {"question": "是否接受联合体投标？"})

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["asked_by_us"] is True
    assert data["asked_by_organization"]["uuid"] == str(asker.organization.uuid)
    assert data["published"] is False
    assert [row["uuid"] for row in client.get(questions_url(tender)).json()] == [data["uuid"]]


def test_an_unanswered_question_is_hidden_from_other_providers_and_the_public(tender, asker):
    clarification = ClarificationFactory(tender=tender, asked_by_organization=asker.organization)
    rival = client_for(provider_staff_of(VerifiedProviderFactory()))

    assert rival.get(questions_url(tender)).json() == []
    assert client_for().get(questions_url(tender)).json() == []
    assert rival.get(f"/api/v1/clarifications/{clarification.uuid}/").status_code == 404


@pytest.mark.parametrize(
    "make_viewer",
    [
        lambda: None,
        lambda: provider_staff_of(VerifiedProviderFactory()),
        lambda: user_with_role("platform_admin"),
        lambda: commissioner_of(AgencyFactory()),
    ],
    ids=["public", "another provider", "platform admin", "another agency"],
)
def test_a_published_answer_never_names_the_asker(tender, asker, make_viewer):
    clarification = answered(tender, asker)
    client = client_for(make_viewer())

    listed = client.get(questions_url(tender))
    one = client.get(f"/api/v1/clarifications/{clarification.uuid}/")

    assert listed.status_code == one.status_code == 200
    assert [row["answer"] for row in listed.json()] == ["包括。"]
    for data in (listed.json()[0], one.json()):
        # Absent, not null: the answer carries no trace of who asked.
        assert "asked_by_organization" not in data
        assert data["asked_by_us"] is False
    text = listed.content.decode() + one.content.decode()
    assert asker.organization.name_zh not in text
    assert str(asker.organization.uuid) not in text


def test_the_lead_agency_sees_every_question_with_its_asker(tender, asker):
    ClarificationFactory(tender=tender, asked_by_organization=asker.organization)

    rows = client_for(commissioner_of(tender.lead_agency)).get(questions_url(tender)).json()

    assert [row["asked_by_organization"]["uuid"] for row in rows] == [str(asker.organization.uuid)]


def test_an_empty_question_is_a_400_on_question(tender, asker):
    response = client_for(provider_staff_of(asker)).post(questions_url(tender), {"question": ""})

    assert response.status_code == 400
    assert "question" in response.json()["errors"]


def test_agency_users_and_anonymous_visitors_do_not_ask(tender):
    assert client_for(user_with_role("caseworker")).post(
        questions_url(tender), {"question": "?"}
    ).status_code in (400, 403)
    assert client_for().post(questions_url(tender), {"question": "?"}).status_code in (401, 403)
    assert not Clarification.objects.exists()


def test_questions_about_a_draft_answer_404(asker):
    draft = TenderFactory()

    response = client_for(provider_staff_of(asker)).post(questions_url(draft), {"question": "?"})

    assert response.status_code == 404


def test_only_the_lead_agencys_commissioners_answer(tender, asker):
    clarification = ClarificationFactory(tender=tender, asked_by_organization=asker.organization)

    foreign = client_for(commissioner_of(AgencyFactory())).post(
        f"/api/v1/clarifications/{clarification.uuid}/answer/", {"answer": "x"}
    )
    own = client_for(provider_staff_of(asker)).post(
        f"/api/v1/clarifications/{clarification.uuid}/answer/", {"answer": "x"}
    )

    # The other agency cannot even see the unpublished question; the asker can, but may not answer.
    assert foreign.status_code == 404
    assert own.status_code == 403
    clarification.refresh_from_db()
    assert not clarification.is_answered


def test_an_empty_answer_is_a_400_on_answer(tender, asker):
    clarification = ClarificationFactory(tender=tender, asked_by_organization=asker.organization)

    response = client_for(commissioner_of(tender.lead_agency)).post(
        f"/api/v1/clarifications/{clarification.uuid}/answer/", {"answer": "  "}
    )

    assert response.status_code == 400
    assert "answer" in response.json()["errors"]
