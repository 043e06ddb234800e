"""Paying milestones: the provider's administrator claims one, the commissioner confirms
the evidence, a finance officer of the lead agency who did not confirm it approves
(four eyes), and approval draws the amount from the award's commitment with
marketplace's ``spend_funds``, split across the funders to the fen.

What a milestone needs before it can be claimed (``claim_terms``):

* fixed: its date has come;
* output-based: the platform's own referral data for this provider, the
  contract's categories and areas, in the contract period, reaches the count —
  the evidence lists the counted referrals by reference (uuid) only;
* outcome-based: the confirmed outcomes (``evaluation``: the caseworker
  confirmed the provider's goal-attainment T-score, or a supervisor upheld it)
  of this provider's referrals for the contract's categories and areas,
  completed in the contract period, of the milestone's kind (T-score at least
  ``OUTCOME_MIN_T_SCORE``), priced by the rate card and capped at the
  milestone's amount; "no outcome data yet" while there is none.

Paying more than a milestone, a milestone twice, or a contract no longer in force
is refused; every write here runs under the contract's row lock, so two requests
racing are serialized, and the database's constraints (one open claim per
milestone, one payment per milestone, four eyes) hold even if that lock were
forgotten.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import Contract
from contracts.models.kpis import OUTCOME_MIN_T_SCORE
from contracts.models.milestones import MILESTONE_LIFECYCLE, Milestone
from contracts.models.payments import (
    CLAIM_LIFECYCLE,
    OPEN_CLAIM_STATES,
    Claim,
    Payment,
    PaymentShare,
)
from contracts.selectors.measures import MAX_REFERENCES, measures_for_contract_period, period_bounds
from contracts.services.common import ZERO, lock_contract, required_reason
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import yuan
from core.lifecycle import move
from evaluation.selectors import evidence as outcome_selectors
from marketplace.services.budgets import spend_funds

ONLY_PROVIDER_ADMIN = gettext_lazy("Only an administrator of the provider can claim a payment.")
ONLY_COMMISSIONER = gettext_lazy(
    "Only a commissioner of the lead agency can confirm or return a claim."
)
ONLY_FINANCE = gettext_lazy("Only a finance officer of the lead agency can approve a payment.")
ONLY_RETURNER = gettext_lazy(
    "Only a commissioner or a finance officer of the lead agency can return a confirmed claim."
)
FOUR_EYES = gettext_lazy(
    "You confirmed this claim's evidence, so another finance officer must approve the payment."
)
NOT_IN_FORCE = gettext_lazy("Payments are claimed and made only while the contract is in force.")
SUSPENDED = gettext_lazy(
    "The contract is suspended: payments wait until the commissioner puts it back in force."
)
NOT_PENDING = gettext_lazy("This milestone is already settled.")
ALREADY_CLAIMED = gettext_lazy(
    "This milestone already has a claim in progress: wait for it to be approved or returned."
)
NOT_YET_DUE = gettext_lazy("This milestone is due on %(date)s: it can be claimed from that day.")
NOT_YET_MET = gettext_lazy(
    "%(count)d of %(target)d counted so far: the milestone can be claimed once the count "
    "is reached."
)
NO_OUTCOME_DATA = gettext_lazy(
    "No outcome data yet: no confirmed outcome of this kind in the contract's categories and "
    "areas so far. Outcome payments are claimed once caseworkers confirm outcomes."
)
MORE_THAN_MILESTONE = gettext_lazy(
    "The claim (%(amount)s) is more than the milestone pays (%(cap)s)."
)
MORE_THAN_CONTRACT = gettext_lazy(
    "Paying %(amount)s would take the payments above the contract's value: %(left)s is left."
)


@dataclass(frozen=True)
class ClaimTerms:
    """What a claim of a milestone would be now: claimable or not, why, the amount, the evidence."""

    claimable: bool
    reason: str = ""
    amount: Decimal = ZERO
    evidence: dict = field(default_factory=dict)
    count: int | None = None
    target: int | None = None


def claim_terms(milestone: Milestone, *, measures=None, today=None) -> ClaimTerms:
    """Whether ``milestone`` can be claimed today and on what evidence (no writes).

    ``measures`` (``measures_for_contract_period``) may be passed in when several
    milestones of one contract are looked at, so the referral data is read once.
    """
    today = today or timezone.localdate()
    if milestone.status != Milestone.Status.PENDING:
        return ClaimTerms(False, str(NOT_PENDING))
    if milestone.kind == Milestone.Kind.FIXED:
        if milestone.due_date > today:
            return ClaimTerms(
                False, NOT_YET_DUE % {"date": milestone.due_date.isoformat()}, milestone.amount
            )
        return ClaimTerms(
            True,
            amount=milestone.amount,
            evidence={"kind": "fixed", "due_date": milestone.due_date.isoformat()},
        )
    if milestone.kind == Milestone.Kind.OUTPUT:
        measures = measures or measures_for_contract_period(milestone.contract)
        count = int(measures.value(milestone.output_measure) or 0)
        target = milestone.output_target
        if count < target:
            return ClaimTerms(
                False,
                NOT_YET_MET % {"count": count, "target": target},
                milestone.amount,
                count=count,
                target=target,
            )
        return ClaimTerms(
            True,
            amount=milestone.amount,
            evidence={
                "kind": "output",
                "measure": milestone.output_measure,
                "count": count,
                "target": target,
                "period": [measures.start.isoformat(), measures.end.isoformat()],
                "referrals": measures.references(milestone.output_measure),
            },
            count=count,
            target=target,
        )
    return _outcome_terms(milestone, today)


def _outcome_terms(milestone: Milestone, today) -> ClaimTerms:
    """An outcome-based milestone: confirmed outcomes × the rate card, up to the cap."""
    contract = milestone.contract
    since, until = period_bounds(contract.start_date, min(today, contract.end_date))
    outcomes = outcome_selectors.confirmed_outcomes_for(
        provider_id=contract.provider_id,
        category_ids=[category.pk for category in contract.categories.all()],
        areas=list(contract.areas.select_related("parent__parent")),
        since=since,
        until=until,
        min_t_score=OUTCOME_MIN_T_SCORE[milestone.outcome_kind],
    )
    if not outcomes:
        return ClaimTerms(False, str(NO_OUTCOME_DATA), ZERO, count=0)
    amount = min(milestone.outcome_price * len(outcomes), milestone.amount)
    return ClaimTerms(
        True,
        amount=amount,
        evidence={
            "kind": "outcome",
            "outcome_kind": milestone.outcome_kind,
            "count": len(outcomes),
            "price": str(milestone.outcome_price),
            "cap": str(milestone.amount),
            "period": [contract.start_date.isoformat(), min(today, contract.end_date).isoformat()],
            "outcomes": outcomes[:MAX_REFERENCES],
        },
        count=len(outcomes),
    )


def _require_in_force(contract: Contract) -> None:
    if contract.status == Contract.Status.SUSPENDED:
        raise ApplicationError(str(SUSPENDED), code="suspended")
    if contract.status != Contract.Status.ACTIVE:
        raise ApplicationError(str(NOT_IN_FORCE), code="not_in_force")


def _audit(action: str, claim: Claim, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=claim.contract.lead_agency_id,
        target=claim,
        details={"milestone": claim.milestone.number, "amount": str(claim.amount), **details},
        label=f"{claim.contract.reference} · {claim.milestone.number}",
    )


@transaction.atomic
def claim_milestone(*, milestone: Milestone, actor: User, note: str = "", now=None) -> Claim:
    """The provider's administrator claims a milestone whose condition is met."""
    now = now or timezone.now()
    contract = lock_contract(milestone.contract)
    if not rules.is_contract_provider_admin(actor, contract):
        raise PermissionDenied(str(ONLY_PROVIDER_ADMIN))
    _require_in_force(contract)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, contract=contract)
    milestone.contract = contract
    if milestone.claims.filter(status__in=OPEN_CLAIM_STATES).exists():
        raise ApplicationError(str(ALREADY_CLAIMED), code="already_claimed")
    terms = claim_terms(milestone, today=timezone.localdate(now))
    if not terms.claimable:
        raise ApplicationError(terms.reason, code="not_claimable")
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                contract=contract,
                milestone=milestone,
                amount=terms.amount,
                evidence=terms.evidence,
                note=(note or "").strip(),
                claimed_by=actor,
                claimed_at=now,
                status_changed_at=now,
            )
    except IntegrityError as exc:  # a second claim racing past the lock: the database refuses
        raise ApplicationError(str(ALREADY_CLAIMED), code="already_claimed") from exc
    _audit("payment claim.submitted", claim, actor)
    return claim


def _locked_claim(claim: Claim) -> tuple[Contract, Claim]:
    contract = lock_contract(claim.contract)
    claim = Claim.objects.select_for_update().select_related("milestone").get(pk=claim.pk)
    claim.contract = contract
    claim.milestone.contract = contract
    return contract, claim


@transaction.atomic
def confirm_claim(*, claim: Claim, actor: User, note: str = "", now=None) -> Claim:
    """The commissioner has checked the evidence: the claim waits for finance's approval."""
    now = now or timezone.now()
    contract, claim = _locked_claim(claim)
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    CLAIM_LIFECYCLE.check(claim.status, Claim.Status.CONFIRMED)
    _require_in_force(contract)
    return move(
        claim,
        Claim.Status.CONFIRMED,
        lifecycle=CLAIM_LIFECYCLE,
        actor=actor,
        now=now,
        note=note,
        values={"confirmed_by": actor, "confirmed_at": now},
    )


@transaction.atomic
def return_claim(*, claim: Claim, actor: User, reason: str, now=None) -> Claim:
    """Send a claim back with the reason: the commissioner before confirming, finance after."""
    now = now or timezone.now()
    contract, claim = _locked_claim(claim)
    allowed = (
        rules.is_contract_commissioner(actor, contract)
        if claim.status == Claim.Status.SUBMITTED
        else rules.is_contract_finance(actor, contract)
        or rules.is_contract_commissioner(actor, contract)
    )
    if not allowed:
        raise PermissionDenied(
            str(ONLY_COMMISSIONER if claim.status == Claim.Status.SUBMITTED else ONLY_RETURNER)
        )
    CLAIM_LIFECYCLE.check(claim.status, Claim.Status.RETURNED)
    reason = required_reason(reason)
    return move(
        claim,
        Claim.Status.RETURNED,
        lifecycle=CLAIM_LIFECYCLE,
        actor=actor,
        now=now,
        note=reason,
        values={"returned_by": actor, "returned_reason": reason},
    )


def return_open_claims(contract: Contract, *, actor, reason: str, now=None) -> int:
    """Return every claim still open on ``contract`` (it is ending): callers hold its lock."""
    returned = 0
    for claim in contract.claims.select_for_update().filter(status__in=OPEN_CLAIM_STATES):
        claim.contract = contract
        move(
            claim,
            Claim.Status.RETURNED,
            lifecycle=CLAIM_LIFECYCLE,
            actor=actor,
            now=now,
            note=reason,
            values={"returned_by": actor, "returned_reason": reason},
        )
        returned += 1
    return returned


def paid_total(contract: Contract) -> Decimal:
    return sum(contract.payments.values_list("amount", flat=True), ZERO)


@transaction.atomic
def approve_claim(*, claim: Claim, actor: User, now=None) -> Payment:
    """Finance approves a confirmed claim: the milestone is paid from the pooled budget.

    The amount is drawn from the award's commitment with ``spend_funds`` (split
    across the contributions in proportion, to the fen) and each funder's part
    is kept as a ``PaymentShare`` of the contract's funding share.
    """
    now = now or timezone.now()
    contract, claim = _locked_claim(claim)
    if not rules.is_contract_finance(actor, contract):
        raise PermissionDenied(str(ONLY_FINANCE))
    if claim.confirmed_by_id == actor.pk:
        raise PermissionDenied(str(FOUR_EYES))
    CLAIM_LIFECYCLE.check(claim.status, Claim.Status.APPROVED)
    _require_in_force(contract)
    milestone = Milestone.objects.select_for_update().get(pk=claim.milestone_id)
    milestone.contract = contract
    if milestone.status != Milestone.Status.PENDING:
        raise ApplicationError(str(NOT_PENDING), code="settled")
    if claim.amount > milestone.amount:
        raise ApplicationError(
            MORE_THAN_MILESTONE % {"amount": yuan(claim.amount), "cap": yuan(milestone.amount)},
            code="overpayment",
        )
    left = contract.value - paid_total(contract)
    if claim.amount > left:
        raise ApplicationError(
            MORE_THAN_CONTRACT % {"amount": yuan(claim.amount), "left": yuan(left)},
            code="overpayment",
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                contract=contract,
                milestone=milestone,
                claim=claim,
                amount=claim.amount,
                paid_at=now,
                approved_by=actor,
            )
    except IntegrityError as exc:  # paid already by a request that raced past the lock
        raise ApplicationError(str(NOT_PENDING), code="settled") from exc
    spent = spend_funds(award=contract.award, amount=claim.amount, actor=actor)
    shares = {share.contribution_id: share for share in contract.funding_shares.all()}
    PaymentShare.objects.bulk_create(
        [
            PaymentShare(
                payment=payment,
                funding_share=shares[row.contribution_id],
                funder_id=shares[row.contribution_id].funder_id,
                amount=row.amount,
            )
            for row in spent
        ]
    )
    move(
        claim,
        Claim.Status.APPROVED,
        lifecycle=CLAIM_LIFECYCLE,
        actor=actor,
        now=now,
        values={"approved_by": actor, "approved_at": now},
        details={"payment": str(payment.uuid)},
    )
    move(
        milestone,
        Milestone.Status.PAID,
        lifecycle=MILESTONE_LIFECYCLE,
        actor=actor,
        now=now,
        details={"payment": str(payment.uuid), "amount": str(payment.amount)},
    )
    record_change(
        action="payment.made",
        actor=actor,
        organization=contract.lead_agency_id,
        target=payment,
        details={
            "amount": str(payment.amount),
            "shares": {str(row.contribution_id): str(row.amount) for row in spent},
        },
        label=str(payment),
    )
    return payment
