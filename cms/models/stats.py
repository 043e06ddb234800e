"""The public statistics page (its figures come from the other apps' selectors)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms import statistics
from cms.blocks import PARAGRAPH_FEATURES
from cms.charts import table_chart
from cms.sections import cache_for_visitor


class StatisticsPage(Page):
    """/stats/: needs and supply per district and category, anonymous, small numbers suppressed."""

    intro = RichTextField(_("introduction"), features=PARAGRAPH_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("statistics page")
        verbose_name_plural = _("statistics pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = [(table, table_chart(table)) for table in statistics.all_tables()]
        return context

    def serve(self, request, *args, **kwargs):
        # The figures are the same for every anonymous visitor: shared caches may keep them.
        return cache_for_visitor(self, request, super().serve(request, *args, **kwargs))
