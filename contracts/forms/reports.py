"""The progress report form: outputs, narrative and one field per KPI (read-only for
KPIs measured from platform data), and the attachment upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models.reports import ProgressReport


class ReportForm(forms.Form):
    outputs = forms.CharField(
        label=_("Outputs delivered"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "What went well, what did not and what changes next period. Do not name the people "
            "served: the agency's staff read this report."
        ),
    )

    def __init__(self, *args, report: ProgressReport, actuals, editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_fields = []
        for actual in actuals:
            kpi = actual.kpi
            name = f"kpi_{kpi.number}"
            self.fields[name] = forms.DecimalField(
                label=f"{kpi.number}. {kpi.name} ({kpi.unit})",
                required=False,
                max_digits=12,
                decimal_places=2,
                initial=actual.value,
                disabled=actual.from_platform or not editable,
                help_text=(
                    _("From the platform's referral data for this period.")
                    if actual.from_platform
                    else _("Target: %(target)s") % {"target": kpi.target}
                ),
            )
            self.kpi_fields.append(name)
        if not editable:
            for field in self.fields.values():
                field.disabled = True
        self.initial.setdefault("outputs", report.outputs)
        self.initial.setdefault("narrative", report.narrative)

    def actuals(self) -> dict:
        return {
            name.removeprefix("kpi_"): self.cleaned_data.get(name)
            for name in self.kpi_fields
            if not self.fields[name].disabled
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
    )


class ReviewForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments to the provider"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Needed when you return the report: say what must change."),
    )
