"""News: announcements of the civil-affairs bureaus and the platform."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import selectors
from cms.blocks import PARAGRAPH_FEATURES, BodyBlock
from cms.search import indexed_texts, searchable_terms
from cms.sections import cache_for_visitor

NEWS_PER_PAGE = 10


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), features=PARAGRAPH_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(selectors.news_items(), NEWS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(page_obj=page_obj, news_items=page_obj.object_list)
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))


class NewsPage(Page):
    date = models.DateField(_("date"), db_index=True)
    summary = models.TextField(_("summary"))
    body = StreamField(BodyBlock(), verbose_name=_("text"), blank=True)
    search_terms = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("search_terms"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))

    def save(self, *args, **kwargs):
        # Chinese text is indexed as character pairs (see cms/search.py).
        self.search_terms = searchable_terms(*indexed_texts(self))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_terms"}
        return super().save(*args, **kwargs)
