"""Filters of the policy library (``/policies/?level=national&category=emergency&year=2014``).

The choices of issuing authority and year come from the policies themselves, so
the lists never offer something that finds nothing. A need-category group
(急难救助) matches policies tagged with the group or any of its categories; like
the service directory, the category filter narrows with a subquery on ``pk``, so a
policy with several categories is listed once and no ``distinct()`` is needed.
The form reads the category tree, the authorities and the years once each, so the
page costs the same number of queries however many policies there are.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from cms.models import PolicyPage
from taxonomy import selectors as taxonomy_selectors

CategoryLink = PolicyPage.categories.through


class PolicyFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        choices=PolicyPage.Level.choices, label=_("Level"), empty_label=_("Any level")
    )
    authority = django_filters.ChoiceFilter(
        field_name="issuing_authority",
        label=_("Issuing authority"),
        empty_label=_("Any authority"),
    )
    category = django_filters.ChoiceFilter(
        method="filter_category", label=_("Kind of help"), empty_label=_("Any kind of help")
    )
    status = django_filters.ChoiceFilter(
        choices=PolicyPage.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    year = django_filters.ChoiceFilter(
        field_name="issue_date__year",
        label=_("Year of issue"),
        empty_label=_("Any year"),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=(("newest", _("Newest first")), ("oldest", _("Oldest first"))),
        label=_("Order"),
        empty_label=None,
    )

    class Meta:
        model = PolicyPage
        fields = ["level", "authority", "category", "status", "year"]

    def __init__(self, data=None, queryset=None, **kwargs):
        # Newest first unless the reader chooses otherwise (see sort_by).
        queryset = queryset.order_by("-issue_date", "title").prefetch_related("categories")
        super().__init__(data, queryset=queryset, **kwargs)
        policies = self.queryset.order_by()
        self.filters["authority"].extra["choices"] = [
            (name, name)
            for name in policies.values_list("issuing_authority", flat=True)
            .distinct()
            .order_by("issuing_authority")
        ]
        self.filters["year"].extra["choices"] = [
            (str(day.year), str(day.year))
            for day in policies.dates("issue_date", "year", order="DESC")
        ]
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
        self.filters["category"].extra["choices"] = category_choices

    def sort_by(self, queryset, name, value):
        # The title keeps the order stable between pages for policies of the same day.
        if value == "oldest":
            return queryset.order_by("issue_date", "title")
        return queryset.order_by("-issue_date", "title")

    def filter_category(self, queryset, name, value):
        tagged = CategoryLink.objects.filter(needcategory_id__in=self._category_ids[value])
        return queryset.filter(pk__in=tagged.values("policypage_id"))
