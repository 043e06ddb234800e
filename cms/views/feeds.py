"""RSS 2.0 and Atom feeds of new policies (/policies/feed/) and news (/news/feed/).

Each feed is in the reader's language (LocaleMiddleware: language cookie or
Accept-Language), with the Chinese original for items not translated yet, like
the pages themselves. ``?format=atom`` gives the same items as Atom 1.0.
Feeds hold only published, public pages, the same for every visitor, so any
cache may keep them for a few minutes.
"""

import copy
import uuid
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext

from cms import selectors
from cms.sections import PUBLIC_PAGE_MAX_AGE
from core.templatetags.ui import site_name

FEED_ITEMS = 20
ATOM = "atom"


class PageFeed(Feed):
    """A feed of Wagtail pages; each feed defines ``pages()`` (live public pages, newest
    first), their date and its section."""

    permission_policy = "public"
    feed_type = Rss201rev2Feed
    section_path = "/"

    def __call__(self, request, *args, **kwargs):
        feed = self
        if request.GET.get("format") == ATOM:
            # The instance is shared between requests: change a copy, not it.
            feed = copy.copy(self)
            feed.feed_type = Atom1Feed
        response = Feed.__call__(feed, request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=PUBLIC_PAGE_MAX_AGE)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    def get_object(self, request, *args, **kwargs):
        # Item links need the request (site and language); items() receives it here.
        return request

    def items(self, request):
        pages = list(self.pages()[:FEED_ITEMS])
        for page in pages:
            page.feed_url = page.get_full_url(request)
        return pages

    def link(self):
        return self.section_path

    def language(self):
        return translation.get_language()

    def item_title(self, page):
        return page.title

    def item_description(self, page):
        return page.summary

    def item_link(self, page):
        return page.feed_url

    def item_guid(self, page):
        # Stable and unique per page and language: the English translation of a page
        # shares its address (and translation key) with the Chinese original.
        name = f"{page.translation_key}/{page.locale_id}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    item_guid_is_permalink = False

    def item_updateddate(self, page):
        return page.last_published_at

    @staticmethod
    def _start_of(day):
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class PolicyFeed(PageFeed):
    section_path = "/policies/"

    def title(self):
        return f"{gettext('New policies')} – {site_name()}"

    def description(self):
        return gettext("Laws, regulations and policy documents on social assistance, newest first.")

    subtitle = description

    def pages(self):
        return selectors.latest_policies(limit=None)

    def item_title(self, page):
        if page.document_number:
            return f"{page.title} ({page.document_number})"
        return page.title

    def item_pubdate(self, page):
        return self._start_of(page.issue_date)


class NewsFeed(PageFeed):
    section_path = "/news/"

    def title(self):
        return f"{gettext('News')} – {site_name()}"

    def description(self):
        return gettext("News and announcements from the civil affairs bureaus and this platform.")

    subtitle = description

    def pages(self):
        return selectors.news_items()

    def item_pubdate(self, page):
        return self._start_of(page.date)
