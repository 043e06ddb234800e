"""Forms of awards: the recommendation of a lot's award."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models.tenders import (
    Lot,
)


class RecommendationForm(forms.Form):
    bid = forms.ChoiceField(label=_("Recommended bid"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Needed when you recommend a bid other than the one ranked first."),
    )

    def __init__(self, *args, lot: Lot, choices, **kwargs):
        super().__init__(*args, prefix=f"lot-{lot.number}", **kwargs)
        self.fields["bid"].choices = choices
