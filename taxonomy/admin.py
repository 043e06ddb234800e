"""Django admin for need categories and service tiers.

Saving goes through ``taxonomy.services`` so that admin edits are validated
and audited like any other change; codes are read-only once created and
nothing can be deleted (deactivate a category instead).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from taxonomy import services
from taxonomy.models import NeedCategory, ServiceTier


class GroupListFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = NeedCategory.objects.filter(parent=None).order_by("sort_order", "code")
        return [("none", _("Top-level groups")), *((g.code, str(g)) for g in groups)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(parent=None)
        if self.value():
            return queryset.filter(parent__code=self.value())
        return queryset


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "parent",
        "sort_order",
        "open_eligibility_code",
        "is_active",
    ]
    list_filter = [GroupListFilter, "is_active"]
    search_fields = ["code", "name_zh", "name_en", "open_eligibility_code"]
    list_select_related = ["parent"]
    ordering = ["parent__sort_order", "sort_order", "code"]
    fields = [
        "code",
        "parent",
        "name_zh",
        "name_en",
        "description_zh",
        "description_en",
        "sort_order",
        "open_eligibility_code",
        "is_active",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Only groups can hold categories: the tree has two levels.
            kwargs["queryset"] = NeedCategory.objects.filter(parent=None).order_by("sort_order")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_need_category(
            category=obj, actor=request.user, changed_fields=form.changed_data
        )


@admin.register(ServiceTier)
class ServiceTierAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["sort_order"]
    fields = ["code", "name_zh", "name_en", "description_zh", "description_en", "sort_order"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_service_tier(tier=obj, actor=request.user, changed_fields=form.changed_data)
