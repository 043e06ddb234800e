"""The form a provider's staff set a service's free places and waiting list with.

Both numbers are updated together in one action
(``providers.services.capacity.update_capacity``), which also confirms the listing.
"""

from django import forms

from core.forms import model_label
from providers.models import MAX_PLACES, Service


class CapacityForm(forms.Form):
    """Free places and people waiting, updated together in one action."""

    free_slots = forms.IntegerField(
        label=model_label(Service, "free_slots"), min_value=0, max_value=MAX_PLACES
    )
    waitlist_length = forms.IntegerField(
        label=model_label(Service, "waitlist_length"), min_value=0, max_value=MAX_PLACES
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
