"""The caseworker's workspace: find or record a person, assess, match, refer, follow up, close.

Caseworkers and supervisors of an agency open it (``referrals.open_casework``);
every person, need and referral is then looked up among the agency's own, so
another agency's answers 404 — as does a provider's user. Supervisors see
everything read-only and may send a referral without consent, with a reason;
the pages that change something are the caseworker's alone.

Lists decrypt no personal data; the person page shows it only after the
caseworker gives a purpose, and that read is written to the audit log
(``services.read_personal_data``). Every change goes through ``referrals.services``.
"""

from dataclasses import dataclass
from uuid import UUID

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.models import Role
from core.errors import ApplicationError
from core.i18n import in_active_language
from core.permissions import rule_required
from providers import selectors as provider_selectors
from referrals import selectors, services
from referrals.forms import (
    ActionForm,
    AssessmentForm,
    ConsentForm,
    FindPersonForm,
    NeedFormSet,
    NoteForm,
    OverrideForm,
    PersonalDataForm,
    PersonForm,
    ReferForm,
    UnmetNeedForm,
    attach_errors,
    category_choices,
)
from referrals.models import (
    ACTIVE_STATUSES,
    RETURNED_STATUSES,
    Beneficiary,
    Need,
    Priority,
    Referral,
    ShareableField,
)
from taxonomy import selectors as taxonomy_selectors

PAGE_SIZE = 50
CASEWORK = "referrals.open_casework"
# Encrypted columns a list of referrals never shows, so never fetches.
REFERRAL_LIST_DEFERRED = (
    "reason",
    "outcome_note",
    *(f"beneficiary__{name}" for name in selectors.PERSONAL_FIELDS),
)


def _breadcrumbs(*items):
    """Workspace first, then ``(label, url)`` pairs; the last one is the current page."""
    return [(_("Workspace"), reverse("accounts:workspace")), *items]


def _people_crumb():
    return (_("People"), reverse("referrals:people"))


def reference_of(beneficiary: Beneficiary) -> str:
    """How pages tell people apart without naming them: the start of their identifier."""
    return str(beneficiary.uuid)[:8].upper()


def _person_crumb(beneficiary: Beneficiary):
    return (
        _("Person %(reference)s") % {"reference": reference_of(beneficiary)},
        reverse("referrals:person", args=[beneficiary.uuid]),
    )


# --- lookups: each answers 404 outside the user's scope ------------------------------


def _person_or_404(user, uuid) -> Beneficiary:
    return get_object_or_404(selectors.beneficiaries_visible_to(user), uuid=uuid)


def _editable_person_or_404(user, uuid) -> Beneficiary:
    """The caseworker's own agency's person; supervisors only read, so they get 404."""
    beneficiary = _person_or_404(user, uuid)
    if not rules.has_perm("referrals.change_beneficiary", user, beneficiary):
        raise Http404
    return beneficiary


def _need_or_404(user, uuid, *, change=False) -> Need:
    need = selectors.need_for(user, uuid)
    if need is None:
        raise Http404
    if change and not rules.has_perm(
        "referrals.change_beneficiary", user, need.assessment.beneficiary
    ):
        raise Http404
    return need


def _referral_or_404(user, uuid) -> Referral:
    """The agency side of a referral: the provider's staff use the inbox instead."""
    referral = selectors.referral_for(user, uuid)
    if referral is None or not rules.has_perm(
        "referrals.view_beneficiary", user, referral.beneficiary
    ):
        raise Http404
    return referral


def _caseworker_agencies(user):
    return [
        membership.organization
        for membership in account_selectors.memberships_of(user)
        if membership.role == Role.CASEWORKER
    ]


# --- people ----------------------------------------------------------------------------


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
            "can_record": bool(_caseworker_agencies(request.user)),
            "breadcrumbs": _breadcrumbs((_("People"), "")),
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
    agencies = _caseworker_agencies(request.user)
    if not agencies:
        find_form.add_error(
            "id_number", _("Nobody with this ID number is recorded by your agency.")
        )
        return _render_people(request, find_form=find_form)
    # Not recorded yet: offer the record form with the number filled in.
    return _render_person_form(
        request,
        form=PersonForm(initial={"id_number": number, "local_hukou": True}),
        agencies=agencies,
        not_found=True,
    )


def _render_person_form(request, *, form, agencies=None, beneficiary=None, not_found=False):
    if beneficiary is None:
        title = _("Record a person")
        crumbs = _breadcrumbs(_people_crumb(), (title, ""))
    else:
        title = _("Correct the record")
        crumbs = _breadcrumbs(_people_crumb(), _person_crumb(beneficiary), (title, ""))
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
    agencies = _caseworker_agencies(request.user)
    if not agencies:
        raise Http404  # supervisors read; recording is the caseworkers' job
    # A caseworker works for one agency; should they hold the role in several,
    # people are recorded for the first one (as the page says).
    agency = agencies[0]
    if request.method != "POST":
        return _render_person_form(
            request, form=PersonForm(initial={"local_hukou": True}), agencies=agencies
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
    beneficiary = _editable_person_or_404(request.user, uuid)
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
    for assessment in selectors.assessments_of(beneficiary):
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
    referrals = selectors.referrals_visible_to(request.user).filter(beneficiary=beneficiary)
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
            "breadcrumbs": _breadcrumbs(
                _people_crumb(),
                (_("Person %(reference)s") % {"reference": reference_of(beneficiary)}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def person(request, uuid):
    return _render_person(request, _person_or_404(request.user, uuid))


@rule_required(CASEWORK)
@require_POST
@never_cache
def personal_data(request, uuid):
    """Show the person's personal data once the caseworker has said why (audited)."""
    beneficiary = _person_or_404(request.user, uuid)
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


@rule_required(CASEWORK)
def assess(request, uuid):
    beneficiary = _editable_person_or_404(request.user, uuid)
    categories = category_choices()
    data = request.POST if request.method == "POST" else None
    form = AssessmentForm(data)
    formset = NeedFormSet(data, prefix="needs", form_kwargs={"categories": categories})
    if data is not None and form.is_valid() and formset.is_valid():
        by_code = {
            category.code: category
            for category in taxonomy_selectors.active_categories()
            if category.code in {f.cleaned_data.get("category") for f in formset.forms}
        }
        try:
            services.record_assessment(
                beneficiary=beneficiary,
                user=request.user,
                needs=formset.needs(by_code),
                assessed_on=form.cleaned_data["assessed_on"],
                priority=form.cleaned_data["priority"],
                notes=form.cleaned_data["notes"],
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Assessment recorded. Find services for each need below."))
            return redirect("referrals:person", uuid=beneficiary.uuid)
    has_errors = bool(form.errors or formset.total_error_count())
    return render(
        request,
        "referrals/assess.html",
        {
            "beneficiary": beneficiary,
            "form": form,
            "formset": formset,
            "breadcrumbs": _breadcrumbs(
                _people_crumb(), _person_crumb(beneficiary), (_("Assess needs"), "")
            ),
        },
        status=400 if has_errors else 200,
    )


# --- matching, unmet needs, referring --------------------------------------------------


def _render_matches(request, need, *, unmet_form=None, status=200):
    # Matching is its own module (ranking components); imported here so the
    # workspace loads even while it is being changed.
    from referrals.matching import matches_for

    beneficiary = need.assessment.beneficiary
    results = matches_for(beneficiary=beneficiary, category=need.category)
    eligible = [match for match in results if match.eligible]
    ineligible = [match for match in results if not match.eligible]
    return render(
        request,
        "referrals/matches.html",
        {
            "need": need,
            "beneficiary": beneficiary,
            "eligible": eligible,
            "ineligible": ineligible,
            "room": any(match.has_free_place for match in eligible),
            "open_referral": selectors.active_referral_for_need(need),
            "can_change": rules.has_perm("referrals.change_beneficiary", request.user, beneficiary),
            "unmet_form": unmet_form or UnmetNeedForm(),
            "breadcrumbs": _breadcrumbs(
                _people_crumb(),
                _person_crumb(beneficiary),
                (_("Services for %(need)s") % {"need": need.category.name}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def matches(request, uuid):
    return _render_matches(request, _need_or_404(request.user, uuid))


@rule_required(CASEWORK)
def record_unmet(request, uuid):
    need = _need_or_404(request.user, uuid, change=True)
    if request.method != "POST":
        return _render_matches(request, need)
    form = UnmetNeedForm(request.POST)
    if form.is_valid():
        try:
            services.record_unmet_need(
                user=request.user,
                agency=None,
                category=None,
                need=need,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Unmet need recorded. It counts in the next commissioning round and in "
                    "the public statistics, without the person's details."
                ),
            )
            return redirect("referrals:person", uuid=need.assessment.beneficiary.uuid)
    return _render_matches(request, need, unmet_form=form, status=400)


def _referable_service(value: str):
    """The service a caseworker chose, if it takes referrals now; None for anything else."""
    try:
        service_uuid = UUID(str(value))
    except ValueError:
        return None
    return (
        provider_selectors.referable_services()
        .select_related("provider__organization", "tier")
        .filter(uuid=service_uuid)
        .first()
    )


@rule_required(CASEWORK)
def create_referral(request, uuid):
    """Confirm the service, urgency and reason; the draft then waits for consent."""
    need = _need_or_404(request.user, uuid, change=True)
    beneficiary = need.assessment.beneficiary
    data = request.POST if request.method == "POST" else None
    default_urgency = (
        Referral.Urgency.URGENT
        if need.assessment.priority == Priority.URGENT
        else Referral.Urgency.ROUTINE
    )
    service_uuid = (data or request.GET).get("service", "")
    form = ReferForm(data, initial={"service": service_uuid, "urgency": default_urgency})
    service = _referable_service(service_uuid)
    if service is None:
        messages.error(
            request, _("That service does not take referrals now; choose one from the list.")
        )
        return redirect("referrals:matches", uuid=need.uuid)
    if data is not None and form.is_valid():
        try:
            referral = services.create_referral(
                need=need,
                service=service,
                user=request.user,
                urgency=form.cleaned_data["urgency"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Draft referral to %(service)s made. Record the person's consent, then send it.")
                % {"service": service.name},
            )
            return redirect("referrals:referral", uuid=referral.uuid)
    return render(
        request,
        "referrals/refer.html",
        {
            "need": need,
            "beneficiary": beneficiary,
            "service": service,
            "form": form,
            "breadcrumbs": _breadcrumbs(
                _people_crumb(),
                _person_crumb(beneficiary),
                (
                    _("Services for %(need)s") % {"need": need.category.name},
                    reverse("referrals:matches", args=[need.uuid]),
                ),
                (_("Refer"), ""),
            ),
        },
        status=400 if form.errors else 200,
    )


# --- referrals ------------------------------------------------------------------------


@rule_required(CASEWORK)
def referral_list(request):
    status_filter = request.GET.get("status", "")
    if status_filter not in Referral.Status.values:
        status_filter = ""
    counts = selectors.referral_counts_for_agency(request.user)
    tabs = [
        (value, label, counts.get(value, 0))
        for value, label in Referral.Status.choices
        if counts.get(value) or value == status_filter
    ]
    referrals = selectors.referrals_visible_to(request.user).defer(*REFERRAL_LIST_DEFERRED)
    if status_filter:
        referrals = referrals.filter(status=status_filter)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    returned = list(selectors.returned_to(request.user).defer(*REFERRAL_LIST_DEFERRED)[:PAGE_SIZE])
    return render(
        request,
        "referrals/referral_list.html",
        {
            "status": status_filter,
            "tabs": tabs,
            "total": sum(counts.values()),
            "page_obj": page,
            "referrals": page.object_list,
            "returned": returned,
            "breadcrumbs": _breadcrumbs((_("Referrals"), "")),
        },
    )


def _render_referral(request, referral, *, bound=None, status=200):
    """The agency's page of one referral; ``bound`` = (form name, form) that failed."""
    user = request.user
    can_manage = rules.has_perm("referrals.manage_referral", user, referral)
    can_override = rules.has_perm("referrals.override_consent", user, referral)
    is_open = referral.status in ACTIVE_STATUSES
    forms = {
        "consent": ConsentForm() if can_manage and is_open else None,
        "override": (
            OverrideForm() if can_override and referral.status == Referral.Status.DRAFT else None
        ),
        "recall": NoteForm(prefix="recall") if can_manage and is_open else None,
        "close": (
            NoteForm(prefix="close")
            if can_manage and referral.status in (Referral.Status.COMPLETED, Referral.Status.FAILED)
            else None
        ),
        "reopen": (
            NoteForm(prefix="reopen", note_required=True, note_label=_("Why reopen?"))
            if can_manage and referral.status == Referral.Status.CLOSED
            else None
        ),
        "send": (
            ActionForm(prefix="send")
            if can_manage and referral.status == Referral.Status.DRAFT
            else None
        ),
    }
    if bound is not None:
        name, form = bound
        forms[name] = form
    consent = services.current_consent(referral)
    consents = sorted(referral.consents.all(), key=lambda c: c.given_at, reverse=True)
    events = list(referral.events.all())
    shown = {
        "reason": referral.reason,
        "outcome_note": referral.outcome_note,
        "event_notes": any(event.note for event in events),
        "override_reason": any(c.override_reason for c in consents),
        "revocation_note": any(c.revocation_note for c in consents),
    }
    services.record_case_notes_read(
        user=user,
        shown={referral.beneficiary: [name for name, there in shown.items() if there]},
        purpose=_("Follow up the referral"),
    )
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": referral,
            "beneficiary": referral.beneficiary,
            "reference": reference_of(referral.beneficiary),
            "events": events,
            "consent": consent,
            "consents": consents,
            "forms": forms,
            "bound_form": bound[1] if bound else None,
            "can_manage": can_manage,
            "is_returned": referral.status in RETURNED_STATUSES,
            "shareable_fields": ShareableField.choices,
            "breadcrumbs": _breadcrumbs(
                (_("Referrals"), reverse("referrals:referral_list")),
                (_("Referral %(reference)s") % {"reference": str(referral.uuid)[:8].upper()}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def referral(request, uuid):
    return _render_referral(request, _referral_or_404(request.user, uuid))


def _managed_referral_or_404(user, uuid, perm="referrals.manage_referral") -> Referral:
    referral = _referral_or_404(user, uuid)
    if not rules.has_perm(perm, user, referral):
        raise Http404
    return referral


def _referral_action(
    request, uuid, *, name, form, perform, success, perm="referrals.manage_referral"
):
    """Run one change of a referral from its page: ``perform(referral, data)`` calls a service."""
    referral = _managed_referral_or_404(request.user, uuid, perm)
    if form.is_valid():
        try:
            perform(referral, form.cleaned_data)
        except ApplicationError as error:
            attach_errors(form, error, field_map=getattr(form, "FIELD_MAP", None))
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, success)
            return redirect("referrals:referral", uuid=referral.uuid)
    return _render_referral(request, referral, bound=(name, form), status=400)


@rule_required(CASEWORK)
@require_POST
def consent(request, uuid):
    form = ConsentForm(request.POST)
    return _referral_action(
        request,
        uuid,
        name="consent",
        form=form,
        perform=lambda referral, data: services.record_consent(
            referral=referral, user=request.user, **form.service_arguments()
        ),
        success=_("Consent recorded."),
    )


@rule_required(CASEWORK)
@require_POST
def override(request, uuid):
    return _referral_action(
        request,
        uuid,
        name="override",
        form=OverrideForm(request.POST),
        perform=lambda referral, data: services.override_consent(
            referral=referral,
            user=request.user,
            fields=data["fields"],
            purpose=data["purpose"],
            reason=data["reason"],
        ),
        success=_(
            "The referral may be sent without consent; your reason is in the audit log. "
            "The caseworker sends it."
        ),
        perm="referrals.override_consent",
    )


@rule_required(CASEWORK)
@require_POST
def revoke_consent(request, uuid, consent_uuid):
    referral = _managed_referral_or_404(request.user, uuid)
    consent = next((c for c in referral.consents.all() if c.uuid == consent_uuid), None)
    if consent is None:
        raise Http404
    form = NoteForm(request.POST, prefix="revoke")
    if form.is_valid():
        services.revoke_consent(consent=consent, user=request.user, note=form.cleaned_data["note"])
        messages.success(
            request, _("Consent revoked: the provider no longer sees the person's details.")
        )
        return redirect("referrals:referral", uuid=referral.uuid)
    return _render_referral(request, referral, bound=("revoke", form), status=400)


def _note_action(request, uuid, *, name, service, success, **form_kwargs):
    form = NoteForm(request.POST, prefix=name, **form_kwargs)
    return _referral_action(
        request,
        uuid,
        name=name,
        form=form,
        perform=lambda referral, data: service(
            referral=referral, user=request.user, note=data["note"]
        ),
        success=success,
    )


@rule_required(CASEWORK)
@require_POST
def send(request, uuid):
    return _referral_action(
        request,
        uuid,
        name="send",
        form=ActionForm(request.POST, prefix="send"),
        perform=lambda referral, data: services.send_referral(referral=referral, user=request.user),
        success=_("Referral sent. The provider is told and the answer clock runs."),
    )


@rule_required(CASEWORK)
@require_POST
def recall(request, uuid):
    return _note_action(
        request,
        uuid,
        name="recall",
        service=services.recall_referral,
        success=_("Referral recalled."),
    )


@rule_required(CASEWORK)
@require_POST
def close(request, uuid):
    return _note_action(
        request,
        uuid,
        name="close",
        service=services.close_referral,
        success=_("Outcome confirmed; the referral is closed."),
    )


@rule_required(CASEWORK)
@require_POST
def reopen(request, uuid):
    return _note_action(
        request,
        uuid,
        name="reopen",
        service=services.reopen_referral,
        success=_("Referral reopened; the provider is told."),
        note_required=True,
        note_label=_("Why reopen?"),
    )


@rule_required(CASEWORK)
def unmet_needs(request):
    page = Paginator(selectors.unmet_needs_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/unmet_needs.html",
        {
            "page_obj": page,
            "unmet_needs": page.object_list,
            "breadcrumbs": _breadcrumbs((_("Unmet needs"), "")),
        },
    )
