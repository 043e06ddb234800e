"""Forms of the provider's own workspace: services, capacity and sites.

The forms only parse input; ``providers.services`` validates the rules and
writes. Its ``ApplicationError.field_errors`` come back next to the fields
through ``attach_errors``.
"""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from places import selectors as place_selectors
from providers import selectors
from providers.models import MAX_PLACES, Service, Site
from taxonomy import selectors as taxonomy_selectors


def _label(model, field_name: str) -> str:
    """The model field's own label, so forms and admin say the same thing."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def attach_errors(form: forms.Form, error: ApplicationError, *, field_map=None) -> None:
    """Show a service's field errors next to the form's fields; the rest above the form."""
    field_map = field_map or {}
    placed = False
    for name, messages in error.field_errors.items():
        name = field_map.get(name, name)
        messages = messages if isinstance(messages, list | tuple) else [messages]
        if name in form.fields:
            form.add_error(name, [str(message) for message in messages])
            placed = True
        else:
            form.add_error(None, [str(message) for message in messages])
    if not placed:
        form.add_error(None, str(error.message))


class CapacityForm(forms.Form):
    """Free places and people waiting, updated together in one action."""

    free_slots = forms.IntegerField(
        label=_label(Service, "free_slots"), min_value=0, max_value=MAX_PLACES
    )
    waitlist_length = forms.IntegerField(
        label=_label(Service, "waitlist_length"), min_value=0, max_value=MAX_PLACES
    )

    def __init__(self, *args, service: Service, **kwargs):
        kwargs.setdefault("prefix", f"capacity-{service.uuid}")
        kwargs.setdefault(
            "initial",
            {"free_slots": service.free_slots, "waitlist_length": service.waitlist_length},
        )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric", "min": 0})


# Delivery modes are three booleans on the model; people choose them as one group.
DELIVERY_MODES = (
    ("at_site", _label(Service, "at_site")),
    ("home_visit", _label(Service, "home_visit")),
    ("remote", _label(Service, "remote")),
)


def category_choices():
    """Leaf need categories grouped under their group's name, in tree order (one query)."""
    groups: dict[int, tuple[str, list]] = {}
    leaves_without_group = []
    categories = list(taxonomy_selectors.active_categories())
    parents_with_children = {category.parent_id for category in categories if category.parent_id}
    for category in categories:
        if category.parent_id is None:
            if category.pk not in parents_with_children:
                leaves_without_group.append((category.code, category.name))
            continue
        label, options = groups.setdefault(category.parent_id, (category.parent.name, []))
        options.append((category.code, category.name))
    return [*leaves_without_group, *groups.values()]


class ServiceForm(forms.Form):
    name_zh = forms.CharField(label=_label(Service, "name_zh"), max_length=200)
    name_en = forms.CharField(label=_label(Service, "name_en"), max_length=250, required=False)
    description_zh = forms.CharField(
        label=_label(Service, "description_zh"), widget=forms.Textarea, required=False
    )
    description_en = forms.CharField(
        label=_label(Service, "description_en"), widget=forms.Textarea, required=False
    )
    categories = forms.MultipleChoiceField(
        label=_label(Service, "categories"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every need this service meets."),
    )
    tier = forms.ModelChoiceField(
        label=_label(Service, "tier"),
        queryset=taxonomy_selectors.service_tiers(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
    )
    min_age = forms.IntegerField(
        label=_label(Service, "min_age"), min_value=0, max_value=120, required=False
    )
    max_age = forms.IntegerField(
        label=_label(Service, "max_age"), min_value=0, max_value=120, required=False
    )
    gender = forms.ChoiceField(label=_label(Service, "gender"), choices=Service.Gender.choices)
    hukou = forms.ChoiceField(label=_label(Service, "hukou"), choices=Service.Hukou.choices)
    required_statuses = forms.MultipleChoiceField(
        label=_label(Service, "required_statuses"),
        choices=Service.AssistanceStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Service._meta.get_field("required_statuses").help_text,
    )
    fee_kind = forms.ChoiceField(
        label=_label(Service, "fee_kind"),
        choices=Service.FeeKind.choices,
        widget=forms.RadioSelect,
    )
    fee_amount = forms.DecimalField(
        label=_label(Service, "fee_amount"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for a free service."),
    )
    fee_note = forms.CharField(label=_label(Service, "fee_note"), max_length=300, required=False)
    languages = forms.MultipleChoiceField(
        label=_label(Service, "languages"),
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
        label=_label(Service, "areas_covered"),
        queryset=place_selectors.shanghai_districts(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The districts where people can use this service."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_label(Service, "sites"),
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
                    "hukou": Service.Hukou.ANY,
                    "fee_kind": Service.FeeKind.FREE,
                    "delivery_modes": ["at_site"],
                    "is_active": True,
                    "accepting_referrals": True,
                },
            )
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["categories"].choices = category_choices()
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
            "hukou": service.hukou,
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


class SiteForm(forms.Form):
    name_zh = forms.CharField(label=_label(Site, "name_zh"), max_length=200)
    name_en = forms.CharField(label=_label(Site, "name_en"), max_length=250, required=False)
    address = forms.CharField(
        label=_label(Site, "address"),
        max_length=300,
        help_text=_(
            "Include the district, e.g. 上海市浦东新区浦东南路1000号. We find the area from it."
        ),
    )
    latitude = forms.DecimalField(
        label=_label(Site, "latitude"),
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("Optional: set the point by hand (with the longitude), e.g. 31.221517."),
    )
    longitude = forms.DecimalField(
        label=_label(Site, "longitude"),
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("Optional: set the point by hand (with the latitude), e.g. 121.544379."),
    )
    opening_hours_zh = forms.CharField(
        label=_label(Site, "opening_hours_zh"), max_length=300, required=False
    )
    opening_hours_en = forms.CharField(
        label=_label(Site, "opening_hours_en"), max_length=300, required=False
    )
    wheelchair_accessible = forms.BooleanField(
        label=_label(Site, "wheelchair_accessible"), required=False
    )
    accessible_toilet = forms.BooleanField(label=_label(Site, "accessible_toilet"), required=False)
    hearing_support = forms.BooleanField(label=_label(Site, "hearing_support"), required=False)
    accessibility_notes = forms.CharField(
        label=_label(Site, "accessibility_notes"), max_length=300, required=False
    )
    phone = forms.CharField(
        label=_label(Site, "phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    TEXT_FIELDS = (
        "name_zh",
        "name_en",
        "address",
        "opening_hours_zh",
        "opening_hours_en",
        "wheelchair_accessible",
        "accessible_toilet",
        "hearing_support",
        "accessibility_notes",
        "phone",
    )

    def __init__(self, *args, site: Site | None = None, **kwargs):
        if site is not None:
            initial = {name: getattr(site, name) for name in self.TEXT_FIELDS}
            # A point found from the address is not offered for editing: it would be
            # sent back as a hand-set point and pin the site after an address change.
            if site.geocode_precision == Site.Precision.MANUAL:
                initial.update(latitude=site.latitude, longitude=site.longitude)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if "latitude" in cleaned and "longitude" in cleaned:
            if latitude is None and longitude is not None:
                self.add_error("latitude", _("Give the latitude too, or leave both empty."))
            elif longitude is None and latitude is not None:
                self.add_error("longitude", _("Give the longitude too, or leave both empty."))
        return cleaned

    def site_arguments(self) -> dict:
        """Keyword arguments for ``services.save_site``."""
        return dict(self.cleaned_data)
