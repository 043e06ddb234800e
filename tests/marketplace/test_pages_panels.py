"""Evaluation pages: the commissioner names the panel; each member declares conflicts before
any bid is shown; members score quality without prices and without seeing each other's
scores; the chair moderates flagged disagreements and locks, which reveals prices and the
ranking; awards are recommended, approved and complained about."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from marketplace import services
from marketplace.models import Award, Complaint, Criterion, ModeratedScore, PanelMember, Score
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    TenderingTenderFactory,
    agency_user,
    award_approver,
    bidder_of,
    commissioner_of,
    finance_of,
    submitted_bids,
)

pytestmark = pytest.mark.django_db

PRICES = ("400000.00", "450000.00")


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def bids(tender):
    bids = submitted_bids(tender, PRICES)
    for number, bid in enumerate(bids, start=1):
        bid.provider.organization.name_en = f"Bidder Number {number}"
        bid.provider.organization.save()
    return bids


@pytest.fixture
def commissioner(tender):
    return commissioner_of(tender.lead_agency)


@pytest.fixture
def people(tender):
    return {
        "chair": agency_user(tender.lead_agency, username="chair"),
        "alice": agency_user(tender.lead_agency, username="alice"),
        "bob": agency_user(username="bob"),  # from a partner agency
    }


@pytest.fixture
def panel(tender, commissioner, people):
    return services.set_panel(
        tender=tender,
        chair=people["chair"],
        members=[people["alice"], people["bob"]],
        actor=commissioner,
    )


@pytest.fixture
def after(tender):
    return tender.submission_deadline + timedelta(minutes=5)


def text(response) -> str:
    return response.content.decode()


@contextmanager
def signed_in_at(client, user, moment):
    with time_machine.travel(moment, tick=False):
        client.force_login(user)
        yield client


def url(name, tender, *args):
    return reverse(f"marketplace:{name}", args=[tender.uuid, *args])


def declare(panel, user, conflict=False):
    services.declare_conflict(
        member=panel.members.get(user=user),
        has_conflict=conflict,
        note="我的配偶在投标机构任职" if conflict else "",
    )


def kinds(tender):
    return {criterion.kind: criterion for criterion in tender.criteria.all()}


def score_data(tender, quality, social):
    criteria = kinds(tender)
    return {
        f"score_{criteria[Criterion.Kind.QUALITY].pk}": str(quality),
        f"score_{criteria[Criterion.Kind.SOCIAL_VALUE].pk}": str(social),
    }


# --- naming the panel --------------------------------------------------------------------


def test_a_commissioner_names_the_panel_from_agency_staff(client_en, tender, commissioner):
    chair = agency_user(tender.lead_agency, username="panel-chair")
    member = agency_user(tender.lead_agency, username="panel-member")
    second = agency_user(tender.lead_agency, username="panel-member-2")
    client_en.force_login(commissioner)
    page = text(client_en.get(url("panel_setup", tender)))
    assert str(chair) in page and str(member) in page
    assert "A panel has at least 3 members, the chair included." in page

    response = client_en.post(
        url("panel_setup", tender), {"chair": chair.pk, "members": [member.pk, second.pk]}
    )

    assert response.status_code == 302
    assert set(PanelMember.objects.values_list("user__username", flat=True)) == {
        "panel-chair",
        "panel-member",
        "panel-member-2",
    }
    progress = text(client_en.get(url("panel_setup", tender)))
    assert "Not declared yet" in progress
    assert f"Named by {commissioner} on" in progress


def test_a_panel_of_two_is_refused_next_to_the_members_field(client_en, tender, commissioner):
    chair = agency_user(tender.lead_agency)
    member = agency_user(tender.lead_agency)
    client_en.force_login(commissioner)

    response = client_en.post(
        url("panel_setup", tender), {"chair": chair.pk, "members": [member.pk]}
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["members"] == [
        "A panel has at least 3 members, the chair included: add 1 more."
    ]
    assert 'id="id_members_error"' in text(response)
    assert not PanelMember.objects.exists()


def test_only_the_lead_agency_commissioners_name_the_panel(client_en, tender, people):
    for outsider in (commissioner_of(AgencyFactory()), finance_of(tender.lead_agency)):
        client_en.force_login(outsider)
        response = client_en.post(
            url("panel_setup", tender),
            {"chair": people["chair"].pk, "members": [people["alice"].pk]},
        )
        assert response.status_code == 404
    assert not PanelMember.objects.exists()


# --- declaring before seeing anything -------------------------------------------------------


def test_a_member_sees_no_bid_before_declaring_even_after_the_deadline(
    client_en, tender, bids, panel, people, after
):
    with signed_in_at(client_en, people["alice"], after):
        page = text(client_en.get(url("evaluation", tender)))
        score_page = client_en.get(url("score_bid", tender, bids[0].uuid))

    assert "First, declare any conflict of interest" in page
    assert "Bidder Number" not in page
    assert score_page.status_code == 404


def test_a_declared_member_waits_for_the_deadline(client_en, tender, bids, panel, people):
    client_en.force_login(people["alice"])
    client_en.post(url("declare_conflict", tender), {"has_conflict": "no"})

    page = text(client_en.get(url("evaluation", tender)))

    assert "Bids are sealed until" in page
    assert "Bidder Number" not in page
    assert client_en.get(url("score_bid", tender, bids[0].uuid)).status_code == 404


def test_a_member_with_a_conflict_never_sees_the_bids(
    client_en, tender, bids, panel, people, after
):
    client_en.force_login(people["bob"])
    missing_note = client_en.post(url("declare_conflict", tender), {"has_conflict": "yes"})
    client_en.post(
        url("declare_conflict", tender), {"has_conflict": "yes", "note": "I advise bidder 1."}
    )

    with signed_in_at(client_en, people["bob"], after):
        page = text(client_en.get(url("evaluation", tender)))
        score_page = client_en.get(url("score_bid", tender, bids[0].uuid))

    assert missing_note.status_code == 302
    member = panel.members.get(user=people["bob"])
    assert member.has_conflict and member.conflict_note == "I advise bidder 1."
    assert "You declared a conflict of interest" in page
    assert "Bidder Number" not in page
    assert score_page.status_code == 404


def test_people_not_on_the_panel_get_404(client_en, tender, bids, panel, after):
    with signed_in_at(client_en, agency_user(tender.lead_agency), after):
        assert client_en.get(url("evaluation", tender)).status_code == 404
        assert client_en.get(url("score_bid", tender, bids[0].uuid)).status_code == 404
        assert client_en.get(url("moderation", tender)).status_code == 404
    with signed_in_at(client_en, bidder_of(bids[0].provider), after):
        assert client_en.get(url("evaluation", tender)).status_code == 404


# --- scoring without prices ------------------------------------------------------------------


def test_members_score_quality_without_seeing_prices(client_en, tender, bids, panel, people, after):
    declare(panel, people["alice"])

    with signed_in_at(client_en, people["alice"], after):
        listing = text(client_en.get(url("evaluation", tender)))
        score_page = text(client_en.get(url("score_bid", tender, bids[0].uuid)))
        saved = client_en.post(url("score_bid", tender, bids[0].uuid), score_data(tender, 7, 6))

    assert "Bidder Number 1" in listing and "Bidder Number 2" in listing
    assert "服务方案" in score_page  # the bidder's response is shown
    for page in (listing, score_page):
        assert "400,000" not in page and "450,000" not in page
    assert saved.status_code == 302
    assert Score.objects.filter(member__user=people["alice"]).count() == 2


def test_a_score_out_of_range_comes_back_next_to_the_field(
    client_en, tender, bids, panel, people, after
):
    declare(panel, people["alice"])

    with signed_in_at(client_en, people["alice"], after):
        response = client_en.post(url("score_bid", tender, bids[0].uuid), score_data(tender, 11, 6))

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 10" in text(response)
    assert not Score.objects.exists()


def test_members_see_each_others_scores_only_after_submitting_their_own(
    client_en, tender, bids, panel, people, after
):
    for user in people.values():
        declare(panel, user)
    with time_machine.travel(after, tick=False):
        for user, score in ((people["chair"], 9), (people["bob"], 3)):
            member = panel.members.get(user=user)
            for bid in bids:
                services.save_scores(
                    member=member,
                    bid=bid,
                    scores={
                        kinds(tender)[Criterion.Kind.QUALITY].pk: score,
                        kinds(tender)[Criterion.Kind.SOCIAL_VALUE].pk: score,
                    },
                )
            services.submit_scores(member=member)

    with signed_in_at(client_en, people["alice"], after):
        before = text(client_en.get(url("evaluation", tender)))
        for bid in bids:
            client_en.post(url("score_bid", tender, bid.uuid), score_data(tender, 6, 6))
        submitted = client_en.post(url("submit_scores", tender), follow=True)

    assert "Other members&#x27; submitted scores" not in before
    assert "9.00" not in before and "3.00" not in before
    page = text(submitted)
    assert "Scores submitted." in page
    assert "9.00" in page and "3.00" in page


# --- moderation, lock, results, awards -----------------------------------------------------------


@pytest.fixture
def scored(tender, bids, panel, people, after):
    """Everyone declared and submitted; the members disagree widely on bid 1's quality."""
    for user in people.values():
        declare(panel, user)
    table = {"chair": (9, 7), "alice": (8, 7), "bob": (2, 7)}
    with time_machine.travel(after, tick=False):
        for name, (quality, social) in table.items():
            member = panel.members.get(user=people[name])
            for bid in bids:
                services.save_scores(
                    member=member,
                    bid=bid,
                    scores={
                        kinds(tender)[Criterion.Kind.QUALITY].pk: quality if bid == bids[0] else 6,
                        kinds(tender)[Criterion.Kind.SOCIAL_VALUE].pk: social,
                    },
                )
            services.submit_scores(member=member)
    return panel


def test_the_chair_moderates_a_flagged_disagreement_with_a_note_then_locks(
    client_en, tender, bids, scored, people, after
):
    quality = kinds(tender)[Criterion.Kind.QUALITY]
    moderate_url = url("moderate", tender, bids[0].uuid, quality.pk)
    prefix = f"moderate-{bids[0].uuid}-{quality.pk}"

    with signed_in_at(client_en, people["chair"], after):
        page = text(client_en.get(url("moderation", tender)))
        too_early = client_en.post(url("lock_moderation", tender), follow=True)
        no_note = client_en.post(moderate_url, {f"{prefix}-score": "7"})
        noted = client_en.post(
            moderate_url, {f"{prefix}-score": "7", f"{prefix}-note": "Agreed after discussion."}
        )
        locked = client_en.post(url("lock_moderation", tender), follow=True)

    assert "Wide disagreement" in page
    assert "400,000" not in page and "450,000" not in page
    assert "Moderate the 1 flagged disagreements before locking." in text(too_early)
    assert no_note.status_code == 400
    assert "note how the panel settled the score" in text(no_note)
    assert noted.status_code == 302
    assert ModeratedScore.objects.get().note == "Agreed after discussion."
    results = text(locked)
    assert "Prices are revealed" in results
    assert "¥400,000.00" in results and "¥450,000.00" in results
    assert "Recommend the award of lot 1" in results


def test_only_the_chair_opens_moderation(client_en, tender, bids, scored, people, after):
    with signed_in_at(client_en, people["alice"], after):
        assert client_en.get(url("moderation", tender)).status_code == 404
        assert client_en.post(url("lock_moderation", tender)).status_code == 404


def _lock(tender, scored, people, after, bids):
    quality = kinds(tender)[Criterion.Kind.QUALITY]
    with time_machine.travel(after, tick=False):
        services.moderate(
            panel=scored,
            bid=bids[0],
            criterion=quality,
            score=7,
            note="Agreed.",
            chair=people["chair"],
        )
        services.lock_moderation(panel=scored, chair=people["chair"])


def test_the_chair_recommends_and_a_commissioner_approves_the_award(
    client_en, tender, bids, scored, people, commissioner, after
):
    _lock(tender, scored, people, after, bids)
    lot = tender.lots.get()

    with signed_in_at(client_en, people["chair"], after):
        passed_over = client_en.post(
            url("recommend_award", tender, lot.number), {"lot-1-bid": str(bids[1].uuid)}
        )
        recommended = client_en.post(
            url("recommend_award", tender, lot.number), {"lot-1-bid": str(bids[0].uuid)}
        )
    assert passed_over.status_code == 302 and recommended.status_code == 302
    award = Award.objects.get()
    assert award.bid == bids[0] and award.status == Award.Status.RECOMMENDED

    with signed_in_at(client_en, commissioner, after):
        page = text(client_en.get(url("tender_awards", tender)))
        approved = client_en.post(
            reverse("marketplace:approve_award", args=[award.uuid]), follow=True
        )

    assert "Approve the award" in page
    award.refresh_from_db()
    assert award.status == Award.Status.APPROVED
    assert "standstill ends on" in text(approved)
    public = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))
    assert "Bidder Number 1" in public and "¥400,000.00" in public


def test_a_commissioner_answers_a_complaint(
    client_en, tender, bids, scored, people, commissioner, after
):
    _lock(tender, scored, people, after, bids)
    with time_machine.travel(after, tick=False):
        award = services.recommend_award(lot=tender.lots.get(), actor=commissioner)
        award = services.approve_award(award=award, actor=award_approver(tender))
        complaint = services.lodge_complaint(
            award=award,
            bid=bids[1],
            user=bidder_of(bids[1].provider),
            text="Our plan was scored too low.",
        )
    prefix = f"complaint-{complaint.uuid}"

    with signed_in_at(client_en, commissioner, after + timedelta(hours=1)):
        page = text(client_en.get(url("tender_awards", tender)))
        empty = client_en.post(
            reverse("marketplace:resolve_complaint", args=[complaint.uuid]),
            {f"{prefix}-outcome": "dismissed"},
        )
        done = client_en.post(
            reverse("marketplace:resolve_complaint", args=[complaint.uuid]),
            {f"{prefix}-outcome": "dismissed", f"{prefix}-response": "The scores stand."},
        )

    assert "Our plan was scored too low." in page
    assert empty.status_code == 400
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISMISSED
    assert complaint.response == "The scores stand."


def test_my_panels_lists_the_tenders_a_person_evaluates(client_en, tender, panel, people):
    client_en.force_login(people["bob"])

    page = text(client_en.get(reverse("marketplace:my_panels")))

    assert tender.reference in page
    assert "Declare your conflicts of interest." in page


def test_results_are_hidden_until_the_lock(client_en, tender, bids, scored, people, after):
    with signed_in_at(client_en, people["chair"], after):
        page = text(client_en.get(url("results", tender)))

    assert "Results appear once the panel chair has locked the moderated scores." in page
    assert "400,000" not in page and "450,000" not in page
