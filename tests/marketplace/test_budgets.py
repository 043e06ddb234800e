"""Pooled budgets: contributions count once their funder approves them, earmarks hold,
the ledger shows each funder where its share went, and no award overdraws the budget —
not even two racing for the same money."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from marketplace import selectors, services
from marketplace.models import Commitment, Contribution
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    AwardFactory,
    ContributionFactory,
    PendingContributionFactory,
    PooledBudgetFactory,
    commissioner_of,
    finance_of,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"


@pytest.fixture
def budget():
    return PooledBudgetFactory()


@pytest.fixture
def partner():
    return AgencyFactory(name_zh="区残联", name_en="District Disabled Persons' Federation")


def award_on(budget):
    """An award on a tender paid from ``budget`` (the tender adds no money of its own)."""
    return AwardFactory(
        bid__tender__budget=budget,
        bid__tender__lead_agency=budget.lead_agency,
        bid__tender__funded=False,
    )


def elderly_care():
    return need_category(ELDERLY_CARE)


def another_category():
    """A category in another group than elderly care."""
    return need_category("basic-living.dibao")


# --- creating budgets and recording contributions ----------------------------


def test_a_commissioner_creates_a_budget_for_their_agency():
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)

    budget = services.create_budget(
        lead_agency=agency,
        name_zh="养老服务资金池",
        first_year=2026,
        last_year=2028,
        actor=commissioner,
    )

    assert budget.lead_agency == agency
    assert list(budget.years) == [2026, 2027, 2028]
    assert AuditEvent.objects.filter(action="budget.created", object_id=str(budget.uuid)).exists()


def test_a_budget_cannot_end_before_it_starts():
    agency = AgencyFactory()

    with pytest.raises(ApplicationError) as refused:
        services.create_budget(
            lead_agency=agency,
            name_zh="资金池",
            first_year=2027,
            last_year=2026,
            actor=commissioner_of(agency),
        )

    assert refused.value.field_errors["last_year"] == [
        "The last fiscal year cannot be before the first."
    ]


def test_only_a_commissioner_of_the_lead_agency_creates_its_budgets():
    agency = AgencyFactory()

    with pytest.raises(PermissionDenied):
        services.create_budget(
            lead_agency=agency,
            name_zh="资金池",
            first_year=2026,
            last_year=2026,
            actor=commissioner_of(AgencyFactory()),
        )


def test_a_pledge_does_not_count_until_the_funders_finance_officer_approves_it(budget, partner):
    contribution = services.add_contribution(
        budget=budget,
        funder=partner,
        amount="300000",
        year=budget.first_year,
        source=Contribution.Source.WELFARE_LOTTERY,
        actor=commissioner_of(budget.lead_agency),
    )

    assert contribution.status == Contribution.Status.PENDING
    assert selectors.available_funds(budget) == Decimal("0.00")
    line = selectors.budget_ledger(budget).lines[0]
    assert (line.funder, line.pending, line.contributed) == (partner, Decimal("300000"), 0)

    services.approve_contribution(contribution=contribution, actor=finance_of(partner))

    assert selectors.available_funds(budget) == Decimal("300000.00")
    assert selectors.budget_ledger(budget).lines[0].contributed == Decimal("300000.00")


@pytest.mark.parametrize(
    "approver",
    [
        pytest.param(lambda budget, partner: finance_of(budget.lead_agency), id="lead-finance"),
        pytest.param(lambda budget, partner: commissioner_of(partner), id="funder-commissioner"),
        pytest.param(lambda budget, partner: user_with_role("platform_admin"), id="admin"),
    ],
)
def test_nobody_but_the_funders_finance_officer_approves_its_contribution(
    budget, partner, approver
):
    contribution = PendingContributionFactory(budget=budget, funder=partner)

    with pytest.raises(PermissionDenied):
        services.approve_contribution(contribution=contribution, actor=approver(budget, partner))

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PENDING


def test_an_approved_contribution_cannot_be_approved_again(budget, partner):
    contribution = ContributionFactory(budget=budget, funder=partner)

    with pytest.raises(InvalidTransition):
        services.approve_contribution(contribution=contribution, actor=finance_of(partner))


def test_a_partner_records_its_own_contribution_but_not_another_agencys(budget, partner):
    finance = finance_of(partner)

    own = services.add_contribution(
        budget=budget,
        funder=partner,
        amount="1000",
        year=budget.first_year,
        source=Contribution.Source.GENERAL_BUDGET,
        actor=finance,
    )
    assert own.created_by == finance

    with pytest.raises(PermissionDenied):
        services.add_contribution(
            budget=budget,
            funder=AgencyFactory(),
            amount="1000",
            year=budget.first_year,
            source=Contribution.Source.GENERAL_BUDGET,
            actor=finance,
        )


def test_a_contribution_is_for_a_year_of_the_budget_and_more_than_zero(budget, partner):
    with pytest.raises(ApplicationError) as refused:
        services.add_contribution(
            budget=budget,
            funder=partner,
            amount="0",
            year=budget.last_year + 1,
            source=Contribution.Source.GENERAL_BUDGET,
            actor=commissioner_of(budget.lead_agency),
        )

    errors = refused.value.field_errors
    assert errors["year"] == [
        f"Choose a fiscal year of the budget, {budget.first_year} to {budget.last_year}."
    ]
    assert errors["amount"] == ["A contribution must be more than zero."]


# --- earmarks -----------------------------------------------------------------


def test_earmarked_money_pays_only_for_its_categories(budget, partner):
    ContributionFactory(budget=budget, amount=Decimal("100000"))
    ContributionFactory(
        budget=budget,
        funder=partner,
        amount=Decimal("50000"),
        earmarked_categories=[elderly_care()],
    )

    assert selectors.available_funds(budget, [elderly_care()]) == Decimal("150000.00")
    assert selectors.available_funds(budget, [another_category()]) == Decimal("100000.00")
    assert selectors.available_funds(budget) == Decimal("150000.00")


def test_money_earmarked_for_a_group_pays_for_its_categories(budget):
    ContributionFactory(
        budget=budget, amount=Decimal("80000"), earmarked_categories=[elderly_care().parent]
    )

    assert selectors.available_funds(budget, [elderly_care()]) == Decimal("80000.00")
    assert selectors.available_funds(budget, [another_category()]) == Decimal("0.00")


def test_a_commitment_for_other_categories_leaves_earmarked_money_alone(budget, partner):
    general = ContributionFactory(budget=budget, amount=Decimal("100000"))
    earmarked = ContributionFactory(
        budget=budget,
        funder=partner,
        amount=Decimal("50000"),
        earmarked_categories=[elderly_care()],
    )

    with pytest.raises(ApplicationError) as refused:
        services.commit_funds(budget=budget, amount="120000", categories=[another_category()])
    assert refused.value.code == "overdraw"

    rows = services.commit_funds(budget=budget, amount="100000", categories=[another_category()])

    assert [(row.contribution, row.amount) for row in rows] == [(general, Decimal("100000"))]
    assert earmarked.commitments.count() == 0


# --- committing, spending and releasing --------------------------------------


def test_an_award_is_split_across_funders_in_proportion_to_what_is_left(budget, partner):
    lead_share = ContributionFactory(budget=budget, amount=Decimal("600000"))
    partner_share = ContributionFactory(budget=budget, funder=partner, amount=Decimal("400000"))

    rows = services.commit_funds(budget=budget, amount="500000", categories=[elderly_care()])

    assert {row.contribution: row.amount for row in rows} == {
        lead_share: Decimal("300000.00"),
        partner_share: Decimal("200000.00"),
    }
    assert all(row.kind == Commitment.Kind.COMMITTED for row in rows)


def test_shares_are_exact_to_the_fen_and_the_remainder_goes_to_the_largest(budget, partner):
    small = ContributionFactory(budget=budget, amount=Decimal("100.00"))
    large = ContributionFactory(budget=budget, funder=partner, amount=Decimal("200.00"))

    rows = services.commit_funds(budget=budget, amount="100.00", categories=[elderly_care()])

    shares = {row.contribution: row.amount for row in rows}
    assert shares == {small: Decimal("33.33"), large: Decimal("66.67")}
    assert sum(shares.values()) == Decimal("100.00")


def test_an_overdraw_is_refused_with_the_amount_still_available(budget):
    ContributionFactory(budget=budget, amount=Decimal("100000"))
    PendingContributionFactory(budget=budget, amount=Decimal("900000"))
    services.commit_funds(budget=budget, amount="70000", categories=[elderly_care()])

    with pytest.raises(ApplicationError) as refused:
        services.commit_funds(budget=budget, amount="30000.01", categories=[elderly_care()])

    assert refused.value.code == "overdraw"
    assert "¥30,000.00 available" in refused.value.message
    assert "¥30,000.01 cannot be committed" in refused.value.message
    assert refused.value.field_errors["amount"] == ["At most ¥30,000.00."]
    assert Commitment.objects.filter(budget=budget).count() == 1


def test_the_ledger_shows_each_funder_where_its_share_went(budget, partner):
    ContributionFactory(budget=budget, amount=Decimal("600000"))
    ContributionFactory(budget=budget, funder=partner, amount=Decimal("400000"))
    PendingContributionFactory(budget=budget, funder=partner, amount=Decimal("5000"))
    award = award_on(budget)
    services.commit_funds(
        budget=budget,
        amount="500000",
        categories=[elderly_care()],
        award=award,
        tender=award.tender,
        lot=award.lot,
    )
    services.spend_funds(award=award, amount="100000")

    ledger = selectors.budget_ledger(budget)

    by_funder = {line.funder: line for line in ledger.lines}
    lead = by_funder[budget.lead_agency]
    assert (lead.contributed, lead.committed, lead.spent, lead.available) == (
        Decimal("600000"),
        Decimal("300000"),
        Decimal("60000"),
        Decimal("300000"),
    )
    theirs = by_funder[partner]
    assert (theirs.contributed, theirs.pending, theirs.committed, theirs.spent) == (
        Decimal("400000"),
        Decimal("5000"),
        Decimal("200000"),
        Decimal("40000"),
    )
    assert ledger.available == Decimal("500000")
    assert ledger.spent == Decimal("100000")


def test_the_ledger_costs_three_queries_however_many_funders(budget, django_assert_num_queries):
    for _ in range(4):
        ContributionFactory(budget=budget, funder=AgencyFactory(), amount=Decimal("1000"))
    services.commit_funds(budget=budget, amount="2000", categories=[elderly_care()])

    with django_assert_num_queries(3):
        ledger = selectors.budget_ledger(budget)

    assert len(ledger.lines) == 4
    assert ledger.committed == Decimal("2000")


def test_spending_more_than_was_committed_to_an_award_is_refused(budget):
    ContributionFactory(budget=budget, amount=Decimal("1000"))
    award = award_on(budget)
    services.commit_funds(budget=budget, amount="600", categories=[elderly_care()], award=award)

    with pytest.raises(ApplicationError) as refused:
        services.spend_funds(award=award, amount="600.01")

    assert refused.value.code == "overdraw"


def test_releasing_an_awards_money_makes_it_available_again_once(budget, partner):
    ContributionFactory(budget=budget, amount=Decimal("600"))
    ContributionFactory(budget=budget, funder=partner, amount=Decimal("400"))
    award = award_on(budget)
    services.commit_funds(budget=budget, amount="1000", categories=[elderly_care()], award=award)
    assert selectors.available_funds(budget) == Decimal("0.00")

    released = services.release_funds(budget=budget, award=award)
    again = services.release_funds(budget=budget, award=award)

    assert sum(row.amount for row in released) == Decimal("1000")
    assert again == []
    assert selectors.available_funds(budget) == Decimal("1000.00")
    assert selectors.budget_ledger(budget).committed == Decimal("0")


def test_a_contribution_with_money_committed_cannot_be_withdrawn(budget, partner):
    contribution = ContributionFactory(budget=budget, funder=partner, amount=Decimal("1000"))
    services.commit_funds(budget=budget, amount="10", categories=[elderly_care()])

    with pytest.raises(ApplicationError) as refused:
        services.withdraw_contribution(contribution=contribution, actor=finance_of(partner))

    assert refused.value.code == "committed"
    assert "¥10.00 of this contribution is already committed" in refused.value.message


def test_a_contribution_with_nothing_committed_can_be_withdrawn_and_stops_counting(budget, partner):
    contribution = ContributionFactory(budget=budget, funder=partner, amount=Decimal("1000"))

    services.withdraw_contribution(contribution=contribution, actor=commissioner_of(partner))

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.WITHDRAWN
    assert selectors.available_funds(budget) == Decimal("0.00")


# --- who sees which budget ---------------------------------------------------


def test_budgets_are_visible_to_the_lead_agency_the_funders_and_platform_admins(budget, partner):
    PendingContributionFactory(budget=budget, funder=partner)
    other_budget = PooledBudgetFactory()

    visible = {
        "lead commissioner": commissioner_of(budget.lead_agency),
        "lead finance": finance_of(budget.lead_agency),
        "funder finance": finance_of(partner),
        "platform admin": user_with_role("platform_admin"),
    }
    hidden = {
        "other agency commissioner": commissioner_of(AgencyFactory()),
        "caseworker of the lead agency": user_with_role("caseworker", budget.lead_agency),
        "provider": user_with_role("provider_admin"),
    }

    for who, user in visible.items():
        assert budget in selectors.budgets_visible_to(user), who
        assert user.has_perm("marketplace.view_budget", budget), who
    for who, user in hidden.items():
        assert budget not in selectors.budgets_visible_to(user), who
        assert not user.has_perm("marketplace.view_budget", budget), who
    assert other_budget not in selectors.budgets_visible_to(finance_of(partner))


# --- concurrency (PostgreSQL) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_racing_for_the_same_money_cannot_both_succeed(on_postgres, monkeypatch):
    budget = PooledBudgetFactory()
    ContributionFactory(budget=budget, amount=Decimal("1000000"))
    category = elderly_care()
    start = threading.Barrier(2)
    # Widen the race: whoever reads the ledger first waits briefly for the other
    # to read it too. With the budget row lock the other is still queued behind
    # the lock, so the wait times out; without it both would read 1,000,000.
    both_read = threading.Barrier(2, timeout=0.5)
    read_ledger = selectors.remaining_by_contribution

    def remaining_then_wait(*args, **kwargs):
        remaining = read_ledger(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return remaining

    monkeypatch.setattr(selectors, "remaining_by_contribution", remaining_then_wait)
    outcomes = []

    def commit_sixty_percent():
        try:
            start.wait(timeout=5)
            services.commit_funds(budget=budget, amount="600000", categories=[category])
            outcomes.append("committed")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit_sixty_percent) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["committed", "overdraw"]
    assert selectors.budget_ledger(budget).committed == Decimal("600000")
    assert selectors.available_funds(budget) == Decimal("400000.00")


def test_only_the_lead_agency_moves_the_ledger_for_a_person(budget, partner):
    # Beat and the award services move the ledger; a person doing it directly must hold
    # the role there: a commissioner of the lead agency commits and releases, its
    # commissioners and finance officers record payments.
    ContributionFactory(budget=budget, amount=Decimal("1000"))
    award = award_on(budget)
    outsiders = [
        commissioner_of(partner),
        finance_of(partner),
        user_with_role("supervisor", organization=budget.lead_agency),
        user_with_role("caseworker", organization=budget.lead_agency),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            services.commit_funds(
                budget=budget, amount="100", categories=[elderly_care()], actor=outsider
            )
    lead = commissioner_of(budget.lead_agency)
    services.commit_funds(
        budget=budget, amount="600", categories=[elderly_care()], award=award, actor=lead
    )
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            services.spend_funds(award=award, amount="100", actor=outsider)
        with pytest.raises(PermissionDenied):
            services.release_funds(budget=budget, award=award, actor=outsider)
    services.spend_funds(award=award, amount="100", actor=finance_of(budget.lead_agency))
    released = services.release_funds(budget=budget, award=award, actor=lead)

    # What was paid stays drawn on the budget; the rest of the commitment comes back.
    assert sum(row.amount for row in released) == Decimal("500")
    assert selectors.available_funds(budget) == Decimal("900.00")
