"""Filters of the audit log list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AuditEvent.Kind.choices)
    action = django_filters.CharFilter(
        label=_("Action contains"), field_name="action", lookup_expr="icontains"
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_at",
        lookup_expr="date__lte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "action", "date_from", "date_to"]

    def filter_queryset(self, queryset):
        start, end = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        if start and end and start > end:
            self.form.add_error("date_to", _("The end date must be on or after the start date."))
            return queryset.none()
        return super().filter_queryset(queryset)
