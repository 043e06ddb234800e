"""Evaluation in two envelopes: a panel of at least three agency users declares conflicts,
scores quality independently, the chair moderates, and only when moderation is locked are
prices revealed, price scores computed and bids ranked per lot."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from evaluation.selectors.ratings import PastPerformance
from marketplace import scoring, selectors, services
from marketplace.models import BidResult, Criterion, ModeratedScore, Panel, Score, Tender
from tests.factories.accounts import user_with_role
from tests.factories.marketplace import (
    STANDARD_CRITERIA,
    TenderingTenderFactory,
    agency_user,
    bidder_of,
    commissioner_of,
    submitted_bids,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def bids(tender):
    return submitted_bids(tender, ["400000.00", "500000.00"])


@pytest.fixture
def commissioner(tender):
    return commissioner_of(tender.lead_agency)


@pytest.fixture
def people(tender):
    """A chair and two members, from the lead agency and a partner agency."""
    return {
        "chair": agency_user(tender.lead_agency),
        "alice": agency_user(tender.lead_agency),
        "bob": agency_user(),  # a partner agency: joint commissioning
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
def after_deadline(tender):
    with time_machine.travel(tender.submission_deadline + timedelta(minutes=1), tick=False):
        yield


def member(panel, user):
    return panel.members.get(user=user)


def criteria(tender):
    return {c.kind: c for c in tender.criteria.all()}


def declare_all(panel, conflicted=()):
    for panel_member in panel.members.all():
        has_conflict = panel_member.user in conflicted
        services.declare_conflict(
            member=panel_member,
            has_conflict=has_conflict,
            note="我的配偶在投标机构任职" if has_conflict else "",
        )


def score_everything(tender, panel, table):
    """``table``: user → [(quality, social value) per bid]; saved and submitted."""
    kinds = criteria(tender)
    bids = list(tender.bids.order_by("price"))
    for user, rows in table.items():
        panel_member = member(panel, user)
        for bid, (quality, social) in zip(bids, rows, strict=True):
            services.save_scores(
                member=panel_member,
                bid=bid,
                scores={
                    kinds[Criterion.Kind.QUALITY].pk: quality,
                    kinds[Criterion.Kind.SOCIAL_VALUE].pk: social,
                },
            )
        services.submit_scores(member=panel_member)


# --- the panel --------------------------------------------------------------


def test_a_commissioner_names_a_panel_of_agency_users_and_the_chair_sits_on_it(
    tender, panel, people
):
    assert panel.chair == people["chair"]
    assert {m.user for m in panel.members.all()} == set(people.values())
    assert all(m.conflict_declared_at is None for m in panel.members.all())


def test_only_a_commissioner_of_the_lead_agency_names_the_panel(tender, people):
    with pytest.raises(PermissionDenied):
        services.set_panel(tender=tender, chair=people["chair"], members=[], actor=people["alice"])
    with pytest.raises(PermissionDenied):
        services.set_panel(
            tender=tender, chair=people["chair"], members=[], actor=commissioner_of(None)
        )


def test_provider_people_cannot_sit_on_a_panel(tender, commissioner, bids):
    with pytest.raises(ApplicationError) as refused:
        services.set_panel(
            tender=tender,
            chair=agency_user(tender.lead_agency),
            members=[agency_user(tender.lead_agency), bidder_of(bids[0].provider)],
            actor=commissioner,
        )
    assert "agency users" in refused.value.field_errors["members"][0]


def test_a_panel_of_two_is_refused_with_a_field_error_naming_the_minimum(
    tender, commissioner, people
):
    # The chair counts once, even when also ticked as a member.
    for members in ([people["alice"]], [people["chair"], people["alice"]]):
        with pytest.raises(ApplicationError) as refused:
            services.set_panel(
                tender=tender, chair=people["chair"], members=members, actor=commissioner
            )
        assert refused.value.field_errors["members"] == [
            "A panel has at least 3 members, the chair included: add 1 more."
        ]
    assert not Panel.objects.filter(tender=tender).exists()


def test_a_panel_cannot_shrink_below_the_minimum(tender, commissioner, people, panel):
    with pytest.raises(ApplicationError) as refused:
        services.set_panel(
            tender=tender, chair=people["chair"], members=[people["bob"]], actor=commissioner
        )
    assert "at least 3 members" in refused.value.field_errors["members"][0]
    assert {m.user for m in panel.members.all()} == set(people.values())


def test_the_minimum_panel_size_is_a_setting(tender, commissioner, people, settings):
    settings.PANEL_MIN_MEMBERS = 4
    with pytest.raises(ApplicationError) as refused:
        services.set_panel(
            tender=tender,
            chair=people["chair"],
            members=[people["alice"], people["bob"]],
            actor=commissioner,
        )
    assert refused.value.field_errors["members"] == [
        "A panel has at least 4 members, the chair included: add 1 more."
    ]
    panel = services.set_panel(
        tender=tender,
        chair=people["chair"],
        members=[people["alice"], people["bob"], agency_user()],
        actor=commissioner,
    )
    assert panel.members.count() == 4


def test_a_conflict_needs_a_note_and_a_declaration_is_made_once(panel, people):
    alice = member(panel, people["alice"])
    with pytest.raises(ApplicationError) as refused:
        services.declare_conflict(member=alice, has_conflict=True, note=" ")
    assert "note" in refused.value.field_errors

    services.declare_conflict(member=alice, has_conflict=False)
    with pytest.raises(ApplicationError, match="already declared"):
        services.declare_conflict(member=alice, has_conflict=False)
    # a conflict found later can still be declared
    declared = services.declare_conflict(member=alice, has_conflict=True, note="发现亲属关系")
    assert declared.has_conflict


def test_members_declare_for_themselves(panel, people):
    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            member=member(panel, people["alice"]), has_conflict=False, user=people["bob"]
        )


# --- scoring ----------------------------------------------------------------


def test_nobody_scores_before_the_deadline(tender, bids, panel, people):
    declare_all(panel)
    quality = criteria(tender)[Criterion.Kind.QUALITY]
    with (
        time_machine.travel(tender.submission_deadline - timedelta(seconds=1), tick=False),
        pytest.raises(ApplicationError) as refused,
    ):
        services.save_scores(
            member=member(panel, people["alice"]), bid=bids[0], scores={quality.pk: 7}
        )
    assert refused.value.code == "sealed"


def test_scoring_after_the_deadline_moves_the_tender_to_evaluation_if_beat_has_not(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    quality = criteria(tender)[Criterion.Kind.QUALITY]
    services.save_scores(member=member(panel, people["alice"]), bid=bids[0], scores={quality: 7})
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATION


def test_a_member_must_declare_before_scoring_and_a_conflicted_member_never_scores(
    tender, bids, panel, people, after_deadline
):
    quality = criteria(tender)[Criterion.Kind.QUALITY]
    alice, bob = member(panel, people["alice"]), member(panel, people["bob"])
    with pytest.raises(ApplicationError) as refused:
        services.save_scores(member=alice, bid=bids[0], scores={quality.pk: 7})
    assert refused.value.code == "undeclared"

    services.declare_conflict(member=bob, has_conflict=True, note="曾任投标机构理事")
    with pytest.raises(PermissionDenied):
        services.save_scores(member=bob, bid=bids[0], scores={quality.pk: 7})
    assert not selectors.bids_visible_to(people["bob"], tender).exists()


def test_only_quality_and_social_value_are_scored_from_zero_to_ten(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    kinds = criteria(tender)
    alice = member(panel, people["alice"])
    with pytest.raises(ApplicationError, match="computed"):
        services.save_scores(member=alice, bid=bids[0], scores={kinds["price"].pk: 9})
    for bad in ("10.5", "-1", "abc", "7.123"):
        with pytest.raises(ApplicationError) as refused:
            services.save_scores(member=alice, bid=bids[0], scores={kinds["quality"].pk: bad})
        assert "from 0 to 10" in str(refused.value.field_errors)
    services.save_scores(member=alice, bid=bids[0], scores={kinds["quality"].pk: "7.25"})
    assert Score.objects.get(member=alice).score == D("7.25")


def test_members_do_not_see_each_others_scores_until_they_submit_their_own(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    score_everything(tender, panel, {people["alice"]: [(8, 6), (5, 5)]})
    kinds = criteria(tender)
    bob = member(panel, people["bob"])
    services.save_scores(
        member=bob, bid=bids[0], scores={kinds["quality"].pk: 6, kinds["social_value"].pk: 6}
    )

    visible_to_bob = selectors.scores_visible_to(people["bob"], tender)
    assert {score.member.user for score in visible_to_bob} == {people["bob"]}

    services.save_scores(
        member=bob, bid=bids[1], scores={kinds["quality"].pk: 6, kinds["social_value"].pk: 6}
    )
    services.submit_scores(member=bob)
    visible_to_bob = selectors.scores_visible_to(people["bob"], tender)
    assert {score.member.user for score in visible_to_bob} == {people["alice"], people["bob"]}
    # the chair has not submitted: still sees nothing of the others
    assert not selectors.scores_visible_to(people["chair"], tender).exists()


def test_a_member_submits_only_a_complete_score_sheet_and_then_it_is_final(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    kinds = criteria(tender)
    alice = member(panel, people["alice"])
    services.save_scores(member=alice, bid=bids[0], scores={kinds["quality"].pk: 7})
    with pytest.raises(ApplicationError, match="3 scores are missing"):
        services.submit_scores(member=alice)
    score_everything(tender, panel, {people["alice"]: [(7, 7), (6, 6)]})
    with pytest.raises(ApplicationError) as refused:
        services.save_scores(member=alice, bid=bids[0], scores={kinds["quality"].pk: 9})
    assert refused.value.code == "submitted"


def test_members_score_and_submit_in_their_own_seat_only(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    quality = criteria(tender)[Criterion.Kind.QUALITY]
    alice = member(panel, people["alice"])
    for someone_else in (people["bob"], people["chair"], commissioner_of(tender.lead_agency)):
        with pytest.raises(PermissionDenied):
            services.save_scores(
                member=alice, bid=bids[0], scores={quality.pk: 7}, user=someone_else
            )
        with pytest.raises(PermissionDenied):
            services.submit_scores(member=alice, user=someone_else)
    assert not Score.objects.filter(member=alice).exists()

    services.save_scores(member=alice, bid=bids[0], scores={quality.pk: 7}, user=people["alice"])
    assert Score.objects.filter(member=alice).count() == 1


# --- moderation and the second envelope -------------------------------------


def test_moderation_waits_for_every_member_and_flags_wide_disagreements(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    kinds = criteria(tender)
    quality = kinds[Criterion.Kind.QUALITY]
    score_everything(tender, panel, {people["alice"]: [(9, 6), (5, 5)]})
    with pytest.raises(ApplicationError) as refused:
        services.moderate(
            panel=panel, bid=bids[0], criterion=quality, score=7, note="", chair=people["chair"]
        )
    assert refused.value.code == "scores_outstanding"

    score_everything(
        tender, panel, {people["bob"]: [(4, 6), (5, 5)], people["chair"]: [(6, 6), (5, 5)]}
    )
    lines = {
        (line.bid.pk, line.criterion.kind): line for line in selectors.moderation_lines(tender)
    }
    assert lines[(bids[0].pk, "quality")].flagged  # 9 and 4: five points apart
    assert lines[(bids[0].pk, "quality")].mean == D("6.33")
    assert not lines[(bids[1].pk, "quality")].flagged

    with pytest.raises(ApplicationError) as refused:
        services.moderate(
            panel=panel, bid=bids[0], criterion=quality, score=7, note="", chair=people["chair"]
        )
    assert "disagreed" in refused.value.field_errors["note"][0]

    moderated = services.moderate(
        panel=panel,
        bid=bids[0],
        criterion=quality,
        score="7",
        note="讨论后一致认为方案完整但人员配置偏弱",
        chair=people["chair"],
    )
    assert moderated.flagged_disagreement and moderated.score == D("7")
    # the members' own scores are kept as they were
    assert sorted(
        Score.objects.filter(bid=bids[0], criterion=quality).values_list("score", flat=True)
    ) == [
        D("4"),
        D("6"),
        D("9"),
    ]


def test_only_the_chair_moderates(tender, bids, panel, people, after_deadline):
    declare_all(panel)
    with pytest.raises(PermissionDenied):
        services.moderate(
            panel=panel,
            bid=bids[0],
            criterion=criteria(tender)["quality"],
            score=7,
            note="",
            chair=people["alice"],
        )


def test_locking_is_refused_while_a_flagged_disagreement_is_unmoderated(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    score_everything(
        tender,
        panel,
        {
            people["alice"]: [(9, 6), (5, 5)],
            people["bob"]: [(3, 6), (5, 5)],
            people["chair"]: [(6, 6), (5, 5)],
        },
    )
    with pytest.raises(ApplicationError) as refused:
        services.lock_moderation(panel=panel, chair=people["chair"])
    assert refused.value.code == "disagreements"


def test_prices_stay_hidden_from_the_panel_after_the_deadline_until_moderation_is_locked(
    tender, bids, panel, people, commissioner, after_deadline
):
    declare_all(panel)
    for user in (people["alice"], people["chair"], commissioner):
        seen = selectors.visible_bids(user, tender)
        assert len(seen) == 2
        assert all(bid.content_visible and bid.price is None for bid in seen)
        assert not any(selectors.can_view_bid_price(user, bid) for bid in bids)
    assert not selectors.opened_bids(tender).exists()
    assert not selectors.results_for(people["alice"], tender).exists()

    score_everything(
        tender,
        panel,
        {user: [(8, 6), (6, 7)] for user in people.values()},
    )
    services.lock_moderation(panel=panel, chair=people["chair"])

    for user in (people["alice"], people["chair"], commissioner):
        prices = sorted(bid.price for bid in selectors.visible_bids(user, tender))
        assert prices == [D("400000.00"), D("500000.00")]
    assert selectors.opened_bids(tender).count() == 2


def test_results_price_formula_neutral_past_performance_and_ranking(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel)
    # bid 0 is cheaper; bid 1 has the better proposal
    score_everything(tender, panel, {user: [(5, 5), (9, 8)] for user in people.values()})
    services.lock_moderation(panel=panel, chair=people["chair"])

    cheap, better = (BidResult.objects.get(bid=bid) for bid in bids)
    # price 40 %: lowest ÷ price × 40
    assert cheap.price_score == D("40.00")
    assert better.price_score == D("32.00")  # 400 000 ÷ 500 000 × 40
    # quality 40 %: score ÷ 10 × 40; social value 10 %
    assert (cheap.quality_score, better.quality_score) == (D("20.00"), D("36.00"))
    assert (cheap.social_value_score, better.social_value_score) == (D("5.00"), D("8.00"))
    # past performance 10 %: the same neutral score for everyone until ratings exist
    assert cheap.past_performance_score == better.past_performance_score == D("5.00")
    assert (cheap.total, better.total) == (D("70.00"), D("81.00"))
    assert (better.rank, cheap.rank) == (1, 2)


def test_a_moderated_score_replaces_the_members_mean(tender, bids, panel, people, after_deadline):
    declare_all(panel)
    score_everything(tender, panel, {user: [(6, 6), (6, 6)] for user in people.values()})
    services.moderate(
        panel=panel,
        bid=bids[0],
        criterion=criteria(tender)["quality"],
        score=10,
        note="",
        chair=people["chair"],
    )
    services.lock_moderation(panel=panel, chair=people["chair"])
    assert BidResult.objects.get(bid=bids[0]).quality_score == D("40.00")
    assert BidResult.objects.get(bid=bids[1]).quality_score == D("24.00")
    assert ModeratedScore.objects.count() == 1


def test_conflicted_members_do_not_hold_up_moderation_and_do_not_count(
    tender, bids, panel, people, after_deadline
):
    declare_all(panel, conflicted=[people["bob"]])
    score_everything(
        tender,
        panel,
        {people["alice"]: [(8, 8), (4, 4)], people["chair"]: [(8, 8), (4, 4)]},
    )
    services.lock_moderation(panel=panel, chair=people["chair"])
    assert BidResult.objects.get(bid=bids[0]).quality_score == D("32.00")


def test_ranks_are_per_lot(after_deadline_lots):
    tender, lot_bids = after_deadline_lots
    assert {
        lot: sorted(BidResult.objects.get(bid=bid).rank for bid in bids)
        for lot, bids in lot_bids.items()
    } == {1: [1, 2], 2: [1, 2]}


@pytest.fixture
def after_deadline_lots():
    from tests.factories.marketplace import LotFactory, locked_panel

    tender = TenderingTenderFactory(max_value=D("500000.00"))
    tender.lots.filter(number=1).update(max_value=D("250000.00"))
    second = LotFactory(tender=tender, number=2, max_value=D("250000.00"))
    lot_bids = {
        1: submitted_bids(tender, ["200000.00", "240000.00"]),
        2: submitted_bids(tender, ["210000.00", "190000.00"], lot=second),
    }
    with time_machine.travel(tender.submission_deadline + timedelta(minutes=1), tick=False):
        locked_panel(tender)
        services.compute_results(tender=tender)
        yield tender, lot_bids


def test_results_wait_for_the_lock(tender, bids, panel):
    with pytest.raises(ApplicationError) as refused:
        services.compute_results(tender=tender)
    assert refused.value.code == "not_locked"


# --- the formulas -------------------------------------------------------------


def test_price_points_are_lowest_price_over_bid_price_times_weight():
    assert scoring.price_points(price=D("400"), lowest=D("400"), weight=40) == D("40.00")
    assert scoring.price_points(price=D("600"), lowest=D("400"), weight=40) == D("26.67")


def test_panel_points_scale_a_ten_point_score_to_the_weight():
    assert scoring.panel_points(score=D("7.5"), weight=40) == D("30.00")
    assert scoring.panel_points(score=D("0"), weight=40) == D("0.00")


def test_disagreement_is_a_spread_above_the_threshold():
    assert not scoring.is_disagreement([D("5"), D("8")])  # exactly 3 apart
    assert scoring.is_disagreement([D("5"), D("8.01")])


def test_past_performance_is_neutral_for_a_provider_without_a_rating_in_the_categories():
    weights = {kind: weight for kind, _zh, _en, weight in STANDARD_CRITERIA}
    criterion = Criterion(kind=Criterion.Kind.PAST_PERFORMANCE, weight=weights["past_performance"])
    no_history = PastPerformance(score=None, count=0, ratings=())
    assert scoring.past_performance_score(no_history, criterion) == D("5.00")
    assert scoring.past_performance_basis(no_history)["neutral"] is True


def test_past_performance_puts_the_rating_on_the_panels_scale():
    criterion = Criterion(kind=Criterion.Kind.PAST_PERFORMANCE, weight=10)
    assert scoring.past_performance_score(PastPerformance(5.0, 40, ()), criterion) == D("10.00")
    assert scoring.past_performance_score(PastPerformance(1.0, 40, ()), criterion) == D("0.00")
    assert scoring.past_performance_score(PastPerformance(4.2, 9, ()), criterion) == D("8.00")


def test_ties_go_to_the_better_proposal_then_the_lower_price():
    standing = scoring.Standing
    a = standing(key=1, total=D("80"), panel_points=D("40"), price=D("500"), submitted_at=1)
    b = standing(key=2, total=D("80"), panel_points=D("45"), price=D("600"), submitted_at=2)
    c = standing(key=3, total=D("80"), panel_points=D("45"), price=D("550"), submitted_at=3)
    assert [s.key for s in scoring.ranked([a, b, c])] == [3, 2, 1]


def test_finance_officers_are_not_evaluators(tender, bids, after_deadline):
    finance = user_with_role("finance", tender.lead_agency)
    assert not selectors.bids_visible_to(finance, tender).exists()
