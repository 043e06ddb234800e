"""Forms of pooled budgets and contributions."""

from django import forms
from django.utils import timezone

from core.forms import model_label
from marketplace.forms.common import (
    MONEY_FIELD,
)
from marketplace.models.budgets import Contribution, PooledBudget
from taxonomy import selectors as taxonomy_selectors
from taxonomy.selectors import category_choices


class BudgetForm(forms.Form):
    lead_agency = forms.TypedChoiceField(label=model_label(PooledBudget, "lead_agency"), coerce=int)
    name_zh = forms.CharField(label=model_label(PooledBudget, "name_zh"), max_length=200)
    name_en = forms.CharField(
        label=model_label(PooledBudget, "name_en"), max_length=250, required=False
    )
    description = forms.CharField(
        label=model_label(PooledBudget, "description"), widget=forms.Textarea, required=False
    )
    first_year = forms.IntegerField(
        label=model_label(PooledBudget, "first_year"), min_value=2000, max_value=2100
    )
    last_year = forms.IntegerField(
        label=model_label(PooledBudget, "last_year"), min_value=2000, max_value=2100
    )

    def __init__(self, *args, agencies, **kwargs):
        kwargs.setdefault("initial", {})
        this_year = timezone.localdate().year
        kwargs["initial"].setdefault("first_year", this_year)
        kwargs["initial"].setdefault("last_year", this_year)
        super().__init__(*args, **kwargs)
        self.agencies = {agency.pk: agency for agency in agencies}
        self.fields["lead_agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:
            self.fields["lead_agency"].initial = agencies[0].pk
            self.fields["lead_agency"].widget = forms.HiddenInput()

    def budget_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["lead_agency"] = self.agencies[data["lead_agency"]]
        return data


class ContributionForm(forms.Form):
    funder = forms.TypedChoiceField(label=model_label(Contribution, "funder"), coerce=int)
    amount = forms.DecimalField(label=model_label(Contribution, "amount"), **MONEY_FIELD)
    year = forms.TypedChoiceField(label=model_label(Contribution, "year"), coerce=int)
    source = forms.ChoiceField(
        label=model_label(Contribution, "source"), choices=Contribution.Source.choices
    )
    earmarked_categories = forms.MultipleChoiceField(
        label=model_label(Contribution, "earmarked_categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Contribution._meta.get_field("earmarked_categories").help_text,
    )
    note = forms.CharField(
        label=model_label(Contribution, "note"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, budget: PooledBudget, funders, **kwargs):
        super().__init__(*args, prefix="contribution", **kwargs)
        self.funders = {funder.pk: funder for funder in funders}
        self.fields["funder"].choices = [(f.pk, f.name) for f in funders]
        self.fields["year"].choices = [(year, str(year)) for year in budget.years]
        self.fields["earmarked_categories"].choices = category_choices()
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal"})

    def contribution_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["funder"] = self.funders[data["funder"]]
        codes = data.pop("earmarked_categories")
        data["earmarked_categories"] = list(
            taxonomy_selectors.active_categories().filter(code__in=codes)
        )
        return data
