"""The signing form: the password again, and the SHA-256 of the file the person saw."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        required=False,
        help_text=_("Signing is like signing on paper: enter your password again to confirm."),
    )
    shown_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(
        label=_("I have read this version of the contract and sign it for my organization."),
        required=True,
        error_messages={"required": _("Tick the box to confirm you have read the contract.")},
    )
