"""The sections under both home pages, and what the home page shows: the latest policies,
search boxes, headline figures in a fixed number of queries, and cache headers."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from cms.models import PolicyPage, ServiceGuidePage
from cms.sections import SECTIONS, create_sections, section_pages, set_up_moderation
from providers.models import Provider
from tests.cms.markup import find_all, read
from tests.factories.providers import ServiceFactory, VerifiedProviderFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def sections(home_pages):
    create_sections(apps)
    set_up_moderation(apps)
    return section_pages()


def add_policy(index, slug, title, issue_date, *, translation_of=None, number=""):
    page = PolicyPage(
        slug=slug,
        title=title,
        document_number=number,
        issuing_authority="上海市民政局",
        level=PolicyPage.Level.MUNICIPAL,
        issue_date=issue_date,
        summary=f"{title}的摘要。",
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def hrefs(response):
    return [e.attrs.get("href") for e in find_all(read(response.content), "a")]


def test_each_section_exists_under_both_homes_as_translations_with_the_same_slug(sections):
    for slug in SECTIONS:
        zh, en = sections[slug]["zh-hans"], sections[slug]["en"]
        assert zh.live and en.live
        assert zh.slug == en.slug == slug
        assert zh.translation_key == en.translation_key
    assert sections["policies"]["zh-hans"].title == "政策文件"
    assert sections["guides"]["en"].title == "Service guides"
    assert Page.find_problems() == ([], [], [], [], [])


def test_creating_sections_again_adds_nothing(sections):
    count = Page.objects.count()

    create_sections(apps)
    set_up_moderation(apps)

    assert Page.objects.count() == count


def test_a_missing_english_section_is_recreated_as_a_translation(sections):
    sections["news"]["en"].delete()

    create_sections(apps)

    again = section_pages()["news"]
    assert again["en"].translation_key == again["zh-hans"].translation_key


def test_sections_are_served_in_each_language(sections):
    assert "新闻动态" in Client().get("/news/").content.decode()
    assert "<h1>News</h1>" in Client(**ENGLISH).get("/news/").content.decode()


def test_home_shows_the_five_latest_policies_in_the_readers_language(sections):
    index_zh, index_en = sections["policies"]["zh-hans"], sections["policies"]["en"]
    start = datetime.date(2020, 1, 1)
    policies = [
        add_policy(index_zh, f"p{n}", f"政策{n}号文件", start + datetime.timedelta(days=n))
        for n in range(7)
    ]
    add_policy(
        index_en, "p6", "Policy number 6", policies[6].issue_date, translation_of=policies[6]
    )

    chinese = Client().get("/").content.decode()
    english = Client(**ENGLISH).get("/").content.decode()

    assert [n for n in range(7) if f"政策{n}号文件" in chinese] == [2, 3, 4, 5, 6]
    # English readers get the translation where there is one, the original otherwise.
    assert "Policy number 6" in english and "政策6号文件" not in english
    assert [n for n in range(2, 6) if f"政策{n}号文件" in english] == [2, 3, 4, 5]
    assert chinese.index("政策6号文件") < chinese.index("政策5号文件")


def test_home_offers_a_directory_search_and_a_site_search(sections):
    forms = find_all(read(Client().get("/").content), "form")

    searches = {(f.attrs["action"], f.attrs["method"]) for f in forms if f.attrs.get("role")}
    assert ("/providers/", "get") in searches
    assert ("/search/", "get") in searches
    inputs = {
        e.attrs.get("id"): e.attrs.get("name")
        for e in find_all(read(Client().get("/").content), "input")
    }
    assert inputs["home-directory-search"] == "q"
    assert inputs["home-search"] == "query"


def test_home_shows_headline_figures_from_the_public_directory(sections):
    dibao, elderly = (
        need_category("basic-living.dibao"),
        need_category("social-services.elderly-care"),
    )
    provider = VerifiedProviderFactory()
    ServiceFactory(provider=provider, categories=[dibao], free_slots=3)
    ServiceFactory(provider=provider, categories=[dibao, elderly], free_slots=4)
    # Capacity not updated for a fortnight does not count as free places.
    ServiceFactory(
        categories=[elderly],
        free_slots=50,
        capacity_updated_at=timezone.now() - datetime.timedelta(days=14),
    )
    # Unverified providers are not in the public directory at all.
    ServiceFactory(provider=VerifiedProviderFactory(status=Provider.Status.SUBMITTED))

    response = Client(**ENGLISH).get("/")

    figures = response.context["figures"]
    assert figures.providers == 2
    assert figures.services == 3
    assert figures.free_places == 7
    by_group = {row.group.code: row.services for row in figures.services_by_group}
    assert by_group["basic-living"] == 2
    assert by_group["social-services"] == 2
    assert by_group["emergency"] == 0
    assert "/providers/?category=basic-living" in hrefs(response)


def _home_queries():
    client = Client()
    client.get("/")  # warm the site-root-paths cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_home_page_runs_a_fixed_number_of_queries(sections):
    index = sections["policies"]["zh-hans"]
    add_policy(index, "first", "第一份政策", datetime.date(2020, 1, 1))
    ServiceFactory()
    few = _home_queries()

    for n in range(6):
        add_policy(index, f"more-{n}", f"更多政策{n}", datetime.date(2021, 1, n + 1))
        ServiceFactory(categories=[need_category("emergency.temporary")])

    assert _home_queries() == few


def test_anonymous_visitors_get_a_cacheable_home_page(sections):
    response = Client().get("/")

    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]


def test_signed_in_users_get_a_private_uncached_home_page(sections, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader", password="x"))

    cache_control = client.get("/")["Cache-Control"]

    assert "public" not in cache_control
    assert "private" in cache_control
    assert "no-store" in cache_control


def add_guide(index, slug, title, *, translation_of=None):
    page = ServiceGuidePage(
        slug=slug,
        title=title,
        category=need_category("basic-living.dibao"),
        summary=title,
        eligibility="<p>…</p>",
        materials="<ul><li>…</li></ul>",
        steps="<ol><li>…</li></ol>",
        where_to_apply="<p>…</p>",
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def switch_language(client, path, language):
    """Press a language button of the switcher on ``path``, as a browser would."""
    elements = read(client.get(path).content)
    form = next(e for e in find_all(elements, "form") if "language-switcher" in e.attrs["class"])
    button = next(e for e in find_all(elements, "button") if e.attrs.get("value") == language)
    data = {"language": language}
    hidden = [e for e in find_all(elements, "input") if e.attrs.get("name") == "next"]
    if hidden:
        data["next"] = hidden[0].attrs["value"]
    response = client.post(button.attrs.get("formaction", form.attrs["action"]), data)
    assert response.status_code == 302
    return client.get(response["Location"])


def test_switching_language_on_a_guide_lands_on_its_translation(sections):
    original = add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")
    add_guide(sections["guides"]["en"], "dibao", "Applying for dibao", translation_of=original)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")

    english = switch_language(client, "/guides/dibao/", "en")
    assert '<h1 id="guide-title">Applying for dibao</h1>' in english.content.decode()

    chinese = switch_language(client, "/guides/dibao/", "zh-hans")
    assert '<h1 id="guide-title">申请低保</h1>' in chinese.content.decode()


def test_switching_language_follows_a_translation_with_a_slug_of_its_own(sections):
    original = add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")
    add_guide(
        sections["guides"]["en"],
        "minimum-living-allowance",
        "Applying for dibao",
        translation_of=original,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")

    english = switch_language(client, "/guides/dibao/", "en")
    assert english.request["PATH_INFO"] == "/guides/minimum-living-allowance/"
    assert "Applying for dibao" in english.content.decode()

    chinese = switch_language(client, "/guides/minimum-living-allowance/", "zh-hans")
    assert chinese.request["PATH_INFO"] == "/guides/dibao/"
    assert "申请低保" in chinese.content.decode()


def test_switching_language_on_an_untranslated_page_stays_on_it(sections):
    add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")

    english = switch_language(Client(HTTP_ACCEPT_LANGUAGE="zh-CN"), "/guides/dibao/", "en")

    assert english.status_code == 200
    assert english.request["PATH_INFO"] == "/guides/dibao/"
