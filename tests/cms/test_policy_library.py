"""The policy library (/policies/): filters, order, pagination, a fixed number of
queries, cache headers, and each policy's page with its links both ways."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from cms.models import PolicyIndexPage, PolicyPage, ServiceGuideIndexPage, ServiceGuidePage
from cms.sections import create_sections
from demo.cms import seed_policies
from tests.cms.markup import find_all, read
from tests.factories.accounts import UserFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def zh_index(home_pages):
    create_sections(apps)
    return PolicyIndexPage.objects.child_of(home_pages[0]).get(slug="policies")


@pytest.fixture
def en_index(home_pages, zh_index):
    return PolicyIndexPage.objects.child_of(home_pages[1]).get(slug="policies")


def add_policy(index, title, *, categories=(), **fields):
    values = {
        "slug": f"p-{PolicyPage.objects.count()}",
        "summary": "摘要。",
        "issuing_authority": "民政部",
        "level": PolicyPage.Level.NATIONAL,
        "issue_date": datetime.date(2020, 1, 1),
    } | fields
    policy = index.add_child(instance=PolicyPage(title=title, **values))
    if categories:
        policy.categories.set([need_category(code) for code in categories])
        policy.save_revision().publish()
    return policy


def listed_titles(response) -> list[str]:
    return [" ".join(e.text.split()) for e in find_all(read(response.content), "h3")]


def get_index(query=None, headers=ZH):
    return Client(**headers).get("/policies/", query or {})


# --- filters -------------------------------------------------------------------------


@pytest.fixture
def library(zh_index):
    add_policy(
        zh_index,
        "社会救助暂行办法",
        issue_date=datetime.date(2014, 2, 21),
        issuing_authority="国务院",
        categories=["basic-living.dibao", "emergency.temporary"],
    )
    add_policy(
        zh_index,
        "上海市社会救助条例",
        level=PolicyPage.Level.PROVINCIAL,
        issuing_authority="上海市人民代表大会常务委员会",
        issue_date=datetime.date(2018, 11, 22),
        categories=["basic-living.dibao"],
    )
    add_policy(
        zh_index,
        "特困人员认定办法（2016）",
        status=PolicyPage.Status.REPEALED,
        issue_date=datetime.date(2016, 10, 10),
        categories=["basic-living.extreme-poverty"],
    )
    add_policy(
        zh_index,
        "关于全面建立临时救助制度的通知",
        issuing_authority="国务院",
        issue_date=datetime.date(2014, 10, 3),
        categories=["emergency.temporary"],
    )
    add_policy(
        zh_index,
        "养老服务条例",
        level=PolicyPage.Level.DISTRICT,
        issue_date=datetime.date(2021, 1, 1),
        categories=["social-services.elderly-care"],
    )
    return zh_index


def test_policies_are_listed_newest_first_by_default_and_oldest_first_on_request(library):
    assert listed_titles(get_index()) == [
        "养老服务条例",
        "上海市社会救助条例",
        "特困人员认定办法（2016）",
        "关于全面建立临时救助制度的通知",
        "社会救助暂行办法",
    ]
    assert listed_titles(get_index({"sort": "oldest"}))[0] == "社会救助暂行办法"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"level": "provincial"}, {"上海市社会救助条例"}),
        ({"authority": "国务院"}, {"社会救助暂行办法", "关于全面建立临时救助制度的通知"}),
        (
            {"category": "emergency.temporary"},
            {"社会救助暂行办法", "关于全面建立临时救助制度的通知"},
        ),
        # A group matches the policies of any of its categories.
        (
            {"category": "basic-living"},
            {"社会救助暂行办法", "上海市社会救助条例", "特困人员认定办法（2016）"},
        ),
        ({"status": "repealed"}, {"特困人员认定办法（2016）"}),
        ({"year": "2014"}, {"社会救助暂行办法", "关于全面建立临时救助制度的通知"}),
        ({"year": "2014", "authority": "国务院", "category": "basic-living"}, {"社会救助暂行办法"}),
    ],
)
def test_filters_narrow_the_list(library, query, expected):
    titles = listed_titles(get_index(query))

    assert set(titles) == expected
    assert len(titles) == len(expected)  # a policy with two matching categories is listed once


def test_authority_and_year_choices_come_from_the_policies(library):
    values = [e.attrs.get("value") for e in find_all(read(get_index().content), "option")]

    assert "国务院" in values and "上海市人民代表大会常务委员会" in values
    assert "2014" in values and "2021" in values and "2015" not in values


def test_an_unknown_filter_value_gets_a_message_and_the_other_filters_still_apply(library):
    response = get_index({"level": "galactic", "status": "repealed"})

    assert response.status_code == 200
    errors = [e for e in read(response.content) if "form-field__errors" in e.attrs.get("class", "")]
    assert len(errors) == 1
    assert listed_titles(response) == ["特困人员认定办法（2016）"]


def test_each_row_shows_number_authority_level_date_and_status_in_words(en_index):
    add_policy(
        en_index,
        "Measures for Identifying Persons in Extreme Poverty",
        document_number="民发〔2021〕43号",
        issuing_authority="Ministry of Civil Affairs",
        issue_date=datetime.date(2021, 4, 26),
        status=PolicyPage.Status.IN_FORCE,
    )

    content = get_index(headers=EN).content.decode()

    for text in (
        "民发〔2021〕43号",
        "Ministry of Civil Affairs",
        "National",
        "2021-04-26",
        "In force",
    ):
        assert text in content


def test_pages_keep_the_filters_and_show_twenty_policies_each(zh_index):
    for number in range(25):
        add_policy(zh_index, f"文件{number:02d}", status=PolicyPage.Status.IN_FORCE)
    add_policy(zh_index, "已废止的文件", status=PolicyPage.Status.REPEALED)

    first = get_index({"status": "in_force"})
    second = get_index({"status": "in_force", "page": "2"})

    assert len(listed_titles(first)) == 20
    assert len(listed_titles(second)) == 5
    hrefs = [e.attrs.get("href", "") for e in find_all(read(first.content), "a")]
    assert "?status=in_force&page=2" in hrefs


def test_the_index_runs_the_same_number_of_queries_for_2_and_20_policies(zh_index):
    def count_queries():
        client = Client(**ZH)
        client.get("/policies/")  # warm the site and locale caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/policies/", {"category": "basic-living"})
        assert response.status_code == 200
        return len(queries)

    for number in range(2):
        add_policy(
            zh_index, f"文件{number}", categories=["basic-living.dibao", "emergency.temporary"]
        )
    with_two = count_queries()
    for number in range(2, 20):
        add_policy(
            zh_index, f"文件{number}", categories=["basic-living.dibao", "emergency.temporary"]
        )

    assert count_queries() == with_two


def test_anonymous_visitors_may_cache_the_index_and_a_policy_but_signed_in_users_not(zh_index):
    policy = add_policy(zh_index, "社会救助暂行办法", slug="interim")
    for path in ("/policies/", "/policies/interim/"):
        response = Client(**ZH).get(path)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert "max-age=300" in response["Cache-Control"]

    client = Client(**ZH)
    client.force_login(UserFactory())
    response = client.get(policy.url)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# --- the policy page -----------------------------------------------------------------------


def test_policy_page_links_the_policy_it_supersedes_and_the_one_superseding_it(zh_index):
    old = add_policy(
        zh_index,
        "特困人员认定办法（2016年）",
        slug="old",
        document_number="民发〔2016〕178号",
        status=PolicyPage.Status.REPEALED,
    )
    new = add_policy(
        zh_index, "特困人员认定办法", slug="new", document_number="民发〔2021〕43号", supersedes=old
    )

    new_page = read(Client(**EN).get("/policies/new/").content)
    old_page = read(Client(**EN).get("/policies/old/").content)

    new_links = {e.attrs.get("href"): " ".join(e.text.split()) for e in find_all(new_page, "a")}
    old_links = {e.attrs.get("href"): " ".join(e.text.split()) for e in find_all(old_page, "a")}
    assert new_links[old.url] == "特困人员认定办法（2016年）"
    assert old_links[new.url] == "特困人员认定办法"
    assert "Supersedes:" in "".join(e.text for e in new_page)
    assert "Superseded by:" in "".join(e.text for e in old_page)


def test_policy_page_shows_its_particulars_explanation_categories_and_guides(zh_index, home_pages):
    policy = add_policy(
        zh_index,
        "国务院关于全面建立临时救助制度的通知",
        slug="temporary",
        document_number="国发〔2014〕47号",
        issuing_authority="国务院",
        issue_date=datetime.date(2014, 10, 3),
        effective_date=datetime.date(2014, 10, 3),
        interpretation="<p>家里突然遇到困难，可以向街道申请临时救助。</p>",
        source_url="https://www.gov.cn/",
        categories=["emergency.temporary"],
    )
    guides = ServiceGuideIndexPage.objects.child_of(home_pages[0]).get(slug="guides")
    guide = guides.add_child(
        instance=ServiceGuidePage(
            title="怎样申请临时救助",
            slug="temporary",
            category=need_category("emergency.temporary"),
            summary="申请临时救助。",
            eligibility="<p>遭遇急难的家庭。</p>",
            materials="<p>身份证。</p>",
            steps="<p>向街道申请。</p>",
            where_to_apply="<p>街道。</p>",
        )
    )
    guide.policies.add(policy)
    guide.save_revision().publish()

    response = Client(**EN).get("/policies/temporary/")

    content = response.content.decode()
    elements = read(response.content)
    hrefs = [e.attrs.get("href") for e in find_all(elements, "a")]
    assert "国发〔2014〕47号" in content and "2014-10-03" in content and "In force" in content
    assert "What this means for you" in content and "家里突然遇到困难" in content
    assert guide.url in hrefs
    assert "https://www.gov.cn/" in hrefs
    assert "/providers/?category=emergency.temporary" in hrefs


# --- demo policies ------------------------------------------------------------------


def test_demo_policies_are_real_records_seeded_once_with_english_translations(zh_index, en_index):
    seed_policies(zh_index, en_index)
    seed_policies(zh_index, en_index)

    chinese = PolicyPage.objects.child_of(zh_index).live()
    english = PolicyPage.objects.child_of(en_index).live()
    assert chinese.count() >= 15
    assert english.count() >= 5
    assert not english.exclude(translation_key__in=chinese.values("translation_key")).exists()
    interim = chinese.get(document_number="国务院令第649号")
    assert interim.issue_date == datetime.date(2014, 2, 21)
    assert interim.effective_date == datetime.date(2014, 5, 1)
    new = chinese.get(document_number="民发〔2021〕43号")
    assert new.supersedes.document_number == "民发〔2016〕178号"
    assert new.supersedes.status == PolicyPage.Status.REPEALED
    assert all(policy.interpretation and policy.summary for policy in chinese)
    assert Locale.objects.get(language_code="en").pk == english.first().locale_id
