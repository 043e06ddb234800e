"""Forms of the referral pages: people, assessments, referrals, consent and the provider's answers.

The forms only parse what a person typed; ``referrals.services`` checks the
rules and writes. A service's ``ApplicationError`` comes back next to the
fields through ``core.forms.attach_errors``, and anything that belongs to no
field above the form.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import model_label
from referrals.models.assessments import Need, NeedAssessment, Priority
from referrals.models.beneficiaries import MAX_DISABILITY_GRADE, AssistanceStatus, Beneficiary
from referrals.models.consent import Consent, ShareableField
from referrals.models.lifecycle import Referral
from referrals.models.unmet_needs import UnmetNeed
from taxonomy import selectors as taxonomy_selectors

# Purposes end up in the audit log, whose column holds 200 characters.
PURPOSE_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 1000
# "name, relation" per line; Chinese punctuation is as common as the ASCII comma.
MEMBER_SEPARATORS = (",", "，", "、")

# --- people ---------------------------------------------------------------------


class FindPersonForm(forms.Form):
    """Find a person by ID number: the number is hashed (blind index), never searched in clear."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        help_text=_("The 18-character resident ID number; the last character may be X."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "find")
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )


def parse_household_members(text: str) -> list[dict]:
    """One member per line, "name, relation"; the relation may be left out."""
    members = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, relation = line, ""
        for separator in MEMBER_SEPARATORS:
            if separator in line:
                name, relation = (part.strip() for part in line.split(separator, 1))
                break
        members.append({"name": name, "relation": relation})
    return members


def format_household_members(members) -> str:
    return "\n".join(
        ", ".join(part for part in (member.get("name", ""), member.get("relation", "")) if part)
        for member in members or ()
        if isinstance(member, dict)
    )


class PersonForm(forms.Form):
    """A beneficiary's record; gender and birth date come from the ID number."""

    name = forms.CharField(label=model_label(Beneficiary, "name"), max_length=100)
    id_number = forms.CharField(
        label=model_label(Beneficiary, "id_number"),
        max_length=40,
        help_text=_("The 18-character resident ID number. Gender and birth date are read from it."),
    )
    phone = forms.CharField(label=model_label(Beneficiary, "phone"), max_length=30, required=False)
    address = forms.CharField(
        label=model_label(Beneficiary, "address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Where the person lives, starting with the district, for example "
            "上海市徐汇区漕溪北路100弄3号. It places the person on the map for matching."
        ),
    )
    household_members = forms.CharField(
        label=model_label(Beneficiary, "household_members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The other people in the household, one per line: name, relation "
            "(for example: 李建国, spouse)."
        ),
    )
    household_size = forms.IntegerField(
        label=model_label(Beneficiary, "household_size"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Counts the person too. Leave empty to count the members listed above."),
    )
    assistance_statuses = forms.MultipleChoiceField(
        label=model_label(Beneficiary, "assistance_statuses"),
        choices=AssistanceStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The social assistance the person receives now."),
    )
    disability_grade = forms.TypedChoiceField(
        label=model_label(Beneficiary, "disability_grade"),
        choices=[("", _("None")), *[(g, str(g)) for g in range(1, MAX_DISABILITY_GRADE + 1)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=Beneficiary._meta.get_field("disability_grade").help_text,
    )
    local_household_registration = forms.BooleanField(
        label=model_label(Beneficiary, "local_household_registration"),
        required=False,
        help_text=Beneficiary._meta.get_field("local_household_registration").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})

    @staticmethod
    def initial_from(personal: dict, beneficiary: Beneficiary) -> dict:
        """Initial values for correcting a record, from an audited read of its personal data."""
        return {
            "name": personal["name"],
            "id_number": personal["id_number"],
            "phone": personal["phone"],
            "address": personal["address"],
            "household_members": format_household_members(personal["household_members"]),
            "household_size": beneficiary.household_size,
            "assistance_statuses": beneficiary.assistance_statuses,
            "disability_grade": beneficiary.disability_grade,
            "local_household_registration": beneficiary.local_household_registration,
        }

    def service_arguments(self) -> dict:
        """Keyword arguments for ``services.record_beneficiary`` / ``update_beneficiary``."""
        data = dict(self.cleaned_data)
        data["household_members"] = parse_household_members(data["household_members"])
        if data["household_size"] is None:
            data["household_size"] = len(data["household_members"]) + 1
        return data


class PersonalDataForm(forms.Form):
    """Why the caseworker needs to see the person's personal data: written to the audit log."""

    purpose = forms.CharField(
        label=_("Why do you need to see this person's personal data?"),
        max_length=PURPOSE_MAX_LENGTH,
        help_text=_(
            "For example: phone the person to arrange a home visit. Your reason is recorded "
            "in the audit log with your name."
        ),
    )


# --- assessments ----------------------------------------------------------------


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(
        label=model_label(NeedAssessment, "assessed_on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    priority = forms.ChoiceField(
        label=model_label(NeedAssessment, "priority"),
        choices=Priority.choices,
        widget=forms.RadioSelect,
        help_text=_("Urgent needs are referred as urgent: providers must answer within 4 hours."),
    )
    notes = forms.CharField(
        label=_("Notes on the person's situation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"assessed_on": timezone.localdate(), "priority": Priority.ROUTINE}
        )
        super().__init__(*args, **kwargs)


class NeedForm(forms.Form):
    """One need of an assessment; a row left empty is ignored."""

    category = forms.ChoiceField(label=model_label(Need, "category"))
    tier = forms.ModelChoiceField(
        label=model_label(Need, "tier"),
        queryset=taxonomy_selectors.service_tiers(),
        to_field_name="code",
        required=False,
        empty_label=_("Not set"),
    )
    severity = forms.TypedChoiceField(
        label=model_label(Need, "severity"),
        choices=Need.Severity.choices,
        coerce=int,
        initial=Need.Severity.MODERATE,
    )
    notes = forms.CharField(
        label=model_label(Need, "notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose a need")), *categories]


class BaseNeedFormSet(forms.BaseFormSet):
    def needs(self, categories_by_code) -> list[dict]:
        """The filled rows as ``services.record_assessment`` takes them."""
        return [
            {
                "category": categories_by_code[form.cleaned_data["category"]],
                "tier": form.cleaned_data.get("tier"),
                "severity": form.cleaned_data["severity"],
                "notes": form.cleaned_data.get("notes", ""),
            }
            for form in self.forms
            if form.has_changed() and form.cleaned_data.get("category")
        ]


NeedFormSet = forms.formset_factory(
    NeedForm, formset=BaseNeedFormSet, extra=4, max_num=12, validate_max=True
)


# --- matching and referring -----------------------------------------------------


class UnmetNeedForm(forms.Form):
    reason = forms.ChoiceField(
        label=model_label(UnmetNeed, "reason"),
        choices=UnmetNeed.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=model_label(UnmetNeed, "note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=UnmetNeed._meta.get_field("note").help_text,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "unmet")
        super().__init__(*args, **kwargs)


class ReferForm(forms.Form):
    """A draft referral of a need to one service; consent comes next, then sending."""

    service = forms.UUIDField(widget=forms.HiddenInput)
    urgency = forms.ChoiceField(
        label=model_label(Referral, "urgency"),
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Urgent referrals must be answered within 4 hours, emergency help within 24 hours, "
            "others within 2 working days."
        ),
    )
    reason = forms.CharField(
        label=model_label(Referral, "reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the person needs from this service. The provider sees it only after "
            "accepting, and only if the person consents to share their situation."
        ),
    )


# --- consent ------------------------------------------------------------------------


def _end_of_day(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class ConsentForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label=_("What the provider may see once it accepts"),
        choices=ShareableField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Tick only what the person agreed to share. Before it accepts, the provider sees "
            "the need, the district, the urgency and the age band, nothing else."
        ),
    )
    purpose = forms.CharField(
        label=model_label(Consent, "purpose"),
        max_length=PURPOSE_MAX_LENGTH,
        help_text=_("What the provider may use the data for, as told to the person."),
    )
    method = forms.ChoiceField(
        label=model_label(Consent, "method"),
        choices=[
            choice
            for choice in Consent.Method.choices
            if choice[0] != Consent.Method.SUPERVISOR_OVERRIDE
        ],
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Consent valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty when the person set no end date."),
    )

    FIELD_MAP = {"expires_at": "expires_on", "given_at": "method"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "fields": data["fields"],
            "purpose": data["purpose"],
            "method": data["method"],
            "expires_at": _end_of_day(data["expires_on"]),
        }


class OverrideForm(forms.Form):
    """A supervisor sends the referral without the person's consent, with a written reason."""

    fields = forms.MultipleChoiceField(
        label=_("What the provider may see once it accepts"),
        choices=ShareableField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(label=model_label(Consent, "purpose"), max_length=PURPOSE_MAX_LENGTH)
    reason = forms.CharField(
        label=model_label(Consent, "override_reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the referral cannot wait for the person's consent. Recorded in the audit log."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "override")
        super().__init__(*args, **kwargs)


class ActionForm(forms.Form):
    """A button with nothing to fill in (send…); it carries the errors of the change it asks for."""


class NoteForm(forms.Form):
    """A note with a move of a referral (recall, close, reopen…); required where it says why."""

    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, note_required=False, note_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required
        if note_label:
            self.fields["note"].label = note_label


# --- the provider's answers ---------------------------------------------------------


class DeclineForm(NoteForm):
    reason_code = forms.ChoiceField(
        label=model_label(Referral, "decline_reason"),
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    field_order = ["reason_code", "note"]
