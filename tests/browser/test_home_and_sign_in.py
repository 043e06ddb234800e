"""Journey: a caseworker opens the site in Chinese, switches to English, signs in and
reaches the workspace."""

import re

import pytest
from playwright.sync_api import expect

from tests.cms.pages import EN_TITLE, ZH_TITLE
from tests.factories.accounts import TEST_PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_switches_to_english_signs_in_and_reaches_the_workspace(page, live_server):
    user_with_role("caseworker", username="caseworker", display_name="王芳")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ZH_TITLE)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EN_TITLE)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_username").fill("caseworker")
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").filter(has_text="Sign in").click()

    expect(page).to_have_url(re.compile(r"/app/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("王芳")
    assert page.outside_requests == []


def test_skip_link_is_the_first_stop_for_keyboard_users(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=re.compile("跳到主要内容|Skip to main content"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
