"""Forms of questions about a tender and their answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from marketplace.models.clarifications import Clarification
from marketplace.services.clarifications import MAX_QUESTION_LENGTH


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=model_label(Clarification, "question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_QUESTION_LENGTH,
        help_text=_(
            "The question and its answer are published for every bidder; "
            "your organization's name is not."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=model_label(Clarification, "answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published at once, without the name of who asked."),
    )

    def __init__(self, *args, clarification_uuid, **kwargs):
        super().__init__(*args, prefix=f"answer-{clarification_uuid}", **kwargs)
