"""The form verifiers fill in to change a provider's status."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StatusChangeForm(forms.Form):
    """The reason is required by the service for reject, suspend and debar; it is
    e-mailed to the provider, so it should say what to fix."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The provider reads this: say what is wrong and what to do about it."),
    )
