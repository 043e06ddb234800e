"""What the marketplace's forms share: money and moments as people type them, and the
reason a published notice needs.

Moments are typed in the platform's time zone, which every label and help
text names.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
# Browsers send datetime-local values as 2026-12-01T17:00.
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def time_zone_help() -> str:
    return _("In %(zone)s time.") % {"zone": timezone.get_current_timezone_name()}


class MomentField(forms.DateTimeField):
    """A date and time typed in the platform's time zone (``<input type="datetime-local">``)."""

    widget = forms.DateTimeInput(format=DATETIME_INPUT_FORMAT, attrs={"type": "datetime-local"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


def to_the_minute(moment):
    """A stored moment as the form shows it (local time, whole minutes), to compare with input."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def date_input():
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the notice: bidders and the public read it."),
    )
