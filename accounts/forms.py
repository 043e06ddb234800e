"""Forms of the accounts app."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's authentication form with labels and messages written for our users."""

    error_messages = {
        "invalid_login": _(
            "The username or password is not right. Both are case-sensitive. "
            "After several failed attempts the account is locked for 30 minutes."
        ),
        "inactive": _("This account has been deactivated. Ask your organization's administrator."),
    }

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class APITokenForm(forms.Form):
    """The name of a new API token: what its owner will recognise it by."""

    name = forms.CharField(
        label=_("What is the token for?"),
        max_length=100,
        help_text=_(
            "A name you will recognise when you decide whether to revoke it, "
            "such as “monthly report script” or “case management system”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
