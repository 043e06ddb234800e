"""The page tree the data migration ``cms.0002_create_home_pages`` builds, on demand.

Transactional tests (the browser journeys) flush the database when they end, rows
made by data migrations included, and ``--reuse-db`` carries that into the next
run. Tests that need the home pages therefore ask for them through this helper,
which replays the migration itself when they are missing.
"""

import importlib

from django.apps import apps
from wagtail.models import Locale, Page

from cms.models import HomePage

HOME_MIGRATION = importlib.import_module("cms.migrations.0002_create_home_pages")

ZH_TITLE = HOME_MIGRATION.HOME_PAGES["zh-hans"]["title"]
EN_TITLE = HOME_MIGRATION.HOME_PAGES["en"]["title"]


def ensure_home_pages() -> tuple[HomePage, HomePage]:
    """The Chinese home page (root of the default site) and its English translation."""
    if not Page.objects.filter(depth=1).exists():
        default_locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
        Page.add_root(instance=Page(title="Root", slug="root", locale=default_locale))
    HOME_MIGRATION.create_home_pages(apps)
    zh_home = HomePage.objects.get(depth=2, locale__language_code="zh-hans")
    en_home = HomePage.objects.get(depth=2, locale__language_code="en")
    return zh_home, en_home
