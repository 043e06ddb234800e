"""The caseworker's consent pages of a referral: record the person's consent, revoke it,
and a supervisor's override without consent (with a written reason, audited)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import rule_required
from referrals.forms import ConsentForm, NoteForm, OverrideForm
from referrals.services import consent as services
from referrals.views.common import CASEWORK, managed_referral_or_404
from referrals.views.lifecycle import referral_action, render_referral


@rule_required(CASEWORK)
@require_POST
def consent(request, uuid):
    form = ConsentForm(request.POST)
    return referral_action(
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
    return referral_action(
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
    referral = managed_referral_or_404(request.user, uuid)
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
    return render_referral(request, referral, bound=("revoke", form), status=400)
