"""Forms of outcomes: goals agreed with the caseworker, their scores at completion, a
service that did not go ahead, a dispute and the supervisor's decision. They only
collect input; ``evaluation.services.outcomes`` validates and decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models.outcomes import MAX_GOALS, MAX_WEIGHT, Attainment
from referrals.selectors.lifecycle import failure_reasons

NOTE_MAX = 2000
WEIGHTS = [(weight, str(weight)) for weight in range(1, MAX_WEIGHT + 1)]


class GoalsForm(forms.Form):
    """Up to three goals, each a row of description, expected level and weight; blank rows
    are left out. Field names match the service's errors (``goal_1_description`` …)."""

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        existing = {goal.number: goal for goal in goals}
        for number in range(1, MAX_GOALS + 1):
            goal = existing.get(number)
            first = number == 1
            self.fields[f"goal_{number}_description"] = forms.CharField(
                label=_("Goal %(number)d") % {"number": number},
                required=False,
                max_length=500,
                initial=goal.description if goal else "",
                help_text=_("For example: “Cooks a hot meal for herself three times a week.”")
                if first
                else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"goal_{number}_expected"] = forms.CharField(
                label=_("Expected level (score 0)"),
                required=False,
                max_length=500,
                initial=goal.expected if goal else "",
                help_text=_("What the person will have achieved if things go as expected."),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"goal_{number}_weight"] = forms.TypedChoiceField(
                label=_("Weight"),
                choices=WEIGHTS,
                coerce=int,
                # A blank row sends no weight; it is left out, so it must not be an error.
                required=False,
                empty_value=1,
                initial=goal.weight if goal else 1,
                help_text=_("1 = matters least, 5 = matters most."),
            )

    def rows(self):
        """The fields of each goal, for the template: [(number, description, expected, weight)]."""
        return [
            (
                number,
                self[f"goal_{number}_description"],
                self[f"goal_{number}_expected"],
                self[f"goal_{number}_weight"],
            )
            for number in range(1, MAX_GOALS + 1)
        ]

    def goals(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "description": data.get(f"goal_{number}_description", ""),
                "expected": data.get(f"goal_{number}_expected", ""),
                "weight": data.get(f"goal_{number}_weight", 1),
            }
            for number in range(1, MAX_GOALS + 1)
        ]


class CompletionForm(forms.Form):
    """The attainment of each agreed goal, and a note."""

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_list = list(goals)
        for goal in self.goal_list:
            self.fields[f"goal_{goal.number}"] = forms.TypedChoiceField(
                label=goal.description,
                help_text=_("Expected level: %(expected)s") % {"expected": goal.expected},
                choices=Attainment.choices,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.fields["note"] = forms.CharField(
            label=_("Note for the caseworker"),
            required=False,
            max_length=NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def attainments(self) -> dict[int, int]:
        return {
            goal.number: self.cleaned_data.get(f"goal_{goal.number}") for goal in self.goal_list
        }


class FailureForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Why the service did not go ahead"),
        choices=failure_reasons,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the caseworker"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you dispute the outcome"),
        max_length=NOTE_MAX,
        help_text=_("The supervisor reads it with the provider's goals and scores."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResolveForm(forms.Form):
    decision = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold the provider's outcome: it counts")),
            ("reject", _("Reject the outcome: it never counts")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason for the decision"),
        max_length=NOTE_MAX,
        help_text=_("The caseworker and the provider read it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
