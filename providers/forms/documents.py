"""The form a provider's administrator uploads a document with.

The form checks only the shape of the input; what a document may contain (a
PDF or an image, whatever its name says) and how large it may be are checked
by ``providers.services.documents``.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from providers.forms.registration import DATE_INPUT
from providers.models import ProviderDocument


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=ProviderDocument.Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example “Registration certificate 2024”."),
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty if the document does not expire. We remind you 30 days before."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG or JPEG, at most %(limit)d MB.") % {
            "limit": max(1, settings.PROVIDER_DOCUMENT_MAX_BYTES // 1_048_576)
        }
