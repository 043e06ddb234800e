"""The policy library: laws, regulations and local rules in a standard, searchable form."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import PARAGRAPH_FEATURES, BodyBlock
from cms.models.guides import ServiceGuidePage
from cms.search import indexed_texts, searchable_terms
from cms.sections import cache_for_visitor


class PolicyIndexPage(Page):
    """/policies/: the library, filtered by level, authority, category, status and year."""

    intro = RichTextField(_("introduction"), features=PARAGRAPH_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PolicyPage"]
    max_count_per_parent = 1

    POLICIES_PER_PAGE = 20

    class Meta:
        verbose_name = _("policy library")
        verbose_name_plural = _("policy libraries")

    def get_context(self, request, *args, **kwargs):
        from cms.filters import PolicyFilter

        context = super().get_context(request, *args, **kwargs)
        policies = PolicyPage.objects.child_of(self).live().public()
        filterset = PolicyFilter(request.GET or None, queryset=policies)
        page_obj = Paginator(filterset.qs, self.POLICIES_PER_PAGE).get_page(request.GET.get("page"))
        context.update(filter=filterset, page_obj=page_obj, policies=page_obj.object_list)
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))


class PolicyPage(Page):
    """One law, regulation or local rule, with a plain-language interpretation."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial / municipal (province level)")
        MUNICIPAL = "municipal", _("Municipal")
        DISTRICT = "district", _("District")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        AMENDED = "amended", _("Amended")
        REPEALED = "repealed", _("Repealed")

    document_number = models.CharField(
        _("document number"),
        max_length=80,
        blank=True,
        help_text=_("As printed on the document, e.g. 民发〔2015〕55号."),
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    issue_date = models.DateField(_("issue date"), db_index=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_FORCE, db_index=True
    )
    supersedes = models.ForeignKey(
        "cms.PolicyPage",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        help_text=_("The earlier policy this one replaces; the other direction is shown too."),
    )
    categories = ParentalManyToManyField(
        "taxonomy.NeedCategory", verbose_name=_("need categories"), blank=True
    )
    areas = ParentalManyToManyField("places.Area", verbose_name=_("areas"), blank=True)
    summary = models.TextField(
        _("summary"), help_text=_("Two or three sentences for lists and search results.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("text"), blank=True)
    interpretation = RichTextField(
        _("plain-language interpretation"),
        features=PARAGRAPH_FEATURES,
        blank=True,
        help_text=_("What this means for people, in everyday words."),
    )
    source_url = models.URLField(_("official source"), blank=True)
    # Chinese has no spaces between words: this holds overlapping character
    # pairs of the searchable text so that a two-character query matches
    # (see cms/search.py). Filled on save, never edited by hand.
    search_terms = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("document_number"),
                FieldPanel("issuing_authority"),
                FieldPanel("level"),
                FieldPanel("issue_date"),
                FieldPanel("effective_date"),
                FieldPanel("status"),
                FieldPanel("supersedes"),
            ],
            heading=_("Document"),
        ),
        FieldPanel("categories"),
        FieldPanel("areas"),
        FieldPanel("summary"),
        FieldPanel("interpretation"),
        FieldPanel("body"),
        FieldPanel("source_url"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number"),
        index.SearchField("issuing_authority"),
        index.SearchField("summary"),
        index.SearchField("interpretation"),
        index.SearchField("body"),
        index.SearchField("search_terms"),
        index.FilterField("level"),
        index.FilterField("status"),
        index.FilterField("issue_date"),
    ]
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [models.Index(fields=["level", "status", "issue_date"])]

    def save(self, *args, **kwargs):
        # Wagtail's search splits Chinese text only at spaces: store it as
        # character pairs so that two characters find it (see cms/search.py).
        self.search_terms = searchable_terms(*indexed_texts(self))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_terms" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_terms"]
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        supersedes = self.supersedes
        context.update(
            supersedes=supersedes if supersedes is not None and supersedes.live else None,
            superseded_by=self.superseded_by.live().public().order_by("-issue_date"),
            categories=self.categories.select_related("parent").order_by("sort_order", "code"),
            areas=self.areas.order_by("code"),
            attachments=self.attachments.select_related("document"),
            guides=ServiceGuidePage.objects.live().public().filter(policies=self).order_by("title"),
        )
        return context

    def serve(self, request, *args, **kwargs):
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))


class PolicyAttachment(Orderable):
    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
