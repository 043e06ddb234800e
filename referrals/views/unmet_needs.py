"""The caseworker's pages of unmet needs: recording one from the matches page, and the
agency's list. Unmet needs hold no personal data; they count in commissioning and in
the public statistics."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import rule_required
from referrals.forms import UnmetNeedForm
from referrals.selectors import unmet_needs as selectors
from referrals.services import unmet_needs as services
from referrals.views.common import CASEWORK, PAGE_SIZE, breadcrumbs, need_or_404
from referrals.views.matching import render_matches


@rule_required(CASEWORK)
def record_unmet(request, uuid):
    need = need_or_404(request.user, uuid, change=True)
    if request.method != "POST":
        return render_matches(request, need)
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
    return render_matches(request, need, unmet_form=form, status=400)


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
            "breadcrumbs": breadcrumbs((_("Unmet needs"), "")),
        },
    )
