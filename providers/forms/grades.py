"""Forms of the evaluation grade: the provider declares it with its certificate, a
platform administrator verifies or refuses it.

Forms check only the shape of the input; whether the certificate is the
provider's, whether the date is possible and who may decide are checked by
``providers.services.grades``.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from providers.forms.registration import DATE_INPUT
from providers.models import Provider, ProviderDocument

GRADE_CHOICES = [(value, label) for value, label in Provider.Grade.choices if value]


class CertificateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.uploaded_at:%Y-%m-%d})"


class GradeDeclarationForm(forms.Form):
    """The grade as printed on the certificate, and the certificate itself."""

    grade = forms.TypedChoiceField(
        label=_("Evaluation grade"), choices=[("", "—")] + GRADE_CHOICES, coerce=int
    )
    awarded_on = forms.DateField(label=_("Awarded on"), widget=DATE_INPUT)
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        max_length=100,
        help_text=_("As printed on the evaluation grade certificate (证书编号)."),
    )
    certificate = CertificateChoiceField(
        label=_("A certificate you have uploaded"),
        queryset=ProviderDocument.objects.none(),
        required=False,
        empty_label=_("None: I upload it below"),
    )
    file = forms.FileField(
        label=_("The certificate"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        certificates = provider.documents.filter(
            kind=ProviderDocument.Kind.GRADE_CERTIFICATE
        ).order_by("-uploaded_at", "pk")
        if certificates.exists():
            self.fields["certificate"].queryset = certificates
        else:
            del self.fields["certificate"]
        self.fields["file"].help_text = _(
            "A scan or photo of the 社会组织评估等级证书: PDF, PNG or JPEG, at most %(limit)d MB."
        ) % {"limit": max(1, settings.PROVIDER_DOCUMENT_MAX_BYTES // 1_048_576)}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("certificate") and cleaned.get("file"):
            self.add_error("file", _("Choose an uploaded certificate or upload one, not both."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "grade": data["grade"],
            "awarded_on": data["awarded_on"],
            "certificate_number": data["certificate_number"],
            "certificate": data.get("certificate"),
            "uploaded_file": data.get("file"),
        }


class GradeDecisionForm(forms.Form):
    """A platform administrator's decision on a declared grade, having read the certificate."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Verify the grade")), ("refuse", _("Refuse the grade"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required to refuse: the provider reads it. Say what does not match the certificate."
        ),
    )

    @property
    def accepts(self) -> bool:
        return self.cleaned_data["decision"] == "accept"
