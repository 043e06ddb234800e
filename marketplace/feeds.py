"""RSS 2.0 (/tenders/feed/rss/) and Atom 1.0 (/tenders/feed/atom/) feeds of new tenders.

Newest publication first, in the reader's language (LocaleMiddleware), with
the Chinese original where no English text exists. Every item says when bids
close, with the time zone. The feeds hold only published tenders, the same
for every visitor, so any cache may keep them for a few minutes.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext

from core.formatting import moment_label
from core.templatetags.ui import site_name
from marketplace.selectors.tenders import public_tenders

FEED_ITEMS = 20
# Public pages and feeds may be cached this long (seconds).
FEED_MAX_AGE = 300


class NewTendersFeed(Feed):
    permission_policy = "public"
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    def title(self):
        return f"{gettext('New tenders')} – {site_name()}"

    def description(self):
        return gettext(
            "Calls for bids to deliver social services, from the agencies commissioning them, "
            "newest first."
        )

    subtitle = description

    def link(self):
        return reverse("marketplace:tender_list")

    def language(self):
        return translation.get_language()

    def items(self):
        return public_tenders().order_by("-publish_at", "-pk")[:FEED_ITEMS]

    def item_title(self, tender):
        return f"{tender.reference} {tender.title}"

    def item_description(self, tender):
        closes = gettext("Bids close on %(deadline)s.") % {
            "deadline": moment_label(tender.submission_deadline)
        }
        return f"{tender.lead_agency.name}: {tender.description}\n\n{closes}"

    def item_link(self, tender):
        return reverse("marketplace:tender_detail", args=[tender.uuid])

    def item_guid(self, tender):
        return f"urn:uuid:{tender.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, tender):
        return tender.publish_at

    def item_updateddate(self, tender):
        return tender.updated_at

    def item_author_name(self, tender):
        return tender.lead_agency.name

    def item_categories(self, tender):
        return [category.name for category in tender.categories.all()]


class NewTendersAtomFeed(NewTendersFeed):
    feed_type = Atom1Feed
