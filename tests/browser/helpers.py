"""Steps the browser journeys share."""

import re

from playwright.sync_api import expect

from tests.factories.accounts import TEST_PASSWORD


def sign_in(page, username: str | None = None, *, english: bool = True) -> None:
    """Open the sign-in page (in English unless told otherwise) and, given a username,
    sign in with the test password and land on the workspace."""
    page.goto("/accounts/login/")
    if english:
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    if username:
        page.fill('input[name="username"]', username)
        page.fill('input[name="password"]', TEST_PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/app/$"))
