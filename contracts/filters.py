"""Filters of contract lists: the public list at /contracts/ (``?agency=…&category=…&status=…``).

As the tender list's filters do, a category filter looks through the many-to-many
relation with an uncorrelated subquery on ``pk`` (a contract with several categories
is listed once, without ``distinct()``), and a group matches contracts of any of its
categories. The form reads the category tree and the agencies once each, so the page
costs the same number of queries whatever is chosen.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from contracts.models.contracts import Contract
from contracts.selectors.public import PUBLIC_STATES, public_agencies
from taxonomy import selectors as taxonomy_selectors

CategoryLink = Contract.categories.through

STATUS_CHOICES = [
    (value, label) for value, label in Contract.Status.choices if value in PUBLIC_STATES
]


class PublicContractFilter(django_filters.FilterSet):
    agency = django_filters.ChoiceFilter(
        method="filter_agency", label=_("Lead agency"), empty_label=_("Any agency")
    )
    category = django_filters.ChoiceFilter(
        method="filter_category", label=_("Kind of service"), empty_label=_("Any kind of service")
    )
    status = django_filters.ChoiceFilter(
        field_name="status",
        choices=STATUS_CHOICES,
        label=_("Status"),
        empty_label=_("Any status"),
    )

    class Meta:
        model = Contract
        fields = ["agency", "category", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.filters["agency"].extra["choices"] = [
            (str(agency.uuid), agency.name) for agency in public_agencies()
        ]

    @property
    def applied_filters(self) -> list[str]:
        """Names of the filters that narrow the list now."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # cleaned_data holds the valid fields even when others are not
        return [name for name, value in self.form.cleaned_data.items() if value]

    def filter_agency(self, queryset, name, value):
        return queryset.filter(lead_agency__uuid=value)

    def filter_category(self, queryset, name, value):
        tagged = CategoryLink.objects.filter(needcategory_id__in=self._category_ids[value])
        return queryset.filter(pk__in=tagged.values("contract_id"))
