"""Django admin for the marketplace: look up budgets, contributions, tenders, lots and criteria.

Everything here is read-only; changes go through ``marketplace.services`` (the
workspace pages and the API call them), so rules, audit entries and alerts
apply whatever the entry point.

Bids, bid responses, bid attachments, scores, moderated scores, results and
awards are deliberately NOT registered, not even read-only: a bid's price and
content are sealed until the submission deadline, for platform administrators
and superusers too, and the admin has no notion of that deadline. Inlines
below must never show them either.
"""

from django.contrib import admin

from marketplace.models.budgets import Contribution, PooledBudget
from marketplace.models.tenders import Criterion, Lot, Tender


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: nothing is added, changed or deleted from here, only through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContributionInline(ReadOnlyInline):
    model = Contribution
    fields = ["funder", "year", "amount", "source", "status", "approved_at"]
    readonly_fields = fields


@admin.register(PooledBudget)
class PooledBudgetAdmin(ReadOnlyAdmin):
    list_display = ["name_zh", "lead_agency", "first_year", "last_year", "created_at"]
    list_filter = ["first_year"]
    search_fields = ["name_zh", "name_en", "lead_agency__name_zh"]
    list_select_related = ["lead_agency"]
    inlines = [ContributionInline]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["budget", "funder", "year", "amount", "source", "status"]
    list_filter = ["status", "source", "year"]
    search_fields = ["budget__name_zh", "funder__name_zh"]
    list_select_related = ["budget", "funder"]


class LotInline(ReadOnlyInline):
    model = Lot
    fields = ["number", "title_zh", "max_value"]
    readonly_fields = fields


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["order", "kind", "name_zh", "weight"]
    readonly_fields = fields


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title_zh",
        "lead_agency",
        "status",
        "enquiry_deadline",
        "submission_deadline",
    ]
    list_filter = ["status", "procurement_method"]
    search_fields = ["reference", "title_zh", "title_en", "lead_agency__name_zh"]
    list_select_related = ["lead_agency"]
    date_hierarchy = "submission_deadline"
    # Lots and criteria only: never an inline of bids (sealed, see the module docstring).
    inlines = [LotInline, CriterionInline]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "tender", "max_value"]
    search_fields = ["title_zh", "tender__reference"]
    list_select_related = ["tender"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["name_zh", "tender", "kind", "weight"]
    list_filter = ["kind"]
    search_fields = ["name_zh", "tender__reference"]
    list_select_related = ["tender"]
