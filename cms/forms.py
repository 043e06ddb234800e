"""Forms of the public site: feedback from the public, its status lookup, and the
agency's reply.

The feedback form keeps bots out without outside services: a honeypot field that
people never see, and a signed timestamp of when the form was shown. A form sent
within 3 seconds was not filled in by a person; one older than 2 hours is refused
too, so a harvested token cannot be replayed for ever.
"""

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from cms.models import Feedback
from cms.models.feedback import FEEDBACK_LIFECYCLE
from cms.rules import is_feedback_of_own_agency
from places.selectors import shanghai_districts

FORM_TOKEN_SALT = "cms.feedback.form-started"  # noqa: S105 (a salt, not a secret)
# Overridable with ``settings.FEEDBACK_MIN_SECONDS`` (browser tests set it to 0).
FASTEST_HUMAN_SECONDS = 3
FORM_VALID_SECONDS = 2 * 60 * 60

# Loosely: a mainland mobile number (with or without +86), a landline with or
# without its area code and extension, or an e-mail address.
MOBILE_PATTERN = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^(\+?86)?(0\d{2,3})?\d{7,8}(\d{1,6})?$")
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")

TOO_FAST = _(
    "That was very quick. Please check your message, wait a few seconds and send it again."
)
FORM_EXPIRED = _(
    "This form was open for more than 2 hours, so for your security it has expired. Your "
    "text is still here: please send it again."
)
HONEYPOT_FILLED = _(
    "Your feedback could not be sent. Please empty the field “Leave this field empty” and "
    "send it again."
)


def form_started_token() -> str:
    """A signed record of when the form was shown, for the hidden field ``started``."""
    return signing.dumps(time.time(), salt=FORM_TOKEN_SALT)


def validate_contact(value: str) -> None:
    if "@" in value:
        validate_email(value)
        return
    digits = PHONE_SEPARATORS.sub("", value)
    if MOBILE_PATTERN.match(digits) or LANDLINE_PATTERN.match(digits):
        return
    raise ValidationError(
        _(
            "Enter a mobile number (11 digits, for example 13812345678), a landline (for "
            "example 021-12345678) or an e-mail address."
        ),
        code="invalid_contact",
    )


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=Feedback.Category.choices, widget=forms.RadioSelect
    )
    area = forms.ModelChoiceField(
        label=_("District"),
        queryset=shanghai_districts(),
        required=False,
        empty_label=_("Not about one district, or not sure"),
        help_text=_("We pass your feedback to the civil affairs bureau of this district."),
    )
    message = forms.CharField(
        label=_("Your message"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Between 10 and 2,000 characters. Please do not write ID numbers or bank details."
        ),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("Phone or e-mail (optional)"),
        max_length=200,
        required=False,
        validators=[validate_contact],
        help_text=_("Only if you would like the agency to contact you about this."),
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("The agency may contact me about this feedback with these details."),
        required=False,
    )
    # The honeypot: hidden from people (visually and from screen readers, and out of
    # the tab order); bots that fill in every field fill it in too.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("started", form_started_token())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(HONEYPOT_FILLED, code="honeypot")
        self._check_timing(self.data.get("started", ""))
        if cleaned.get("contact") and not cleaned.get("consent"):
            self.add_error(
                "consent",
                _(
                    "Tick this box so that the agency may contact you, or leave your phone "
                    "or e-mail empty."
                ),
            )
        return cleaned

    def _check_timing(self, token: str) -> None:
        try:
            started = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_VALID_SECONDS)
        except signing.SignatureExpired:
            raise ValidationError(FORM_EXPIRED, code="expired") from None
        except signing.BadSignature:
            raise ValidationError(FORM_EXPIRED, code="bad_token") from None
        fastest = getattr(settings, "FEEDBACK_MIN_SECONDS", FASTEST_HUMAN_SECONDS)
        if time.time() - float(started) < fastest:
            raise ValidationError(TOO_FAST, code="too_fast")

    def renew_token(self) -> None:
        """Start the clock again, so that a person correcting the form can send it."""
        self.data = self.data.copy()
        self.data["started"] = form_started_token()


class FeedbackStatusLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=30,
        help_text=_("It looks like FK-20261123-7K3Q9. You got it when you sent your feedback."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class FeedbackStatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    public_reply = forms.CharField(
        label=_("Answer shown with the tracking number"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Anyone with the tracking number can read this: do not name people or write "
            "contact details. Needed when you mark the feedback as answered."
        ),
    )
    note = forms.CharField(
        label=_("Step shown to the public (optional)"),
        required=False,
        max_length=500,
        help_text=_("For example: “Passed to the street office for a visit.” Shown without names."),
    )

    def __init__(self, *args, feedback: Feedback, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The moves the lifecycle allows from here, to the people who may make them.
        allowed = (
            FEEDBACK_LIFECYCLE.targets(feedback.status)
            if is_feedback_of_own_agency.test(user, feedback)
            else frozenset()
        )
        self.fields["status"].choices = [
            (status, label) for status, label in Feedback.Status.choices if status in allowed
        ]
        self.fields["public_reply"].initial = feedback.public_reply
