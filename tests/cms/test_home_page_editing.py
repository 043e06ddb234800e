"""Editors can open the home page in Wagtail's admin, and the call-to-action block
accepts only links that are safe to show to the public."""

import pytest
from django.core.exceptions import ValidationError

from cms.blocks import CallToActionBlock
from tests.factories.accounts import UserFactory


@pytest.mark.django_db
def test_editor_can_open_both_home_pages_in_the_admin(client, home_pages):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    for home in home_pages:
        response = client.get(f"/cms-admin/pages/{home.pk}/edit/")
        assert response.status_code == 200, home.locale.language_code


def _cta(**value):
    block = CallToActionBlock()
    return block, block.to_python({"title": "申请帮助", "button_label": "开始", **value})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org"])
def test_call_to_action_refuses_addresses_that_are_not_web_pages(url):
    block, value = _cta(url=url)

    with pytest.raises(ValidationError):
        block.clean(value)


def test_call_to_action_needs_a_page_or_an_address():
    block, value = _cta()

    with pytest.raises(ValidationError):
        block.clean(value)


def test_call_to_action_links_to_a_site_path():
    block, value = _cta(url="/providers/", text="找到附近的服务。")

    html = block.render(block.clean(value))

    assert 'href="/providers/"' in html
    assert "申请帮助" in html and "开始" in html
