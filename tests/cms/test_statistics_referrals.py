"""Public statistics of referrals and unmet needs: what is counted, how small numbers are
hidden in both directions of a table, and that no person's record is read to count them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms import statistics
from referrals.models import Referral, UnmetNeed
from tests.factories.accounts import AgencyFactory
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import ReferralFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

Status = Referral.Status
Outcome = Referral.Outcome
BASIC_LIVING = "basic-living.dibao"
EMERGENCY = "emergency.temporary"
SOCIAL_SERVICES = "social-services.elderly-care"


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui")


@pytest.fixture
def service():
    return ServiceFactory()


def refer(service, count, category, status, *, outcome="", sent=True):
    """``count`` referrals of as many people, ``status`` now, sent unless ``sent`` is False."""
    for _ in range(count):
        ReferralFactory(
            service=service,
            need__category=need_category(category),
            status=status,
            outcome=outcome,
            sent_at=timezone.now() if sent else None,
        )


def record_unmet(count, category, area, reason=UnmetNeed.Reason.NO_CAPACITY):
    agency = AgencyFactory()
    for _ in range(count):
        UnmetNeed.objects.create(
            agency=agency, category=need_category(category), area=area, reason=reason
        )


def figures(table) -> dict[str, tuple]:
    return {row.label: tuple(cell.value for cell in row.cells) for row in table.rows}


def shown(table) -> dict[str, tuple]:
    return {row.label: tuple(cell.text for cell in row.cells) for row in table.rows}


def group_name(code: str) -> str:
    return need_category(code).parent.name_en


def assert_no_cell_can_be_worked_out(table):
    """Each row's cells add up to its first cell and each column to the total row: no
    such line may hide exactly one cell, or subtraction would give it back."""
    hidden = {
        (r, c)
        for r, row in enumerate(table.rows)
        for c, cell in enumerate(row.cells)
        if cell.suppressed
    }
    width = len(table.columns)
    lines = [[(r, c) for c in range(width)] for r in range(len(table.rows))]
    lines += [[(r, c) for r in range(len(table.rows))] for c in range(width)]
    for line in lines:
        assert len([p for p in line if p in hidden]) != 1, line
    for row in table.rows:
        for cell in row.cells:
            assert not (1 <= cell.value <= 4) or cell.suppressed


# --- referrals by kind of help --------------------------------------------------------


def test_referrals_are_counted_by_kind_of_help_and_how_they_stand(service):
    refer(service, 4, BASIC_LIVING, Status.CLOSED, outcome=Outcome.ACHIEVED)
    refer(service, 2, BASIC_LIVING, Status.COMPLETED, outcome=Outcome.PARTLY)
    refer(service, 1, BASIC_LIVING, Status.CLOSED, outcome=Outcome.NOT_ACHIEVED)
    refer(service, 1, BASIC_LIVING, Status.FAILED)
    refer(service, 1, BASIC_LIVING, Status.DECLINED)
    refer(service, 1, BASIC_LIVING, Status.EXPIRED)
    refer(service, 1, BASIC_LIVING, Status.RECALLED)
    for status in (Status.SENT, Status.WAITLISTED, Status.IN_SERVICE, Status.REOPENED):
        refer(service, 1, EMERGENCY, status)

    rows = figures(statistics.referrals_by_category())

    #                                     all, help given, did not help, returned, open
    assert rows[group_name(BASIC_LIVING)] == (11, 6, 2, 3, 0)
    assert rows[group_name(EMERGENCY)] == (4, 0, 0, 0, 4)
    assert rows[group_name(SOCIAL_SERVICES)] == (0, 0, 0, 0, 0)
    assert rows["All kinds of help"] == (15, 6, 2, 3, 4)


def test_drafts_are_not_referrals_yet_even_when_withdrawn(service):
    refer(service, 3, SOCIAL_SERVICES, Status.DRAFT, sent=False)
    refer(service, 2, SOCIAL_SERVICES, Status.RECALLED, sent=False)  # withdrawn unsent
    refer(service, 1, SOCIAL_SERVICES, Status.RECALLED)  # taken back after sending

    assert figures(statistics.referrals_by_category())[group_name(SOCIAL_SERVICES)] == (
        1,
        0,
        0,
        1,
        0,
    )


def test_small_referral_counts_are_hidden_and_cannot_be_worked_out(service):
    refer(service, 6, SOCIAL_SERVICES, Status.CLOSED, outcome=Outcome.ACHIEVED)
    refer(service, 2, SOCIAL_SERVICES, Status.DECLINED)
    refer(service, 9, EMERGENCY, Status.IN_SERVICE)

    table = statistics.referrals_by_category()
    rows = shown(table)

    # 8 = 6 + 2: with only the 2 hidden, 8 − 6 would give it back, so the 6 goes too.
    assert rows[group_name(SOCIAL_SERVICES)] == ("8", "withheld", "0", "<5", "0")
    assert rows[group_name(EMERGENCY)] == ("9", "0", "0", "0", "9")
    # The whole city's returned column is the same 2, so it is hidden as well.
    assert rows["All kinds of help"][3] == "<5"
    assert_no_cell_can_be_worked_out(table)


def test_the_referral_table_is_published_as_csv(client, service):
    refer(service, 7, SOCIAL_SERVICES, Status.IN_SERVICE)
    refer(service, 6, EMERGENCY, Status.CLOSED, outcome=Outcome.ACHIEVED)
    url = reverse("cms:stats_csv", args=["referrals-by-category"])

    response = client.get(url, headers={"accept-language": "en"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Kind of help,Referrals,Help given,Did not help,Returned to the caseworker,Still open"
    )
    assert f"{group_name(SOCIAL_SERVICES)},7,0,0,0,7" in lines
    assert f"{group_name(EMERGENCY)},6,6,0,0,0" in lines
    assert "All kinds of help,13,6,0,0,7" in lines


# --- unmet needs by district ------------------------------------------------------------


def test_unmet_needs_are_counted_per_district_and_kind_of_help(pudong, xuhui):
    record_unmet(6, SOCIAL_SERVICES, pudong)
    record_unmet(5, EMERGENCY, StreetFactory(parent=pudong))  # a street counts in its district
    record_unmet(5, BASIC_LIVING, xuhui)
    record_unmet(5, BASIC_LIVING, None)  # area not recorded

    table = statistics.unmet_needs_by_district()
    rows = figures(table)

    assert [str(column.label) for column in table.columns] == [
        "Unmet needs",
        group_name(BASIC_LIVING),
        need_category("special-assistance.medical").parent.name_en,
        group_name(EMERGENCY),
        group_name(SOCIAL_SERVICES),
    ]
    assert rows["Pudong New Area"] == (11, 0, 0, 5, 6)
    assert rows["Xuhui"] == (5, 5, 0, 0, 0)
    assert rows["Elsewhere or not recorded"] == (5, 5, 0, 0, 0)
    assert rows["Whole city"] == (21, 10, 0, 5, 6)


def test_the_elsewhere_row_appears_only_when_needed(pudong):
    record_unmet(5, SOCIAL_SERVICES, pudong)
    assert "Elsewhere or not recorded" not in figures(statistics.unmet_needs_by_district())


def test_small_unmet_counts_are_hidden_along_rows_and_columns(pudong, xuhui):
    record_unmet(7, SOCIAL_SERVICES, pudong)
    record_unmet(2, EMERGENCY, pudong)
    record_unmet(6, SOCIAL_SERVICES, xuhui)
    record_unmet(8, BASIC_LIVING, xuhui)

    table = statistics.unmet_needs_by_district()
    rows = shown(table)

    assert rows["Pudong New Area"][3] == "<5"
    assert rows["Whole city"][3] == "<5"  # the city's emergency figure is the same 2
    assert "withheld" in rows["Pudong New Area"]  # 9 − 7 would give the 2 back
    assert_no_cell_can_be_worked_out(table)


def test_unmet_needs_csv_and_page(client, pudong):
    record_unmet(12, SOCIAL_SERVICES, pudong)
    url = reverse("cms:stats_csv", args=["unmet-needs-by-district"])

    lines = client.get(url, headers={"accept-language": "en"}).content.decode("utf-8-sig")

    assert lines.splitlines()[0].startswith("District,Unmet needs,")
    assert "Pudong New Area,12,0,0,0,12" in lines.splitlines()
    assert "Whole city,12,0,0,0,12" in lines.splitlines()


# --- privacy and cost -------------------------------------------------------------------


def test_counting_never_reads_a_persons_record(service, pudong):
    refer(service, 5, SOCIAL_SERVICES, Status.CLOSED, outcome=Outcome.ACHIEVED)
    record_unmet(5, SOCIAL_SERVICES, pudong)

    with CaptureQueriesContext(connection) as queries:
        statistics.referrals_by_category()
        statistics.unmet_needs_by_district()

    sql = "\n".join(query["sql"] for query in queries)
    assert "referrals_beneficiary" not in sql  # names, ID numbers, phones, addresses
    assert "referrals_needassessment" not in sql and "referrals_consent" not in sql
    for column in ("reason", "outcome_note", "note"):  # free text about the person
        assert f'"{column}"' not in sql


@pytest.mark.parametrize("slug", ["referrals-by-category", "unmet-needs-by-district"])
def test_tables_cost_a_fixed_number_of_queries(client, service, pudong, xuhui, slug):
    url = reverse("cms:stats_csv", args=[slug])
    refer(service, 1, SOCIAL_SERVICES, Status.SENT)
    record_unmet(1, SOCIAL_SERVICES, pudong)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    refer(service, 8, EMERGENCY, Status.CLOSED, outcome=Outcome.ACHIEVED)
    record_unmet(8, BASIC_LIVING, xuhui)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)
