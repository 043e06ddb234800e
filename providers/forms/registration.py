"""Forms of sign-up and of the provider's profile.

Forms only parse and check the shape of the input; the rules (unique credit
code, password strength) live in ``providers.services.registration``, whose
``ApplicationError.field_errors`` the views put back next to the fields with
``core.forms.attach_errors``.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_credit_code, validate_credit_code
from places.selectors import shanghai_districts
from providers.models import Provider
from providers.services.registration import PROFILE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CreditCodeField(forms.CharField):
    """A unified social credit code as people type it: lower case, full-width
    characters from a Chinese input method and spaces are all accepted."""

    default_validators = [validate_credit_code]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unified social credit code"))
        kwargs.setdefault(
            "help_text",
            _("18 characters, as printed on the registration certificate (统一社会信用代码)."),
        )
        kwargs.setdefault("max_length", 40)  # before spaces and full-width forms are folded
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})
        return attrs

    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))


class DistrictField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("District"))
        kwargs.setdefault("empty_label", _("Choose a district"))
        kwargs.setdefault("required", False)
        super().__init__(queryset=shanghai_districts(), **kwargs)

    def label_from_instance(self, obj):
        return obj.name


class ProviderRegistrationForm(forms.Form):
    """One form for the first user, the organization and the provider profile in draft."""

    # the person (in the order the page shows them)
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("Shown to colleagues and to the people who verify your organization."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send the result of the verification here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only. You will sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters, not only digits, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # the organization
    name_zh = forms.CharField(
        label=_("Organization name (Chinese)"),
        max_length=200,
        help_text=_("The legal name on the registration certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    name_en = forms.CharField(
        label=_("Organization name (English)"), max_length=250, required=False
    )
    credit_code = CreditCodeField()
    district = DistrictField(help_text=_("Where the organization is registered, in Shanghai."))
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=Provider.LegalForm.choices)
    nature = forms.ChoiceField(
        label=_("Nature"), choices=Provider.Nature.choices, initial=Provider.Nature.NON_PROFIT
    )
    registration_authority = forms.CharField(
        label=_("Registration authority"),
        max_length=200,
        help_text=_("For example 上海市浦东新区民政局."),
    )
    registration_date = forms.DateField(
        label=_("Registration date"), required=False, widget=DATE_INPUT
    )

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords are not the same."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "password": data["password"],
            "email": data["email"],
            "display_name": data["display_name"],
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "credit_code": data["credit_code"],
            "area": data["district"],
            "legal_form": data["legal_form"],
            "nature": data["nature"],
            "registration_authority": data["registration_authority"],
            "registration_date": data["registration_date"],
        }


# The service names the organization's area "area"; the forms call it "district"
# (``field_map`` of ``core.forms.attach_errors``).
FIELD_ALIASES = {"area": "district"}


def _model_formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a website typed without a scheme
    return model_field.formfield(**kwargs)


class ProviderProfileForm(forms.Form):
    """The profile a provider keeps up to date (names, legal details, description, contact).

    Not the evaluation grade: that is declared with its certificate
    (``providers.forms.grades``) and counts once verified."""

    name_zh = forms.CharField(label=_("Organization name (Chinese)"), max_length=200)
    name_en = forms.CharField(
        label=_("Organization name (English)"), max_length=250, required=False
    )
    district = DistrictField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The profile fields are the model's, with its labels and limits.
        self.fields.update(
            forms.fields_for_model(
                Provider,
                fields=PROFILE_FIELDS,
                widgets={"registration_date": DATE_INPUT},
                formfield_callback=_model_formfield,
            )
        )
        self.fields["description_zh"].help_text = _(
            "What your organization does and for whom. Required before submitting."
        )

    @classmethod
    def initial_for(cls, provider: Provider) -> dict:
        organization = provider.organization
        initial = {field: getattr(provider, field) for field in PROFILE_FIELDS}
        initial.update(
            name_zh=organization.name_zh,
            name_en=organization.name_en,
            district=organization.area_id,
        )
        return initial

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["area"] = data.pop("district")
        return data
