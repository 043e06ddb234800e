"""Forms of the assessment pages: commissioning, the scoring form (one score and one
evidence note per indicator, the summaries, the recommended grade), evidence files,
the agency's decision and the conflicts an assessor declares.

The forms parse what was typed; the services judge it (conflicts, completeness,
who may act) and their field errors are shown next to these fields
(``core.forms.attach_errors``): the service's names are the forms' names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from evaluation.models.assessments import Assessment, ConflictDeclaration, Score
from evaluation.selectors import assessments as selectors

GRADE_CHOICES = [("", "—"), *((str(n), f"{n}A") for n in range(1, 6))]


class DateInput(forms.DateInput):
    input_type = "date"


class CommissionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Commissioning agency"), queryset=None)
    provider = forms.ModelChoiceField(
        label=_("Provider to assess"),
        queryset=None,
        help_text=_("Verified providers only."),
    )
    contract = forms.ModelChoiceField(
        label=_("Contract to assess"),
        queryset=None,
        required=False,
        help_text=_("Optional: one of the provider's contracts your agency leads."),
    )
    assessor = forms.ModelChoiceField(
        label=_("Assessor organization"),
        queryset=None,
        help_text=_(
            "It may not share a member with the provider, nor have declared a conflict with it."
        ),
    )
    framework = forms.ModelChoiceField(label=_("Standards framework"), queryset=None)
    due_date = forms.DateField(label=model_label(Assessment, "due_date"), widget=DateInput)
    scope = forms.CharField(
        label=model_label(Assessment, "scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the assessor should look at: services, period, sites."),
    )
    may_award_grade = forms.BooleanField(
        label=model_label(Assessment, "may_award_grade"),
        required=False,
        help_text=Assessment._meta.get_field("may_award_grade").help_text,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = selectors.commissioning_agencies(user)
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
            self.fields["agency"].widget = forms.HiddenInput()
        self.fields["provider"].queryset = selectors.assessable_providers()
        self.fields["contract"].queryset = selectors.assessable_contracts(user)
        self.fields["contract"].label_from_instance = lambda c: (
            f"{c.reference} · {c.title} · {c.provider.name}"
        )
        self.fields["assessor"].queryset = selectors.assessor_organizations()
        self.fields["assessor"].label_from_instance = lambda o: o.name
        self.fields["framework"].queryset = selectors.frameworks()
        self.fields["framework"].label_from_instance = lambda f: f"{f.name} ({f.version})"
        self.fields["agency"].label_from_instance = lambda o: o.name


class ScoringForm(forms.Form):
    """One radio group (1–4) and one evidence note per indicator, by the indicator's code."""

    summary_zh = forms.CharField(
        label=model_label(Assessment, "summary_zh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published with the accepted assessment on the provider's profile. Needed to submit."
        ),
    )
    summary_en = forms.CharField(
        label=model_label(Assessment, "summary_en"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, assessment: Assessment, editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {row.indicator_id: row for row in assessment.scores.all()}
        self.sections = []
        self.codes = []
        for dimension in assessment.framework.dimensions.all():
            rows = []
            for indicator in dimension.indicators.all():
                row = existing.get(indicator.pk)
                score_name, evidence_name = f"score_{indicator.code}", f"evidence_{indicator.code}"
                self.fields[score_name] = forms.TypedChoiceField(
                    label=indicator.text,
                    choices=Score.choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=row.score if row else None,
                    help_text=indicator.guidance,
                )
                self.fields[evidence_name] = forms.CharField(
                    label=_("Evidence"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=row.evidence if row else "",
                    help_text=_(
                        "What you saw, read or heard. It is published in the report: do not "
                        "name the people served."
                    ),
                )
                rows.append((indicator, self[score_name], self[evidence_name]))
                self.codes.append(indicator.code)
            self.sections.append((dimension, rows))
        if assessment.may_award_grade:
            self.fields["recommended_grade"] = forms.ChoiceField(
                label=model_label(Assessment, "recommended_grade"),
                choices=GRADE_CHOICES,
                required=False,
                initial=str(assessment.recommended_grade or ""),
                help_text=_("The evaluation grade you recommend; the agency confirms it."),
            )
        self.initial.setdefault("summary_zh", assessment.summary_zh)
        self.initial.setdefault("summary_en", assessment.summary_en)
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    def scores(self) -> dict:
        return {
            code: {
                "score": self.cleaned_data.get(f"score_{code}"),
                "evidence": self.cleaned_data.get(f"evidence_{code}", ""),
            }
            for code in self.codes
        }

    def writes(self) -> dict:
        """The service's arguments."""
        return {
            "scores": self.scores(),
            "summary_zh": self.cleaned_data.get("summary_zh", ""),
            "summary_en": self.cleaned_data.get("summary_en", ""),
            "recommended_grade": self.cleaned_data.get("recommended_grade") or None,
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach evidence"), help_text=_("PDF, PNG or JPEG, at most 10 MB.")
    )
    indicator = forms.ChoiceField(label=_("About the indicator"), required=False)

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            ("", _("The assessment as a whole")),
            *(
                (indicator.code, f"{indicator.code} · {indicator.text}")
                for dimension in assessment.framework.dimensions.all()
                for indicator in dimension.indicators.all()
            ),
        ]


class DecisionForm(forms.Form):
    awarded_grade = forms.ChoiceField(
        label=model_label(Assessment, "awarded_grade"),
        choices=GRADE_CHOICES,
        required=False,
        help_text=_(
            "Confirm the grade to award when you accept; it need not be the one recommended."
        ),
    )
    reason = forms.CharField(
        label=_("Why you return it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you return the assessment: say what must change."),
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        if not assessment.may_award_grade:
            del self.fields["awarded_grade"]
        else:
            self.initial.setdefault("awarded_grade", str(assessment.recommended_grade or ""))


class ConflictForm(forms.Form):
    assessor = forms.ModelChoiceField(label=_("Your organization"), queryset=None)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None)
    reason = forms.CharField(
        label=model_label(ConflictDeclaration, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "For example: a member of our staff sits on its board; we advised it last year."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = selectors.assessor_organizations_of(user)
        self.fields["assessor"].queryset = organizations
        self.fields["assessor"].label_from_instance = lambda o: o.name
        if len(organizations) == 1:
            self.fields["assessor"].initial = organizations[0]
            self.fields["assessor"].widget = forms.HiddenInput()
        self.fields["provider"].queryset = selectors.assessable_providers()
