"""Query-string filters for lists of areas (``?level=district&parent=310100&q=浦东``)."""

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from places import codes, selectors
from places.models import Area

LEVEL_NAMES = {level.name.lower(): level.value for level in Area.Level}

code_validator = RegexValidator(
    r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$",
    _("Enter a GB/T 2260 code of 6, 9 or 12 digits, e.g. 310115."),
)


def _level_value(value: str) -> int:
    return LEVEL_NAMES[value] if value in LEVEL_NAMES else int(value)


class AreaFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(
        choices=[(str(level.value), level.label) for level in Area.Level]
        + [(name, name) for name in LEVEL_NAMES],
        coerce=_level_value,
        label=_("Level: 1-5 or province, city, district, street, community"),
    )
    parent = django_filters.CharFilter(
        method="filter_parent",
        validators=[code_validator],
        label=_("Code of the parent area, e.g. 310100"),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Name (Chinese or English) or code"))

    class Meta:
        model = Area
        fields = ["level", "parent", "q"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__code=codes.normalize(value))

    def filter_q(self, queryset, name, value):
        return selectors.search_areas(queryset, value)
