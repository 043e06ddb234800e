"""The caseworker's page for assessing a person's needs, one row per need."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import rule_required
from referrals.forms import AssessmentForm, NeedFormSet
from referrals.services import assessments as services
from referrals.views.common import (
    CASEWORK,
    breadcrumbs,
    editable_person_or_404,
    people_crumb,
    person_crumb,
)
from taxonomy import selectors as taxonomy_selectors


@rule_required(CASEWORK)
def assess(request, uuid):
    beneficiary = editable_person_or_404(request.user, uuid)
    categories = taxonomy_selectors.category_choices()
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
            "breadcrumbs": breadcrumbs(
                people_crumb(), person_crumb(beneficiary), (_("Assess needs"), "")
            ),
        },
        status=400 if has_errors else 200,
    )
