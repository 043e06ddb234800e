"""Filters of the public tender list (``/tenders/?status=tendering&district=310115&q=养老``).

Filters that look through a many-to-many relation (categories, areas) narrow
the tenders with an uncorrelated subquery on ``pk`` rather than a join, so a
tender tagged with several categories is listed once without ``distinct()``.
The form reads the category tree, the districts and the agencies once each,
so the page costs the same number of queries whatever is chosen.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from marketplace.models.tenders import PUBLIC_STATES, Tender
from places import codes
from places import selectors as place_selectors
from places.models import Area
from taxonomy import selectors as taxonomy_selectors

# A search is a few words; more than this is not a search a person typed.
MAX_SEARCH_TERMS = 8

CategoryLink = Tender.categories.through
AreaLink = Tender.areas.through

STATUS_CHOICES = [
    (value, label) for value, label in Tender.Status.choices if value in PUBLIC_STATES
]


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TenderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Search tenders"),
        max_length=100,
        help_text=_("Words of the title or description, or the reference, e.g. 养老 or home care."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = django_filters.ChoiceFilter(
        field_name="status", choices=STATUS_CHOICES, label=_("Stage"), empty_label=_("Any stage")
    )
    category = django_filters.ChoiceFilter(
        method="filter_category", label=_("Kind of service"), empty_label=_("Any kind of service")
    )
    district = django_filters.ChoiceFilter(
        method="filter_district", label=_("District"), empty_label=_("Any district")
    )
    agency = django_filters.ChoiceFilter(
        method="filter_agency", label=_("Lead agency"), empty_label=_("Any agency")
    )
    closing_after = django_filters.DateFilter(
        method="filter_closing_after",
        label=_("Bids close on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    closing_before = django_filters.DateFilter(
        method="filter_closing_before",
        label=_("Bids close on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Tender
        fields = [
            "q",
            "status",
            "category",
            "district",
            "agency",
            "closing_after",
            "closing_before",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query each, here, so that validating and rendering the form
        # do not read the tables again.
        self._category_ids: dict[str, set[int]] = {}
        choices_by_group: dict[str, list] = {}
        category_choices = []
        for category in taxonomy_selectors.active_categories():
            self._category_ids[category.code] = {category.pk}
            if category.parent_id is None:
                group_choices = [(category.code, _("All: %(group)s") % {"group": category.name})]
                choices_by_group[category.code] = group_choices
                category_choices.append((category.name, group_choices))
            elif category.parent.code in choices_by_group:  # tree order: groups come first
                self._category_ids[category.parent.code].add(category.pk)
                choices_by_group[category.parent.code].append((category.code, category.name))
        self._districts = {
            area.code[:6]: area for area in place_selectors.shanghai_districts().order_by("code")
        }
        agencies = (
            Tender.objects.filter(status__in=PUBLIC_STATES)
            .values_list("lead_agency__uuid", "lead_agency__name_zh", "lead_agency__name_en")
            .order_by("lead_agency__name_zh")
            .distinct()
        )
        self.filters["category"].extra["choices"] = category_choices
        self.filters["district"].extra["choices"] = [
            (code, area.name) for code, area in self._districts.items()
        ]
        self.filters["agency"].extra["choices"] = [
            (str(uuid), in_active_language(name_zh, name_en)) for uuid, name_zh, name_en in agencies
        ]

    @property
    def applied_filters(self) -> list[str]:
        """Names of the filters (other than the search words) that narrow the list now."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # cleaned_data holds the valid fields even when others are not
        return [name for name, value in self.form.cleaned_data.items() if name != "q" and value]

    def filter_text(self, queryset, name, value):
        # Substring matching works for Chinese, which has no spaces between
        # words, on SQLite and PostgreSQL alike; every term must match somewhere.
        for term in value.split()[:MAX_SEARCH_TERMS]:
            lookup = "icontains" if term.lower() != term.upper() else "contains"
            condition = Q()
            for field in ("reference", "title_zh", "title_en", "description_zh", "description_en"):
                condition |= Q(**{f"{field}__{lookup}": term})
            queryset = queryset.filter(condition)
        return queryset

    def filter_category(self, queryset, name, value):
        # A group (专项救助) matches tenders in any of its categories.
        tagged = CategoryLink.objects.filter(needcategory_id__in=self._category_ids[value])
        return queryset.filter(pk__in=tagged.values("tender_id"))

    def filter_district(self, queryset, name, value):
        district: Area = self._districts[value]
        # A tender's areas may be the district, a street inside it, or the
        # whole city or province around it: each of those is a tender there.
        covering = Q(area__code__startswith=codes.significant_prefix(district.code)) | Q(
            area__code__in=codes.parent_candidates(district.code)
        )
        return queryset.filter(pk__in=AreaLink.objects.filter(covering).values("tender_id"))

    def filter_agency(self, queryset, name, value):
        return queryset.filter(lead_agency__uuid=value)

    def filter_closing_after(self, queryset, name, value):
        return queryset.filter(submission_deadline__gte=_start_of(value))

    def filter_closing_before(self, queryset, name, value):
        return queryset.filter(
            submission_deadline__lt=_start_of(value + datetime.timedelta(days=1))
        )
