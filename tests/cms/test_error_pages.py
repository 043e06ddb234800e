"""Error pages: in the reader's language, inside the site frame, and the server
error page safe to render when nothing else works."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.cms.markup import find_all, read


@pytest.mark.django_db
def test_not_found_page_uses_the_site_frame(home_pages):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")

    elements = read(response.content)
    assert response.status_code == 404
    assert find_all(elements, "html")[0].attrs["lang"] == "en"
    assert find_all(elements, "main") and find_all(elements, "h1")
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request_or_database():
    # No django_db mark: any query while rendering would fail this test.
    with translation.override("en"):
        html = render_to_string("500.html")

    elements = read(html)
    assert find_all(elements, "html")[0].attrs["lang"] == "en"
    assert "Something went wrong" in html
    assert find_all(elements, "main")


@pytest.mark.django_db
def test_expired_form_shows_a_page_that_explains_what_to_do(home_pages):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post("/feedback/", {"message": "路灯坏了"})

    assert response.status_code == 403
    assert "The form could not be sent" in response.content.decode()


@pytest.mark.django_db
def test_switching_the_language_needs_no_csrf_token_so_public_pages_set_no_cookie(home_pages):
    client = Client(enforce_csrf_checks=True)

    home = client.get("/")
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert home.status_code == 200
    assert not home.cookies  # no CSRF cookie: the page stays cacheable by anyone
    assert switched.status_code == 302
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
