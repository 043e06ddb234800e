"""Marketplace demo data (issue #4, point 12): pooled budgets from several funders and
tenders in every state, built through the services at past moments, idempotently.

The demo is seeded once for the module (with the parties, users and providers it
builds on; real Shanghai districts stand in for ``load_areas``), twice, in a
transaction rolled back at the end.
"""

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from demo import accounts as accounts_demo
from demo import marketplace as marketplace_demo
from demo import providers as providers_demo
from marketplace import rules, selectors
from marketplace.models import (
    TENDER_TRANSITIONS,
    Alert,
    Award,
    Bid,
    Commitment,
    Contribution,
    PooledBudget,
    Score,
    Tender,
    TenderEvent,
)
from tests.factories.places import shanghai_district
from tests.marketplace._ocds import assert_valid

pytestmark = pytest.mark.django_db

State = Tender.Status


def _counts() -> dict[str, int]:
    from marketplace import models

    return {
        name: getattr(models, name).objects.count()
        for name in (
            "PooledBudget",
            "Contribution",
            "Commitment",
            "Tender",
            "TenderEvent",
            "Clarification",
            "Bid",
            "BidResponse",
            "Panel",
            "PanelMember",
            "Score",
            "ModeratedScore",
            "BidResult",
            "Award",
            "Alert",
        )
    } | {"users": User.objects.count()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        for code, (name_zh, name_en) in accounts_demo.DISTRICTS.items():
            shanghai_district(code, name_zh=name_zh, name_en=name_en)
        parties = accounts_demo.seed_parties()
        accounts_demo.seed_users(parties, password="demo-pass-2026")
        providers_demo.seed_providers(parties, password="demo-pass-2026")
        with TestCase.captureOnCommitCallbacks() as queued:
            first = marketplace_demo.seed_marketplace(parties)
        counts = _counts()
        second = marketplace_demo.seed_marketplace(parties)
        yield {
            "first": first,
            "second": second,
            "counts": (counts, _counts()),
            "queued": queued,
        }
        transaction.set_rollback(True)


HUANGPU_CASEWORK = "黄浦区低保家庭社会工作个案服务项目"


def _tender(state: str) -> Tender:
    if state == State.COMPLETE:
        return Tender.objects.get(status=state, title_zh=HUANGPU_CASEWORK)
    return Tender.objects.get(status=state)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_a_second_run_creates_nothing_and_no_mail_is_queued_for_the_history(seeded):
    first_counts, second_counts = seeded["counts"]
    assert first_counts == second_counts
    assert seeded["first"] == seeded["second"]
    # Told after the fact: no alert e-mail or assessment summary goes out for it.
    assert seeded["queued"] == []


def test_a_tender_in_every_state_led_by_the_commissioners_agency(seeded):
    # One in each state, but three complete: the contracts demo (demo.contracts)
    # makes a contract from each of their awards — one in force, one waiting for
    # the provider's signature, one terminated.
    assert seeded["first"]["states"] == Counter(dict.fromkeys(State.values, 1)) + Counter(
        {State.COMPLETE: 2}
    )
    commissioner = _user("commissioner")
    assert set(selectors.tenders_managed_by(commissioner)) == set(Tender.objects.all())
    for tender in Tender.objects.prefetch_related("criteria", "categories", "areas", "lots"):
        assert tender.title_zh and tender.title_en and tender.description_en
        assert sum(c.weight for c in tender.criteria.all()) == 100
        assert tender.categories.exists()
        assert all(area.code.startswith("31") for area in tender.areas.all())
        assert sum(lot.max_value for lot in tender.lots.all()) <= tender.max_value


def test_each_history_walks_the_transition_table_in_time_order(seeded):
    now = timezone.now()
    for tender in Tender.objects.all():
        events = list(tender.events.order_by("at", "pk"))
        if tender.status == State.DRAFT:
            assert events == [] and tender.created_at < now
            continue
        assert events[0].from_status == State.DRAFT
        for event in events:
            assert event.to_status in TENDER_TRANSITIONS[event.from_status]
            assert event.at <= now
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status and before.at <= after.at
        assert events[-1].to_status == tender.status
        assert events[-1].at == tender.status_changed_at
        assert tender.created_at < tender.publish_at == events[0].at
    # The rows the services stamp with the wall clock are dated in the story too.
    complete = _tender(State.COMPLETE)
    assert complete.created_at < now - timedelta(days=100)
    assert all(bid.created_at < complete.submission_deadline for bid in complete.bids.all())


def test_budgets_pool_money_from_four_funders_one_earmarked_one_pledge_awaiting_finance(
    seeded,
):
    budgets = PooledBudget.objects.filter(lead_agency__name_en__contains="Civil Affairs Bureau")
    assert budgets.count() == 2
    approved = Contribution.objects.filter(status=Contribution.Status.APPROVED)
    assert approved.values("funder").distinct().count() >= 4
    assert set(approved.values_list("source", flat=True)) == set(Contribution.Source.values)
    # each approved by a finance officer of its own funder
    for contribution in approved.select_related("approved_by"):
        assert rules.is_contribution_funder_finance(contribution.approved_by, contribution)
    earmarked = approved.filter(earmarked_categories__isnull=False).distinct()
    assert [c.funder.name_en for c in earmarked] == ["Shanghai Disabled Persons' Federation"]
    pending = selectors.contributions_to_approve(_user("finance"))
    assert [(c.status, c.amount) for c in pending] == [("pending", Decimal("5000000.00"))]
    # people who act in the history do not sign in
    assert not _user("lottery_finance").has_usable_password()


def test_the_ledger_holds_what_the_approved_awards_committed(seeded):
    awards = Award.objects.filter(status__in=(Award.Status.APPROVED, Award.Status.CONFIRMED))
    assert awards.count() == 4  # the awarded tender's and the three complete ones'
    for award in awards:
        committed = Commitment.objects.filter(award=award, kind=Commitment.Kind.COMMITTED)
        assert committed.aggregate(total=Sum("amount"))["total"] == award.value
        assert committed.values("contribution__funder").distinct().count() >= 2
    for budget in PooledBudget.objects.all():
        ledger = selectors.budget_ledger(budget)
        assert all(line.available >= 0 for line in ledger.lines)


def test_the_open_tender_has_sealed_bids_from_both_demo_providers(seeded):
    tender = _tender(State.TENDERING)
    assert tender.submission_deadline > timezone.now() and tender.bids_are_sealed()
    bids = Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED)
    bidders = {bid.provider.organization for bid in bids}
    assert _user("ngo_admin").memberships.get().organization in bidders
    assert _user("ngo2_admin").memberships.get().organization in bidders
    assert all(bid.eligibility_report == [] for bid in bids)
    # Sealed: only its own provider sees a bid, whoever else asks.
    for username in ("commissioner", "finance", "admin", "caseworker2"):
        assert not selectors.bids_visible_to(_user(username), tender).exists()
        assert not any(rules.can_view_bid_content(_user(username), bid) for bid in bids)
    assert selectors.bids_visible_to(_user("ngo_admin"), tender).count() == 1


def test_the_published_tender_has_an_answered_and_an_unanswered_question(seeded):
    tender = _tender(State.PUBLISHED)
    assert tender.enquiries_open()
    assert tender.lots.count() == 2
    questions = list(tender.clarifications.order_by("asked_at"))
    assert [q.is_answered for q in questions] == [True, False]
    assert questions[0].published and questions[0].answered_by.username == "commissioner"


def test_the_tender_under_evaluation_waits_for_its_chair(seeded):
    tender = _tender(State.EVALUATION)
    assert not tender.bids_are_sealed()
    panel = selectors.panel_of(tender)
    assert panel.chair.username == "commissioner" and panel.quality_locked_at is None
    members = {member.user.username: member for member in panel.members.all()}
    assert set(members) == {"commissioner", "caseworker2", "supervisor"}
    assert all(member.may_score for member in members.values())
    progress = {p.member.user.username: p.submitted for p in selectors.scoring_progress(tender)}
    assert progress == {"commissioner": False, "caseworker2": True, "supervisor": True}
    # the chair has started: some scores saved, none submitted
    chair_scores = Score.objects.filter(member=members["commissioner"])
    assert chair_scores.exists() and not chair_scores.filter(submitted_at__isnull=False).exists()


def test_every_panel_has_three_members_and_no_award_was_approved_by_its_recommender_or_chair(
    seeded,
):
    awards = Award.objects.select_related("tender__panel", "recommended_by", "approved_by")
    assert awards.filter(approved_by__isnull=False).count() == 4
    for award in awards.filter(approved_by__isnull=False):
        panel = award.tender.panel
        assert panel.members.count() >= 3
        assert award.recommended_by.username == panel.chair.username == "commissioner"
        assert award.approved_by not in (award.recommended_by, panel.chair)
        # the bureau's supervisor, who acts in the history without signing in
        assert rules.is_award_supervisor(award.approved_by, award)
        assert not award.approved_by.has_usable_password()


def test_the_awarded_tender_is_in_its_standstill_after_a_moderated_disagreement(seeded):
    tender = _tender(State.AWARDED)
    award = tender.awards.get()
    now = timezone.now()
    assert award.status == Award.Status.APPROVED and award.notice_published_at < now
    assert tender.standstill_ends_at == award.standstill_ends_at > now
    assert award.bid.result.rank == 1 and award.value == award.bid.price
    moderated = award.bid.tender.panel.tender.bids.filter(
        moderated_scores__flagged_disagreement=True
    )
    assert moderated.count() == 1
    assert selectors.assessment_summary(award.bid) is not None
    # every bidder on the lot heard of the award
    notified = set(
        Alert.objects.filter(tender=tender, kind=Alert.Kind.AWARD_NOTICE).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"ngo_admin", "ngo2_admin"} <= notified


def test_the_complete_awards_are_confirmed_and_the_closed_tenders_say_why(seeded):
    winners = {}
    for tender in Tender.objects.filter(status=State.COMPLETE):
        award = tender.awards.get()
        assert award.status == Award.Status.CONFIRMED and award.confirmed_at < timezone.now()
        assert award.bid.result.rank == 1
        winners[tender.title_zh] = award.bid.provider.organization
    ngo, ngo2 = (_user(name).memberships.get().organization for name in ("ngo_admin", "ngo2_admin"))
    assert sorted(winners.values(), key=lambda o: o.pk) == sorted(
        [ngo, ngo, ngo2], key=lambda o: o.pk
    )
    assert winners[HUANGPU_CASEWORK] == ngo
    complete = _tender(State.COMPLETE)
    assert _tender(State.CANCELLED).cancellation_reason.startswith("普陀区")
    unsuccessful = _tender(State.UNSUCCESSFUL)
    assert "No bids were submitted" in unsuccessful.cancellation_reason
    assert not unsuccessful.bids.exists()
    # old news has been read
    assert not Alert.objects.filter(
        tender=complete, read_at=None, created_at__lt=timezone.now() - timedelta(days=8)
    ).exists()
    assert TenderEvent.objects.filter(tender=complete, to_status=State.COMPLETE).get().actor is None


def test_the_public_tenders_export_as_valid_ocds_with_bids_only_once_opened(seeded, capsys):
    call_command("export_ocds", records=True)
    package = json.loads(capsys.readouterr().out)
    assert_valid("record", package)
    records = {record["compiledRelease"]["tender"]["id"]: record for record in package["records"]}
    assert len(records) == Tender.objects.exclude(status=State.DRAFT).count()
    for tender in Tender.objects.exclude(status=State.DRAFT):
        compiled = records[tender.reference]["compiledRelease"]
        roles = {role for party in compiled["parties"] for role in party["roles"]}
        assert {"buyer", "funder"} <= roles
        # sealed tenders say nothing of their bids, not even how many
        assert ("bids" in compiled) == (not tender.bids_are_sealed()), tender.status
