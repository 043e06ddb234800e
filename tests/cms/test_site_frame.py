"""The frame every page shares (templates/base.html): skip link, landmarks, language,
account state, navigation only to pages that exist, no outside assets."""

import re

import pytest
from wagtail.models import Page

from tests.cms.markup import find_all, read
from tests.factories.accounts import user_with_role

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


def test_skip_link_is_the_first_thing_to_focus_and_leads_to_main(client, home_pages):
    elements = read(client.get("/").content)

    first_focusable = next(element for element in elements if element.is_focusable())
    assert first_focusable.tag == "a"
    assert first_focusable.attrs["href"] == "#main"
    assert first_focusable.text.strip()
    assert [e.attrs.get("id") for e in find_all(elements, "main")] == ["main"]


def test_page_has_header_navigation_main_and_footer_landmarks(client, home_pages):
    elements = read(client.get("/").content)

    for landmark in ("header", "nav", "main", "footer"):
        assert find_all(elements, landmark), f"no <{landmark}>"
    assert len(find_all(elements, "main")) == 1
    assert all(nav.attrs.get("aria-label") for nav in find_all(elements, "nav"))
    assert any(e.attrs.get("role") == "status" for e in elements), "no messages area"


def test_page_loads_nothing_from_other_sites(client, home_pages):
    elements = read(client.get("/").content)

    assets = [e.attrs.get("src", "") for e in find_all(elements, "script")]
    assets += [e.attrs.get("href", "") for e in find_all(elements, "link")]
    assets += [e.attrs.get("src", "") for e in find_all(elements, "img")]
    assert assets, "the page should load its own stylesheet"
    assert [url for url in assets if EXTERNAL.match(url)] == []


def test_anonymous_visitor_is_offered_sign_in(client, home_pages):
    elements = read(client.get("/").content)

    header_links = [e for e in find_all(elements, "a") if e.attrs.get("href") == "/accounts/login/"]
    assert header_links
    assert not any(e.attrs.get("action") == "/accounts/logout/" for e in find_all(elements, "form"))


def test_signed_in_user_sees_their_name_workspace_and_a_sign_out_button(client, home_pages):
    user = user_with_role("caseworker", username="wangfang", display_name="王芳")
    client.force_login(user)

    page = client.get("/").content.decode()
    elements = read(page)

    assert "王芳" in page
    assert any(e.attrs.get("href") == "/app/" for e in find_all(elements, "a"))
    sign_out = next(
        e for e in find_all(elements, "form") if e.attrs.get("action") == "/accounts/logout/"
    )
    assert sign_out.attrs["method"] == "post"
    assert not any(
        e.attrs.get("href", "").startswith("/accounts/login/")
        and "account__sign-in" in e.attrs.get("class", "")
        for e in find_all(elements, "a")
    )


def test_sign_in_link_brings_the_visitor_back_to_the_page_they_were_on(client, zh_home):
    response = client.get("/no-such-page/?q=1")

    sign_in = next(
        e
        for e in find_all(read(response.content), "a")
        if "account__sign-in" in e.attrs.get("class", "")
    )
    assert sign_in.attrs["href"] == "/accounts/login/?next=/no-such-page/%3Fq%3D1"


def _links(client, path="/"):
    return {e.attrs.get("href") for e in find_all(read(client.get(path).content), "a")}


def _section_pages(slug):
    return Page.objects.filter(depth=3, slug=slug)


def test_navigation_links_only_to_sections_that_exist(client, zh_home):
    """The section pages made by migration cms/0004 appear; a missing one does not."""
    assert "/policies/" in _links(client)
    assert "/stats/" in _links(client)
    for page in _section_pages("stats"):
        page.delete()

    assert "/stats/" not in _links(client)


def test_navigation_hides_a_section_once_its_page_is_unpublished(client, zh_home):
    for page in _section_pages("policies"):
        page.unpublish()

    assert "/policies/" not in _links(client)


def test_current_section_is_marked_in_the_navigation(client, home_pages):
    elements = read(client.get("/").content)

    home_link = next(e for e in find_all(elements, "a") if e.attrs.get("aria-current") == "page")
    assert home_link.attrs["href"] == "/"
