"""Forms of a bid: the price and a response per criterion, attachments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formatting import yuan
from core.forms import model_label
from marketplace.forms.common import (
    MONEY_FIELD,
)
from marketplace.models.bids import Bid
from marketplace.models.tenders import (
    Lot,
)


class BidForm(forms.Form):
    """A bid for one lot: the price and a response per criterion the panel scores."""

    price = forms.DecimalField(
        label=model_label(Bid, "price"),
        **MONEY_FIELD,
        required=False,
        help_text=_("Sealed: nobody but your organization sees it before the deadline for bids."),
    )

    def __init__(self, *args, lot: Lot, criteria, price=None, responses=None, **kwargs):
        responses = responses or {}
        kwargs.setdefault("initial", {"price": price})
        for criterion in criteria:
            kwargs["initial"].setdefault(
                f"response_{criterion.pk}", responses.get(criterion.pk, "")
            )
        super().__init__(*args, **kwargs)
        self.lot = lot
        self.criteria = list(criteria)
        self.fields["price"].help_text = " ".join(
            [
                str(self.fields["price"].help_text),
                str(_("At most %(max)s for this lot.") % {"max": yuan(lot.max_value)}),
            ]
        )
        self.fields["price"].widget.attrs.update({"inputmode": "decimal"})
        for criterion in self.criteria:
            self.fields[f"response_{criterion.pk}"] = forms.CharField(
                label=_("%(criterion)s (weight %(weight)d%%)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                help_text=criterion.description,
                widget=forms.Textarea(attrs={"rows": 6}),
                required=False,
            )

    def response_fields(self):
        return [self[f"response_{criterion.pk}"] for criterion in self.criteria]

    def responses(self) -> dict[int, str]:
        return {
            criterion.pk: self.cleaned_data.get(f"response_{criterion.pk}", "")
            for criterion in self.criteria
        }


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, PNG or JPEG file, sealed with your bid until the deadline."),
    )
