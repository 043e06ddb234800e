"""The beneficiary's satisfaction survey: five questions answered from 1 to 5, each level
in words, and an optional comment. The form only collects the answers;
``evaluation.services.surveys.submit_survey`` checks the link and validates again.

Its messages are the service's own, so a person sees one message per problem
whichever of the two finds it.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models.surveys import QUESTIONS
from evaluation.services.surveys import COMMENT_MAX

# Every question is asked on the same scale, each level in words, so that nobody has
# to guess what a number means.
LEVELS = [
    ("1", _("Not at all")),
    ("2", _("A little")),
    ("3", _("Partly")),
    ("4", _("Mostly")),
    ("5", _("Completely")),
]
CHOOSE_AN_ANSWER = _("Choose an answer from 1 to 5.")


class SurveyForm(forms.Form):
    """The five answers, named as the service names them, and the comment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, question in QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=LEVELS,
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE_AN_ANSWER, "invalid_choice": CHOOSE_AN_ANSWER},
            )
        self.fields["comment"] = forms.CharField(
            label=_("Anything else you would like to tell us? (optional)"),
            help_text=_(
                "Your answers are anonymous: please do not write your name. ID and phone "
                "numbers are hidden before a comment is kept."
            ),
            required=False,
            max_length=COMMENT_MAX,
            error_messages={
                "max_length": _("Say it in at most %(limit_value)d characters."),
            },
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def questions(self):
        """The bound fields of the five questions, in the order asked."""
        return [self[name] for name, _question in QUESTIONS]

    def answers(self) -> dict:
        """The answers as sent, for the service to validate."""
        return {name: self.data.get(name) for name, _question in QUESTIONS}

    def comment(self) -> str:
        return self.data.get("comment", "")
