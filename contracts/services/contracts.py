"""Contracts: making one from an award, correcting the draft, and the moves of its
lifecycle (sent for signature, back to draft, suspended, resumed, terminated, completed).

Every move goes along ``CONTRACT_LIFECYCLE`` through ``core.lifecycle.move``,
under the contract's row lock, after the actor is checked with
``contracts.rules``. Activation (awaiting signatures → active) is not made
here: it happens when both parties have signed the exact version shown to
them, and belongs to the signing services.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import (
    CONTRACT_LIFECYCLE,
    VERSION_LIFECYCLE,
    Contract,
    ContractVersion,
)
from contracts.models.funding import FundingShare
from contracts.models.milestones import SETTLED_STATES
from contracts.services.common import (
    ZERO,
    full_clean_errors,
    lock_contract,
    merge,
    raise_if,
    required_reason,
)
from contracts.services.documents import request_document
from contracts.services.funding import funding_shares_for, release_remaining_funds
from contracts.services.payments import return_open_claims
from contracts.services.terms import (
    build_terms,
    require_draft,
    schedule_errors,
    write_terms,
)
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import moment_text
from core.lifecycle import move
from marketplace.selectors.awards import standstill_has_ended
from marketplace.selectors.complaints import open_complaints
from marketplace.services.awards import lock_award

ONLY_AWARD_COMMISSIONER = gettext_lazy(
    "Only a commissioner of the award's lead agency can make its contract."
)
ONLY_COMMISSIONER = gettext_lazy("Only a commissioner of the lead agency can do this.")
STANDSTILL_NOT_OVER = gettext_lazy(
    "The contract can be made once the award's standstill has ended (%(end)s)."
)
AWARD_NOT_APPROVED = gettext_lazy(
    "The contract can be made only from an approved award whose standstill has ended."
)
OPEN_COMPLAINT = gettext_lazy(
    "A complaint about this award is still open: resolve it before making the contract."
)
ALREADY_CONTRACTED = gettext_lazy("This award already has its contract, %(reference)s.")
NO_MILESTONE = gettext_lazy(
    "Add at least one milestone: it says when and for what the provider is paid."
)
NO_KPI = gettext_lazy("Add at least one KPI: performance is reported and rated against it.")
MILESTONES_PENDING = ngettext_lazy(
    "%(count)d milestone is neither paid nor waived: settle it before completing the contract.",
    "%(count)d milestones are neither paid nor waived: settle each before completing the contract.",
    "count",
)
NOT_READY = gettext_lazy("The contract is not ready to be sent for signature.")

# The draft's own fields a commissioner may correct.
DRAFT_FIELDS = (
    "title_zh",
    "title_en",
    "scope_zh",
    "scope_en",
    "start_date",
    "end_date",
    "price_adjustment_cap",
    "price_adjustment_index",
    "report_every_months",
)


def current_draft_version(contract: Contract) -> ContractVersion:
    """The draft version of a draft contract (version 1, or the one made when it came back)."""
    return (
        contract.versions.select_for_update()
        .filter(status=ContractVersion.Status.DRAFT)
        .order_by("-number")
        .first()
    ) or ContractVersion.objects.create(
        contract=contract,
        number=(contract.versions.order_by("-number").values_list("number", flat=True).first() or 0)
        + 1,
    )


def _require_commissioner(actor, contract: Contract) -> None:
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))


def _next_reference(year: int) -> str:
    """The next free reference of the year, e.g. ``HT-2026-0007`` (合同, contract)."""
    stem = f"HT-{year}-"
    # Numbers are zero-padded, so the largest reference is the last one: one row read.
    last = (
        Contract.objects.filter(reference__regex=rf"^{stem}[0-9]{{4}}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(stem) :]) if last else 0
    return f"{stem}{number + 1:04d}"


def _require_contractable(award, now) -> None:
    """The award stands (standstill over, no open complaint) and has no contract yet."""
    if not standstill_has_ended(award, now=now):
        if award.standstill_ends_at is not None and not award.standstill_over(now):
            message = STANDSTILL_NOT_OVER % {"end": moment_text(award.standstill_ends_at)}
        else:
            message = str(AWARD_NOT_APPROVED)
        raise ApplicationError(message, code="standstill")
    if open_complaints(award.tender).filter(award_id=award.pk).exists():
        raise ApplicationError(str(OPEN_COMPLAINT), code="complaint")
    existing = Contract.objects.filter(award_id=award.pk).values_list("reference", flat=True)
    if existing:
        raise ApplicationError(
            ALREADY_CONTRACTED % {"reference": existing[0]}, code="already_contracted"
        )


def _save_numbered(contract: Contract, *, now) -> None:
    """Save a new contract under the next free reference, numbering again on a collision."""
    for _attempt in range(5):
        contract.reference = _next_reference(timezone.localdate(now).year)
        try:
            with transaction.atomic():
                contract.save()
            return
        except IntegrityError:
            # The award's contract was made meanwhile (the unique constraint
            # is the last word), or another contract took the reference.
            existing = Contract.objects.filter(award_id=contract.award_id).first()
            if existing is not None:
                raise ApplicationError(
                    ALREADY_CONTRACTED % {"reference": existing.reference},
                    code="already_contracted",
                ) from None
    raise ApplicationError(_("No free contract reference was found; try again."))


@transaction.atomic
def create_contract_from_award(
    *,
    award,
    actor: User,
    title_zh: str = "",
    title_en: str = "",
    scope_zh: str = "",
    scope_en: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    categories: Iterable | None = None,
    areas: Iterable | None = None,
    price_adjustment_cap: Decimal | None = None,
    price_adjustment_index: str = "",
    report_every_months: int | None = None,
    kpis: Iterable[Mapping] = (),
    outcome_targets: Iterable[Mapping] = (),
    milestones: Iterable[Mapping] = (),
    now=None,
) -> Contract:
    """A commissioner of the lead agency makes the draft contract of an award.

    Only once the award stands — confirmed, or approved with its standstill
    over and no complaint open — and never twice for one award (the award row
    is locked; the unique constraint is the last word). The parties, lot and
    value are the award's; title, scope, period, categories and areas default
    to the lot's and tender's. The funding split per contribution is the
    award's commitment on the pooled budget, to the fen. Version 1 is made
    with it. KPIs, outcome targets and milestones are dicts as
    ``services.terms.save_terms`` takes them.
    """
    now = now or timezone.now()
    award = lock_award(award)
    if not rules.is_award_commissioner(actor, award):
        raise PermissionDenied(str(ONLY_AWARD_COMMISSIONER))
    _require_contractable(award, now)
    tender, lot = award.tender, award.lot
    contract = Contract(
        award=award,
        lot=lot,
        lead_agency_id=tender.lead_agency_id,
        provider_id=award.bid.provider_id,
        title_zh=(title_zh or "").strip() or lot.title_zh or tender.title_zh,
        title_en=(title_en or "").strip() or lot.title_en or tender.title_en,
        scope_zh=(scope_zh or "").strip() or lot.description_zh or tender.description_zh,
        scope_en=(scope_en or "").strip() or lot.description_en or tender.description_en,
        value=award.value,
        start_date=start_date or tender.contract_start,
        end_date=end_date or tender.contract_end,
        price_adjustment_cap=price_adjustment_cap,
        price_adjustment_index=(price_adjustment_index or "").strip(),
        **({"report_every_months": report_every_months} if report_every_months else {}),
        status_changed_at=now,
        created_by=actor,
    )
    categories = list(categories) if categories is not None else None
    categories = categories or list(lot.categories.all()) or list(tender.categories.all())
    areas = list(areas) if areas is not None else None
    areas = areas or list(lot.areas.all()) or list(tender.areas.all())
    errors = full_clean_errors(contract, exclude=["reference", "award", "lot"])
    if not categories:
        errors.setdefault("categories", []).append(_("Choose at least one service category."))
    if not areas:
        errors.setdefault("areas", []).append(_("Choose at least one area served."))
    terms = build_terms(
        contract,
        kpis=list(kpis),
        outcome_targets=list(outcome_targets),
        milestones=list(milestones),
        errors=errors,
    )
    raise_if(errors)
    shares = funding_shares_for(contract, award)
    _save_numbered(contract, now=now)
    contract.categories.set(categories)
    contract.areas.set(areas)
    write_terms(contract, *terms)
    for share in shares:
        share.contract = contract
    FundingShare.objects.bulk_create(shares)
    ContractVersion.objects.create(
        contract=contract,
        number=1,
        reason=_("Contract made from the award."),
        created_by=actor,
        created_at=now,
    )
    record_change(
        action="contract.created",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={
            "award": str(award.uuid),
            "tender": tender.reference,
            "lot": lot.number,
            "value": str(contract.value),
            "shares": {str(s.contribution.uuid): str(s.amount) for s in shares},
        },
        label=contract.reference,
    )
    return contract


@transaction.atomic
def update_contract_draft(
    *,
    contract: Contract,
    actor: User,
    categories: Iterable | None = None,
    areas: Iterable | None = None,
    **changes,
) -> Contract:
    """Correct a draft's title, scope, period or price-adjustment clause, categories or areas.

    ``changes`` name fields of ``DRAFT_FIELDS``; what is not named stays.
    The value, parties and funding split are the award's and never change
    here. A new period must still hold every fixed milestone's date.
    """
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"update_contract_draft cannot change {sorted(unknown)}")
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    require_draft(contract)
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(contract, name, value)
    errors = full_clean_errors(contract)
    if categories is not None:
        categories = list(categories)
        if not categories:
            errors["categories"] = [_("Choose at least one service category.")]
    if areas is not None:
        areas = list(areas)
        if not areas:
            errors["areas"] = [_("Choose at least one area served.")]
    merge(errors, schedule_errors(contract, list(contract.milestones.all())))
    raise_if(errors)
    contract.save()
    if categories is not None:
        contract.categories.set(categories)
    if areas is not None:
        contract.areas.set(areas)
    record_change(
        action="contract.draft_updated",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={
            "fields": sorted(
                [*changes, *(["categories"] if categories is not None else [])]
                + (["areas"] if areas is not None else [])
            )
        },
        label=contract.reference,
    )
    return contract


def readiness_errors(contract: Contract) -> dict[str, list[str]]:
    """What keeps a draft from being sent for signature, by field (empty when it is ready).

    A contract goes to the parties with at least one KPI (performance is rated
    against them) and one milestone (the provider is paid by them), with the
    milestones paying no more than the value and fixed ones inside the period.
    """
    milestones = list(contract.milestones.all())
    errors: dict[str, list[str]] = {}
    if not contract.kpis.exists():
        errors["kpis"] = [str(NO_KPI)]
    if not milestones:
        errors["milestones"] = [str(NO_MILESTONE)]
    merge(errors, schedule_errors(contract, milestones))
    return errors


@transaction.atomic
def send_for_signature(*, contract: Contract, actor: User, note: str = "") -> Contract:
    """The commissioner sends a complete draft to both parties' signatories.

    Refused, with what is missing, unless ``readiness_errors`` is empty.
    From now on the terms are fixed; the signing services make the contract
    active once both parties have signed.
    """
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    CONTRACT_LIFECYCLE.check(contract.status, Contract.Status.AWAITING_SIGNATURES)
    errors = readiness_errors(contract)
    if errors:
        raise ApplicationError(str(NOT_READY), field_errors=errors, code="not_ready")
    version = current_draft_version(contract)
    move(
        version,
        ContractVersion.Status.AWAITING_SIGNATURES,
        lifecycle=VERSION_LIFECYCLE,
        actor=actor,
        values={"value": contract.value, "end_date": contract.end_date},
    )
    # The PDF both parties sign is rendered from the record now (a Celery task).
    request_document(version=version)
    return move(
        contract,
        Contract.Status.AWAITING_SIGNATURES,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=note,
        values={"status_reason": ""},
    )


@transaction.atomic
def return_to_draft(*, contract: Contract, actor: User, reason: str) -> Contract:
    """Take a contract awaiting signatures back to draft to correct it, with a reason.

    Only before it is active; signatures already given to the version sent
    (the signing slice) no longer hold for the corrected draft.
    """
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    CONTRACT_LIFECYCLE.check(contract.status, Contract.Status.DRAFT)
    reason = required_reason(reason)
    # The version sent is withdrawn (its PDF and any signature on it stay
    # readable); the corrected draft is the next version.
    sent = contract.versions.filter(status=ContractVersion.Status.AWAITING_SIGNATURES).first()
    if sent is not None:
        move(
            sent,
            ContractVersion.Status.WITHDRAWN,
            lifecycle=VERSION_LIFECYCLE,
            actor=actor,
            note=reason,
        )
        ContractVersion.objects.create(
            contract=contract,
            number=sent.number + 1,
            reason=reason,
            created_by=actor,
        )
    return move(
        contract,
        Contract.Status.DRAFT,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=reason,
        values={"status_reason": reason},
    )


@transaction.atomic
def suspend_contract(*, contract: Contract, actor: User, reason: str) -> Contract:
    """Pause an active contract, with a reason both parties read (e.g. a safeguarding review)."""
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    CONTRACT_LIFECYCLE.check(contract.status, Contract.Status.SUSPENDED)
    reason = required_reason(reason)
    return move(
        contract,
        Contract.Status.SUSPENDED,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=reason,
        values={"status_reason": reason},
    )


@transaction.atomic
def resume_contract(*, contract: Contract, actor: User, note: str = "") -> Contract:
    """Put a suspended contract back in force."""
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    return move(
        contract,
        Contract.Status.ACTIVE,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=note,
        values={"status_reason": (note or "").strip()},
    )


@transaction.atomic
def terminate_contract(*, contract: Contract, actor: User, reason: str) -> Contract:
    """End a contract early (or abandon one never signed), with a reason.

    What is still committed to its award and not yet paid goes back to the
    pooled budget (``release_funds``), to each contribution it came from.
    """
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    CONTRACT_LIFECYCLE.check(contract.status, Contract.Status.TERMINATED)
    reason = required_reason(reason)
    # An unsigned version (the draft, the one sent, a pending amendment) is void now.
    for version in contract.versions.filter(
        status__in=(ContractVersion.Status.DRAFT, ContractVersion.Status.AWAITING_SIGNATURES)
    ):
        move(
            version,
            ContractVersion.Status.WITHDRAWN,
            lifecycle=VERSION_LIFECYCLE,
            actor=actor,
            note=reason,
        )
    # Claims not yet paid will not be: the provider reads why.
    return_open_claims(contract, actor=actor, reason=reason)
    released = release_remaining_funds(contract, actor=actor)
    return move(
        contract,
        Contract.Status.TERMINATED,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=reason,
        values={"status_reason": reason},
        details={"released": str(sum((row.amount for row in released), ZERO))},
    )


@transaction.atomic
def complete_contract(*, contract: Contract, actor: User, note: str = "") -> Contract:
    """Close an active contract once every milestone is settled (paid, or waived with a reason).

    Money committed but never paid (waived milestones, outcome caps not
    reached) goes back to the pooled budget.
    """
    contract = lock_contract(contract)
    _require_commissioner(actor, contract)
    CONTRACT_LIFECYCLE.check(contract.status, Contract.Status.COMPLETED)
    pending = contract.milestones.exclude(status__in=SETTLED_STATES).count()
    if pending:
        raise ApplicationError(MILESTONES_PENDING % {"count": pending}, code="milestones_pending")
    released = release_remaining_funds(contract, actor=actor)
    return move(
        contract,
        Contract.Status.COMPLETED,
        lifecycle=CONTRACT_LIFECYCLE,
        actor=actor,
        note=note,
        values={"status_reason": (note or "").strip()},
        details={"released": str(sum((row.amount for row in released), ZERO))},
    )
