"""The home page: served at / in the visitor's language; switching language keeps the page."""

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page, Site

from tests.cms.markup import find_all, read, text_of
from tests.cms.pages import EN_TITLE, ZH_TITLE

pytestmark = pytest.mark.django_db


def test_default_site_starts_at_the_chinese_home_page_with_an_english_translation(home_pages):
    zh_home, en_home = home_pages
    site = Site.objects.get(is_default_site=True)

    assert site.root_page.specific == zh_home
    assert zh_home.title == ZH_TITLE
    assert en_home.title == EN_TITLE
    assert en_home.translation_key == zh_home.translation_key
    assert zh_home.live and en_home.live
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()


def test_home_page_is_served_in_chinese_by_default(client, home_pages):
    response = client.get("/")

    elements = read(response.content)
    assert response.status_code == 200
    assert find_all(elements, "html")[0].attrs["lang"] == "zh-Hans"
    assert text_of(elements, "h1") == ZH_TITLE


def test_home_page_is_served_in_english_to_a_browser_asking_for_english(home_pages):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get("/")

    elements = read(response.content)
    assert response.status_code == 200
    assert find_all(elements, "html")[0].attrs["lang"] == "en"
    assert text_of(elements, "h1") == EN_TITLE


def test_language_cookie_wins_over_the_browser_language(home_pages):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/")

    assert text_of(read(response.content), "h1") == EN_TITLE


def test_switching_language_returns_to_the_same_page_in_the_new_language(client, home_pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert text_of(read(client.get("/").content), "h1") == EN_TITLE


def test_language_switcher_sends_the_current_address_and_marks_the_current_language(
    client, home_pages
):
    elements = read(client.get("/?from=newsletter").content)

    form = next(e for e in find_all(elements, "form") if e.attrs["action"] == "/i18n/setlang/")
    assert form.attrs["method"] == "post"
    next_input = next(e for e in find_all(elements, "input") if e.attrs.get("name") == "next")
    assert next_input.attrs["value"] == "/?from=newsletter"
    buttons = {
        e.attrs["value"]: e
        for e in find_all(elements, "button")
        if e.attrs.get("name") == "language"
    }
    assert buttons["zh-hans"].text.strip() == "中文"
    assert buttons["en"].text.strip() == "English"
    assert buttons["zh-hans"].attrs.get("aria-current") == "true"
    assert "aria-current" not in buttons["en"].attrs


def test_page_without_english_translation_is_served_from_the_chinese_tree(zh_home):
    zh_home.add_child(instance=Page(title="只有中文的页面", slug="chinese-only"))

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/chinese-only/")

    assert response.status_code == 200
    assert "只有中文的页面" in response.content.decode()


def test_unknown_address_answers_404_in_both_languages(home_pages):
    assert Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/no-such-page/").status_code == 404
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/").status_code == 404


def test_home_page_shows_body_blocks_and_a_way_in_for_each_audience(client, zh_home):
    elements = read(client.get("/").content)

    headings = [" ".join(e.text.split()) for e in find_all(elements, "h2")]
    assert "遇到困难，怎样申请帮助" in headings
    assert len([e for e in find_all(elements, "li") if "card" in e.attrs.get("class", "")]) == 4
    sign_in_links = [
        e for e in find_all(elements, "a") if e.attrs.get("href") == "/accounts/login/"
    ]
    assert len(sign_in_links) >= 3


def test_home_page_offers_site_search_and_directory_search(client, zh_home):
    forms = find_all(read(client.get("/").content), "form")
    actions = {e.attrs.get("action") for e in forms if e.attrs.get("method") == "get"}
    assert "/search/" in actions
    assert "/providers/" in actions


def test_sitemap_lists_the_home_page(client, zh_home):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f"<loc>{zh_home.get_full_url()}</loc>".encode() in response.content
