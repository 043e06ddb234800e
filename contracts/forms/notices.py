"""The performance notice form: a rating and an explanation per KPI, and the summary."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models.notices import PerformanceRating


class NoticeForm(forms.Form):
    summary_zh = forms.CharField(
        label=_("Summary (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.initial.setdefault("summary_zh", notice.summary_zh)
        self.initial.setdefault("summary_en", notice.summary_en)
        for rating in notice.ratings.all():
            number = rating.kpi.number
            self.fields[f"rating_{number}"] = forms.ChoiceField(
                label=_("Rating"),
                choices=[("", "—"), *PerformanceRating.Rating.choices],
                required=False,
                initial=rating.rating,
            )
            self.fields[f"explanation_{number}"] = forms.CharField(
                label=_("Explanation"),
                required=False,
                initial=rating.explanation,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.rows.append((rating, f"rating_{number}", f"explanation_{number}"))

    def ratings(self) -> dict:
        return {
            rating.kpi.number: (
                self.cleaned_data.get(rating_field) or "",
                self.cleaned_data.get(explanation_field) or "",
            )
            for rating, rating_field, explanation_field in self.rows
        }
