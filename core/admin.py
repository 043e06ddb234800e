"""Django admin for the official calendar (public holidays and make-up working days).

Changes go through ``core.services``, so they are audited and the working-day
clocks see them at once.
"""

from django.contrib import admin

from core import services
from core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name_zh", "name_en"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name_zh", "name_en"]

    def save_model(self, request, obj, form, change):
        services.save_calendar_day(day=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.delete_calendar_day(day=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_calendar_day(day=obj, actor=request.user)
