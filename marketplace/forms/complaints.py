"""Forms of complaints: lodging one, and the commissioner's resolution."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from marketplace.models.complaints import RESOLUTIONS, Complaint


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=model_label(Complaint, "text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say what you think was wrong in the evaluation or the award. An open complaint "
            "holds the award until it is resolved."
        ),
    )


class ComplaintResolutionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(outcome, outcome.label) for outcome in RESOLUTIONS],
        widget=forms.RadioSelect,
    )
    response = forms.CharField(
        label=model_label(Complaint, "response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the provider that complained."),
    )

    def __init__(self, *args, complaint_uuid, **kwargs):
        super().__init__(*args, prefix=f"complaint-{complaint_uuid}", **kwargs)
