"""Forms of a tender: its own fields, lots and criteria (formsets), documents and
amendments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from marketplace.forms.common import (
    MONEY_FIELD,
    MomentField,
    date_input,
    time_zone_help,
    to_the_minute,
)
from marketplace.models.tenders import (
    MAX_CONTRACT_YEARS,
    TOTAL_WEIGHT,
    Amendment,
    Criterion,
    Lot,
    Tender,
    TenderDocument,
)
from marketplace.services import tenders as tender_services
from places import selectors as place_selectors
from providers.selectors import ProviderGrade
from taxonomy import selectors as taxonomy_selectors
from taxonomy.selectors import category_choices

DOCUMENT_MAX_TITLE = 200


def area_queryset(extra_ids=()):
    """Shanghai's districts (and areas a tender already names), for choosing a tender's areas."""
    districts = place_selectors.shanghai_districts()
    if extra_ids:
        return place_selectors.areas().filter(
            pk__in=[*districts.values_list("pk", flat=True), *extra_ids]
        )
    return districts


class TenderForm(forms.Form):
    """A tender's own fields, its categories and areas (lots and criteria are formsets)."""

    budget = forms.TypedChoiceField(label=model_label(Tender, "budget"), coerce=int)
    reference = forms.CharField(
        label=model_label(Tender, "reference"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically, e.g. 310101-2026-0007."),
    )
    title_zh = forms.CharField(label=model_label(Tender, "title_zh"), max_length=200)
    title_en = forms.CharField(
        label=model_label(Tender, "title_en"), max_length=250, required=False
    )
    description_zh = forms.CharField(
        label=model_label(Tender, "description_zh"), widget=forms.Textarea
    )
    description_en = forms.CharField(
        label=model_label(Tender, "description_en"), widget=forms.Textarea, required=False
    )
    categories = forms.MultipleChoiceField(
        label=model_label(Tender, "categories"), widget=forms.CheckboxSelectMultiple
    )
    areas = forms.ModelMultipleChoiceField(
        label=model_label(Tender, "areas"),
        queryset=place_selectors.shanghai_districts(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    max_value = forms.DecimalField(label=model_label(Tender, "max_value"), **MONEY_FIELD)
    procurement_method = forms.ChoiceField(
        label=model_label(Tender, "procurement_method"),
        choices=Tender.ProcurementMethod.choices,
        widget=forms.RadioSelect,
    )
    require_verified = forms.BooleanField(
        label=model_label(Tender, "require_verified"), required=False
    )
    min_grade = forms.TypedChoiceField(
        label=model_label(Tender, "min_grade"),
        choices=[("", _("Any grade, or none"))] + list(ProviderGrade.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    require_area_presence = forms.BooleanField(
        label=model_label(Tender, "require_area_presence"), required=False
    )
    min_certified_social_workers = forms.IntegerField(
        label=model_label(Tender, "min_certified_social_workers"), min_value=0
    )
    require_valid_documents = forms.BooleanField(
        label=model_label(Tender, "require_valid_documents"), required=False
    )
    publish_at = MomentField(label=model_label(Tender, "publish_at"), required=False)
    enquiry_deadline = MomentField(label=model_label(Tender, "enquiry_deadline"))
    submission_deadline = MomentField(label=model_label(Tender, "submission_deadline"))
    award_date_planned = forms.DateField(
        label=model_label(Tender, "award_date_planned"), required=False, widget=date_input()
    )
    contract_start = forms.DateField(
        label=model_label(Tender, "contract_start"), widget=date_input()
    )
    contract_end = forms.DateField(
        label=model_label(Tender, "contract_end"),
        widget=date_input(),
        help_text=_("A contract lasts at most %(years)d years.") % {"years": MAX_CONTRACT_YEARS},
    )
    standstill_days = forms.IntegerField(
        label=model_label(Tender, "standstill_days"), min_value=0, max_value=60
    )

    # Names the services take as tender fields (the rest are relations).
    TENDER_FIELDS = tender_services.TENDER_FIELDS

    def __init__(self, *args, budgets, tender: Tender | None = None, **kwargs):
        if tender is not None:
            kwargs.setdefault("initial", tender_initial(tender))
        else:
            kwargs.setdefault(
                "initial",
                {
                    "procurement_method": Tender.ProcurementMethod.OPEN,
                    "require_verified": True,
                    "require_valid_documents": True,
                    "min_certified_social_workers": 0,
                    "standstill_days": Tender._meta.get_field("standstill_days").default,
                },
            )
        super().__init__(*args, **kwargs)
        self.tender = tender
        self.budgets = {budget.pk: budget for budget in budgets}
        self.fields["budget"].choices = [(b.pk, b.name) for b in budgets]
        self.fields["categories"].choices = category_choices()
        if tender is not None:
            self.fields["areas"].queryset = area_queryset([area.pk for area in tender.areas.all()])
            # The reference of a saved tender is what bidders quote: it stays.
            del self.fields["reference"]
        zone_help = time_zone_help()
        for name in ("publish_at", "enquiry_deadline", "submission_deadline"):
            own = Tender._meta.get_field(name).help_text
            self.fields[name].help_text = f"{own} {zone_help}".strip() if own else zone_help
        self.fields["max_value"].widget.attrs.update({"inputmode": "decimal"})

    def tender_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {name: data[name] for name in self.TENDER_FIELDS}
        arguments["budget"] = self.budgets[data["budget"]]
        arguments["categories"] = list(
            taxonomy_selectors.active_categories().filter(code__in=data["categories"])
        )
        arguments["areas"] = list(data["areas"])
        if data.get("reference"):
            arguments["reference"] = data["reference"]
        return arguments


def tender_initial(tender: Tender) -> dict:
    initial = {name: getattr(tender, name) for name in TenderForm.TENDER_FIELDS}
    for name in ("publish_at", "enquiry_deadline", "submission_deadline"):
        initial[name] = to_the_minute(initial[name])
    initial["budget"] = tender.budget_id
    initial["categories"] = [category.code for category in tender.categories.all()]
    initial["areas"] = [area.code for area in tender.areas.all()]
    return initial


class LotForm(forms.Form):
    title_zh = forms.CharField(label=model_label(Lot, "title_zh"), max_length=200)
    title_en = forms.CharField(label=model_label(Lot, "title_en"), max_length=250, required=False)
    description_zh = forms.CharField(
        label=model_label(Lot, "description_zh"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    description_en = forms.CharField(
        label=model_label(Lot, "description_en"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    max_value = forms.DecimalField(label=model_label(Lot, "max_value"), **MONEY_FIELD)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(label=model_label(Criterion, "kind"), choices=Criterion.Kind.choices)
    name_zh = forms.CharField(label=model_label(Criterion, "name_zh"), max_length=200)
    name_en = forms.CharField(
        label=model_label(Criterion, "name_en"), max_length=250, required=False
    )
    description = forms.CharField(
        label=model_label(Criterion, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    weight = forms.IntegerField(
        label=model_label(Criterion, "weight"), min_value=1, max_value=TOTAL_WEIGHT
    )


LotFormSet = forms.formset_factory(LotForm, extra=1, can_delete=True, min_num=1)
CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True, min_num=1)

# The usual criteria of a new tender: the commissioner adjusts them.
DEFAULT_CRITERIA = (
    (Criterion.Kind.PRICE, "价格", "Price", 40),
    (Criterion.Kind.QUALITY, "服务方案", "Service plan", 40),
    (Criterion.Kind.PAST_PERFORMANCE, "过往表现", "Past performance", 10),
    (Criterion.Kind.SOCIAL_VALUE, "社会价值", "Social value", 10),
)


def lot_formset(data=None, *, tender: Tender | None = None) -> forms.BaseFormSet:
    initial = None
    if tender is not None:
        initial = [
            {name: getattr(lot, name) for name in LotForm.base_fields} for lot in tender.lots.all()
        ]
    return LotFormSet(data, prefix="lots", initial=initial)


def criterion_formset(data=None, *, tender: Tender | None = None) -> forms.BaseFormSet:
    if tender is not None:
        initial = [
            {name: getattr(criterion, name) for name in CriterionForm.base_fields}
            for criterion in tender.criteria.all()
        ]
    else:
        initial = [
            {"kind": kind, "name_zh": name_zh, "name_en": name_en, "weight": weight}
            for kind, name_zh, name_en, weight in DEFAULT_CRITERIA
        ]
    return CriterionFormSet(data, prefix="criteria", initial=initial)


def formset_rows(formset) -> list[dict]:
    """The filled-in rows of a valid formset, without those marked for deletion."""
    return [
        {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=model_label(TenderDocument, "title"), max_length=DOCUMENT_MAX_TITLE
    )
    file = forms.FileField(
        label=model_label(TenderDocument, "file"),
        help_text=_("A PDF, PNG or JPEG file. It is public once the tender is published."),
    )


class AmendmentForm(forms.Form):
    """What an amendment changes: a summary for bidders and the fields' new values.

    Only the values that differ from the tender's current ones are passed on,
    so the amendment lists exactly what changed.
    """

    summary = forms.CharField(
        label=model_label(Amendment, "summary_zh"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changes and why, as bidders will read it."),
    )
    summary_en = forms.CharField(
        label=model_label(Amendment, "summary_en"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    is_material = forms.BooleanField(
        label=model_label(Amendment, "is_material"),
        required=False,
        help_text=_(
            "A change that could change what bidders offer or who may bid. Close to the "
            "deadline it extends the deadline, and submitted bids must be reconfirmed."
        ),
    )
    title_zh = forms.CharField(label=model_label(Tender, "title_zh"), max_length=200)
    title_en = forms.CharField(
        label=model_label(Tender, "title_en"), max_length=250, required=False
    )
    description_zh = forms.CharField(
        label=model_label(Tender, "description_zh"), widget=forms.Textarea
    )
    description_en = forms.CharField(
        label=model_label(Tender, "description_en"), widget=forms.Textarea, required=False
    )
    max_value = forms.DecimalField(label=model_label(Tender, "max_value"), **MONEY_FIELD)
    enquiry_deadline = MomentField(label=model_label(Tender, "enquiry_deadline"))
    submission_deadline = MomentField(label=model_label(Tender, "submission_deadline"))
    contract_start = forms.DateField(
        label=model_label(Tender, "contract_start"), widget=date_input()
    )
    contract_end = forms.DateField(label=model_label(Tender, "contract_end"), widget=date_input())

    VALUE_FIELDS = (
        "title_zh",
        "title_en",
        "description_zh",
        "description_en",
        "max_value",
        "enquiry_deadline",
        "submission_deadline",
        "contract_start",
        "contract_end",
    )

    def __init__(self, *args, tender: Tender, **kwargs):
        self.current = {name: getattr(tender, name) for name in self.VALUE_FIELDS}
        for name in ("enquiry_deadline", "submission_deadline"):
            self.current[name] = to_the_minute(self.current[name])
        kwargs.setdefault("initial", dict(self.current))
        super().__init__(*args, **kwargs)
        for name in ("enquiry_deadline", "submission_deadline"):
            self.fields[name].help_text = time_zone_help()

    def new_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.VALUE_FIELDS
            if self.cleaned_data[name] != self.current[name]
        }
