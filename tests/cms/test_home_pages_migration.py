"""The data migration that replaces Wagtail's welcome page with the bilingual home page."""

import pytest
from django.apps import apps
from wagtail.models import Locale, Page, Site

from cms.models import HomePage
from tests.cms.pages import EN_TITLE, HOME_MIGRATION, ZH_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_wagtail_install(home_pages):
    """The tree as ``wagtailcore``'s own migrations leave it: a welcome page as the site root."""
    HomePage.objects.all().delete()  # the default Site goes with its root page
    root = Page.objects.get(depth=1)
    welcome = root.add_child(instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
    Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)
    return welcome


def test_welcome_page_is_replaced_by_chinese_home_with_english_translation(
    fresh_wagtail_install,
):
    HOME_MIGRATION.create_home_pages(apps)

    site = Site.objects.get(is_default_site=True)
    zh_home = site.root_page.specific
    en_home = zh_home.get_translation(Locale.objects.get(language_code="en")).specific
    assert isinstance(zh_home, HomePage)
    assert (zh_home.title, zh_home.slug, zh_home.locale.language_code) == (
        ZH_TITLE,
        "home",
        "zh-hans",
    )
    assert en_home.title == EN_TITLE
    assert en_home.live and en_home.intro and len(en_home.body) == len(zh_home.body)
    assert not Page.objects.filter(pk=fresh_wagtail_install.pk).exists()
    assert Page.objects.get(depth=1).numchild == 2
    assert Page.find_problems() == ([], [], [], [], [])


def test_running_it_again_changes_nothing(home_pages):
    pages_before = list(Page.objects.values_list("pk", "path", "title"))

    HOME_MIGRATION.create_home_pages(apps)

    assert list(Page.objects.values_list("pk", "path", "title")) == pages_before
