"""Django admin for administrative areas: read-mostly, because the official code list is the source.

Codes, Chinese names, levels and parents come from ``load_areas``; an
administrator may only correct an English name or a centroid, through the
same service the rest of the code uses, so the change is audited.
"""

from django.contrib import admin

from places import services
from places.models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent", "latitude", "longitude"]
    list_filter = ["level"]
    # "^code" searches by prefix, so 310115 finds Pudong and all its streets.
    search_fields = ["^code", "name_zh", "name_en"]
    list_select_related = ["parent"]
    list_per_page = 50
    # Counting every area for the "n of N" line costs a full scan on every page.
    show_full_result_count = False
    ordering = ["code"]
    fields = ["code", "name_zh", "name_en", "level", "parent", "latitude", "longitude"]
    readonly_fields = ["code", "name_zh", "level", "parent"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        if changes:
            services.update_area(area=obj, actor=request.user, **changes)
