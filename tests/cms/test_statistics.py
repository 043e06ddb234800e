"""The public statistics page /stats/ and its CSV downloads: what is counted, how small
numbers are hidden, and that the page is cheap and cacheable."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms import statistics
from cms.charts import table_chart
from cms.models import StatisticsPage
from providers.models import Provider
from tests.factories.accounts import UserFactory
from tests.factories.places import ProvinceFactory, StreetFactory, shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

STATS = "/stats/"


@pytest.fixture
def stats_page(zh_home):
    """The /stats/ page (the section migration may already have made it)."""
    existing = StatisticsPage.objects.child_of(zh_home).first()
    if existing is not None:
        return existing
    return zh_home.add_child(instance=StatisticsPage(title="数据统计", slug="stats"))


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui")


@pytest.fixture
def huangpu():
    return shanghai_district("310101", "黄浦区", "Huangpu")


def figures(table) -> dict[str, tuple]:
    """{row label: (value, value…)} of a statistics table, before suppression."""
    return {row.label: tuple(cell.value for cell in row.cells) for row in table.rows}


def shown(table) -> dict[str, tuple]:
    """{row label: (text, text…)} of a statistics table as the public sees it."""
    return {row.label: tuple(cell.text for cell in row.cells) for row in table.rows}


# --- what is counted ------------------------------------------------------------------


def test_each_service_counts_once_in_each_district_it_serves(pudong, xuhui, huangpu):
    pudong_street = StreetFactory(parent=pudong)
    pudong_site = SiteFactory(district=pudong, area=pudong_street)
    # Covers Pudong three ways (the district, a street in it, a site there): counted once.
    ServiceFactory(areas_covered=[pudong, pudong_street], sites=[pudong_site], free_slots=3)
    # Covers the whole of Shanghai: counted in every district.
    ServiceFactory(areas_covered=[ProvinceFactory(code="310000000000")], free_slots=2)
    # Only a site in Xuhui.
    ServiceFactory(sites=[SiteFactory(district=xuhui, area=xuhui)], free_slots=0)

    with_translation = statistics.services_by_district()

    assert figures(with_translation) == {
        "Huangpu": (1, 2),
        "Xuhui": (2, 2),
        "Pudong New Area": (2, 5),
        "Whole city": (3, 5),
    }


def test_only_public_services_and_current_free_places_count(pudong):
    ServiceFactory(areas_covered=[pudong], free_slots=7)
    ServiceFactory(
        areas_covered=[pudong],
        free_slots=20,
        capacity_updated_at=timezone.now() - timedelta(days=8),  # stale: places not counted
    )
    ServiceFactory(areas_covered=[pudong], provider__status=Provider.Status.SUBMITTED)
    ServiceFactory(areas_covered=[pudong], last_confirmed_at=timezone.now() - timedelta(days=181))
    ServiceFactory(areas_covered=[pudong], is_active=False)

    assert figures(statistics.services_by_district())["Pudong New Area"] == (2, 7)


def test_categories_are_counted_by_top_level_group(pudong):
    ServiceFactory(
        categories=[need_category("basic-living.dibao"), need_category("basic-living.low-income")],
        free_slots=6,
    )
    ServiceFactory(categories=[need_category("emergency.temporary")], free_slots=9)

    rows = figures(statistics.services_by_category())

    basic_living = need_category("basic-living.dibao").parent.name_en
    emergency = need_category("emergency.temporary").parent.name_en
    assert rows[basic_living] == (1, 6)  # two categories of one group: counted once
    assert rows[emergency] == (1, 9)
    assert rows["All kinds of help"] == (2, 15)


# --- suppression of small numbers ------------------------------------------------------


def test_counts_from_one_to_four_are_suppressed_and_zero_is_shown():
    hidden = statistics.suppress([[0], [1], [4], [5], [40]], [[(r, 0) for r in range(5)]])
    assert (1, 0) in hidden and (2, 0) in hidden
    assert (0, 0) not in hidden and (3, 0) not in hidden and (4, 0) not in hidden


def test_a_lone_suppressed_cell_hides_its_smallest_neighbour_too():
    # 3 + 10 + 12 = 25: with only 3 hidden, 25 − 10 − 12 would give it back.
    grid = [[3], [10], [12], [25]]
    assert statistics.suppress(grid, [[(0, 0), (1, 0), (2, 0), (3, 0)]]) == {(0, 0), (1, 0)}


def test_zero_is_never_chosen_as_the_complement():
    grid = [[2], [0], [7], [9]]
    assert statistics.suppress(grid, [[(0, 0), (1, 0), (2, 0), (3, 0)]]) == {(0, 0), (2, 0)}


def test_secondary_suppression_repeats_across_crossing_lines():
    # Rows and columns both add up; hiding a complement in a column can leave a row with
    # one hidden cell, which then needs its own complement.
    grid = [
        [2, 10, 12],
        [8, 9, 17],
        [10, 19, 29],
    ]
    rows = [[(r, c) for c in range(3)] for r in range(3)]
    columns = [[(r, c) for r in range(3)] for c in range(3)]
    hidden = statistics.suppress(grid, rows + columns)
    for line in rows + columns:
        assert len([position for position in line if position in hidden]) != 1


def test_district_table_suppresses_small_counts_and_their_complement(pudong, xuhui, huangpu):
    for _ in range(6):
        ServiceFactory(areas_covered=[pudong], free_slots=5)
    for _ in range(3):
        ServiceFactory(areas_covered=[xuhui], free_slots=5)

    rows = shown(statistics.services_by_district())

    assert rows["Xuhui"] == ("<5", "15")
    # 9 − 6 would reveal Xuhui's 3, so Pudong's count is hidden as well, and says so
    # in words rather than pretending to be under 5.
    assert rows["Pudong New Area"] == ("withheld", "30")
    assert rows["Huangpu"] == ("0", "0")
    assert rows["Whole city"] == ("9", "45")


# --- the page -----------------------------------------------------------------------


def test_page_shows_tables_charts_and_suppressed_cells(client, stats_page, pudong, xuhui):
    for _ in range(6):
        ServiceFactory(areas_covered=[pudong], free_slots=1)
    ServiceFactory(areas_covered=[xuhui], free_slots=1)

    response = client.get(STATS, headers={"accept-language": "en"})

    assert response.status_code == 200
    content = response.content.decode()
    assert '<svg class="bar-chart" role="img" aria-label="Services and free places by district' in (
        content
    )
    assert "<title id=" in content and "<desc id=" in content
    assert '<th scope="row">Pudong New Area</th>' in content
    assert "&lt;5" in content and "fewer than 5" in content
    assert reverse("cms:stats_csv", args=["services-by-district"]) in content


def test_suppressed_figures_get_no_bar(pudong, xuhui):
    for _ in range(7):
        ServiceFactory(areas_covered=[pudong])
    ServiceFactory(areas_covered=[xuhui])
    ServiceFactory(areas_covered=[xuhui])
    # Xuhui 2 (small) and Pudong 7 (its complement): both hidden, no bar drawn for either.

    chart = str(table_chart(statistics.services_by_district()))

    assert chart.count('width="0"') == 2
    assert ">7<" not in chart and ">2<" not in chart
    assert ">&lt;5<" in chart and ">withheld<" in chart


def test_tables_without_data_yet_say_so_in_words(client, stats_page):
    content = client.get(STATS, headers={"accept-language": "en"}).content.decode()

    # Referrals and unmet needs exist as data: their tables are there, with nothing to count yet.
    for slug in ("referrals-by-category", "unmet-needs-by-district"):
        assert f'id="{slug}"' in content
        assert reverse("cms:stats_csv", args=[slug]) in content
    assert "There are no figures to show yet." in content
    # Pooled budgets do not exist yet: the page says so in words.
    assert 'id="pooled-budgets-by-funder"' in content
    assert reverse("cms:stats_csv", args=["pooled-budgets-by-funder"]) not in content
    assert "Not available yet:" in content
    assert content.count("<svg") == 0  # no figures yet: no empty charts either


def test_page_is_in_chinese_by_default(client, stats_page, pudong):
    ServiceFactory(areas_covered=[pudong])
    content = client.get(STATS, headers={"accept-language": "zh-hans"}).content.decode()
    assert "浦东新区" in content


def test_anonymous_visitors_may_cache_the_page(client, stats_page):
    response = client.get(STATS)
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_signed_in_visitors_are_not_cached_publicly(client, stats_page):
    client.force_login(UserFactory())
    response = client.get(STATS)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def _seed_services(count, district):
    site = SiteFactory(district=district, area=district)
    for _ in range(count):
        ServiceFactory(
            categories=[need_category("basic-living.dibao"), need_category("emergency.temporary")],
            areas_covered=[district],
            sites=[site],
        )


@pytest.mark.parametrize("url", [STATS, "/stats/data/services-by-district.csv"])
def test_page_and_csv_run_a_fixed_number_of_queries(client, stats_page, pudong, xuhui, url):
    _seed_services(2, pudong)
    client.get(url)  # warm caches (content types, site) outside the count
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    _seed_services(18, xuhui)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)


# --- CSV downloads ------------------------------------------------------------------


def test_csv_has_a_bom_a_translated_header_and_suppressed_cells(client, pudong, xuhui):
    for _ in range(6):
        ServiceFactory(areas_covered=[pudong], free_slots=5)
    ServiceFactory(areas_covered=[xuhui], free_slots=10)
    url = reverse("cms:stats_csv", args=["services-by-district"])

    response = client.get(url, headers={"accept-language": "zh-hans"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="services-by-district.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] != "District,Services,Free places"  # the header is in Chinese
    assert "徐汇区,<5,10" in lines
    pudong_line = next(line for line in lines if line.startswith("浦东新区,"))
    assert pudong_line.endswith(",30") and ",6," not in pudong_line  # Xuhui's complement
    assert "public" in response["Cache-Control"]

    english = client.get(url, headers={"accept-language": "en"}).content.decode("utf-8-sig")
    assert english.splitlines()[0] == "District,Services,Free places"
    assert "Whole city,7,40" in english.splitlines()
    assert "Pudong New Area,withheld,30" in english.splitlines()


def test_csv_of_an_unknown_or_unavailable_table_is_not_found(client):
    assert client.get("/stats/data/people.csv").status_code == 404
    assert client.get("/stats/data/pooled-budgets-by-funder.csv").status_code == 404
