"""Service guides: how to apply for one kind of help, linked to the directory and the policies."""

from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import selectors
from cms.blocks import PARAGRAPH_FEATURES, BodyBlock
from cms.search import indexed_texts, searchable_terms
from cms.sections import cache_for_visitor


class ServiceGuideIndexPage(Page):
    intro = RichTextField(_("introduction"), features=PARAGRAPH_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ServiceGuidePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("service guide index")
        verbose_name_plural = _("service guide indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guide_groups"] = selectors.guides_by_group()
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))


class ServiceGuidePage(Page):
    """Eligibility, materials to bring, steps, time limits and where to apply."""

    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("kind of help"),
        on_delete=models.PROTECT,
        related_name="guides",
        help_text=_("Links the guide to the matching services in the directory."),
    )
    summary = models.TextField(_("summary"))
    eligibility = RichTextField(_("who can apply"), features=PARAGRAPH_FEATURES)
    materials = RichTextField(_("materials to bring"), features=PARAGRAPH_FEATURES)
    steps = RichTextField(_("steps"), features=PARAGRAPH_FEATURES)
    time_limits = RichTextField(_("time limits"), features=PARAGRAPH_FEATURES, blank=True)
    where_to_apply = RichTextField(_("where to apply"), features=PARAGRAPH_FEATURES)
    body = StreamField(BodyBlock(), verbose_name=_("more information"), blank=True)
    policies = ParentalManyToManyField(
        "cms.PolicyPage", verbose_name=_("policies it rests on"), blank=True
    )
    search_terms = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("eligibility"),
                FieldPanel("materials"),
                FieldPanel("steps"),
                FieldPanel("time_limits"),
                FieldPanel("where_to_apply"),
            ],
            heading=_("How to apply"),
        ),
        FieldPanel("body"),
        FieldPanel("policies"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("eligibility"),
        index.SearchField("materials"),
        index.SearchField("steps"),
        index.SearchField("where_to_apply"),
        index.SearchField("search_terms"),
    ]
    parent_page_types = ["cms.ServiceGuideIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("service guide")
        verbose_name_plural = _("service guides")

    @property
    def directory_url(self) -> str:
        """The public directory filtered to this guide's kind of help."""
        return f"{reverse('providers:directory')}?{urlencode({'category': self.category.code})}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["policies"] = selectors.policies_of_guide(self)
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))

    def save(self, *args, **kwargs):
        # Chinese text is indexed as character pairs (see cms/search.py).
        self.search_terms = searchable_terms(*indexed_texts(self))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_terms"}
        return super().save(*args, **kwargs)
