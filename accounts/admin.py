"""Django admin for users, organizations and memberships (platform administrators).

What an administrator does here is in the audit log like any other change, and
visible to the agency concerned: roles are granted and revoked through
``accounts.services`` (``membership.granted`` / ``membership.revoked``, filed
under the organization, so its supervisors see who gave whom access), and
every other addition, change or deletion of a user or an organization is
recorded with the names of the fields changed, never their values (a password
change says "password"). A role is never deleted, only made inactive, so the
history stays.

API tokens (``APIToken``) have no admin page: a token acts as its owner, who
alone issues, sees and revokes theirs, at ``/app/tokens/`` or through the API.
django-rest-knox's own admin registers its ``AuthToken``, which ``APIToken``
replaces (``KNOX_TOKEN_MODEL``), so Django ignores it.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Membership, Organization, User
from core.audit import record_change
from core.models import AuditEvent


class AuditedAdminMixin:
    """Record each addition, change and deletion made in this admin in the audit log,
    with the names of the fields changed (Django's own admin history is neither
    append-only nor seen by supervisors)."""

    audit_name = ""  # "user", "organization": the action is "<name>.added_in_admin"…

    def construct_change_message(self, request, form, formsets, add=False):
        # Every admin form passes here before its log entry (the password form too):
        # keep the names of the fields it changed for the audit entry.
        request.audited_fields = sorted(form.changed_data) if form is not None else []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "added_in_admin")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "changed_in_admin")
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        request.audited_fields = []
        for obj in queryset:
            self._audit(request, obj, "deleted_in_admin")
        return entries

    def _audit(self, request, obj, what: str) -> None:
        fields = _field_names(getattr(request, "audited_fields", []))
        if what == "changed_in_admin" and not fields:
            return  # only roles changed: the services recorded each one
        record_change(
            action=f"{self.audit_name}.{what}",
            actor=request.user,
            organization=obj if isinstance(obj, Organization) else None,
            target=obj,
            details={"fields": fields},
            label=str(obj),
        )


def _field_names(fields: list[str]) -> list[str]:
    """Field names as recorded: the two boxes of a new password are one "password"."""
    return sorted({"password" if name.startswith("password") else name for name in fields})


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["organization", "role", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and {"organization", "role"} & set(self.changed_data):
            raise ValidationError(
                _(
                    "A role cannot be moved to another organization or changed into another "
                    "role: untick “active” on this row and add a new one."
                )
            )
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "is_active"]
    can_delete = False  # untick "active" instead: who had access when stays known


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_name = "user"
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "phone")}),
    )
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "email"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Roles go through the services: validated, audited under the organization,
        # and the user's cached roles forgotten at once.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or row in formset.deleted_forms:
                continue
            data = row.cleaned_data
            if row.instance.pk is None:
                if data.get("is_active", True):
                    formset.new_objects.append(
                        services.grant_role(
                            user=form.instance,
                            organization=data["organization"],
                            role=data["role"],
                            actor=request.user,
                        )
                    )
                continue
            stored = Membership.objects.select_related("organization", "user").get(
                pk=row.instance.pk
            )
            if data.get("is_active"):
                services.grant_role(
                    user=stored.user,
                    organization=stored.organization,
                    role=stored.role,
                    actor=request.user,
                )
            else:
                services.revoke_role(membership=stored, actor=request.user)
            formset.changed_objects.append((stored, row.changed_data))
        return None


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_name = "organization"
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
