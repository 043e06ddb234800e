"""Forms of the contract pages: the draft's terms (a form and three formsets whose
prefixes are the services' field-error prefixes: ``kpis-0-target`` lands on its
field), a reason, an amendment. The services validate; forms only read input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models.contracts import Contract
from contracts.models.kpis import KPI, OutcomeTarget
from contracts.models.milestones import Milestone
from core.forms import model_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractDraftForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = (
            "title_zh",
            "title_en",
            "scope_zh",
            "scope_en",
            "start_date",
            "end_date",
            "report_every_months",
            "price_adjustment_cap",
            "price_adjustment_index",
        )
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "scope_zh": forms.Textarea(attrs={"rows": 4}),
            "scope_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the service says what is missing, in its words


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = ("name_zh", "name_en", "unit", "baseline", "target", "measured_by", "measure")


class OutcomeTargetForm(forms.ModelForm):
    class Meta:
        model = OutcomeTarget
        fields = ("description_zh", "description_en", "outcome_kind", "target", "unit")
        widgets = {
            "description_zh": forms.TextInput(),
            "description_en": forms.TextInput(),
        }


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = (
            "kind",
            "title_zh",
            "title_en",
            "due_date",
            "amount",
            "output_measure",
            "output_target",
            "outcome_kind",
            "outcome_price",
        )
        widgets = {"due_date": DATE}


def _lenient(form_class):
    """The same form with every field optional: the service checks what each row needs."""

    class Lenient(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.required = False

    Lenient.__name__ = form_class.__name__
    return Lenient


KPIFormSet = forms.formset_factory(_lenient(KPIForm), extra=1, can_delete=True)
OutcomeTargetFormSet = forms.formset_factory(_lenient(OutcomeTargetForm), extra=1, can_delete=True)
MilestoneFormSet = forms.formset_factory(_lenient(MilestoneForm), extra=1, can_delete=True)


def rows(formset) -> list[dict]:
    """The filled-in, not deleted rows of a valid formset, as the services take them."""
    kept = []
    for form in formset.forms:
        data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if form.cleaned_data.get("DELETE") or not any(v not in (None, "") for v in data.values()):
            continue
        kept.append({k: ("" if v is None else v) for k, v in data.items()})
    return kept


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the contract changes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    summary = forms.CharField(
        label=_("Summary of the changes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Both parties read it before they sign the new version."),
    )
    value = forms.DecimalField(
        label=_("New value (CNY)"), required=False, max_digits=14, decimal_places=2
    )
    end_date = forms.DateField(label=_("New end of the period"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = _(
            "Leave empty to keep it. A raise is drawn from the pooled budget."
        )
        self.fields["end_date"].help_text = model_label(Contract, "end_date")
