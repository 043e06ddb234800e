"""The caseworker's pages of people: find by ID number, record, correct, read personal data.

Caseworkers and supervisors of an agency open them (``referrals.open_casework``);
every person is looked up among the agency's own, so another agency's answers
404 — as does a provider's user. Supervisors read; recording and correcting
are the caseworker's. Lists decrypt no personal data; the person page shows
it only after the caseworker gives a purpose, and that read is written to the
audit log (``services.beneficiaries.read_personal_data``).
"""

from dataclasses import dataclass

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from core.i18n import in_active_language
from core.permissions import rule_required
from referrals.forms import FindPersonForm, PersonalDataForm, PersonForm
from referrals.models.assessments import Need
from referrals.models.beneficiaries import Beneficiary
from referrals.models.lifecycle import ACTIVE_STATUSES, Referral
from referrals.selectors import assessments as assessment_selectors
from referrals.selectors import beneficiaries as selectors
from referrals.selectors import lifecycle as referral_selectors
from referrals.services import beneficiaries as services
from referrals.views.common import (
    CASEWORK,
    PAGE_SIZE,
    REFERRAL_LIST_DEFERRED,
    breadcrumbs,
    caseworker_agencies,
    editable_person_or_404,
    people_crumb,
    person_crumb,
    person_or_404,
    reference_of,
)


@dataclass(frozen=True)
class PersonRow:
    """A person as lists show them: no name, no number, nothing decrypted."""

    beneficiary: Beneficiary
    reference: str
    age_band: str
    latest_need: str


def _person_rows(beneficiaries) -> list[PersonRow]:
    return [
        PersonRow(
            beneficiary=beneficiary,
            reference=reference_of(beneficiary),
            age_band=selectors.age_band(beneficiary.birth_date),
            latest_need=in_active_language(
                beneficiary.latest_need_zh or "", beneficiary.latest_need_en or ""
            ),
        )
        for beneficiary in beneficiaries
    ]


def _render_people(request, *, find_form, status=200):
    page = Paginator(selectors.beneficiary_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/people.html",
        {
            "find_form": find_form,
            "page_obj": page,
            "rows": _person_rows(page.object_list),
            "can_record": bool(caseworker_agencies(request.user)),
            "breadcrumbs": breadcrumbs((_("People"), "")),
        },
        status=status,
    )


@rule_required(CASEWORK)
def people(request):
    """Find a person by ID number (POST, so the number never sits in a URL), or list them."""
    if request.method != "POST":
        return _render_people(request, find_form=FindPersonForm())
    find_form = FindPersonForm(request.POST)
    if not find_form.is_valid():
        return _render_people(request, find_form=find_form, status=400)
    number = find_form.cleaned_data["id_number"]
    beneficiary = selectors.find_by_id_number(user=request.user, id_number=number)
    if beneficiary is not None:
        return redirect("referrals:person", uuid=beneficiary.uuid)
    agencies = caseworker_agencies(request.user)
    if not agencies:
        find_form.add_error(
            "id_number", _("Nobody with this ID number is recorded by your agency.")
        )
        return _render_people(request, find_form=find_form)
    # Not recorded yet: offer the record form with the number filled in.
    return _render_person_form(
        request,
        form=PersonForm(initial={"id_number": number, "local_household_registration": True}),
        agencies=agencies,
        not_found=True,
    )


def _render_person_form(request, *, form, agencies=None, beneficiary=None, not_found=False):
    if beneficiary is None:
        title = _("Record a person")
        crumbs = breadcrumbs(people_crumb(), (title, ""))
    else:
        title = _("Correct the record")
        crumbs = breadcrumbs(people_crumb(), person_crumb(beneficiary), (title, ""))
    return render(
        request,
        "referrals/person_form.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "agency": agencies[0] if agencies else None,
            "not_found": not_found,
            "title": title,
            "breadcrumbs": crumbs,
        },
        status=400 if form.errors else 200,
    )


def _tell_about_record(request, result: services.RecordResult) -> None:
    for other in result.known_elsewhere:
        help_labels = "、".join(other.active_help_labels) or _("none recorded")
        messages.warning(
            request,
            _(
                "This person is also known to %(agency)s (active help there: %(help)s). "
                "Contact them before referring, so that the person is not helped twice."
            )
            % {"agency": other.agency_name, "help": help_labels},
        )
    if result.location_message:
        messages.info(request, result.location_message)


@rule_required(CASEWORK)
def record_person(request):
    agencies = caseworker_agencies(request.user)
    if not agencies:
        raise Http404  # supervisors read; recording is the caseworkers' job
    # A caseworker works for one agency; should they hold the role in several,
    # people are recorded for the first one (as the page says).
    agency = agencies[0]
    if request.method != "POST":
        return _render_person_form(
            request,
            form=PersonForm(initial={"local_household_registration": True}),
            agencies=agencies,
        )
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            result = services.record_beneficiary(
                agency=agency, user=request.user, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Person recorded as %(reference)s.")
                % {"reference": reference_of(result.beneficiary)},
            )
            _tell_about_record(request, result)
            return redirect("referrals:person", uuid=result.beneficiary.uuid)
    return _render_person_form(request, form=form, agencies=agencies)


@rule_required(CASEWORK)
@never_cache
def edit_person(request, uuid):
    beneficiary = editable_person_or_404(request.user, uuid)
    if request.method != "POST":
        # Showing the record to correct it shows its personal data: an audited read.
        personal = services.read_personal_data(
            user=request.user,
            beneficiary=beneficiary,
            purpose=_("Correct the person's record"),
            fields=selectors.PERSONAL_FIELDS,
        )
        form = PersonForm(initial=PersonForm.initial_from(personal, beneficiary))
        return _render_person_form(request, form=form, beneficiary=beneficiary)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            result = services.update_beneficiary(
                beneficiary=beneficiary, user=request.user, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The record is corrected."))
            _tell_about_record(request, result)
            return redirect("referrals:person", uuid=beneficiary.uuid)
    return _render_person_form(request, form=form, beneficiary=beneficiary)


@dataclass(frozen=True)
class NeedRow:
    need: Need
    latest_referral: Referral | None
    has_open_referral: bool


def _render_person(request, beneficiary, *, purpose_form=None, personal=None, status=200):
    can_change = rules.has_perm("referrals.change_beneficiary", request.user, beneficiary)
    assessments = []
    for assessment in assessment_selectors.assessments_of(beneficiary):
        rows = []
        for need in assessment.needs.all():
            referrals = list(need.referrals.all())
            rows.append(
                NeedRow(
                    need=need,
                    latest_referral=referrals[0] if referrals else None,
                    has_open_referral=any(r.status in ACTIVE_STATUSES for r in referrals),
                )
            )
        assessments.append((assessment, rows))
    shown = {
        "assessment_notes": any(assessment.notes for assessment, _rows in assessments),
        "need_notes": any(row.need.notes for _assessment, rows in assessments for row in rows),
    }
    services.record_case_notes_read(
        user=request.user,
        shown={beneficiary: [name for name, there in shown.items() if there]},
        purpose=_("Follow up the person's case"),
    )
    referrals = referral_selectors.referrals_visible_to(request.user).filter(
        beneficiary=beneficiary
    )
    return render(
        request,
        "referrals/person.html",
        {
            "beneficiary": beneficiary,
            "reference": reference_of(beneficiary),
            "age_band": selectors.age_band(beneficiary.birth_date),
            "assessments": assessments,
            "referrals": referrals.defer(*REFERRAL_LIST_DEFERRED),
            "purpose_form": purpose_form or PersonalDataForm(),
            "personal": personal,
            "can_change": can_change,
            "breadcrumbs": breadcrumbs(
                people_crumb(),
                (_("Person %(reference)s") % {"reference": reference_of(beneficiary)}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def person(request, uuid):
    return _render_person(request, person_or_404(request.user, uuid))


@rule_required(CASEWORK)
@require_POST
@never_cache
def personal_data(request, uuid):
    """Show the person's personal data once the caseworker has said why (audited)."""
    beneficiary = person_or_404(request.user, uuid)
    form = PersonalDataForm(request.POST)
    if form.is_valid():
        try:
            personal = services.read_personal_data(
                user=request.user,
                beneficiary=beneficiary,
                purpose=form.cleaned_data["purpose"],
                fields=selectors.PERSONAL_FIELDS,
            )
        except ApplicationError as error:
            form.add_error("purpose", str(error.message))
        else:
            return _render_person(request, beneficiary, personal=personal)
    return _render_person(request, beneficiary, purpose_form=form, status=400)
