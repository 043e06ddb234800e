"""News (newest first, paginated, fixed queries) and the RSS/Atom feeds of policies and news."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import NewsPage, PolicyPage
from cms.models.news import NEWS_PER_PAGE
from cms.sections import create_sections, section_pages
from demo.cms import NEWS, seed_news
from tests.cms.markup import find_all, read

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def sections(home_pages):
    create_sections(apps)
    return section_pages()


def add_news(index, slug, title, date, *, translation_of=None):
    page = NewsPage(
        slug=slug,
        title=title,
        date=date,
        summary=f"{title}的摘要",
        body=[],
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def add_policy(index, slug, title, issue_date, *, number="", translation_of=None):
    page = PolicyPage(
        slug=slug,
        title=title,
        document_number=number,
        issuing_authority="民政部",
        level=PolicyPage.Level.NATIONAL,
        issue_date=issue_date,
        summary=f"Summary of {slug}",
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def news_titles(response):
    return [
        " ".join(e.text.split())
        for e in find_all(read(response.content), "h2")
        if "news-row__title" in e.attrs.get("class", "")
    ]


def test_news_index_lists_the_newest_first(sections):
    index = sections["news"]["zh-hans"]
    add_news(index, "older", "较早的新闻", datetime.date(2024, 1, 1))
    add_news(index, "newest", "最新的新闻", datetime.date(2024, 3, 1))
    add_news(index, "middle", "中间的新闻", datetime.date(2024, 2, 1))

    assert news_titles(Client().get("/news/")) == ["最新的新闻", "中间的新闻", "较早的新闻"]


def test_news_index_is_paginated_with_a_fixed_number_of_queries(sections):
    index = sections["news"]["zh-hans"]
    start = datetime.date(2024, 1, 1)
    for n in range(2):
        add_news(index, f"n{n}", f"新闻{n}", start + datetime.timedelta(days=n))
    client = Client()
    client.get("/news/")
    with CaptureQueriesContext(connection) as few:
        client.get("/news/")

    for n in range(2, NEWS_PER_PAGE + 5):
        add_news(index, f"n{n}", f"新闻{n}", start + datetime.timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        first_page = client.get("/news/")

    assert len(many) == len(few)
    assert len(news_titles(first_page)) == NEWS_PER_PAGE
    assert len(news_titles(client.get("/news/?page=2"))) == 5


def test_english_readers_see_translations_and_untranslated_chinese_news(sections):
    original = add_news(
        sections["news"]["zh-hans"], "launch", "平台上线", datetime.date(2024, 3, 1)
    )
    add_news(
        sections["news"]["en"],
        "launch",
        "Platform launched",
        datetime.date(2024, 3, 1),
        translation_of=original,
    )
    add_news(sections["news"]["zh-hans"], "only-zh", "只有中文的新闻", datetime.date(2024, 2, 1))

    assert news_titles(Client(**ENGLISH).get("/news/")) == ["Platform launched", "只有中文的新闻"]
    assert Client(**ENGLISH).get("/news/only-zh/").status_code == 200


def test_news_page_shows_date_summary_and_text(sections):
    add_news(sections["news"]["zh-hans"], "launch", "平台上线", datetime.date(2024, 3, 1))

    response = Client().get("/news/launch/")

    elements = read(response.content)
    assert find_all(elements, "time")[0].attrs["datetime"] == "2024-03-01"
    assert "平台上线的摘要" in response.content.decode()
    meta = next(e for e in find_all(elements, "meta") if e.attrs.get("name") == "description")
    assert meta.attrs["content"] == "平台上线的摘要"


def rss_items(response):
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own output)
    return channel, channel.findall("item")


def test_policy_feed_is_rss_with_the_policies_of_each_language(sections):
    index_zh, index_en = sections["policies"]["zh-hans"], sections["policies"]["en"]
    interim = add_policy(
        index_zh,
        "interim",
        "社会救助暂行办法",
        datetime.date(2014, 2, 21),
        number="国务院令第649号",
    )
    add_policy(
        index_en,
        "interim",
        "Interim Measures on Social Assistance",
        datetime.date(2014, 2, 21),
        number="国务院令第649号",
        translation_of=interim,
    )
    add_policy(index_zh, "shanghai", "上海市社会救助条例", datetime.date(2019, 1, 1))

    chinese = Client().get("/policies/feed/")
    english = Client(**ENGLISH).get("/policies/feed/")

    assert chinese["Content-Type"].startswith("application/rss+xml")
    channel, items = rss_items(chinese)
    assert [item.findtext("title") for item in items] == [
        "上海市社会救助条例",
        "社会救助暂行办法 (国务院令第649号)",
    ]
    assert items[1].findtext("link").endswith("/policies/interim/")
    assert items[1].findtext("description") == "Summary of interim"
    assert "21 Feb 2014" in items[1].findtext("pubDate")
    _channel, english_items = rss_items(english)
    assert [item.findtext("title") for item in english_items] == [
        "上海市社会救助条例",
        "Interim Measures on Social Assistance (国务院令第649号)",
    ]
    # Each page in each language has its own guid; the untranslated page is the same item.
    guids = [item.findtext("guid") for item in items]
    english_guids = [item.findtext("guid") for item in english_items]
    assert guids[0] == english_guids[0]
    assert len({*guids, *english_guids}) == 3


def test_news_feed_offers_atom_too(sections):
    add_news(sections["news"]["zh-hans"], "launch", "平台上线", datetime.date(2024, 3, 1))

    response = Client().get("/news/feed/?format=atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own output)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["平台上线"]
    assert entries[0].findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert entries[0].findtext(f"{ATOM}summary") == "平台上线的摘要"


def test_feeds_leave_out_drafts(sections):
    draft = add_news(sections["news"]["zh-hans"], "draft", "草稿", datetime.date(2024, 3, 1))
    draft.unpublish()

    _channel, items = rss_items(Client().get("/news/feed/"))

    assert items == []


def test_feeds_are_cacheable_and_vary_by_language(sections):
    response = Client().get("/news/feed/")

    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]


def test_pages_announce_their_feeds(sections):
    links = find_all(read(Client().get("/news/").content), "link")

    feeds = {e.attrs["type"]: e.attrs["href"] for e in links if e.attrs.get("rel") == "alternate"}
    assert feeds["application/rss+xml"] == "/news/feed/"
    assert feeds["application/atom+xml"] == "/news/feed/?format=atom"


def test_demo_news_in_both_languages_is_seeded_once(sections):
    index_zh, index_en = sections["news"]["zh-hans"], sections["news"]["en"]

    seed_news(index_zh, index_en)
    seed_news(index_zh, index_en)

    chinese = NewsPage.objects.child_of(index_zh)
    english = NewsPage.objects.child_of(index_en)
    assert 3 <= chinese.count() == english.count() == len(NEWS) <= 5
    assert {p.translation_key for p in chinese} == {p.translation_key for p in english}
