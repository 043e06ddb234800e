"""Forms of the marketplace pages: budgets and contributions, tenders with their lots and
criteria, documents, amendments, questions and answers, bids, scores and awards.

The forms only parse what a person typed; ``marketplace.services`` checks the
rules and writes. A service's ``ApplicationError`` comes back next to the
fields through ``attach_errors``, and anything that belongs to no field above
the form. Moments are typed in the platform's time zone, which every label
and help text names.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from marketplace.models import (
    MAX_CONTRACT_YEARS,
    SCORE_MAX,
    SCORE_MIN,
    TOTAL_WEIGHT,
    Amendment,
    Bid,
    Clarification,
    Complaint,
    Contribution,
    Criterion,
    Lot,
    PooledBudget,
    Tender,
    TenderDocument,
)
from marketplace.services import MAX_QUESTION_LENGTH
from places import selectors as place_selectors
from providers.models import Provider
from taxonomy import selectors as taxonomy_selectors

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
# Browsers send datetime-local values as 2026-12-01T17:00.
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
DOCUMENT_MAX_TITLE = 200


def _label(model, field_name: str) -> str:
    """The model field's own label, so the forms, the admin and the API say the same thing."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def attach_errors(form: forms.Form, error: ApplicationError, *, field_map=None) -> dict:
    """Show a service's field errors next to the form's fields; the rest above the form.

    Returns the errors that belong to no field of ``form`` (e.g. ``criteria``
    or ``lots`` of a tender), by name, for pages that show them next to a
    formset; they are in the summary above the form too.
    """
    field_map = field_map or {}
    placed, elsewhere = False, {}
    for name, messages in error.field_errors.items():
        name = field_map.get(name, name)
        messages = [
            str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])
        ]
        if name in form.fields:
            form.add_error(name, messages)
        else:
            elsewhere[name] = messages
            form.add_error(None, messages)
        placed = True
    if not placed:
        form.add_error(None, str(error.message))
    return elsewhere


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


def _date_input():
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def category_choices():
    """Active need categories under their group's name, in tree order (one query)."""
    groups: dict[int, tuple[str, list]] = {}
    ungrouped = []
    categories = list(taxonomy_selectors.active_categories())
    parents = {category.parent_id for category in categories if category.parent_id}
    for category in categories:
        if category.parent_id is None:
            if category.pk not in parents:
                ungrouped.append((category.code, category.name))
            continue
        _group, options = groups.setdefault(category.parent_id, (category.parent.name, []))
        options.append((category.code, category.name))
    return [*ungrouped, *groups.values()]


# --- budgets ------------------------------------------------------------------


class BudgetForm(forms.Form):
    lead_agency = forms.TypedChoiceField(label=_label(PooledBudget, "lead_agency"), coerce=int)
    name_zh = forms.CharField(label=_label(PooledBudget, "name_zh"), max_length=200)
    name_en = forms.CharField(label=_label(PooledBudget, "name_en"), max_length=250, required=False)
    description = forms.CharField(
        label=_label(PooledBudget, "description"), widget=forms.Textarea, required=False
    )
    first_year = forms.IntegerField(
        label=_label(PooledBudget, "first_year"), min_value=2000, max_value=2100
    )
    last_year = forms.IntegerField(
        label=_label(PooledBudget, "last_year"), min_value=2000, max_value=2100
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
    funder = forms.TypedChoiceField(label=_label(Contribution, "funder"), coerce=int)
    amount = forms.DecimalField(label=_label(Contribution, "amount"), **MONEY_FIELD)
    year = forms.TypedChoiceField(label=_label(Contribution, "year"), coerce=int)
    source = forms.ChoiceField(
        label=_label(Contribution, "source"), choices=Contribution.Source.choices
    )
    earmarked_categories = forms.MultipleChoiceField(
        label=_label(Contribution, "earmarked_categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Contribution._meta.get_field("earmarked_categories").help_text,
    )
    note = forms.CharField(
        label=_label(Contribution, "note"), widget=forms.Textarea, required=False
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


# --- tenders ------------------------------------------------------------------


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

    budget = forms.TypedChoiceField(label=_label(Tender, "budget"), coerce=int)
    reference = forms.CharField(
        label=_label(Tender, "reference"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically, e.g. 310101-2026-0007."),
    )
    title_zh = forms.CharField(label=_label(Tender, "title_zh"), max_length=200)
    title_en = forms.CharField(label=_label(Tender, "title_en"), max_length=250, required=False)
    description_zh = forms.CharField(label=_label(Tender, "description_zh"), widget=forms.Textarea)
    description_en = forms.CharField(
        label=_label(Tender, "description_en"), widget=forms.Textarea, required=False
    )
    categories = forms.MultipleChoiceField(
        label=_label(Tender, "categories"), widget=forms.CheckboxSelectMultiple
    )
    areas = forms.ModelMultipleChoiceField(
        label=_label(Tender, "areas"),
        queryset=place_selectors.shanghai_districts(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    max_value = forms.DecimalField(label=_label(Tender, "max_value"), **MONEY_FIELD)
    procurement_method = forms.ChoiceField(
        label=_label(Tender, "procurement_method"),
        choices=Tender.ProcurementMethod.choices,
        widget=forms.RadioSelect,
    )
    require_verified = forms.BooleanField(label=_label(Tender, "require_verified"), required=False)
    min_grade = forms.TypedChoiceField(
        label=_label(Tender, "min_grade"),
        choices=[("", _("Any grade, or none"))] + list(Provider.Grade.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    require_area_presence = forms.BooleanField(
        label=_label(Tender, "require_area_presence"), required=False
    )
    min_certified_social_workers = forms.IntegerField(
        label=_label(Tender, "min_certified_social_workers"), min_value=0
    )
    require_valid_documents = forms.BooleanField(
        label=_label(Tender, "require_valid_documents"), required=False
    )
    publish_at = MomentField(label=_label(Tender, "publish_at"), required=False)
    enquiry_deadline = MomentField(label=_label(Tender, "enquiry_deadline"))
    submission_deadline = MomentField(label=_label(Tender, "submission_deadline"))
    award_date_planned = forms.DateField(
        label=_label(Tender, "award_date_planned"), required=False, widget=_date_input()
    )
    contract_start = forms.DateField(label=_label(Tender, "contract_start"), widget=_date_input())
    contract_end = forms.DateField(
        label=_label(Tender, "contract_end"),
        widget=_date_input(),
        help_text=_("A contract lasts at most %(years)d years.") % {"years": MAX_CONTRACT_YEARS},
    )
    standstill_days = forms.IntegerField(
        label=_label(Tender, "standstill_days"), min_value=0, max_value=60
    )

    # Names the services take as tender fields (the rest are relations).
    TENDER_FIELDS = (
        "title_zh",
        "title_en",
        "description_zh",
        "description_en",
        "max_value",
        "procurement_method",
        "require_verified",
        "min_grade",
        "require_area_presence",
        "min_certified_social_workers",
        "require_valid_documents",
        "publish_at",
        "enquiry_deadline",
        "submission_deadline",
        "award_date_planned",
        "contract_start",
        "contract_end",
        "standstill_days",
    )

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
    title_zh = forms.CharField(label=_label(Lot, "title_zh"), max_length=200)
    title_en = forms.CharField(label=_label(Lot, "title_en"), max_length=250, required=False)
    description_zh = forms.CharField(
        label=_label(Lot, "description_zh"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    description_en = forms.CharField(
        label=_label(Lot, "description_en"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    max_value = forms.DecimalField(label=_label(Lot, "max_value"), **MONEY_FIELD)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(label=_label(Criterion, "kind"), choices=Criterion.Kind.choices)
    name_zh = forms.CharField(label=_label(Criterion, "name_zh"), max_length=200)
    name_en = forms.CharField(label=_label(Criterion, "name_en"), max_length=250, required=False)
    description = forms.CharField(
        label=_label(Criterion, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    weight = forms.IntegerField(
        label=_label(Criterion, "weight"), min_value=1, max_value=TOTAL_WEIGHT
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
    title = forms.CharField(label=_label(TenderDocument, "title"), max_length=DOCUMENT_MAX_TITLE)
    file = forms.FileField(
        label=_label(TenderDocument, "file"),
        help_text=_("A PDF, PNG or JPEG file. It is public once the tender is published."),
    )


class AmendmentForm(forms.Form):
    """What an amendment changes: a summary for bidders and the fields' new values.

    Only the values that differ from the tender's current ones are passed on,
    so the amendment lists exactly what changed.
    """

    summary = forms.CharField(
        label=_label(Amendment, "summary_zh"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changes and why, as bidders will read it."),
    )
    summary_en = forms.CharField(
        label=_label(Amendment, "summary_en"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    is_material = forms.BooleanField(
        label=_label(Amendment, "is_material"),
        required=False,
        help_text=_(
            "A change that could change what bidders offer or who may bid. Close to the "
            "deadline it extends the deadline, and submitted bids must be reconfirmed."
        ),
    )
    title_zh = forms.CharField(label=_label(Tender, "title_zh"), max_length=200)
    title_en = forms.CharField(label=_label(Tender, "title_en"), max_length=250, required=False)
    description_zh = forms.CharField(label=_label(Tender, "description_zh"), widget=forms.Textarea)
    description_en = forms.CharField(
        label=_label(Tender, "description_en"), widget=forms.Textarea, required=False
    )
    max_value = forms.DecimalField(label=_label(Tender, "max_value"), **MONEY_FIELD)
    enquiry_deadline = MomentField(label=_label(Tender, "enquiry_deadline"))
    submission_deadline = MomentField(label=_label(Tender, "submission_deadline"))
    contract_start = forms.DateField(label=_label(Tender, "contract_start"), widget=_date_input())
    contract_end = forms.DateField(label=_label(Tender, "contract_end"), widget=_date_input())

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


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the notice: bidders and the public read it."),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_label(Clarification, "question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_QUESTION_LENGTH,
        help_text=_(
            "The question and its answer are published for every bidder; "
            "your organization's name is not."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_label(Clarification, "answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published at once, without the name of who asked."),
    )

    def __init__(self, *args, clarification_uuid, **kwargs):
        super().__init__(*args, prefix=f"answer-{clarification_uuid}", **kwargs)


# --- bids ---------------------------------------------------------------------


class BidForm(forms.Form):
    """A bid for one lot: the price and a response per criterion the panel scores."""

    price = forms.DecimalField(
        label=_label(Bid, "price"),
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
                str(_("At most %(max)s for this lot.") % {"max": f"¥{lot.max_value:,.2f}"}),
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


class ComplaintForm(forms.Form):
    text = forms.CharField(
        label=_label(Complaint, "text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say what you think was wrong in the evaluation or the award. An open complaint "
            "holds the award until it is resolved."
        ),
    )


class ComplaintResolutionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Complaint.Status.UPHELD, Complaint.Status.UPHELD.label),
            (Complaint.Status.DISMISSED, Complaint.Status.DISMISSED.label),
        ],
        widget=forms.RadioSelect,
    )
    response = forms.CharField(
        label=_label(Complaint, "response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the provider that complained."),
    )

    def __init__(self, *args, complaint_uuid, **kwargs):
        super().__init__(*args, prefix=f"complaint-{complaint_uuid}", **kwargs)


# --- evaluation ---------------------------------------------------------------


class PanelForm(forms.Form):
    chair = forms.TypedChoiceField(label=_("Chair"), coerce=int)
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Agency staff who score the bids. Each declares any conflict of interest before "
            "seeing a bid."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {user.pk: user for user in candidates}
        choices = [(user.pk, str(user)) for user in candidates]
        self.fields["chair"].choices = choices
        self.fields["members"].choices = choices

    def panel_arguments(self) -> dict:
        return {
            "chair": self.candidates[self.cleaned_data["chair"]],
            "members": [self.candidates[pk] for pk in self.cleaned_data["members"]],
        }


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with any bidder?"),
        choices=[
            ("no", _("No: I have no interest in any bidder")),
            ("yes", _("Yes: I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "If you have a conflict, say what it is. A member with a conflict does not score."
        ),
    )


class ScoreForm(forms.Form):
    """One member's scores of one bid: 0–10 for each criterion the panel scores."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        scores = scores or {}
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            score, comment = scores.get(criterion.pk, (None, ""))
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=_("%(criterion)s: score from %(min)s to %(max)s")
                % {"criterion": criterion.name, "min": int(SCORE_MIN), "max": int(SCORE_MAX)},
                min_value=SCORE_MIN,
                max_value=SCORE_MAX,
                max_digits=4,
                decimal_places=2,
                initial=score,
                required=False,
                help_text=criterion.description,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": criterion.name},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=comment,
                required=False,
            )

    def rows(self):
        return [
            (criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def scores(self) -> dict:
        return {
            criterion.pk: (
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"comment_{criterion.pk}"],
            )
            for criterion in self.criteria
            if self.cleaned_data.get(f"score_{criterion.pk}") is not None
        }


class ModerationForm(forms.Form):
    score = forms.DecimalField(
        label=_("Moderated score"),
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        max_digits=4,
        decimal_places=2,
    )
    note = forms.CharField(
        label=_("Moderation note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, bid_uuid, criterion_id, **kwargs):
        super().__init__(*args, prefix=f"moderate-{bid_uuid}-{criterion_id}", **kwargs)


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
