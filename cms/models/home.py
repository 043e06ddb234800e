"""Wagtail pages of the public site.

The home page is the root of each language's page tree: the Chinese home is the
root of the default Site, and its English translation (same ``translation_key``,
``en`` locale) is served at the same address when the visitor's language is
English, because Wagtail routes from ``site.root_page.localized``. A page that
has no English translation yet is served from the Chinese tree rather than
answering 404, so a link shared between readers of either language always works.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from cms import selectors
from cms.blocks import PARAGRAPH_FEATURES, BodyBlock
from cms.sections import cache_for_visitor


class HomePage(Page):
    """The front page: what the platform is for, and a way in for each kind of visitor."""

    intro = RichTextField(
        _("introduction"),
        features=PARAGRAPH_FEATURES,
        blank=True,
        help_text=_("One or two sentences under the title saying what this site is for."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    # Only directly under the tree root: one home page per language.
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_policies"] = selectors.latest_policies()
        context["latest_news"] = selectors.news_items()[: selectors.HOME_NEWS_COUNT]
        context["figures"] = selectors.headline_figures()
        # Open tenders: the marketplace app will provide them through its selectors
        # (e.g. marketplace.selectors.open_tenders()); add them here and show them in
        # the "tenders" spot of cms/home_page.html when it lands.
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))

    def get_sitemap_urls(self, request=None):
        """The site root also lists the pages of the other languages that have an address
        of their own: pages whose translation has another slug, or that exist only in
        English. Translations with the same slug share the Chinese page's address
        (the reader's language chooses between them), so they are listed once."""
        urls = super().get_sitemap_urls(request)
        if self.locale_id != Locale.get_default().pk or self.depth != 2:
            return urls
        listed = set(self.get_descendants().live().public().values_list("url_path", flat=True))
        listed = {path[len(self.url_path) :] for path in listed}
        for home in self.get_translations().live():
            pages = home.get_descendants(inclusive=False).live().public().defer_streamfields()
            for page in pages.order_by("path"):
                if page.url_path[len(home.url_path) :] not in listed:
                    urls.extend(page.get_sitemap_urls(request))
        return urls

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            default_home = self._default_language_home()
            if not path_components or default_home is None:
                raise
            return default_home.route(request, path_components)

    def _default_language_home(self):
        """This page's translation in the site's default language, when this is another one."""
        default_locale = Locale.get_default()
        if self.locale_id == default_locale.pk:
            return None
        home = self.get_translation_or_none(default_locale)
        return home.specific if home is not None and home.live else None
