"""The form a provider's staff describe a service with: categories, tier, eligibility,
fee, delivery and where it is offered.

The form only parses input; ``providers.services.listings.save_service``
validates the rules and writes. Its ``ApplicationError.field_errors`` come back
next to the fields through ``core.forms.attach_errors`` (with ``FIELD_MAP``).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from places import selectors as place_selectors
from providers import selectors
from providers.models import Service, Site
from taxonomy import selectors as taxonomy_selectors

# Delivery modes are three booleans on the model; people choose them as one group.
DELIVERY_MODES = (
    ("at_site", model_label(Service, "at_site")),
    ("home_visit", model_label(Service, "home_visit")),
    ("remote", model_label(Service, "remote")),
)


class ServiceForm(forms.Form):
    name_zh = forms.CharField(label=model_label(Service, "name_zh"), max_length=200)
    name_en = forms.CharField(label=model_label(Service, "name_en"), max_length=250, required=False)
    description_zh = forms.CharField(
        label=model_label(Service, "description_zh"), widget=forms.Textarea, required=False
    )
    description_en = forms.CharField(
        label=model_label(Service, "description_en"), widget=forms.Textarea, required=False
    )
    categories = forms.MultipleChoiceField(
        label=model_label(Service, "categories"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every need this service meets."),
    )
    tier = forms.ModelChoiceField(
        label=model_label(Service, "tier"),
        queryset=taxonomy_selectors.service_tiers(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
    )
    min_age = forms.IntegerField(
        label=model_label(Service, "min_age"), min_value=0, max_value=120, required=False
    )
    max_age = forms.IntegerField(
        label=model_label(Service, "max_age"), min_value=0, max_value=120, required=False
    )
    gender = forms.ChoiceField(label=model_label(Service, "gender"), choices=Service.Gender.choices)
    household_registration = forms.ChoiceField(
        label=model_label(Service, "household_registration"),
        choices=Service.HouseholdRegistration.choices,
    )
    required_statuses = forms.MultipleChoiceField(
        label=model_label(Service, "required_statuses"),
        choices=Service.AssistanceStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Service._meta.get_field("required_statuses").help_text,
    )
    fee_kind = forms.ChoiceField(
        label=model_label(Service, "fee_kind"),
        choices=Service.FeeKind.choices,
        widget=forms.RadioSelect,
    )
    fee_amount = forms.DecimalField(
        label=model_label(Service, "fee_amount"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for a free service."),
    )
    fee_note = forms.CharField(
        label=model_label(Service, "fee_note"), max_length=300, required=False
    )
    languages = forms.MultipleChoiceField(
        label=model_label(Service, "languages"),
        choices=Service.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivery_modes = forms.MultipleChoiceField(
        label=_("How the service is delivered"),
        choices=DELIVERY_MODES,
        widget=forms.CheckboxSelectMultiple,
    )
    areas_covered = forms.ModelMultipleChoiceField(
        label=model_label(Service, "areas_covered"),
        queryset=place_selectors.shanghai_districts(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The districts where people can use this service."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=model_label(Service, "sites"),
        queryset=Site.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your organization's sites where the service is offered."),
    )
    is_active = forms.BooleanField(
        label=_("Offered now"),
        required=False,
        help_text=_("Untick to take the service out of the directory without deleting it."),
    )
    accepting_referrals = forms.BooleanField(
        label=_("Accepting referrals from caseworkers"), required=False
    )

    # Service error keys that belong to a differently named form field.
    FIELD_MAP = {
        "at_site": "delivery_modes",
        "home_visit": "delivery_modes",
        "remote": "delivery_modes",
    }

    def __init__(self, *args, provider, service: Service | None = None, **kwargs):
        if service is not None:
            kwargs.setdefault("initial", self.initial_from(service))
        else:
            kwargs.setdefault(
                "initial",
                {
                    "gender": Service.Gender.ANY,
                    "household_registration": Service.HouseholdRegistration.ANY,
                    "fee_kind": Service.FeeKind.FREE,
                    "delivery_modes": ["at_site"],
                    "is_active": True,
                    "accepting_referrals": True,
                },
            )
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["categories"].choices = taxonomy_selectors.category_choices()
        self.fields["sites"].queryset = selectors.sites_of(provider)

    @staticmethod
    def initial_from(service: Service) -> dict:
        return {
            "name_zh": service.name_zh,
            "name_en": service.name_en,
            "description_zh": service.description_zh,
            "description_en": service.description_en,
            "categories": [category.code for category in service.categories.all()],
            "tier": service.tier.code,
            "min_age": service.min_age,
            "max_age": service.max_age,
            "gender": service.gender,
            "household_registration": service.household_registration,
            "required_statuses": service.required_statuses,
            "fee_kind": service.fee_kind,
            "fee_amount": service.fee_amount,
            "fee_note": service.fee_note,
            "languages": service.languages,
            "delivery_modes": [mode for mode, _label in DELIVERY_MODES if getattr(service, mode)],
            "areas_covered": [area.code for area in service.areas_covered.all()],
            "sites": [site.uuid for site in service.sites.all()],
            "is_active": service.is_active,
            "accepting_referrals": service.accepting_referrals,
        }

    def category_groups(self) -> list[tuple[str | None, list]]:
        """The category checkboxes under their group's name, for a fieldset per group."""
        checkboxes = iter(self["categories"].subwidgets)
        groups = []
        for label, options in self.fields["categories"].choices:
            if isinstance(options, list | tuple):
                groups.append((label, [next(checkboxes) for _option in options]))
            else:
                groups.append((None, [next(checkboxes)]))
        return groups

    def service_arguments(self) -> dict:
        """Keyword arguments for ``services.save_service``."""
        data = dict(self.cleaned_data)
        modes = set(data.pop("delivery_modes"))
        for mode, _label in DELIVERY_MODES:
            data[mode] = mode in modes
        codes = set(data.pop("categories"))
        data["categories"] = [
            category
            for category in taxonomy_selectors.active_categories()
            if category.code in codes
        ]
        # The form offers Shanghai's districts; finer or other areas a service already
        # covers (set through the API or an import) are kept, not silently dropped.
        offered = set(self.fields["areas_covered"].queryset.values_list("pk", flat=True))
        kept = [
            area
            for area in (self.service.areas_covered.all() if self.service else [])
            if area.pk not in offered
        ]
        data["areas_covered"] = [*data["areas_covered"], *kept]
        data["sites"] = list(data["sites"])
        return data
