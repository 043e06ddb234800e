"""Filters of the public service directory (``/providers/?category=…&district=310115&q=养老``).

Every filter that looks through a many-to-many relation (categories, areas
covered, sites) narrows the services with a subquery on ``pk`` instead of a
join, so a service tagged with several categories is counted and listed once
and no ``distinct()`` is needed. The form loads the category tree and the
districts once each, so the page costs the same number of queries whatever
is chosen.
"""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from evaluation.selectors import ratings as rating_selectors
from places import codes
from places import selectors as place_selectors
from places.models import Area
from providers.models import Provider, Service, ServiceAtSite
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import ServiceTier

# A search is a few words; more than this is not a search a person typed.
MAX_SEARCH_TERMS = 8

DELIVERY_MODES = (
    ("at_site", _("At a service site")),
    ("home_visit", _("Home visits")),
    ("remote", _("By phone or online")),
)

MINIMUM_GRADES = (
    (str(Provider.Grade.A1.value), _("1A or higher")),
    (str(Provider.Grade.A2.value), _("2A or higher")),
    (str(Provider.Grade.A3.value), _("3A or higher")),
    (str(Provider.Grade.A4.value), _("4A or higher")),
    (str(Provider.Grade.A5.value), _("5A")),
)

CategoryLink = Service.categories.through
AreaLink = Service.areas_covered.through


class CheckedFilter(django_filters.Filter):
    """A checkbox that applies ``condition`` when ticked and leaves the list alone otherwise."""

    field_class = forms.BooleanField

    def __init__(self, *, condition: Q, **kwargs):
        self.condition = condition
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return qs.filter(self.condition) if value else qs


MINIMUM_RATINGS = [
    ("3", _("3 or more")),
    ("3.5", _("3.5 or more")),
    ("4", _("4 or more")),
    ("4.5", _("4.5 or more")),
]
SORT_ORDERS = [("rating", _("Best rated first"))]


class ServiceDirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("What help are you looking for?"),
        max_length=100,
        help_text=_("Words in Chinese or English, e.g. 养老 or home care."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = django_filters.ChoiceFilter(
        method="filter_category", label=_("Kind of help"), empty_label=_("Any kind of help")
    )
    district = django_filters.ChoiceFilter(
        method="filter_district", label=_("District"), empty_label=_("Any district")
    )
    tier = django_filters.ChoiceFilter(
        field_name="tier__code",
        choices=ServiceTier.Code.choices,
        label=_("Service tier"),
        empty_label=_("Any tier"),
    )
    fee = django_filters.ChoiceFilter(
        field_name="fee_kind",
        choices=Service.FeeKind.choices,
        label=_("Fee"),
        empty_label=_("Any fee"),
    )
    delivery = django_filters.MultipleChoiceFilter(
        method="filter_delivery",
        choices=DELIVERY_MODES,
        label=_("How the help is given"),
        help_text=_("Services offering any of the ticked ways."),
        widget=forms.CheckboxSelectMultiple,
    )
    grade = django_filters.ChoiceFilter(
        method="filter_grade",
        choices=MINIMUM_GRADES,
        label=_("Provider's evaluation grade"),
        empty_label=_("Any grade"),
    )
    rating = django_filters.ChoiceFilter(
        method="filter_rating",
        choices=MINIMUM_RATINGS,
        label=_("Provider's rating"),
        empty_label=_("Any rating, or none yet"),
        help_text=_("Ratings come from evidence: outcomes, surveys, assessments and more."),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=SORT_ORDERS,
        label=_("Order"),
        empty_label=_("By name"),
    )
    accepting_referrals = CheckedFilter(
        condition=Q(accepting_referrals=True), label=_("Only services accepting referrals")
    )
    has_capacity = CheckedFilter(
        condition=Q(free_slots__gt=0), label=_("Only services with free places")
    )

    class Meta:
        model = Service
        fields = [
            "q",
            "category",
            "district",
            "tier",
            "fee",
            "delivery",
            "grade",
            "rating",
            "sort",
            "accepting_referrals",
            "has_capacity",
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
        self.filters["category"].extra["choices"] = category_choices
        self.filters["district"].extra["choices"] = [
            (code, area.name) for code, area in self._districts.items()
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
            # Chinese has no letter case: a plain LIKE finds the same rows as
            # UPPER(…) LIKE UPPER(…) and saves converting every row's text.
            lookup = "icontains" if term.lower() != term.upper() else "contains"
            in_categories = CategoryLink.objects.filter(
                _any_contains(
                    term,
                    lookup,
                    "needcategory__name_zh",
                    "needcategory__name_en",
                    "needcategory__parent__name_zh",
                    "needcategory__parent__name_en",
                )
            ).values("service_id")
            queryset = queryset.filter(
                _any_contains(
                    term,
                    lookup,
                    "name_zh",
                    "name_en",
                    "description_zh",
                    "description_en",
                    "provider__organization__name_zh",
                    "provider__organization__name_en",
                )
                | Q(pk__in=in_categories)
            )
        return queryset

    def filter_category(self, queryset, name, value):
        # A group (基本生活救助) matches services in any of its categories.
        tagged = CategoryLink.objects.filter(needcategory_id__in=self._category_ids[value])
        return queryset.filter(pk__in=tagged.values("service_id"))

    def filter_district(self, queryset, name, value):
        district: Area = self._districts[value]
        full_code = district.code
        # Areas covered may be the district itself, a street inside it, or the
        # whole city or province around it.
        covering = Q(area__code__startswith=codes.significant_prefix(full_code)) | Q(
            area__code__in=codes.parent_candidates(full_code)
        )
        covers = AreaLink.objects.filter(covering).values("service_id")
        has_site_there = ServiceAtSite.objects.filter(site__district=district).values("service_id")
        # Uncorrelated subqueries: the database computes each set once.
        return queryset.filter(Q(pk__in=covers) | Q(pk__in=has_site_there))

    def filter_rating(self, queryset, name, value):
        """Services of providers rated at least ``value`` overall (no rating: left out)."""
        return rating_selectors.providers_by_rating(queryset, provider_field="provider_id").filter(
            rating_score__gte=float(value)
        )

    def sort_by(self, queryset, name, value):
        """Best-rated providers first; providers without a rating after them, by name."""
        if value != "rating":
            return queryset
        if "rating_score" not in queryset.query.annotations:
            queryset = rating_selectors.providers_by_rating(queryset, provider_field="provider_id")
        then = queryset.query.order_by or ("pk",)
        return queryset.order_by(F("rating_score").desc(nulls_last=True), *then)

    def filter_grade(self, queryset, name, value):
        # Only a verified grade counts: a declared one is the provider's claim until a
        # platform administrator has checked its certificate (issue #13).
        return queryset.filter(
            provider__grade__gte=int(value),
            provider__grade_status=Provider.GradeStatus.VERIFIED,
        )

    def filter_delivery(self, queryset, name, value):
        modes = Q()
        for mode in value:
            modes |= Q(**{mode: True})
        return queryset.filter(modes)


def _any_contains(term: str, lookup: str, *fields: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__{lookup}": term})
    return condition
