"""Django admin for providers, their services, sites and documents (read-mostly).

Platform administrators look things up here; changes go through
``providers.services`` like everywhere else. A provider's status moves only
through the admin actions below, which call the same service functions as
the verification pages (audited, e-mailed). The evaluation grade is read-only
here: it is declared by the provider with its certificate and verified on the
verification page, or awarded by an assessment (``providers.services.grades``).
Services and sites are edited by the provider itself, so here they are
read-only. Document files are never linked from the admin: they are read
through the permission-checked view.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ApplicationError
from providers.models import Provider, ProviderDocument, Service, Site
from providers.rules import can_verify_providers
from providers.services import verification


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: nothing is added, changed or deleted from here, only through services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (the provider reads it)"),
        required=False,
        max_length=1000,
    )


class ProviderDocumentInline(admin.TabularInline):
    """What documents a provider holds; the files themselves are not shown here."""

    model = ProviderDocument
    fields = ["kind", "title", "content_type", "size", "expires_on", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "legal_form", "grade", "grade_status", "verified_at"]
    list_filter = ["status", "legal_form", "grade_status", "grade_source", "grade"]
    # Never editable here, even if the admin one day allows changes: a grade counts
    # only through providers.services.grades.
    readonly_fields = [
        "grade",
        "grade_date",
        "grade_status",
        "grade_source",
        "grade_reference",
        "grade_document",
        "grade_verified_by",
        "grade_verified_at",
        "grade_note",
    ]
    search_fields = [
        "organization__name_zh",
        "organization__name_en",
        "organization__credit_code",
    ]
    list_select_related = ["organization"]
    ordering = ["organization__name_zh"]
    inlines = [ProviderDocumentInline]
    action_form = StatusReasonForm
    actions = ["verify", "suspend"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_verify_permission(self, request):
        # The predicate, not has_perm: a superuser without the verifier's role
        # does not verify providers (the service would refuse them too).
        return can_verify_providers.test(request.user)

    @admin.action(description=_("Verify the selected providers"), permissions=["verify"])
    def verify(self, request, queryset):
        self._change_status(request, queryset, verification.verify_provider, needs_reason=False)

    @admin.action(
        description=_("Suspend the selected providers (give the reason)"), permissions=["verify"]
    )
    def suspend(self, request, queryset):
        self._change_status(request, queryset, verification.suspend_provider, needs_reason=True)

    def _change_status(self, request, queryset, change, *, needs_reason: bool):
        reason = (request.POST.get("reason") or "").strip()
        changed = 0
        for provider in queryset.select_related("organization"):
            arguments = {"provider": provider, "actor": request.user}
            if needs_reason:
                arguments["reason"] = reason
            try:
                change(**arguments)
            except ApplicationError as error:
                self.message_user(request, f"{provider}: {error.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(
                request,
                ngettext("%(count)d provider changed.", "%(count)d providers changed.", changed)
                % {"count": changed},
                messages.SUCCESS,
            )


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = [
        "name_zh",
        "provider",
        "tier",
        "is_active",
        "accepting_referrals",
        "free_slots",
        "capacity_updated_at",
        "last_confirmed_at",
    ]
    list_filter = ["is_active", "accepting_referrals", "tier", "fee_kind"]
    search_fields = ["name_zh", "name_en", "provider__organization__name_zh"]
    list_select_related = ["provider__organization", "tier"]


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["name_zh", "provider", "district", "geocode_precision"]
    list_filter = ["geocode_precision", "wheelchair_accessible"]
    search_fields = ["name_zh", "name_en", "address", "provider__organization__name_zh"]
    list_select_related = ["provider__organization", "district"]


@admin.register(ProviderDocument)
class ProviderDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "provider", "kind", "expires_on", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["title", "provider__organization__name_zh"]
    list_select_related = ["provider__organization"]
    # The file is never shown or linked here: only the permission-checked view serves it.
    exclude = ["file"]
