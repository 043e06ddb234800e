"""Query-string filters for the list of need categories (``?group=basic-living&q=救助``)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taxonomy.models import NeedCategory


class NeedCategoryFilter(django_filters.FilterSet):
    group = django_filters.CharFilter(
        field_name="parent__code", label=_("Code of the group, e.g. basic-living")
    )
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Only the top-level groups")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Name (Chinese or English) or code"))

    class Meta:
        model = NeedCategory
        fields = ["group", "top_level", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_zh__icontains=value) | Q(name_en__icontains=value) | Q(code__icontains=value)
        )
