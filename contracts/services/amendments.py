"""Amendments: a contract in force changes only by a new version, with a reason and a
summary of the changes, signed again by both parties.

What may change: the value (a raise draws the difference from the pooled budget with
marketplace's ``commit_funds``, refused with the amount available when the money is
not there; a cut gives the difference back once signed) and the end of the period.
The proposal waits as version N+1 awaiting signatures; the contract stays in force
under the version before. Once both parties sign (``services.signing``) the changes
apply. Withdrawing a proposal gives back what it committed. Earlier versions and
their PDFs stay readable.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import (
    LIVE_STATES,
    MAX_CONTRACT_YEARS,
    VERSION_LIFECYCLE,
    Contract,
    ContractVersion,
    add_years,
)
from contracts.models.funding import FundingShare
from contracts.services.common import (
    ZERO,
    amount_or_error,
    lock_contract,
    raise_if,
    required_reason,
)
from contracts.services.documents import request_document
from core.audit import record_change
from core.errors import ApplicationError
from core.lifecycle import move
from marketplace.selectors.budgets import commitment_by_contribution
from marketplace.services.budgets import commit_funds, release_funds

ONLY_COMMISSIONER = gettext_lazy("Only a commissioner of the lead agency can amend a contract.")
NOT_LIVE = gettext_lazy("Only a contract in force can be amended.")
PENDING = gettext_lazy(
    "Version %(number)d is still awaiting signatures: withdraw it or have it signed first."
)
NOTHING_CHANGES = gettext_lazy("The amendment changes nothing: give a new value or a new end date.")


def _pending(contract: Contract) -> ContractVersion | None:
    return contract.versions.filter(status=ContractVersion.Status.AWAITING_SIGNATURES).first()


def refresh_funding_shares(contract: Contract) -> None:
    """Make the contract's funding split the award's commitment again, to the fen."""
    lines = {line.contribution.pk: line for line in commitment_by_contribution(contract.award)}
    shares = {share.contribution_id: share for share in contract.funding_shares.all()}
    for contribution_id, line in lines.items():
        share = shares.get(contribution_id)
        if share is None:
            FundingShare.objects.create(
                contract=contract,
                contribution=line.contribution,
                funder=line.contribution.funder,
                amount=line.committed,
            )
        elif share.amount != line.committed:
            share.amount = line.committed
            share.save(update_fields=["amount"])


@transaction.atomic
def propose_amendment(
    *,
    contract: Contract,
    actor: User,
    reason: str,
    summary: str,
    value=None,
    end_date: date | None = None,
) -> ContractVersion:
    """A commissioner proposes a new version of a contract in force."""
    contract = lock_contract(contract)
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    if contract.status not in LIVE_STATES:
        raise ApplicationError(str(NOT_LIVE), code="not_live")
    pending = _pending(contract)
    if pending is not None:
        raise ApplicationError(PENDING % {"number": pending.number}, code="pending")
    reason = required_reason(reason)
    errors: dict[str, list[str]] = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("Say what the amendment changes: both parties read it.")]
    new_value = amount_or_error(value, field="value", errors=errors, required=False)
    if new_value is not None and new_value <= 0:
        errors["value"] = [_("Enter an amount above zero.")]
    if end_date is not None:
        if end_date < contract.start_date:
            errors["end_date"] = [_("The contract period cannot end before it starts.")]
        elif end_date >= add_years(contract.start_date, MAX_CONTRACT_YEARS):
            errors["end_date"] = [
                _("A contract period is at most %(years)d years.") % {"years": MAX_CONTRACT_YEARS}
            ]
        elif end_date < max(
            [m.due_date for m in contract.milestones.all() if m.due_date] or [contract.start_date]
        ):
            errors["end_date"] = [_("A milestone falls after this date: move it first.")]
    raise_if(errors)
    changes = {}
    if new_value is not None and new_value != contract.value:
        changes["value"] = str(new_value)
    if end_date is not None and end_date != contract.end_date:
        changes["end_date"] = end_date.isoformat()
    if not changes:
        raise ApplicationError(str(NOTHING_CHANGES), field_errors={"value": [str(NOTHING_CHANGES)]})
    raise_by = (new_value - contract.value) if "value" in changes else ZERO
    if raise_by > 0:
        award = contract.award
        tender = award.tender
        # Refused with the amount available when the pooled budget cannot pay the raise.
        commit_funds(
            budget=tender.budget,
            amount=raise_by,
            categories=list(tender.categories.all()),
            tender=tender,
            lot=award.lot,
            award=award,
            actor=actor,
        )
        changes["committed"] = str(raise_by)
    number = (
        contract.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = ContractVersion.objects.create(
        contract=contract,
        number=number,
        status=ContractVersion.Status.AWAITING_SIGNATURES,
        reason=reason,
        summary=summary,
        value=new_value if "value" in changes else contract.value,
        end_date=end_date if "end_date" in changes else contract.end_date,
        changes=changes,
        created_by=actor,
    )
    record_change(
        action="contract.amendment_proposed",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={"version": number, **changes},
        label=contract.reference,
    )
    request_document(version=version)
    return version


@transaction.atomic
def withdraw_amendment(*, version: ContractVersion, actor: User, reason: str) -> ContractVersion:
    """Abandon an amendment not yet signed by both; what it committed goes back."""
    contract = lock_contract(version.contract)
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    version = ContractVersion.objects.select_for_update().get(pk=version.pk)
    reason = required_reason(reason)
    VERSION_LIFECYCLE.check(version.status, ContractVersion.Status.WITHDRAWN)
    committed = Decimal(version.changes.get("committed", "0"))
    if committed > 0:
        _give_back(contract, committed, actor=actor)
    return move(
        version,
        ContractVersion.Status.WITHDRAWN,
        lifecycle=VERSION_LIFECYCLE,
        actor=actor,
        note=reason,
        details={"released": str(committed)},
    )


def _give_back(contract: Contract, amount: Decimal, *, actor) -> None:
    """Release ``amount`` of the award's commitment (marketplace releases per award)."""
    award = contract.award
    release_funds(budget=award.tender.budget, award=award, amount=amount, actor=actor)
    refresh_funding_shares(contract)


def apply_amendment(*, contract: Contract, version: ContractVersion, actor) -> Contract:
    """Put a version signed by both parties in force (called by ``services.signing``)."""
    changes = version.changes
    fields = []
    if "value" in changes:
        new_value = Decimal(changes["value"])
        if new_value < contract.value:
            _give_back(contract, contract.value - new_value, actor=actor)
        contract.value = new_value
        fields.append("value")
    if "end_date" in changes:
        contract.end_date = date.fromisoformat(changes["end_date"])
        fields.append("end_date")
    if fields:
        contract.save(update_fields=[*fields, "updated_at"])
    refresh_funding_shares(contract)
    record_change(
        action="contract.amended",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={"version": version.number, **changes},
        label=contract.reference,
    )
    return contract
