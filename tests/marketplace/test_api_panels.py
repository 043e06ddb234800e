"""Panel evaluation through the API: the commissioner names the panel, members declare
conflicts before they see a bid, score independently and submit, the chair moderates and
locks — only then do prices open and results rank the bids."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from marketplace.models import Criterion, Score
from tests.factories.accounts import user_with_role
from tests.factories.marketplace import (
    TenderingTenderFactory,
    agency_user,
    bidder_of,
    commissioner_of,
    submitted_bids,
)

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def bids(tender):
    return submitted_bids(tender, ["400000.00", "500000.00"])


@pytest.fixture
def people(tender):
    return {
        "commissioner": commissioner_of(tender.lead_agency),
        "chair": agency_user(tender.lead_agency),
        "alice": agency_user(),  # from a partner agency: joint commissioning
        "bob": agency_user(tender.lead_agency),
    }


@pytest.fixture
def panel(tender, people):
    response = client_for(people["commissioner"]).put(
        url(tender, "panel/"),
        {
            "chair": str(people["chair"].uuid),
            "members": [str(people["alice"].uuid), str(people["bob"].uuid)],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def after_deadline(tender):
    with time_machine.travel(tender.submission_deadline + timedelta(minutes=1), tick=False):
        yield


def url(tender, suffix=""):
    return f"/api/v1/tenders/{tender.uuid}/{suffix}"


def number(tender, kind):
    return tender.criteria.get(kind=kind).order


def score_rows(tender, quality, social):
    return [
        {"criterion": number(tender, Criterion.Kind.QUALITY), "score": quality},
        {"criterion": number(tender, Criterion.Kind.SOCIAL_VALUE), "score": social, "comment": ""},
    ]


def declare(tender, user, has_conflict=False, note=""):
    return client_for(user).post(
        url(tender, "panel/conflict/"), {"has_conflict": has_conflict, "note": note}, format="json"
    )


def score_and_submit(tender, user, bids, rows):
    client = client_for(user)
    for bid, (quality, social) in zip(bids, rows, strict=True):
        response = client.post(
            url(tender, "scores/"),
            {"bid": str(bid.uuid), "scores": score_rows(tender, quality, social)},
            format="json",
        )
        assert response.status_code == 200, response.json()
    submitted = client.post(url(tender, "scores/submit/"))
    assert submitted.status_code == 200, submitted.json()
    return submitted.json()


# --- the panel ----------------------------------------------------------------------------


def test_the_commissioner_names_the_panel_and_the_chair_sits_on_it(tender, panel, people):
    assert panel["chair"]["uuid"] == str(people["chair"].uuid)
    assert {m["user"]["uuid"] for m in panel["members"]} == {
        str(people["chair"].uuid),
        str(people["alice"].uuid),
        str(people["bob"].uuid),
    }
    assert not any(m["declared"] for m in panel["members"])


def test_a_panel_of_two_is_a_400_naming_the_minimum_on_members(tender, people):
    response = client_for(people["commissioner"]).put(
        url(tender, "panel/"),
        {"chair": str(people["chair"].uuid), "members": [str(people["alice"].uuid)]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "members": ["A panel has at least 3 members, the chair included: add 1 more."]
    }
    assert client_for(people["commissioner"]).get(url(tender, "panel/")).status_code == 404


def test_a_browser_asking_for_html_gets_the_panel_as_json_not_an_error(tender, panel, people):
    # DRF's browsable HTML page built a tender form for the panel and failed (a 500).
    response = client_for(people["commissioner"]).get(
        url(tender, "panel/"), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["chair"]["uuid"] == str(people["chair"].uuid)
    assert (
        client_for(people["commissioner"]).get(url(tender, "panel/") + "?format=api").status_code
        == 404
    )


def test_only_agency_users_sit_on_a_panel(tender, people):
    outsider = bidder_of(submitted_bids(tender, ["1.00"])[0].provider)

    response = client_for(people["commissioner"]).put(
        url(tender, "panel/"),
        {
            "chair": str(people["chair"].uuid),
            "members": [str(people["alice"].uuid), str(outsider.uuid)],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "agency users" in response.json()["errors"]["members"][0]


def test_unknown_people_are_a_400_on_the_field(tender, people):
    response = client_for(people["commissioner"]).put(
        url(tender, "panel/"),
        {"chair": "00000000-0000-0000-0000-000000000000", "members": ["nobody"]},
        format="json",
    )

    assert response.status_code == 400
    assert {"chair", "members"} <= set(response.json()["errors"])


def test_only_the_lead_agencys_commissioners_name_the_panel(tender, people):
    response = client_for(people["alice"]).put(
        url(tender, "panel/"),
        {"chair": str(people["alice"].uuid), "members": []},
        format="json",
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "make_user",
    [
        lambda tender: agency_user(tender.lead_agency),
        lambda tender: user_with_role("platform_admin"),
        lambda tender: bidder_of(submitted_bids(tender, ["1.00"])[0].provider),
    ],
    ids=["colleague not on the panel", "platform admin", "bidder"],
)
def test_the_panel_is_seen_by_its_members_and_the_commissioners_only(tender, panel, make_user):
    assert client_for(make_user(tender)).get(url(tender, "panel/")).status_code == 404


def test_a_conflict_is_declared_with_what_it_is(tender, panel, people):
    refused = declare(tender, people["alice"], has_conflict=True)
    declared = declare(tender, people["alice"], has_conflict=True, note="配偶在投标机构任职")

    assert refused.status_code == 400
    assert "note" in refused.json()["errors"]
    assert declared.status_code == 200
    alice = next(
        m for m in declared.json()["members"] if m["user"]["uuid"] == str(people["alice"].uuid)
    )
    assert alice["declared"] and alice["has_conflict"]


def test_someone_not_on_the_panel_has_nothing_to_declare(tender, panel):
    assert declare(tender, agency_user(tender.lead_agency)).status_code == 404


# --- scoring ------------------------------------------------------------------------------


def test_bids_cannot_be_scored_before_the_deadline(tender, bids, panel, people):
    declare(tender, people["alice"])

    response = client_for(people["alice"]).post(
        url(tender, "scores/"),
        {"bid": str(bids[0].uuid), "scores": score_rows(tender, 7, 7)},
        format="json",
    )

    assert response.status_code == 400
    assert not Score.objects.exists()


def test_a_member_who_has_not_declared_cannot_score(tender, bids, panel, people, after_deadline):
    response = client_for(people["alice"]).post(
        url(tender, "scores/"),
        {"bid": str(bids[0].uuid), "scores": score_rows(tender, 7, 7)},
        format="json",
    )

    assert response.status_code == 400
    assert not Score.objects.exists()


def test_a_score_out_of_range_is_a_400(tender, bids, panel, people, after_deadline):
    declare(tender, people["alice"])

    response = client_for(people["alice"]).post(
        url(tender, "scores/"),
        {"bid": str(bids[0].uuid), "scores": score_rows(tender, 11, 7)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]


def test_members_score_independently_until_they_submit(tender, bids, panel, people, after_deadline):
    for user in (people["chair"], people["alice"]):
        assert declare(tender, user).status_code == 200
    alice = client_for(people["alice"])

    score_and_submit(tender, people["chair"], bids, [(8, 7), (6, 6)])
    alice.post(
        url(tender, "scores/"),
        {"bid": str(bids[0].uuid), "scores": score_rows(tender, 7, 7)},
        format="json",
    )
    before = alice.get(url(tender, "scores/")).json()
    alice.post(
        url(tender, "scores/"),
        {"bid": str(bids[1].uuid), "scores": score_rows(tender, 6, 5)},
        format="json",
    )
    submitted = alice.post(url(tender, "scores/submit/")).json()
    after = alice.get(url(tender, "scores/")).json()

    assert {row["member"]["uuid"] for row in before} == {str(people["alice"].uuid)}
    assert submitted == {"submitted": 4}
    assert {row["member"]["uuid"] for row in after} == {
        str(people["alice"].uuid),
        str(people["chair"].uuid),
    }


def test_the_whole_evaluation_ends_with_ranked_results_and_open_prices(
    tender, bids, panel, people, after_deadline
):
    for user in (people["chair"], people["alice"], people["bob"]):
        declare(tender, user)
    score_and_submit(tender, people["chair"], bids, [(8, 7), (6, 6)])
    score_and_submit(tender, people["alice"], bids, [(8, 8), (7, 6)])
    score_and_submit(tender, people["bob"], bids, [(7, 7), (6, 6)])
    chair = client_for(people["chair"])
    alice = client_for(people["alice"])

    lines = chair.get(url(tender, "moderation/")).json()
    no_price_yet = alice.get(f"/api/v1/bids/{bids[0].uuid}/").json()
    refused = alice.post(url(tender, "moderation/lock/"))
    moderated = chair.post(
        url(tender, "moderation/"),
        {
            "bid": str(bids[1].uuid),
            "criterion": number(tender, Criterion.Kind.QUALITY),
            "score": "6.50",
            "note": "取中间值",
        },
        format="json",
    )
    no_results_yet = alice.get(url(tender, "results/")).json()
    locked = chair.post(url(tender, "moderation/lock/"))
    results = alice.get(url(tender, "results/")).json()
    priced = alice.get(f"/api/v1/bids/{bids[0].uuid}/").json()

    assert len(lines) == 4  # two bids × quality and social value
    assert all(len(line["scores"]) == 3 for line in lines)
    assert "price" not in no_price_yet
    assert refused.status_code == 403
    assert moderated.status_code == 200, moderated.json()
    assert no_results_yet == []
    assert locked.status_code == 200, locked.json()
    assert locked.json()["quality_locked_at"]
    assert [(row["bid"], row["rank"]) for row in results] == [
        (str(bids[0].uuid), 1),
        (str(bids[1].uuid), 2),
    ]
    assert priced["price"] == "400000.00"


def test_moderation_is_the_chairs_and_hidden_from_outsiders(tender, bids, panel, people):
    with time_machine.travel(tender.submission_deadline + timedelta(minutes=1), tick=False):
        member = client_for(people["alice"]).get(url(tender, "moderation/"))
        outsider = client_for(agency_user(tender.lead_agency)).get(url(tender, "moderation/"))

    assert member.status_code == 403
    assert outsider.status_code == 404


def test_results_stay_empty_for_people_who_do_not_evaluate(tender, bids, panel, people):
    finance = user_with_role("finance", organization=tender.lead_agency)
    with time_machine.travel(tender.submission_deadline + timedelta(days=1), tick=False):
        response = client_for(finance).get(url(tender, "results/"))

    assert response.json() == []
