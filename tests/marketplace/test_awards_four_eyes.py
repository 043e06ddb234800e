"""Four eyes on awards: whoever recommended an award or chaired the panel that ranked the bids
never approves it — not through the service, the page or the API. Another commissioner or a
supervisor of the lead agency approves; each refusal says who may instead, the page offers
"approve" only to them, and the tender page shows who named the panel, chaired it,
recommended and approved the award, and when."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.formatting import moment_label
from marketplace import rules, services
from marketplace.models import Alert, Award, Commitment, Tender
from marketplace.selectors import awards as award_selectors
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    award_approver,
    commissioner_of,
    locked_panel,
    submitted_bids,
)

pytestmark = pytest.mark.django_db

APPROVE_BUTTON = "Approve the award"


@pytest.fixture
def tender():
    """A tender under evaluation whose two bids are ranked (moderation locked)."""
    tender = EvaluationTenderFactory()
    submitted_bids(tender, ["400000.00", "450000.00"])
    return tender


@pytest.fixture
def people(tender):
    """The lead agency's chair, recommender and the two who may approve, each by name."""
    agency = tender.lead_agency
    people = {
        "chair": commissioner_of(agency, display_name="Chen Chair"),
        "recommender": commissioner_of(agency, display_name="Rui Recommender"),
        "colleague": award_approver(tender, display_name="Cao Colleague"),
        "supervisor": award_approver(tender, role="supervisor", display_name="Su Supervisor"),
    }
    locked_panel(tender, chair=people["chair"])
    services.compute_results(tender=tender)
    return people


@pytest.fixture
def award(tender, people):
    return services.recommend_award(lot=tender.lots.get(number=1), actor=people["recommender"])


def refusal_of(user, award) -> str:
    with pytest.raises(PermissionDenied) as refused:
        services.approve_award(award=award, actor=user)
    return str(refused.value)


def assert_still_recommended(award):
    award.refresh_from_db()
    assert award.status == Award.Status.RECOMMENDED
    assert award.approved_by is None and award.notice_published_at is None
    assert not Commitment.objects.filter(award=award).exists()


# --- the services ---------------------------------------------------------------------


def test_the_recommender_cannot_approve_and_is_told_who_may(award, people):
    with translation.override("en"):
        refusal = refusal_of(people["recommender"], award)

    assert refusal.startswith("You recommended this award, so you do not approve it")
    assert "Who may approve it: Cao Colleague, Su Supervisor." in refusal
    assert_still_recommended(award)


def test_the_chair_cannot_approve_even_an_award_someone_else_recommended(award, people):
    with translation.override("en"):
        refusal = refusal_of(people["chair"], award)

    assert refusal.startswith("You chaired the evaluation panel, so you do not approve")
    assert "Who may approve it: Cao Colleague, Su Supervisor." in refusal
    assert "Chen Chair" not in refusal and "Rui Recommender" not in refusal
    assert_still_recommended(award)


def test_the_chair_who_recommended_cannot_approve_either(tender, people):
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=people["chair"])

    with translation.override("en"):
        refusal = refusal_of(people["chair"], award)

    assert "You recommended this award" in refusal
    assert "Rui Recommender" in refusal  # a commissioner who took no part may approve
    assert_still_recommended(award)


@pytest.mark.parametrize("approver", ["colleague", "supervisor"])
def test_another_commissioner_or_a_supervisor_of_the_lead_agency_approves(
    tender, award, people, approver
):
    approved = services.approve_award(award=award, actor=people[approver])

    assert approved.status == Award.Status.APPROVED
    assert approved.approved_by == people[approver]
    assert Commitment.objects.filter(award=award, created_by=people[approver]).exists()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED


def test_outsiders_are_refused_without_learning_who_approves(tender, award):
    outsider = user_with_role("supervisor", AgencyFactory())

    with translation.override("en"):
        refusal = refusal_of(outsider, award)

    assert "A commissioner or a supervisor of" in refusal
    assert "Cao Colleague" not in refusal and "Su Supervisor" not in refusal
    assert_still_recommended(award)


def test_when_nobody_else_may_approve_the_refusal_says_how_to_get_someone(people):
    tender = EvaluationTenderFactory()
    submitted_bids(tender, ["400000.00"])
    alone = commissioner_of(tender.lead_agency)
    locked_panel(tender, chair=alone)
    services.compute_results(tender=tender)
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=alone)

    with translation.override("en"):
        refusal = refusal_of(alone, award)

    assert "Nobody at" in refusal and "platform administrator" in refusal
    assert_still_recommended(award)


def test_the_rule_is_one_predicate_the_recommender_and_chair_fail(award, people):
    assert not rules.can_approve_award(people["recommender"], award)
    assert not rules.can_approve_award(people["chair"], award)
    assert rules.can_approve_award(people["colleague"], award)
    assert rules.can_approve_award(people["supervisor"], award)
    assert award_selectors.award_approvers(award) == [people["colleague"], people["supervisor"]]


def test_only_those_who_may_approve_are_alerted_of_the_recommendation(award, people):
    recipients = set(
        Alert.objects.filter(key=f"recommended-{award.uuid.hex}").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {people["colleague"].pk, people["supervisor"].pk}


# --- the pages --------------------------------------------------------------------------


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def awards_page(client, user, tender) -> str:
    client.force_login(user)
    response = client.get(reverse("marketplace:tender_awards", args=[tender.uuid]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("person", "reason"),
    [
        ("recommender", "You recommended this award, so you do not approve it"),
        ("chair", "You chaired the evaluation panel, so you do not approve its award"),
    ],
)
def test_the_page_does_not_offer_approval_to_the_recommender_or_chair_and_names_who_may(
    client_en, tender, award, people, person, reason
):
    page = awards_page(client_en, people[person], tender)

    assert APPROVE_BUTTON not in page
    assert reverse("marketplace:approve_award", args=[award.uuid]) not in page
    assert reason in page
    assert "Who may approve it: Cao Colleague, Su Supervisor." in page


@pytest.mark.parametrize("person", ["recommender", "chair"])
def test_approving_on_the_page_is_refused_to_the_recommender_and_chair(
    client_en, award, people, person
):
    client_en.force_login(people[person])

    response = client_en.post(reverse("marketplace:approve_award", args=[award.uuid]), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "so you do not approve" in page
    assert "Who may approve it: Cao Colleague, Su Supervisor." in page
    assert_still_recommended(award)


def test_a_supervisor_of_the_lead_agency_approves_on_the_page(client_en, tender, award, people):
    page = awards_page(client_en, people["supervisor"], tender)
    assert APPROVE_BUTTON in page

    response = client_en.post(reverse("marketplace:approve_award", args=[award.uuid]), follow=True)

    assert "Award approved and its notice published." in response.content.decode()
    award.refresh_from_db()
    assert (award.status, award.approved_by) == (Award.Status.APPROVED, people["supervisor"])


def test_a_supervisor_of_another_agency_finds_nothing_to_approve(client_en, award):
    client_en.force_login(user_with_role("supervisor", AgencyFactory()))

    response = client_en.post(reverse("marketplace:approve_award", args=[award.uuid]))

    assert response.status_code == 404
    assert_still_recommended(award)


def test_the_tender_page_shows_who_named_the_panel_chaired_recommended_and_approved(
    client_en, tender, people
):
    commissioner = commissioner_of(tender.lead_agency, display_name="Nie Namer")
    panel = tender.panel
    panel.created_by = commissioner
    panel.save(update_fields=["created_by"])
    recommended_at = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    approved_at = recommended_at + timedelta(hours=20)
    award = services.recommend_award(
        lot=tender.lots.get(number=1), actor=people["recommender"], now=recommended_at
    )
    overview = reverse("marketplace:manage_tender", args=[tender.uuid])

    client_en.force_login(people["recommender"])
    waiting = client_en.get(overview).content.decode()
    services.approve_award(award=award, actor=people["supervisor"], now=approved_at)
    client_en.force_login(people["chair"])
    decided = client_en.get(overview).content.decode()

    with translation.override("en"):
        named, locked, recommended, approved = (
            moment_label(moment)
            for moment in (panel.created_at, panel.quality_locked_at, recommended_at, approved_at)
        )
    assert "Who did what" in waiting
    assert f'by Nie Namer on <time datetime="{panel.created_at.isoformat()}">{named}' in waiting
    assert "Chen Chair" in waiting and f">{locked}</time>" in waiting
    assert "Recommended by Rui Recommender on <time datetime=" in waiting
    assert f">{recommended}</time>" in waiting
    # the commissioner who named the panel took no part in the award: they may approve it too
    assert "awaiting approval by Cao Colleague, Nie Namer, Su Supervisor" in waiting
    assert "approved by Su Supervisor" not in waiting

    assert f'approved by Su Supervisor on <time datetime="{approved_at.isoformat()}">' in decided
    assert f">{approved}</time>" in decided
    assert "awaiting approval" not in decided


# --- the API -----------------------------------------------------------------------------


def api_client(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("person", ["recommender", "chair"])
def test_the_api_refuses_the_recommender_and_chair_with_who_may_approve(award, people, person):
    response = api_client(people[person]).post(f"/api/v1/awards/{award.uuid}/approve/")

    assert response.status_code == 403
    assert "so you do not approve" in response.json()["detail"]
    assert "Who may approve it: Cao Colleague, Su Supervisor." in response.json()["detail"]
    assert_still_recommended(award)


def test_a_supervisor_of_the_lead_agency_approves_through_the_api(award, people):
    client = api_client(people["supervisor"])

    seen = client.get(f"/api/v1/tenders/{award.tender.uuid}/awards/")
    response = client.post(f"/api/v1/awards/{award.uuid}/approve/")

    assert [row["uuid"] for row in seen.json()] == [str(award.uuid)]
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    award.refresh_from_db()
    assert award.approved_by == people["supervisor"]
