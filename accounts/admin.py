"""Django admin for users, organizations and memberships (platform administrators)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, User
from core.models import AuditEvent


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "phone")}),
    )
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "email"]
    inlines = [MembershipInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "kind", "credit_code", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_zh", "name_en", "credit_code"]
    list_select_related = ["area"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["area"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only everywhere, including here."""

    list_display = [
        "occurred_at",
        "kind",
        "action",
        "actor",
        "organization",
        "object_type",
        "object_id",
    ]
    list_filter = ["kind"]
    search_fields = ["action", "object_id"]
    list_select_related = ["actor", "organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
