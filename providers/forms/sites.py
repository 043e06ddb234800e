"""The form a provider's staff describe a site with.

The address is geocoded by ``providers.services.sites.save_site``; a latitude
and longitude given together set the point by hand.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from providers.models import Site


class SiteForm(forms.Form):
    name_zh = forms.CharField(label=model_label(Site, "name_zh"), max_length=200)
    name_en = forms.CharField(label=model_label(Site, "name_en"), max_length=250, required=False)
    address = forms.CharField(
        label=model_label(Site, "address"),
        max_length=300,
        help_text=_(
            "Include the district, e.g. 上海市浦东新区浦东南路1000号. We find the area from it."
        ),
    )
    latitude = forms.DecimalField(
        label=model_label(Site, "latitude"),
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("Optional: set the point by hand (with the longitude), e.g. 31.221517."),
    )
    longitude = forms.DecimalField(
        label=model_label(Site, "longitude"),
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text=_("Optional: set the point by hand (with the latitude), e.g. 121.544379."),
    )
    opening_hours_zh = forms.CharField(
        label=model_label(Site, "opening_hours_zh"), max_length=300, required=False
    )
    opening_hours_en = forms.CharField(
        label=model_label(Site, "opening_hours_en"), max_length=300, required=False
    )
    wheelchair_accessible = forms.BooleanField(
        label=model_label(Site, "wheelchair_accessible"), required=False
    )
    accessible_toilet = forms.BooleanField(
        label=model_label(Site, "accessible_toilet"), required=False
    )
    hearing_support = forms.BooleanField(label=model_label(Site, "hearing_support"), required=False)
    accessibility_notes = forms.CharField(
        label=model_label(Site, "accessibility_notes"), max_length=300, required=False
    )
    phone = forms.CharField(
        label=model_label(Site, "phone"),
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
