"""Payment claims from the contract page: the provider's administrator claims a
milestone, the commissioner confirms or returns the evidence, a finance officer of
the lead agency who did not confirm it approves the payment (or returns it)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import records
from contracts.services import payments
from contracts.views.common import fail
from core.errors import ApplicationError
from core.formatting import yuan
from core.permissions import login_required


def _refused_is_404(call, request, success):
    try:
        result = call()
    except PermissionDenied as error:
        # The four-eyes refusal is the person's own to read; others are not theirs.
        if str(error) == str(payments.FOUR_EYES):
            messages.error(request, str(error))
            return None
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
        return None
    messages.success(request, success(result))
    return result


@login_required
@require_POST
def claim(request, milestone_id):
    milestone = records.milestones_visible_to(request.user).filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    _refused_is_404(
        lambda: payments.claim_milestone(
            milestone=milestone, actor=request.user, note=request.POST.get("note", "")
        ),
        request,
        lambda made: (
            _("Claimed %(amount)s for milestone %(number)d: the commissioner checks it.")
            % {"amount": yuan(made.amount), "number": milestone.number}
        ),
    )
    return redirect("contracts:detail", uuid=milestone.contract.uuid)


def _claim_or_404(request, uuid):
    found = records.claim_for(request.user, uuid)
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def confirm(request, uuid):
    found = _claim_or_404(request, uuid)
    _refused_is_404(
        lambda: payments.confirm_claim(
            claim=found, actor=request.user, note=request.POST.get("note", "")
        ),
        request,
        lambda _made: _("Evidence confirmed: a finance officer approves the payment."),
    )
    return redirect("contracts:detail", uuid=found.contract.uuid)


@login_required
@require_POST
def return_(request, uuid):
    found = _claim_or_404(request, uuid)
    _refused_is_404(
        lambda: payments.return_claim(
            claim=found, actor=request.user, reason=request.POST.get("reason", "")
        ),
        request,
        lambda _made: _("The claim is returned to the provider with your reason."),
    )
    return redirect("contracts:detail", uuid=found.contract.uuid)


@login_required
@require_POST
def approve(request, uuid):
    found = _claim_or_404(request, uuid)
    _refused_is_404(
        lambda: payments.approve_claim(claim=found, actor=request.user),
        request,
        lambda payment: (
            _("Paid %(amount)s from the pooled budget, split across its funders.")
            % {"amount": yuan(payment.amount)}
        ),
    )
    return redirect("contracts:detail", uuid=found.contract.uuid)


urlpatterns = [
    path("app/contracts/milestones/<int:milestone_id>/claim/", claim, name="claim"),
    path("app/contracts/claims/<uuid:uuid>/confirm/", confirm, name="confirm_claim"),
    path("app/contracts/claims/<uuid:uuid>/return/", return_, name="return_claim"),
    path("app/contracts/claims/<uuid:uuid>/approve/", approve, name="approve_claim"),
]
