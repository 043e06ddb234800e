"""Forms of the evaluation panel: naming it, conflicts, scores and moderation."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from marketplace.models.panels import SCORE_MAX, SCORE_MIN


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
        minimum = settings.PANEL_MIN_MEMBERS
        self.fields["members"].help_text = format_lazy(
            "{} {}",
            self.fields["members"].help_text,
            ngettext_lazy(
                "A panel has at least %(minimum)d member, the chair included.",
                "A panel has at least %(minimum)d members, the chair included.",
                minimum,
            )
            % {"minimum": minimum},
        )

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
