"""Every write of the marketplace: pooled budgets and their ledger, the tender lifecycle,
clarifications, tender alerts, bids, the panel's two-envelope evaluation, awards and
complaints. Views, the API, admin actions and Celery tasks call these.

Each function checks who may act, validates with messages a person can act
on, runs in a transaction, writes an audit entry and queues e-mails with
``transaction.on_commit``. Tender status moves only through ``_transition``,
along ``TENDER_TRANSITIONS``, leaving a ``TenderEvent`` and an audit entry.

Money drawn on a pooled budget is written to the ``Commitment`` ledger under a
row lock on the budget, so two awards racing for the last of the money cannot
both succeed.

Permission checks here call the predicates of ``marketplace.rules`` directly,
never ``user.has_perm``: Django grants superusers every ``has_perm``, and no
superuser may read or change a sealed bid.
"""

import hashlib
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from accounts.rules import organizations_where
from core.audit import record_change
from core.errors import ApplicationError, InvalidTransition
from marketplace import evaluation, rules, selectors, tasks
from marketplace.models import (
    AWARD_TRANSITIONS,
    BID_TRANSITIONS,
    CONTRIBUTION_TRANSITIONS,
    MATERIAL_AMENDMENT_WINDOW,
    SCORE_MAX,
    SCORE_MIN,
    TENDER_TRANSITIONS,
    TOTAL_WEIGHT,
    Alert,
    Amendment,
    Award,
    Bid,
    BidAttachment,
    BidResponse,
    BidResult,
    Clarification,
    Commitment,
    Complaint,
    Contribution,
    Criterion,
    Lot,
    ModeratedScore,
    Panel,
    PanelMember,
    PooledBudget,
    Score,
    Tender,
    TenderDocument,
    TenderEvent,
)
from places import codes

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Providers holding an unfinished bid are reminded this long before each deadline.
REMINDER_BEFORE = timedelta(hours=48)
MAX_QUESTION_LENGTH = 4000


def _cents(value, *, field: str) -> Decimal:
    """A money amount from user input, to the fen; a clear field error otherwise."""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={field: [_("Enter an amount in yuan, such as 120000.00.")]},
        ) from None
    return amount


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _bilingual(render: Callable[[], str]) -> str:
    """The message in Chinese and in English ("中文 / English"), each once.

    For text that is stored or shown to people of either language whatever the
    language of the request that produced it: refusals about money, reasons
    written by the system.
    """
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(str(render()))
    return " / ".join(dict.fromkeys(texts))


def _in_languages(render: Callable[[], str]) -> tuple[str, str]:
    """(Chinese, English) renderings of a message, for the two text fields of an alert."""
    rendered = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rendered.append(str(render()))
    return rendered[0], rendered[1]


def _full_clean_errors(instance, *, exclude=()) -> dict[str, list[str]]:
    """Field and single-object errors of a model instance, as lists of messages per field.

    Database constraints are not validated here: ``clean()`` states the same
    rules with better messages, and the constraints remain the last guard.
    """
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: instance.clean_fields(exclude=list(exclude)),
        instance.clean,
        lambda: instance.validate_unique(exclude=list(exclude)),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)


# --- pooled budgets ---------------------------------------------------------


@transaction.atomic
def create_budget(
    *,
    lead_agency: Organization,
    name_zh: str,
    first_year: int,
    last_year: int,
    actor: User,
    name_en: str = "",
    description: str = "",
) -> PooledBudget:
    """A commissioner of the lead agency opens a pooled budget for one or more fiscal years."""
    if lead_agency.pk not in organizations_where(actor, Role.COMMISSIONER):
        raise PermissionDenied(_("Only a commissioner of the lead agency can create its budgets."))
    budget = PooledBudget(
        lead_agency=lead_agency,
        name_zh=name_zh,
        name_en=name_en,
        description=description,
        first_year=first_year,
        last_year=last_year,
        created_by=actor,
    )
    errors = _full_clean_errors(budget)
    if lead_agency.kind != Organization.Kind.AGENCY:
        errors.setdefault("lead_agency", []).append(_("A pooled budget is led by an agency."))
    if (
        "first_year" not in errors
        and "last_year" not in errors
        and budget.last_year < budget.first_year
    ):
        errors["last_year"] = [_("The last fiscal year cannot be before the first.")]
    _raise_if(errors)
    budget.save()
    record_change(
        action="budget.created",
        actor=actor,
        organization=lead_agency,
        target=budget,
        details={"first_year": budget.first_year, "last_year": budget.last_year},
        label=budget.name_zh,
    )
    return budget


@transaction.atomic
def add_contribution(
    *,
    budget: PooledBudget,
    funder: Organization,
    amount,
    year: int,
    source: str,
    actor: User,
    earmarked_categories: Iterable = (),
    note: str = "",
) -> Contribution:
    """Record a funder's pledge to a budget; it counts once the funder's finance officer approves.

    The lead agency's commissioners record pledges they have been promised; a
    partner agency's commissioners or finance officers record their own.
    """
    if not (
        rules.is_budget_commissioner(actor, budget)
        or funder.pk in organizations_where(actor, *rules.FUNDER_ROLES)
    ):
        raise PermissionDenied(
            _(
                "A contribution is recorded by a commissioner of the lead agency, or by a "
                "commissioner or finance officer of the funder."
            )
        )
    errors: dict[str, list[str]] = {}
    if funder.kind != Organization.Kind.AGENCY or not funder.is_active:
        errors["funder"] = [_("Choose an active agency or fund as the funder.")]
    amount = _cents(amount, field="amount")
    if amount <= 0:
        errors["amount"] = [_("A contribution must be more than zero.")]
    contribution = Contribution(
        budget=budget,
        funder=funder,
        amount=amount,
        year=year,
        source=source,
        note=note,
        created_by=actor,
    )
    for name, messages in _full_clean_errors(contribution, exclude=["funder", "amount"]).items():
        errors.setdefault(name, []).extend(messages)
    _raise_if(errors)
    contribution.save()
    contribution.earmarked_categories.set(list(earmarked_categories))
    record_change(
        action="budget.contribution_recorded",
        actor=actor,
        organization=budget.lead_agency,
        target=contribution,
        details={
            "budget": str(budget.uuid),
            "funder": funder.pk,
            "amount": str(amount),
            "year": contribution.year,
            "source": source,
            "earmarked": sorted(c.code for c in contribution.earmarked_categories.all()),
        },
    )
    return contribution


def _move_contribution(contribution: Contribution, to: str) -> None:
    if to not in CONTRIBUTION_TRANSITIONS[contribution.status]:
        raise InvalidTransition(
            _("A contribution that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Contribution.Status(contribution.status).label,
                "target": Contribution.Status(to).label,
            }
        )
    contribution.status = to


@transaction.atomic
def approve_contribution(*, contribution: Contribution, actor: User) -> Contribution:
    """The funder's finance officer approves its own contribution; from now on it counts."""
    contribution = (
        Contribution.objects.select_for_update().select_related("budget").get(pk=contribution.pk)
    )
    if not rules.is_contribution_funder_finance(actor, contribution):
        raise PermissionDenied(
            _("Only a finance officer of the funder can approve its contribution.")
        )
    _move_contribution(contribution, Contribution.Status.APPROVED)
    contribution.approved_by = actor
    contribution.approved_at = timezone.now()
    contribution.save(update_fields=["status", "approved_by", "approved_at"])
    record_change(
        action="budget.contribution_approved",
        actor=actor,
        organization=contribution.funder,
        target=contribution,
        details={"budget": str(contribution.budget.uuid), "amount": str(contribution.amount)},
    )
    return contribution


@transaction.atomic
def withdraw_contribution(*, contribution: Contribution, actor: User) -> Contribution:
    """Take a contribution back, as long as none of its money is committed to an award."""
    # The budget row first, as commit_funds locks it: a withdrawal and a
    # commitment of the same money cannot interleave.
    PooledBudget.objects.select_for_update().get(pk=contribution.budget_id)
    contribution = (
        Contribution.objects.select_for_update().select_related("budget").get(pk=contribution.pk)
    )
    if not (
        rules.is_contribution_funder_staff(actor, contribution)
        or rules.is_budget_commissioner(actor, contribution.budget)
    ):
        raise PermissionDenied(
            _(
                "A contribution is withdrawn by the funder's commissioners or finance officers, "
                "or by a commissioner of the lead agency."
            )
        )
    committed = selectors.committed_by_contribution([contribution.pk]).get(contribution.pk, ZERO)
    if committed > 0:
        raise ApplicationError(
            _(
                "%(amount)s of this contribution is already committed to awards, so it can no "
                "longer be withdrawn."
            )
            % {"amount": _yuan(committed)},
            code="committed",
        )
    _move_contribution(contribution, Contribution.Status.WITHDRAWN)
    contribution.withdrawn_at = timezone.now()
    contribution.save(update_fields=["status", "withdrawn_at"])
    record_change(
        action="budget.contribution_withdrawn",
        actor=actor,
        organization=contribution.funder,
        target=contribution,
        details={"budget": str(contribution.budget.uuid), "amount": str(contribution.amount)},
    )
    return contribution


def _split_in_proportion(
    amount: Decimal, remaining: list[tuple[Contribution, Decimal]]
) -> list[tuple[Contribution, Decimal]]:
    """Split ``amount`` across contributions in proportion to what is left of each, to the fen.

    Each share is rounded down; the few fen left over go to the largest share
    (spilling to the next largest only if that one has no room left), so the
    shares add up to exactly ``amount`` and none exceeds its contribution.
    """
    total = sum((left for _contribution, left in remaining), ZERO)
    shares = [(amount * left / total).quantize(CENT, rounding=ROUND_DOWN) for _c, left in remaining]
    leftover = amount - sum(shares, ZERO)
    by_size = sorted(range(len(shares)), key=lambda i: (-shares[i], remaining[i][0].pk))
    for index in by_size:
        if leftover <= 0:
            break
        room = remaining[index][1] - shares[index]
        extra = min(room, leftover)
        shares[index] += extra
        leftover -= extra
    return [
        (contribution, share)
        for (contribution, _left), share in zip(remaining, shares, strict=True)
        if share > 0
    ]


def _lock_budget(budget: PooledBudget) -> list[Contribution]:
    """Lock the budget row, then its approved contributions, always in that order.

    Every change of a budget's money takes the budget row lock first, so
    concurrent commitments, releases and withdrawals queue behind each other
    and each sees the ledger as the previous one left it.
    """
    PooledBudget.objects.select_for_update().get(pk=budget.pk)
    return list(
        Contribution.objects.select_for_update()
        .filter(budget_id=budget.pk, status=Contribution.Status.APPROVED)
        .order_by("pk")
        .prefetch_related("earmarked_categories")
    )


@transaction.atomic
def commit_funds(
    *,
    budget: PooledBudget,
    amount,
    categories: Iterable,
    tender: Tender | None = None,
    lot: Lot | None = None,
    award: Award | None = None,
    actor: User | None = None,
) -> list[Commitment]:
    """Reserve ``amount`` of the budget for an award, split across the contributions paying it.

    Only approved contributions count, and an earmarked one only when its
    earmark covers one of ``categories`` (the tender's). Each contribution
    pays in proportion to what is left of it. Refused, with the amount still
    available, when the money is not there — also when two awards race for
    it: the budget row stays locked until this transaction ends.
    """
    amount = _cents(amount, field="amount")
    if amount <= 0:
        raise ApplicationError(
            _("The amount to commit must be more than zero."),
            field_errors={"amount": [_("Enter an amount above zero.")]},
        )
    contributions = _lock_budget(budget)
    remaining = [
        (contribution, left)
        for contribution, left in selectors.remaining_by_contribution(
            contributions, list(categories)
        )
        if left > 0
    ]
    available = sum((left for _contribution, left in remaining), ZERO)
    if amount > available:
        raise ApplicationError(
            _bilingual(
                lambda: (
                    _(
                        "The pooled budget has only %(available)s available for these services, "
                        "so %(amount)s cannot be committed."
                    )
                    % {"available": _yuan(available), "amount": _yuan(amount)}
                )
            ),
            field_errors={
                "amount": [_("At most %(available)s.") % {"available": _yuan(available)}]
            },
            code="overdraw",
        )
    shares = _split_in_proportion(amount, remaining)
    rows = Commitment.objects.bulk_create(
        [
            Commitment(
                budget_id=budget.pk,
                contribution=contribution,
                tender=tender,
                lot=lot,
                award=award,
                amount=share,
                kind=Commitment.Kind.COMMITTED,
                created_by=actor,
            )
            for contribution, share in shares
        ]
    )
    record_change(
        action="budget.funds_committed",
        actor=actor,
        organization=budget.lead_agency,
        target=budget,
        details={
            "amount": str(amount),
            "tender": tender.reference if tender else None,
            "award": str(award.uuid) if award else None,
            "shares": {str(contribution.uuid): str(share) for contribution, share in shares},
        },
    )
    return rows


def _ledger_movements(**filters) -> dict[int, dict[str, Decimal]]:
    """Ledger totals per contribution and kind for the matching rows, in one query."""
    totals: dict[int, dict[str, Decimal]] = {}
    rows = (
        Commitment.objects.filter(**filters)
        .values("contribution_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        totals.setdefault(row["contribution_id"], {})[row["kind"]] = row["total"]
    return totals


@transaction.atomic
def release_funds(
    *,
    budget: PooledBudget,
    actor: User | None = None,
    award: Award | None = None,
    tender: Tender | None = None,
    lot: Lot | None = None,
) -> list[Commitment]:
    """Give back what is still committed (and not spent) for an award, a lot or a tender.

    For cancelled awards and tenders. Running it again releases nothing more.
    """
    filters = {
        name: value
        for name, value in (("award", award), ("tender", tender), ("lot", lot))
        if value is not None
    }
    if not filters:
        raise TypeError("release_funds needs an award, a lot or a tender")
    _lock_budget(budget)
    movements = _ledger_movements(budget_id=budget.pk, **filters)
    contributions = Contribution.objects.in_bulk(list(movements))
    releases = []
    for contribution_id, per_kind in sorted(movements.items()):
        still_committed = (
            per_kind.get(Commitment.Kind.COMMITTED, ZERO)
            - per_kind.get(Commitment.Kind.RELEASED, ZERO)
            - per_kind.get(Commitment.Kind.SPENT, ZERO)
        )
        if still_committed > 0:
            releases.append(
                Commitment(
                    budget_id=budget.pk,
                    contribution=contributions[contribution_id],
                    tender=tender or (award.tender if award else None),
                    lot=lot or (award.lot if award else None),
                    award=award,
                    amount=still_committed,
                    kind=Commitment.Kind.RELEASED,
                    created_by=actor,
                )
            )
    rows = Commitment.objects.bulk_create(releases)
    if rows:
        record_change(
            action="budget.funds_released",
            actor=actor,
            organization=budget.lead_agency,
            target=budget,
            details={
                "amount": str(sum((row.amount for row in rows), ZERO)),
                "award": str(award.uuid) if award else None,
                "tender": rows[0].tender.reference if rows[0].tender else None,
            },
        )
    return rows


@transaction.atomic
def spend_funds(*, award: Award, amount, actor: User | None = None) -> list[Commitment]:
    """Record a payment out of money committed for an award, split like the commitment.

    Each contribution pays its share of the payment in proportion to what it
    still has committed to the award (SPEC §5: payments are drawn from the
    pooled budget in proportion to contributions).
    """
    amount = _cents(amount, field="amount")
    if amount <= 0:
        raise ApplicationError(
            _("A payment must be more than zero."),
            field_errors={"amount": [_("Enter an amount above zero.")]},
        )
    budget = award.tender.budget
    _lock_budget(budget)
    movements = _ledger_movements(budget_id=budget.pk, award=award)
    contributions = Contribution.objects.in_bulk(list(movements))
    open_amounts = []
    for contribution_id, per_kind in sorted(movements.items()):
        left = (
            per_kind.get(Commitment.Kind.COMMITTED, ZERO)
            - per_kind.get(Commitment.Kind.RELEASED, ZERO)
            - per_kind.get(Commitment.Kind.SPENT, ZERO)
        )
        if left > 0:
            open_amounts.append((contributions[contribution_id], left))
    unpaid = sum((left for _contribution, left in open_amounts), ZERO)
    if amount > unpaid:
        raise ApplicationError(
            _bilingual(
                lambda: (
                    _(
                        "Only %(unpaid)s committed to this award is still unpaid, so %(amount)s "
                        "cannot be paid from the pooled budget."
                    )
                    % {"unpaid": _yuan(unpaid), "amount": _yuan(amount)}
                )
            ),
            code="overdraw",
        )
    rows = Commitment.objects.bulk_create(
        [
            Commitment(
                budget_id=budget.pk,
                contribution=contribution,
                tender=award.tender,
                lot=award.lot,
                award=award,
                amount=share,
                kind=Commitment.Kind.SPENT,
                created_by=actor,
            )
            for contribution, share in _split_in_proportion(amount, open_amounts)
        ]
    )
    record_change(
        action="budget.funds_spent",
        actor=actor,
        organization=budget.lead_agency,
        target=budget,
        details={"amount": str(amount), "award": str(award.uuid)},
    )
    return rows


# --- tenders: validation ----------------------------------------------------

TENDER_FIELDS = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "max_value",
    "procurement_method",
    "require_verified",
    "min_grade",
    "require_area_presence",
    "min_certified_social_workers",
    "require_valid_documents",
    "publish_at",
    "enquiry_deadline",
    "submission_deadline",
    "award_date_planned",
    "contract_start",
    "contract_end",
    "standstill_days",
)
# What an amendment may change once the tender is public. The budget, the
# lead agency and the procurement method stay as published; criteria and lots
# are fixed once bidders have started writing against them.
AMENDABLE_FIELDS = tuple(
    name for name in TENDER_FIELDS if name not in ("procurement_method", "publish_at")
) + ("categories", "areas")
CRITERION_FIELDS = ("kind", "name_zh", "name_en", "description", "weight")
LOT_FIELDS = ("title_zh", "title_en", "description_zh", "description_en", "max_value")


def _unknown_fields(values: dict, allowed: Iterable[str], what: str) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {sorted(unknown)}")


def _criteria_errors(criteria: list[dict]) -> list[str]:
    errors = []
    kinds = [criterion.get("kind") for criterion in criteria]
    unknown = sorted({str(kind) for kind in kinds if kind not in Criterion.Kind.values})
    if unknown:
        errors.append(_("Unknown kind of criterion: %(kinds)s.") % {"kinds": ", ".join(unknown)})
    if kinds.count(Criterion.Kind.PRICE) > 1:
        errors.append(_("A tender can have only one price criterion."))
    if kinds.count(Criterion.Kind.PAST_PERFORMANCE) > 1:
        errors.append(_("A tender can have only one past-performance criterion."))
    if any(not str(criterion.get("name_zh") or "").strip() for criterion in criteria):
        errors.append(_("Give each criterion a name in Chinese."))
    weights = []
    for criterion in criteria:
        try:
            weight = int(criterion.get("weight"))
        except (TypeError, ValueError):
            weight = None
        if weight is None or not 1 <= weight <= TOTAL_WEIGHT:
            errors.append(
                _("Give each criterion a weight from 1 to %(total)d.") % {"total": TOTAL_WEIGHT}
            )
            return errors
        weights.append(weight)
    if sum(weights) != TOTAL_WEIGHT:
        errors.append(
            _("The weights add up to %(sum)d; they must add up to %(total)d.")
            % {"sum": sum(weights), "total": TOTAL_WEIGHT}
        )
    return errors


def _covered_by(area, tender_areas) -> bool:
    return any(
        area.pk == tender_area.pk
        or area.code.startswith(codes.significant_prefix(tender_area.code))
        for tender_area in tender_areas
    )


def _lots_errors(lots: list[dict], tender: Tender, categories, areas) -> list[str]:
    errors = []
    total = ZERO
    category_ids = {category.pk for category in categories}
    for number, lot in enumerate(lots, start=1):
        if not str(lot.get("title_zh") or "").strip():
            errors.append(_("Give lot %(number)d a title in Chinese.") % {"number": number})
        try:
            value = Decimal(str(lot.get("max_value"))).quantize(CENT)
        except (InvalidOperation, TypeError, ValueError):
            errors.append(_("Give lot %(number)d a maximum value in yuan.") % {"number": number})
            continue
        if value <= 0:
            errors.append(
                _("Lot %(number)d needs a maximum value above zero.") % {"number": number}
            )
        total += value
        if any(category.pk not in category_ids for category in lot.get("categories") or ()):
            errors.append(
                _("Lot %(number)d can only use the tender's need categories.") % {"number": number}
            )
        if any(not _covered_by(area, areas) for area in lot.get("areas") or ()):
            errors.append(
                _("Lot %(number)d can only cover the tender's areas or areas inside them.")
                % {"number": number}
            )
    if isinstance(tender.max_value, Decimal) and total > tender.max_value:
        errors.append(
            _("The lots' maximum values add up to %(total)s, more than the tender's %(max)s.")
            % {"total": _yuan(total), "max": _yuan(tender.max_value)}
        )
    return errors


def _tender_errors(
    tender: Tender,
    *,
    categories: list,
    areas: list,
    criteria: list[dict] | None,
    lots: list[dict] | None,
    now,
) -> dict[str, list[str]]:
    """Everything wrong with a tender as it would be published, per field."""
    errors = _full_clean_errors(tender, exclude=["reference"] if not tender.reference else ())

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if tender.publish_at and tender.publish_at <= now and "publish_at" not in errors:
        add(
            "publish_at",
            _(
                "This publication time has already passed. Choose a later time, or leave it "
                "empty to publish when you press publish."
            ),
        )
    if tender.enquiry_deadline and tender.enquiry_deadline <= now:
        add("enquiry_deadline", _("This deadline for questions has already passed."))
    if tender.submission_deadline and tender.submission_deadline <= now:
        add("submission_deadline", _("This deadline for bids has already passed."))
    if not categories:
        add("categories", _("Choose at least one need category."))
    if not areas:
        add("areas", _("Choose at least one area."))
    if criteria is not None:
        for message in _criteria_errors(criteria):
            add("criteria", message)
    if lots is not None:
        for message in _lots_errors(lots, tender, categories, areas):
            add("lots", message)
    if tender.budget_id and tender.lead_agency_id:
        if tender.budget.lead_agency_id != tender.lead_agency_id:
            add("budget", _("Choose a pooled budget that your agency leads."))
        elif isinstance(tender.max_value, Decimal) and "max_value" not in errors:
            available = selectors.available_funds(tender.budget, categories)
            if tender.max_value > available:
                add(
                    "max_value",
                    _(
                        "The maximum value (%(max)s) is more than the %(available)s still "
                        "available in the pooled budget for these need categories."
                    )
                    % {"max": _yuan(tender.max_value), "available": _yuan(available)},
                )
    return errors


def _next_reference(lead_agency: Organization, year: int) -> str:
    """The next free reference of the agency's area and year, e.g. ``310115-2026-0007``."""
    prefix = lead_agency.area.code[:6] if lead_agency.area_id else "CN"
    stem = f"{prefix}-{year}-"
    # Numbers are zero-padded, so the largest reference is the last one: one row read.
    last = (
        Tender.objects.filter(reference__regex=rf"^{stem}[0-9]{{4}}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(stem) :]) if last else 0
    return f"{stem}{number + 1:04d}"


def _replace_criteria(tender: Tender, criteria: list[dict]) -> None:
    tender.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(
                tender=tender,
                kind=criterion["kind"],
                name_zh=criterion["name_zh"].strip(),
                name_en=(criterion.get("name_en") or "").strip(),
                description=criterion.get("description") or "",
                weight=int(criterion["weight"]),
                order=order,
            )
            for order, criterion in enumerate(criteria, start=1)
        ]
    )


def _replace_lots(tender: Tender, lots: list[dict] | None) -> None:
    """The lots of a draft; lot 1 covering the whole tender when none are given."""
    tender.lots.all().delete()
    if not lots:
        lots = [
            {
                "title_zh": tender.title_zh,
                "title_en": tender.title_en,
                "max_value": tender.max_value,
            }
        ]
    for number, values in enumerate(lots, start=1):
        lot = Lot.objects.create(
            tender=tender,
            number=number,
            title_zh=values["title_zh"].strip(),
            title_en=(values.get("title_en") or "").strip(),
            description_zh=values.get("description_zh") or "",
            description_en=values.get("description_en") or "",
            max_value=Decimal(str(values["max_value"])).quantize(CENT),
        )
        lot.categories.set(values.get("categories") or [])
        lot.areas.set(values.get("areas") or [])


def _check_lots_and_criteria(criteria, lots) -> tuple[list | None, list | None]:
    if criteria is not None:
        criteria = [dict(criterion) for criterion in criteria]
        for criterion in criteria:
            _unknown_fields(criterion, CRITERION_FIELDS, "criterion")
    if lots is not None:
        lots = [dict(lot) for lot in lots]
        for lot in lots:
            _unknown_fields(lot, (*LOT_FIELDS, "categories", "areas"), "lot")
    return criteria, lots


def _require_commissioner(actor: User, tender: Tender) -> None:
    if not rules.is_tender_commissioner(actor, tender):
        raise PermissionDenied(_("Only a commissioner of the lead agency can do this."))


# --- tenders: drafting, publishing, amending --------------------------------


@transaction.atomic
def create_tender(
    *,
    lead_agency: Organization,
    budget: PooledBudget,
    categories: Iterable,
    areas: Iterable,
    criteria: Iterable[dict],
    actor: User,
    lots: Iterable[dict] | None = None,
    reference: str = "",
    now=None,
    **fields,
) -> Tender:
    """A commissioner drafts a tender, with its criteria and lots (lot 1 when none are given).

    ``fields`` are the tender's own fields (``TENDER_FIELDS``); ``criteria``
    are dicts of ``kind``, ``name_zh``, ``name_en``, ``description``,
    ``weight``; ``lots`` dicts of ``LOT_FIELDS`` plus optional ``categories``
    and ``areas``. Every problem is reported at once, per field.
    """
    _unknown_fields(fields, TENDER_FIELDS, "tender")
    now = now or timezone.now()
    if lead_agency.pk not in organizations_where(actor, Role.COMMISSIONER):
        raise PermissionDenied(_("Only a commissioner of the lead agency can create its tenders."))
    categories, areas = list(categories), list(areas)
    criteria, lots = _check_lots_and_criteria(list(criteria), lots)
    if "max_value" in fields and fields["max_value"] not in (None, ""):
        fields["max_value"] = _cents(fields["max_value"], field="max_value")
    tender = Tender(
        lead_agency=lead_agency,
        budget=budget,
        reference=reference.strip(),
        created_by=actor,
        **fields,
    )
    errors = _tender_errors(
        tender, categories=categories, areas=areas, criteria=criteria, lots=lots, now=now
    )
    _raise_if(errors)
    generated = not tender.reference
    for _attempt in range(5):
        if generated:
            tender.reference = _next_reference(lead_agency, timezone.localdate(now).year)
        try:
            with transaction.atomic():
                tender.save()
            break
        except IntegrityError:
            # Another tender took the same reference meanwhile: number again.
            if not generated:
                raise ApplicationError(
                    _("Some fields need attention."),
                    field_errors={"reference": [_("This reference is already used.")]},
                ) from None
    tender.categories.set(categories)
    tender.areas.set(areas)
    _replace_criteria(tender, criteria)
    _replace_lots(tender, lots)
    record_change(
        action="tender.created",
        actor=actor,
        organization=lead_agency,
        target=tender,
        details={"reference": tender.reference, "max_value": str(tender.max_value)},
        label=tender.reference,
    )
    return tender


@transaction.atomic
def update_tender(
    *,
    tender: Tender,
    actor: User,
    categories: Iterable | None = None,
    areas: Iterable | None = None,
    criteria: Iterable[dict] | None = None,
    lots: Iterable[dict] | None = None,
    now=None,
    **fields,
) -> Tender:
    """Change a draft. Once published, changes go through ``amend_tender`` so bidders see them."""
    _unknown_fields(fields, TENDER_FIELDS, "tender")
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_commissioner(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise ApplicationError(
            _(
                "Only a draft can be edited. A published tender is changed by an amendment, "
                "so that every bidder sees what changed."
            ),
            code="not_draft",
        )
    if "max_value" in fields and fields["max_value"] not in (None, ""):
        fields["max_value"] = _cents(fields["max_value"], field="max_value")
    for name, value in fields.items():
        setattr(tender, name, value)
    changed_relations = [
        name
        for name, value in (
            ("categories", categories),
            ("areas", areas),
            ("criteria", criteria),
            ("lots", lots),
        )
        if value is not None
    ]
    categories = list(categories) if categories is not None else list(tender.categories.all())
    areas = list(areas) if areas is not None else list(tender.areas.all())
    criteria, lots = _check_lots_and_criteria(
        list(criteria) if criteria is not None else None, lots
    )
    errors = _tender_errors(
        tender,
        categories=categories,
        areas=areas,
        criteria=criteria if criteria is not None else _current_criteria(tender),
        lots=lots if lots is not None else _current_lots(tender),
        now=now,
    )
    _raise_if(errors)
    tender.save()
    tender.categories.set(categories)
    tender.areas.set(areas)
    if criteria is not None:
        _replace_criteria(tender, criteria)
    if lots is not None:
        _replace_lots(tender, lots)
    record_change(
        action="tender.updated",
        actor=actor,
        organization=tender.lead_agency,
        target=tender,
        details={"fields": sorted([*fields, *changed_relations])},
        label=tender.reference,
    )
    return tender


def _current_criteria(tender: Tender) -> list[dict]:
    return [
        {"kind": c.kind, "name_zh": c.name_zh, "weight": c.weight} for c in tender.criteria.all()
    ]


def _current_lots(tender: Tender) -> list[dict]:
    return [
        {
            "title_zh": lot.title_zh,
            "max_value": lot.max_value,
            "categories": list(lot.categories.all()),
            "areas": list(lot.areas.all()),
        }
        for lot in tender.lots.prefetch_related("categories", "areas")
    ]


def _transition(tender: Tender, to: str, *, actor: User | None, note: str = "", now=None) -> Tender:
    """Move a tender along ``TENDER_TRANSITIONS``: the one place its status changes.

    Locks the row, refuses a move the table does not allow, and leaves a
    ``TenderEvent`` and an audit entry. ``actor`` None is the system (beat).
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if to not in TENDER_TRANSITIONS[tender.status]:
        raise InvalidTransition(
            _("A tender that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Tender.Status(tender.status).label,
                "target": Tender.Status(to).label,
            }
        )
    previous = tender.status
    tender.status = to
    tender.status_changed_at = now
    tender.save(update_fields=["status", "status_changed_at", "updated_at"])
    TenderEvent.objects.create(
        tender=tender, from_status=previous, to_status=to, actor=actor, at=now, note=note
    )
    record_change(
        action=f"tender.{to}",
        actor=actor,
        organization=tender.lead_agency,
        target=tender,
        details={"from": previous, "to": to},
        label=tender.reference,
    )
    return tender


def _publish(tender: Tender, *, actor: User | None, now, note: str = "") -> Tender:
    if tender.publish_at is None or tender.publish_at > now:
        tender.publish_at = now
    tender.publish_scheduled = False
    tender.save(update_fields=["publish_at", "publish_scheduled", "updated_at"])
    tender = _transition(tender, Tender.Status.PUBLISHED, actor=actor, note=note, now=now)
    tender_id = tender.pk
    transaction.on_commit(lambda: tasks.send_tender_published_alerts.delay(tender_id))
    return tender


@transaction.atomic
def publish_tender(*, tender: Tender, actor: User, now=None) -> Tender:
    """Publish a draft now, or schedule it when its publication time is in the future.

    A scheduled tender stays a draft until beat publishes it at ``publish_at``
    (``advance_tenders``). Everything is checked again first: deadlines may
    have passed and money may have been committed since the draft was saved.
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_commissioner(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise InvalidTransition(
            _("A tender that is “%(current)s” cannot be published again.")
            % {"current": Tender.Status(tender.status).label}
        )
    scheduled = tender.publish_at is not None and tender.publish_at > now
    publish_at = tender.publish_at
    if not scheduled:
        # Publishing now: a planned time that has passed no longer matters.
        tender.publish_at = None
    errors = _tender_errors(
        tender,
        categories=list(tender.categories.all()),
        areas=list(tender.areas.all()),
        criteria=_current_criteria(tender),
        lots=_current_lots(tender),
        now=now,
    )
    tender.publish_at = publish_at
    if not tender.lots.exists():
        errors.setdefault("lots", []).append(_("Add at least one lot."))
    _raise_if(errors)
    if scheduled:
        tender.publish_scheduled = True
        tender.save(update_fields=["publish_scheduled", "updated_at"])
        record_change(
            action="tender.publication_scheduled",
            actor=actor,
            organization=tender.lead_agency,
            target=tender,
            details={"publish_at": tender.publish_at.isoformat()},
            label=tender.reference,
        )
        return tender
    return _publish(tender, actor=actor, now=now)


def _ceil_to_hour(moment):
    local = timezone.localtime(moment)
    floored = local.replace(minute=0, second=0, microsecond=0)
    return floored if floored == local else floored + timedelta(hours=1)


def _as_text(value) -> str | list[str]:
    if isinstance(value, list | tuple | set):
        return sorted(str(getattr(item, "code", item)) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


@transaction.atomic
def amend_tender(
    *,
    tender: Tender,
    summary: str,
    is_material: bool,
    new_values: dict,
    actor: User,
    summary_en: str = "",
    now=None,
) -> Amendment:
    """Publish a change to an open tender, numbered, with what changed.

    ``summary`` says what changes, in Chinese (``summary_en`` in English);
    ``new_values`` maps ``AMENDABLE_FIELDS`` to their new values.

    The deadline for bids can be extended, never shortened. A material
    amendment within ``MATERIAL_AMENDMENT_WINDOW`` of the deadline extends it
    to at least that long from now (rounded up to the hour), and every bid
    already submitted must be reconfirmed by its bidder, who is alerted.
    """
    _unknown_fields(new_values, AMENDABLE_FIELDS, "amendable tender")
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_commissioner(actor, tender)
    if tender.status not in (Tender.Status.PUBLISHED, Tender.Status.TENDERING) or (
        now >= tender.submission_deadline
    ):
        raise ApplicationError(
            _("Only a tender still open for questions or bids can be amended."),
            code="not_amendable",
        )
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Say what changes, in Chinese: bidders read it.")]
    previous_deadline = tender.submission_deadline
    values = dict(new_values)
    categories = values.pop("categories", None)
    areas = values.pop("areas", None)
    if "max_value" in values:
        values["max_value"] = _cents(values["max_value"], field="max_value")
    changes = {}
    for name, value in values.items():
        if getattr(tender, name) != value:
            changes[name] = [_as_text(getattr(tender, name)), _as_text(value)]
            setattr(tender, name, value)
    current_categories = list(tender.categories.all())
    current_areas = list(tender.areas.all())
    if categories is not None and {c.pk for c in categories} != {c.pk for c in current_categories}:
        changes["categories"] = [_as_text(current_categories), _as_text(categories)]
    if areas is not None and {a.pk for a in areas} != {a.pk for a in current_areas}:
        changes["areas"] = [_as_text(current_areas), _as_text(areas)]
    if tender.submission_deadline < previous_deadline:
        errors.setdefault("submission_deadline", []).append(
            _("The deadline for bids can be extended but not brought forward.")
        )
    if "enquiry_deadline" in changes and tender.status != Tender.Status.PUBLISHED:
        errors.setdefault("enquiry_deadline", []).append(
            _("The question period has closed; its deadline can no longer change.")
        )
    if is_material and tender.submission_deadline - now < MATERIAL_AMENDMENT_WINDOW:
        tender.submission_deadline = _ceil_to_hour(now + MATERIAL_AMENDMENT_WINDOW)
        changes["submission_deadline"] = [
            _as_text(previous_deadline),
            _as_text(tender.submission_deadline),
        ]
    model_errors = _full_clean_errors(tender)
    for name, messages in model_errors.items():
        errors.setdefault(name, []).extend(messages)
    if "enquiry_deadline" in changes and tender.enquiry_deadline <= now:
        errors.setdefault("enquiry_deadline", []).append(
            _("This deadline for questions has already passed.")
        )
    if categories is not None and not categories:
        errors.setdefault("categories", []).append(_("Choose at least one need category."))
    if areas is not None and not areas:
        errors.setdefault("areas", []).append(_("Choose at least one area."))
    if "max_value" in changes and "max_value" not in errors:
        available = selectors.available_funds(
            tender.budget, categories if categories is not None else current_categories
        )
        if tender.max_value > available:
            errors["max_value"] = [
                _(
                    "The maximum value (%(max)s) is more than the %(available)s still "
                    "available in the pooled budget for these need categories."
                )
                % {"max": _yuan(tender.max_value), "available": _yuan(available)}
            ]
    if not changes and not errors:
        errors["new_values"] = [_("Nothing changes: give at least one new value.")]
    _raise_if(errors)
    tender.save()
    if categories is not None:
        tender.categories.set(categories)
    if areas is not None:
        tender.areas.set(areas)
    number = (tender.amendments.aggregate(last=Max("number"))["last"] or 0) + 1
    amendment = Amendment.objects.create(
        tender=tender,
        number=number,
        summary_zh=summary.strip(),
        summary_en=(summary_en or "").strip(),
        is_material=is_material,
        changes=changes,
        previous_submission_deadline=previous_deadline,
        new_submission_deadline=tender.submission_deadline,
        created_by=actor,
    )
    reconfirm = []
    if is_material:
        reconfirm = _ask_bidders_to_reconfirm(tender, amendment)
    record_change(
        action="tender.amended",
        actor=actor,
        organization=tender.lead_agency,
        target=tender,
        details={
            "number": number,
            "material": is_material,
            "fields": sorted(changes),
            "bids_to_reconfirm": len(reconfirm),
        },
        label=tender.reference,
    )
    return amendment


def _ask_bidders_to_reconfirm(tender: Tender, amendment: Amendment) -> list[int]:
    """Submitted bids → needs reconfirmation, and an alert to each bidder's people."""
    # Drafts and withdrawn bids have nothing to reconfirm: the table says which move.
    reconfirmable = [
        status
        for status, targets in BID_TRANSITIONS.items()
        if Bid.Status.NEEDS_RECONFIRMATION in targets
    ]
    bids = list(
        Bid.objects.select_for_update()
        .filter(tender=tender, status__in=reconfirmable)
        .values_list("pk", "provider__organization_id")
    )
    if not bids:
        return []
    Bid.objects.filter(pk__in=[pk for pk, _org in bids]).update(
        status=Bid.Status.NEEDS_RECONFIRMATION, updated_at=timezone.now()
    )
    deadline = timezone.localtime(tender.submission_deadline)
    _alert_users(
        users=[user for _org, user in selectors.provider_users({org for _pk, org in bids})],
        tender=tender,
        kind=Alert.Kind.BID_RECONFIRMATION,
        key=f"amendment-{amendment.number}",
        render=lambda: (
            _(
                "Tender %(reference)s was amended (amendment %(number)d) in a way that may "
                "change your bid. Check it and reconfirm your bid before %(deadline)s."
            )
            % {
                "reference": tender.reference,
                "number": amendment.number,
                "deadline": moment_text(deadline),
            }
        ),
    )
    return [pk for pk, _org in bids]


def moment_text(moment) -> str:
    """A date and time with its time zone, as deadlines are always shown to bidders."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return (
        f"{local:%Y-%m-%d %H:%M} ({timezone.get_current_timezone_name()}, "
        f"UTC{offset[:3]}:{offset[3:]})"
    )


# --- tenders: documents -----------------------------------------------------

# Tender documents are specifications and forms, public once the tender is.
TENDER_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_STATES = (Tender.Status.DRAFT, Tender.Status.PUBLISHED, Tender.Status.TENDERING)


@transaction.atomic
def add_tender_document(
    *, tender: Tender, title: str, uploaded_file, actor: User
) -> TenderDocument:
    """Attach a document (PDF or image, checked by its content) to a draft or open tender.

    Once published the document is public at once: documents of a published
    tender are added, never removed, so what bidders read stays on record.
    """
    from providers.services import sniff_document_type

    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_commissioner(actor, tender)
    if tender.status not in DOCUMENT_STATES:
        raise ApplicationError(
            _("Documents can be added only while the tender is a draft or open."),
            code="closed",
        )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the document a title.")]
    if uploaded_file.size > TENDER_DOCUMENT_MAX_BYTES:
        errors["file"] = [
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {
                "size": uploaded_file.size / 1_048_576,
                "limit": TENDER_DOCUMENT_MAX_BYTES / 1_048_576,
            }
        ]
    else:
        uploaded_file.seek(0)
        if sniff_document_type(uploaded_file.read(16)) is None:
            errors["file"] = [_("Only PDF, PNG or JPEG files are accepted.")]
        uploaded_file.seek(0)
    _raise_if(errors)
    document = TenderDocument(tender=tender, title=title, uploaded_by=actor)
    document.file.save(uploaded_file.name or "document", uploaded_file, save=False)
    document.save()
    record_change(
        action="tender.document_added",
        actor=actor,
        organization=tender.lead_agency,
        target=document,
        details={"tender": tender.reference, "title": title},
        label=tender.reference,
    )
    return document


@transaction.atomic
def remove_tender_document(*, document: TenderDocument, actor: User) -> None:
    """Remove a document from a draft; a published tender's documents stay on record."""
    tender = Tender.objects.select_for_update().get(pk=document.tender_id)
    _require_commissioner(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise ApplicationError(
            _("Documents of a published tender stay on record. Publish a corrected one instead."),
            code="published",
        )
    record_change(
        action="tender.document_removed",
        actor=actor,
        organization=tender.lead_agency,
        target=document,
        details={"tender": tender.reference, "title": document.title},
        label=tender.reference,
    )
    stored_name, storage = document.file.name, document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))


# --- tenders: ending --------------------------------------------------------


def _close(tender: Tender, to: str, *, reason: str, actor: User | None, now=None) -> Tender:
    """Cancel a tender or close it unsuccessful, with the reason published.

    Awards not yet confirmed are cancelled with it and the money committed for
    them goes back to the budget; a confirmed award has its contract and keeps it.
    """
    now = now or timezone.now()
    tender = _transition(tender, to, actor=actor, note=reason, now=now)
    tender.cancellation_reason = reason
    tender.publish_scheduled = False
    tender.save(update_fields=["cancellation_reason", "publish_scheduled", "updated_at"])
    cancellable = [
        status for status, targets in AWARD_TRANSITIONS.items() if Award.Status.CANCELLED in targets
    ]
    for award in Award.objects.select_for_update().filter(tender=tender, status__in=cancellable):
        award.status = Award.Status.CANCELLED
        award.cancelled_at = now
        award.cancellation_reason = reason
        award.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
        release_funds(budget=tender.budget, award=award, actor=actor)
    return tender


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason: it is published with the notice and bidders read it."),
            field_errors={"reason": [_("This field is required.")]},
        )
    return reason


@transaction.atomic
def cancel_tender(*, tender: Tender, reason: str, actor: User) -> Tender:
    """Cancel a draft or open tender, with a reason that is published."""
    _require_commissioner(actor, tender)
    return _close(tender, Tender.Status.CANCELLED, reason=_required_reason(reason), actor=actor)


@transaction.atomic
def mark_unsuccessful(*, tender: Tender, reason: str, actor: User) -> Tender:
    """Close an open tender without an award (no suitable bid), with a reason that is published."""
    _require_commissioner(actor, tender)
    return _close(tender, Tender.Status.UNSUCCESSFUL, reason=_required_reason(reason), actor=actor)


# --- timed transitions (beat) -----------------------------------------------


def advance_tenders(*, now=None) -> int:
    """Make every timed move that is due, however long beat was away; returns how many.

    - a scheduled draft whose publication time has come is published;
    - a published tender whose deadline for questions has passed opens for
      bids (``tendering``) — unless questions are still unanswered: then it
      stays published and its commissioners are alerted, once;
    - a tender open for bids whose deadline has passed goes to evaluation, or
      is closed unsuccessful when no bid was submitted;
    - an awarded tender whose standstill has ended is complete (its awards
      confirmed) — unless a complaint is still open: then it stays awarded and
      its commissioners are alerted, once.

    A tender whose deadlines all passed during downtime walks through every
    step in one run. Each tender moves in its own transaction under a row
    lock, so a second run (or two running at once) finds nothing left to do.
    """
    now = now or timezone.now()
    moves = 0
    for tender_id in list(selectors.tenders_due(now).values_list("pk", flat=True)):
        moves += _advance_tender(tender_id, now)
    return moves


@transaction.atomic
def _advance_tender(tender_id: int, now) -> int:
    tender = Tender.objects.select_for_update().filter(pk=tender_id).first()
    moves = 0
    while tender is not None:
        tender = _next_timed_step(tender, now)
        if tender is not None:
            moves += 1
    return moves


def _next_timed_step(tender: Tender, now) -> Tender | None:
    """Take the next due step and return the moved tender, or None when nothing is due."""
    status = tender.status
    if status == Tender.Status.DRAFT and tender.publish_scheduled and tender.publish_at <= now:
        note = _bilingual(lambda: _("Published at the scheduled time."))
        return _publish(tender, actor=None, now=now, note=note)
    if status == Tender.Status.PUBLISHED and tender.enquiry_deadline <= now:
        if selectors.unanswered_questions(tender).exists():
            _alert_commissioners_of_unanswered_questions(tender)
            return None
        return _transition(tender, Tender.Status.TENDERING, actor=None, now=now)
    if status == Tender.Status.TENDERING and tender.submission_deadline <= now:
        if Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).exists():
            return _transition(tender, Tender.Status.EVALUATION, actor=None, now=now)
        reason = _bilingual(lambda: _("No bids were submitted by the deadline."))
        return _close(tender, Tender.Status.UNSUCCESSFUL, reason=reason, actor=None, now=now)
    if (
        status == Tender.Status.AWARDED
        and tender.standstill_ends_at is not None
        and tender.standstill_ends_at <= now
    ):
        # An open complaint blocks completion (issue #4): the tender waits.
        if selectors.open_complaints(tender).exists():
            _note_completion_blocked(tender)
            return None
        return _complete(tender, now=now)
    return None


def _alert_commissioners_of_unanswered_questions(tender: Tender) -> None:
    # Questions must all be answered before the enquiry period closes (issue
    # #4): the tender waits in "published" and its commissioners hear once.
    _alert_users(
        users=list(selectors.agency_users(tender.lead_agency_id, Role.COMMISSIONER)),
        tender=tender,
        kind=Alert.Kind.UNANSWERED_QUESTIONS,
        url=reverse("marketplace:tender_questions", args=[tender.uuid]),
        render=lambda: (
            _(
                "The deadline for questions on tender %(reference)s has passed, but some "
                "questions are unanswered. The question period stays open until every question "
                "is answered."
            )
            % {"reference": tender.reference}
        ),
    )


# --- clarifications ---------------------------------------------------------


@transaction.atomic
def ask_question(*, tender: Tender, question: str, actor: User, now=None) -> Clarification:
    """A provider asks about a tender while its question period is open.

    Who asked stays hidden from other bidders (``selectors.clarifications_for``).
    """
    from providers.models import Provider
    from providers.selectors import provider_of

    now = now or timezone.now()
    provider = provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("Only people of a registered provider can ask questions."))
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(
            _("A debarred provider cannot take part in tenders."), code="debarred"
        )
    tender = Tender.objects.get(pk=tender.pk)
    if tender.status not in (Tender.Status.PUBLISHED, Tender.Status.TENDERING):
        raise ApplicationError(_("This tender is not open for questions."), code="enquiries_closed")
    if not tender.enquiries_open(now):
        raise ApplicationError(
            _("Questions about this tender closed on %(deadline)s.")
            % {"deadline": moment_text(tender.enquiry_deadline)},
            code="enquiries_closed",
        )
    question = (question or "").strip()
    if not question:
        raise ApplicationError(
            _("Some fields need attention."), field_errors={"question": [_("Write your question.")]}
        )
    if len(question) > MAX_QUESTION_LENGTH:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "question": [
                    _("Keep the question under %(limit)d characters.")
                    % {"limit": MAX_QUESTION_LENGTH}
                ]
            },
        )
    clarification = Clarification.objects.create(
        tender=tender,
        asked_by_organization=provider.organization,
        asked_by=actor,
        question=question,
        asked_at=now,
    )
    record_change(
        action="tender.question_asked",
        actor=actor,
        organization=provider.organization,
        target=clarification,
        details={"tender": tender.reference},
    )
    return clarification


@transaction.atomic
def answer_question(*, clarification: Clarification, answer: str, actor: User, now=None):
    """The lead agency answers a question; the answer is published at once.

    Every provider that bid on the tender or asked about it is alerted. The
    asker is not named in the answer or the alert.
    """
    now = now or timezone.now()
    clarification = (
        Clarification.objects.select_for_update().select_related("tender").get(pk=clarification.pk)
    )
    tender = clarification.tender
    _require_commissioner(actor, tender)
    if tender.status not in (Tender.Status.PUBLISHED, Tender.Status.TENDERING):
        raise ApplicationError(
            _("Questions can be answered only while the tender is open."), code="closed"
        )
    if clarification.is_answered:
        raise ApplicationError(
            _("This question is already answered. Publish a correction as an amendment."),
            code="answered",
        )
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(
            _("Some fields need attention."), field_errors={"answer": [_("Write the answer.")]}
        )
    clarification.answer = answer
    clarification.answered_by = actor
    clarification.answered_at = now
    clarification.published = True
    clarification.save(update_fields=["answer", "answered_by", "answered_at", "published"])
    record_change(
        action="tender.question_answered",
        actor=actor,
        organization=tender.lead_agency,
        target=clarification,
        details={"tender": tender.reference},
    )
    organizations = selectors.interested_organizations(tender)
    _alert_users(
        users=[user for _org, user in selectors.provider_users(organizations)],
        tender=tender,
        kind=Alert.Kind.CLARIFICATION_ANSWERED,
        key=clarification.uuid.hex,
        render=lambda: (
            _("A question about tender %(reference)s has been answered.")
            % {"reference": tender.reference}
        ),
    )
    return clarification


# --- alerts -----------------------------------------------------------------


def tender_url(tender: Tender) -> str:
    """The public page of a tender (under /tenders/, SPEC §6)."""
    try:
        return reverse("marketplace:tender_detail", kwargs={"uuid": tender.uuid})
    except NoReverseMatch:
        return f"/tenders/{tender.uuid}/"


def _alert_users(
    *,
    users: Iterable[User],
    tender: Tender,
    kind: str,
    render: Callable[[], str],
    key: str = "",
    url: str = "",
) -> list[User]:
    """Create the alert for each user who does not have it yet; return those newly alerted.

    The unique constraint makes a second run a no-op even when two runs race;
    callers that also e-mail hold the tender's row lock, so they e-mail once.
    The alert links to ``url``, or to the tender's public page.
    """
    users = {user.pk: user for user in users}
    if not users:
        return []
    already = set(
        Alert.objects.filter(
            tender=tender, kind=kind, key=key, recipient_id__in=list(users)
        ).values_list("recipient_id", flat=True)
    )
    new = [user for pk, user in users.items() if pk not in already]
    message_zh, message_en = _in_languages(render)
    Alert.objects.bulk_create(
        [
            Alert(
                recipient=user,
                tender=tender,
                kind=kind,
                key=key,
                message_zh=message_zh,
                message_en=message_en,
                url=url or tender_url(tender),
            )
            for user in new
        ],
        ignore_conflicts=True,
    )
    return new


def mark_alerts_read(*, user: User, alert_ids: Iterable[int] | None = None, now=None) -> int:
    """Mark the user's unread alerts read: those of ``alert_ids``, or all of them.

    Returns how many were marked. Only the user's own alerts are touched, and one
    already read keeps the moment it was first read.
    """
    alerts = Alert.objects.filter(recipient=user, read_at=None)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=list(alert_ids))
    return alerts.update(read_at=now or timezone.now())


@transaction.atomic
def alert_matching_providers(*, tender: Tender, now=None) -> int:
    """Alert the people of every provider whose services match a newly published tender.

    In-app alerts now; one e-mail per newly alerted provider after commit.
    Returns how many people were alerted. Idempotent: a provider alerted
    before is neither alerted nor e-mailed again.
    """
    tender = Tender.objects.select_for_update().filter(pk=tender.pk).first()
    if tender is None or tender.status not in (Tender.Status.PUBLISHED, Tender.Status.TENDERING):
        return 0
    organizations = [
        provider.organization_id for provider in selectors.providers_to_alert(tender, now)
    ]
    people = selectors.provider_users(organizations)
    new = _alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=Alert.Kind.TENDER_PUBLISHED,
        render=lambda: (
            _(
                "New tender %(reference)s matches your services: %(title)s. Bids close on "
                "%(deadline)s."
            )
            % {
                "reference": tender.reference,
                "title": tender.title,
                "deadline": moment_text(tender.submission_deadline),
            }
        ),
    )
    _email_after_commit(tender, people, new, Alert.Kind.TENDER_PUBLISHED)
    return len(new)


def _email_after_commit(tender: Tender, people, new_users, kind: str) -> None:
    """Queue one e-mail per organization that has newly alerted people, after commit."""
    new_ids = {user.pk for user in new_users}
    organizations = sorted({org for org, user in people if user.pk in new_ids})
    tender_id = tender.pk
    for organization_id in organizations:
        transaction.on_commit(
            lambda org=organization_id: tasks.send_tender_email.delay(tender_id, org, kind)
        )


def remind_draft_bidders(*, now=None) -> int:
    """Remind providers holding an unfinished bid that a deadline is 48 hours away or less.

    Before the deadline for questions: providers with a draft bid. Before the
    deadline for bids: providers with a draft bid or one awaiting
    reconfirmation. Each person is reminded once per deadline (the alert's
    unique constraint), however often beat runs. Returns how many were alerted.
    """
    now = now or timezone.now()
    soon = now + REMINDER_BEFORE
    enquiry_soon = Tender.objects.filter(
        status=Tender.Status.PUBLISHED, enquiry_deadline__gt=now, enquiry_deadline__lte=soon
    ).values_list("pk", flat=True)
    submission_soon = Tender.objects.filter(
        status__in=(Tender.Status.PUBLISHED, Tender.Status.TENDERING),
        submission_deadline__gt=now,
        submission_deadline__lte=soon,
    ).values_list("pk", flat=True)
    alerted = 0
    for tender_id in list(enquiry_soon):
        alerted += _remind(tender_id, kind=Alert.Kind.ENQUIRY_DEADLINE_SOON)
    for tender_id in list(submission_soon):
        alerted += _remind(tender_id, kind=Alert.Kind.SUBMISSION_DEADLINE_SOON)
    return alerted


@transaction.atomic
def _remind(tender_id: int, *, kind: str) -> int:
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    if kind == Alert.Kind.ENQUIRY_DEADLINE_SOON:
        deadline = tender.enquiry_deadline
        statuses = (Bid.Status.DRAFT,)

        def render():
            return _(
                "Questions about tender %(reference)s close on %(deadline)s. Your bid is "
                "still a draft."
            ) % {"reference": tender.reference, "deadline": moment_text(deadline)}

    else:
        deadline = tender.submission_deadline
        statuses = (Bid.Status.DRAFT, Bid.Status.NEEDS_RECONFIRMATION)

        def render():
            return _(
                "Bids for tender %(reference)s close on %(deadline)s. Your bid is not "
                "submitted yet, and late bids are refused."
            ) % {"reference": tender.reference, "deadline": moment_text(deadline)}

    people = selectors.provider_users(selectors.bidders_with_bids_in(tender, statuses))
    # The deadline is part of the key: when an amendment moves it, a new reminder is due.
    new = _alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=kind,
        key=timezone.localtime(deadline).strftime("%Y%m%dT%H%M"),
        render=render,
    )
    _email_after_commit(tender, people, new, kind)
    return len(new)


# --- bids -------------------------------------------------------------------
#
# A bid is sealed until the submission deadline (``Tender.bids_are_sealed``):
# audit entries about bids name the tender, lot, bid and which fields changed,
# never the price, a response, an attachment's title or file — the audit log
# is read by supervisors and administrators, who must not learn them early.

MAX_RESPONSE_LENGTH = 20000
BID_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_BID_ATTACHMENTS = 20
MAX_COMPLAINT_LENGTH = 8000


def _require_bidder(user: User, provider) -> None:
    if provider.organization_id not in organizations_where(user, *rules.PROVIDER_ROLES):
        raise PermissionDenied(_("Only people of the bidding provider can do this."))


def _require_open_for_bids(tender: Tender, now) -> None:
    """Late bids are refused by server time, whatever a page or client believed."""
    if tender.accepts_bids(now):
        return
    if tender.status in (Tender.Status.PUBLISHED, Tender.Status.TENDERING):
        raise ApplicationError(
            _("The deadline for bids passed on %(deadline)s. Late bids are refused.")
            % {"deadline": moment_text(tender.submission_deadline)},
            code="late",
        )
    raise ApplicationError(_("This tender is not open for bids."), code="closed")


def _move_bid(bid: Bid, to: str) -> None:
    if to not in BID_TRANSITIONS.get(bid.status, set()):
        raise InvalidTransition(
            _("A bid that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Bid.Status(bid.status).label, "target": Bid.Status(to).label}
        )
    bid.status = to


def _lock_bid(bid: Bid) -> Bid:
    return (
        Bid.objects.select_for_update(of=("self",))
        .select_related("tender", "lot", "provider__organization")
        .get(pk=bid.pk)
    )


def _bid_audit(bid: Bid, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=bid.provider.organization,
        target=bid,
        details={"tender": bid.tender.reference, "lot": bid.lot.number, **details},
        label=bid.tender.reference,
    )


def _make_editable(bid: Bid) -> None:
    """A bid being changed is a draft: a withdrawn one is revived, one awaiting
    reconfirmation is taken back; a submitted one must be reopened first."""
    if bid.status == Bid.Status.SUBMITTED:
        raise ApplicationError(
            _(
                "This bid is submitted. Reopen it to change it, then submit it again before "
                "the deadline."
            ),
            code="submitted",
        )
    if bid.status != Bid.Status.DRAFT:
        _move_bid(bid, Bid.Status.DRAFT)
        bid.submitted_at = None


def _response_errors(tender: Tender, responses: dict) -> tuple[dict, list[str]]:
    """(criterion → text, errors) for responses keyed by criterion id."""
    criteria = {c.pk: c for c in tender.criteria.all() if c.is_scored_by_panel}
    cleaned, errors = {}, []
    for key, text in responses.items():
        try:
            criterion = criteria.get(int(getattr(key, "pk", key)))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None:
            errors.append(_("Respond only to the criteria the panel scores."))
            continue
        text = (text or "").strip()
        if len(text) > MAX_RESPONSE_LENGTH:
            errors.append(
                _("Keep the response to “%(criterion)s” under %(limit)d characters.")
                % {"criterion": criterion.name, "limit": MAX_RESPONSE_LENGTH}
            )
        cleaned[criterion] = text
    return cleaned, errors


@transaction.atomic
def save_bid_draft(
    *,
    lot: Lot,
    provider,
    user: User,
    price,
    responses: dict | None = None,
    now=None,
) -> Bid:
    """Start or change the provider's bid on a lot, as a draft, before the deadline.

    ``price`` in yuan (None or "" leaves it empty); ``responses`` maps a
    criterion (or its id) the panel scores to the proposal's text — an empty
    text removes it, criteria left out keep theirs. A withdrawn bid or one
    awaiting reconfirmation becomes a draft again; a submitted one must be
    reopened first (``reopen_bid``). Nothing is checked for eligibility here:
    ``submit_bid`` does that.
    """
    from providers.models import Provider

    now = now or timezone.now()
    _require_bidder(user, provider)
    tender = Tender.objects.get(pk=lot.tender_id)
    _require_open_for_bids(tender, now)
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(
            _("A debarred provider cannot take part in tenders."), code="debarred"
        )
    bid = Bid.objects.select_for_update(of=("self",)).filter(lot=lot, provider=provider).first()
    created = bid is None
    if created:
        bid = Bid(tender=tender, lot=lot, provider=provider, created_by=user)
    else:
        _make_editable(bid)
    errors: dict[str, list[str]] = {}
    if price in (None, ""):
        bid.price = None
    else:
        price = _cents(price, field="price")
        if price <= 0:
            errors["price"] = [_("Enter a price above zero.")]
        elif price > lot.max_value:
            errors["price"] = [
                _("At most the lot's maximum value, %(max)s.") % {"max": _yuan(lot.max_value)}
            ]
        bid.price = price
    cleaned, response_errors = _response_errors(tender, responses or {})
    if response_errors:
        errors["responses"] = response_errors
    _raise_if(errors)
    bid.save()
    for criterion, text in cleaned.items():
        if text:
            BidResponse.objects.update_or_create(
                bid=bid, criterion=criterion, defaults={"text": text}
            )
        else:
            BidResponse.objects.filter(bid=bid, criterion=criterion).delete()
    # Which fields were written, never their values: the bid is sealed.
    fields = ["price", "responses"] if cleaned else ["price"]
    _bid_audit(bid, "bid.started" if created else "bid.draft_saved", user, fields=fields)
    return bid


def sniff_attachment_type(uploaded_file) -> str | None:
    from providers.services import sniff_document_type

    uploaded_file.seek(0)
    content_type = sniff_document_type(uploaded_file.read(16))
    uploaded_file.seek(0)
    return content_type


@transaction.atomic
def add_bid_attachment(
    *, bid: Bid, user: User, title: str, uploaded_file, now=None
) -> BidAttachment:
    """Attach a PDF or image (checked by its content, not its name) to a draft bid.

    Stored in private storage under a name that cannot be guessed; served to
    whoever ``selectors.can_view_bid_content`` allows, never from a public URL.
    """
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _make_editable(bid)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the attachment a title.")]
    if bid.attachments.count() >= MAX_BID_ATTACHMENTS:
        errors["file"] = [
            _("A bid can have at most %(limit)d attachments.") % {"limit": MAX_BID_ATTACHMENTS}
        ]
    elif uploaded_file.size > BID_ATTACHMENT_MAX_BYTES:
        errors["file"] = [
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {
                "size": uploaded_file.size / 1_048_576,
                "limit": BID_ATTACHMENT_MAX_BYTES / 1_048_576,
            }
        ]
    content_type = None
    if "file" not in errors:
        content_type = sniff_attachment_type(uploaded_file)
        if content_type is None:
            errors["file"] = [
                _("Only PDF, PNG or JPEG files are accepted, whatever the file name says.")
            ]
    _raise_if(errors)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    bid.save()
    attachment = BidAttachment(
        bid=bid,
        title=title,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    _bid_audit(bid, "bid.attachment_added", user, content_type=content_type)
    return attachment


@transaction.atomic
def remove_bid_attachment(*, attachment: BidAttachment, user: User, now=None) -> None:
    """Remove an attachment from a draft bid before the deadline."""
    now = now or timezone.now()
    bid = _lock_bid(attachment.bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _make_editable(bid)
    bid.save()
    stored_name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
    _bid_audit(bid, "bid.attachment_removed", user)


def _submit(*, bid: Bid, user: User, now, reconfirming: bool) -> Bid:
    with transaction.atomic():
        bid = _lock_bid(bid)
        _require_bidder(user, bid.provider)
        _require_open_for_bids(bid.tender, now)
        if reconfirming and bid.status != Bid.Status.NEEDS_RECONFIRMATION:
            raise InvalidTransition(_("Only a bid awaiting reconfirmation can be reconfirmed."))
        if Bid.Status.SUBMITTED not in BID_TRANSITIONS.get(bid.status, set()):
            _move_bid(bid, Bid.Status.SUBMITTED)  # raises with the reason
        report = selectors.eligibility_report(bid, now)
        bid.eligibility_report = report
        if report:
            # Kept, so the bidder sees every reason on the bid's page.
            bid.save(update_fields=["eligibility_report", "updated_at"])
            _bid_audit(
                bid,
                "bid.submission_refused",
                user,
                reasons=[problem["code"] for problem in report],
            )
        else:
            _move_bid(bid, Bid.Status.SUBMITTED)
            bid.submitted_at = now
            if reconfirming:
                bid.reconfirmed_at = now
            bid.save()
            _bid_audit(bid, "bid.reconfirmed" if reconfirming else "bid.submitted", user)
    if report:
        raise ApplicationError(
            _("This bid cannot be submitted yet. Put right what is listed and submit again."),
            field_errors={"eligibility": selectors.eligibility_messages(report)},
            code="ineligible",
        )
    return bid


def submit_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Submit a draft bid, by server time before the deadline, if eligible.

    Eligibility is checked now (``selectors.eligibility_report``): when
    anything is wrong the bid stays a draft, every reason is kept on it
    (``eligibility_report``) and the refusal lists them all.
    """
    return _submit(bid=bid, user=user, now=now or timezone.now(), reconfirming=False)


def reconfirm_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Confirm a bid as it stands after a material amendment (checked again like a submission)."""
    return _submit(bid=bid, user=user, now=now or timezone.now(), reconfirming=True)


@transaction.atomic
def reopen_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Take a submitted bid back to draft to change it; it must be submitted again in time."""
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _move_bid(bid, Bid.Status.DRAFT)
    bid.submitted_at = None
    bid.save()
    _bid_audit(bid, "bid.reopened", user)
    return bid


@transaction.atomic
def withdraw_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Withdraw a bid before the deadline; it can be revived as a draft while bids are open."""
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _move_bid(bid, Bid.Status.WITHDRAWN)
    bid.withdrawn_at = now
    bid.submitted_at = None
    bid.save()
    _bid_audit(bid, "bid.withdrawn", user)
    return bid


# --- evaluation -------------------------------------------------------------


def _catch_up(tender: Tender, now) -> Tender:
    """Take a tender past its submission deadline if beat has not yet (same step as beat)."""
    if tender.status == Tender.Status.TENDERING and tender.submission_deadline <= now:
        _advance_tender(tender.pk, now)
    return Tender.objects.select_related("lead_agency", "budget").get(pk=tender.pk)


def _require_evaluation(tender: Tender, now) -> Tender:
    tender = _catch_up(tender, now)
    if tender.bids_are_sealed(now):
        raise ApplicationError(
            _("Bids stay sealed until %(deadline)s.")
            % {"deadline": moment_text(tender.submission_deadline)},
            code="sealed",
        )
    if tender.status != Tender.Status.EVALUATION:
        raise ApplicationError(
            _("This tender is “%(status)s”, not under evaluation.")
            % {"status": Tender.Status(tender.status).label},
            code="not_in_evaluation",
        )
    return tender


def _lock_panel(panel: Panel) -> Panel:
    return (
        Panel.objects.select_for_update(of=("self",))
        .select_related("tender", "chair")
        .get(pk=panel.pk)
    )


def _panel_audit(panel: Panel, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=panel.tender.lead_agency,
        target=panel.tender,
        details=details,
        label=panel.tender.reference,
    )


@transaction.atomic
def set_panel(*, tender: Tender, chair: User, members: Iterable[User], actor: User) -> Panel:
    """Name (or change) the evaluation panel of a tender: a chair and members, all agency users.

    The chair is a member too: they declare conflicts and score like everyone
    else. Members may come from partner agencies (joint commissioning). The
    panel can change until moderation is locked, but a member who has
    submitted scores stays on it.
    """
    from accounts.rules import is_agency_user

    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require_commissioner(actor, tender)
    if tender.status not in (
        Tender.Status.PUBLISHED,
        Tender.Status.TENDERING,
        Tender.Status.EVALUATION,
    ):
        raise ApplicationError(
            _("A panel is named while the tender is open or under evaluation."), code="closed"
        )
    people = {user.pk: user for user in [chair, *members]}
    errors: dict[str, list[str]] = {}
    outsiders = [user for user in people.values() if not (user.is_active and is_agency_user(user))]
    if outsiders:
        errors["members"] = [
            _("Only active agency users can sit on a panel: %(names)s.")
            % {"names": ", ".join(str(user) for user in outsiders)}
        ]
    panel = Panel.objects.select_for_update().filter(tender=tender).first()
    if panel is not None and panel.quality_locked_at is not None:
        raise ApplicationError(
            _("Moderation is locked: the panel can no longer change."), code="locked"
        )
    if panel is not None:
        scored = set(
            Score.objects.filter(member__panel=panel, submitted_at__isnull=False).values_list(
                "member__user_id", flat=True
            )
        )
        staying = scored - set(people)
        if staying:
            errors.setdefault("members", []).append(
                _("Members who have submitted scores stay on the panel.")
            )
    _raise_if(errors)
    if panel is None:
        panel = Panel.objects.create(tender=tender, chair=chair, created_by=actor)
    elif panel.chair_id != chair.pk:
        panel.chair = chair
        panel.save(update_fields=["chair"])
    PanelMember.objects.filter(panel=panel).exclude(user_id__in=list(people)).delete()
    existing = set(panel.members.values_list("user_id", flat=True))
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, user=user) for pk, user in people.items() if pk not in existing]
    )
    rules.forget_panel_membership(actor)
    _panel_audit(
        panel, "panel.named", actor, chair=chair.pk, members=sorted(people), tender=tender.reference
    )
    return panel


@transaction.atomic
def declare_conflict(
    *, member: PanelMember, has_conflict: bool, note: str = "", user: User | None = None, now=None
) -> PanelMember:
    """A member declares, before seeing any bid, whether they have a conflict of interest.

    Only then are the bids shown to them — and never if they have one. A
    member who finds a conflict later may still declare it: from then on they
    see no bid and their scores no longer count (they stay on record).
    """
    now = now or timezone.now()
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel__tender__lead_agency", "user")
        .get(pk=member.pk)
    )
    if user is not None and user.pk != member.user_id:
        raise PermissionDenied(_("Members declare their conflicts of interest themselves."))
    if member.panel.quality_locked_at is not None:
        raise ApplicationError(_("Moderation is locked."), code="locked")
    if member.conflict_declared_at is not None and (member.has_conflict or not has_conflict):
        raise ApplicationError(
            _("You have already declared. A conflict found later can still be declared."),
            code="declared",
        )
    note = (note or "").strip()
    if has_conflict and not note:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={"note": [_("Say what the conflict is, so the chair can act on it.")]},
        )
    member.has_conflict = bool(has_conflict)
    member.conflict_note = note
    member.conflict_declared_at = now
    member.save(update_fields=["has_conflict", "conflict_note", "conflict_declared_at"])
    rules.forget_panel_membership(member.user)
    if user is not None:
        rules.forget_panel_membership(user)
    _panel_audit(
        member.panel,
        "panel.conflict_declared",
        member.user,
        tender=member.panel.tender.reference,
        has_conflict=member.has_conflict,
    )
    return member


def _score_value(value, *, field: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        score = None
    if (
        score is None
        or not score.is_finite()
        or not SCORE_MIN <= score <= SCORE_MAX
        or score != score.quantize(CENT)
    ):
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                field: [
                    _("Give a score from %(min)s to %(max)s, at most two decimals.")
                    % {"min": SCORE_MIN, "max": SCORE_MAX}
                ]
            },
        )
    return score


def _scoring_member(member: PanelMember, now) -> tuple[PanelMember, Tender]:
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel__tender", "user")
        .get(pk=member.pk)
    )
    tender = _require_evaluation(member.panel.tender, now)
    if member.conflict_declared_at is None:
        raise ApplicationError(
            _("Declare whether you have a conflict of interest before scoring."),
            code="undeclared",
        )
    if member.has_conflict:
        raise PermissionDenied(_("A member with a conflict of interest does not score."))
    if member.panel.quality_locked_at is not None:
        raise ApplicationError(
            _("Moderation is locked: scores can no longer change."), code="locked"
        )
    if selectors.has_submitted_scores(member):
        raise ApplicationError(
            _("You have submitted your scores; they can no longer change."), code="submitted"
        )
    return member, tender


@transaction.atomic
def save_scores(
    *,
    member: PanelMember,
    bid: Bid,
    scores: dict,
    comments: dict | None = None,
    now=None,
) -> list[Score]:
    """A member's scores (0–10) of one bid on the criteria the panel scores, as a draft.

    ``scores`` and ``comments`` map a criterion (or its id) to the score and
    an optional comment. Only after the deadline, only a member who declared
    no conflict, until they submit (``submit_scores``). Prices play no part:
    they are still hidden (two envelopes).
    """
    now = now or timezone.now()
    member, tender = _scoring_member(member, now)
    bid = Bid.objects.filter(pk=bid.pk, tender=tender, status=Bid.Status.SUBMITTED).first()
    if bid is None:
        raise ApplicationError(_("Score only the submitted bids of this tender."), code="bid")
    criteria = {c.pk: c for c in tender.criteria.all() if c.is_scored_by_panel}
    comments = {int(getattr(k, "pk", k)): v for k, v in (comments or {}).items()}
    saved = []
    for key, value in scores.items():
        criterion = criteria.get(int(getattr(key, "pk", key)))
        if criterion is None:
            raise ApplicationError(
                _(
                    "Score only the quality and social-value criteria: price and past performance "
                    "are computed."
                ),
                field_errors={"scores": [_("This criterion is not scored by the panel.")]},
            )
        score = _score_value(value, field=f"score_{criterion.pk}")
        row, _created = Score.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            member=member,
            defaults={"score": score, "comment": (comments.get(criterion.pk) or "").strip()},
        )
        saved.append(row)
    _panel_audit(
        member.panel,
        "panel.scores_saved",
        member.user,
        tender=tender.reference,
        bid=str(bid.uuid),
        criteria=len(saved),
    )
    return saved


@transaction.atomic
def submit_scores(*, member: PanelMember, now=None) -> int:
    """Submit all of a member's scores at once; then they see the other members' submitted
    scores, and theirs can no longer change. Every submitted bid needs a score on every
    criterion the panel scores. Returns how many scores were submitted."""
    now = now or timezone.now()
    member, tender = _scoring_member(member, now)
    criteria = [c.pk for c in tender.criteria.all() if c.is_scored_by_panel]
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values_list("pk", flat=True)
    )
    have = set(
        Score.objects.filter(member=member, bid_id__in=bids).values_list("bid_id", "criterion_id")
    )
    missing = [
        (bid, criterion) for bid in bids for criterion in criteria if (bid, criterion) not in have
    ]
    if missing:
        raise ApplicationError(
            _("Score every bid on every criterion before submitting: %(count)d scores are missing.")
            % {"count": len(missing)},
            code="incomplete",
        )
    count = Score.objects.filter(member=member).update(submitted_at=now, updated_at=now)
    _panel_audit(member.panel, "panel.scores_submitted", member.user, tender=tender.reference)
    return count


def _chair_panel(panel: Panel, chair: User, now) -> tuple[Panel, Tender]:
    panel = _lock_panel(panel)
    if panel.chair_id != chair.pk:
        raise PermissionDenied(_("Only the chair of the panel can moderate."))
    tender = _require_evaluation(panel.tender, now)
    member = rules.panel_member_of(chair, tender)
    if member is None or not member.may_score:
        raise ApplicationError(
            _(
                "The chair must declare no conflict of interest before moderating. A chair "
                "with a conflict is replaced by the commissioner."
            ),
            code="chair_conflict",
        )
    if panel.quality_locked_at is not None:
        raise ApplicationError(_("Moderation is locked."), code="locked")
    return panel, tender


def _require_all_submitted(panel: Panel, tender: Tender) -> None:
    panel_criteria = [c for c in tender.criteria.all() if c.is_scored_by_panel]
    if panel_criteria and not selectors.all_scores_submitted(panel):
        raise ApplicationError(
            _(
                "Moderation starts once every member has declared and every member without a "
                "conflict has submitted their scores."
            ),
            code="scores_outstanding",
        )


@transaction.atomic
def moderate(
    *,
    panel: Panel,
    bid: Bid,
    criterion: Criterion,
    score,
    note: str,
    chair: User,
    now=None,
) -> ModeratedScore:
    """The chair sets the agreed score of a bid on a criterion; members' scores stay as they were.

    A disagreement (members more than ``DISAGREEMENT_THRESHOLD`` apart) is
    flagged on the moderated score and needs a note saying how it was settled.
    """
    now = now or timezone.now()
    panel, tender = _chair_panel(panel, chair, now)
    _require_all_submitted(panel, tender)
    if not criterion.is_scored_by_panel or criterion.tender_id != tender.pk:
        raise ApplicationError(_("Moderate only the criteria the panel scores."), code="criterion")
    if not Bid.objects.filter(pk=bid.pk, tender=tender, status=Bid.Status.SUBMITTED).exists():
        raise ApplicationError(_("Moderate only the submitted bids of this tender."), code="bid")
    value = _score_value(score, field="score")
    members_scores = list(
        Score.objects.filter(
            bid_id=bid.pk,
            criterion=criterion,
            submitted_at__isnull=False,
            member__has_conflict=False,
        ).values_list("score", flat=True)
    )
    flagged = evaluation.is_disagreement(members_scores)
    note = (note or "").strip()
    if flagged and not note:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "note": [
                    _("The members disagreed widely here: note how the panel settled the score.")
                ]
            },
        )
    moderated, _created = ModeratedScore.objects.update_or_create(
        bid_id=bid.pk,
        criterion=criterion,
        defaults={
            "score": value,
            "note": note,
            "flagged_disagreement": flagged,
            "moderated_by": chair,
            "moderated_at": now,
        },
    )
    _panel_audit(
        panel,
        "panel.score_moderated",
        chair,
        tender=tender.reference,
        bid=str(bid.uuid),
        criterion=criterion.pk,
        flagged=flagged,
    )
    return moderated


@transaction.atomic
def lock_moderation(*, panel: Panel, chair: User, now=None) -> Panel:
    """The chair locks the quality scores; only now are prices revealed and results computed.

    Refused while a member's scores are outstanding or a flagged disagreement
    has not been moderated.
    """
    now = now or timezone.now()
    panel, tender = _chair_panel(panel, chair, now)
    _require_all_submitted(panel, tender)
    unsettled = [
        line for line in selectors.moderation_lines(tender) if line.flagged and not line.moderated
    ]
    if unsettled:
        raise ApplicationError(
            _("Moderate the %(count)d flagged disagreements before locking.")
            % {"count": len(unsettled)},
            code="disagreements",
        )
    panel.quality_locked_at = now
    panel.save(update_fields=["quality_locked_at"])
    tender.panel = panel
    results = compute_results(tender=tender, now=now)
    _panel_audit(
        panel, "panel.moderation_locked", chair, tender=tender.reference, results=len(results)
    )
    return panel


@transaction.atomic
def compute_results(*, tender: Tender, now=None) -> list[BidResult]:
    """Points per kind of criterion, totals and ranks per lot, for every submitted bid.

    Only once prices are revealed (moderation locked). Recomputing replaces
    the previous results. The formulas are in ``marketplace.evaluation``.
    """
    now = now or timezone.now()
    panel = Panel.objects.filter(tender=tender).first()
    if panel is None or panel.quality_locked_at is None:
        raise ApplicationError(
            _("Results are computed once the chair has locked moderation."), code="not_locked"
        )
    criteria = list(tender.criteria.order_by("order", "pk"))
    agreed = {
        (line.bid.pk, line.criterion.pk): line.agreed for line in selectors.moderation_lines(tender)
    }
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).select_related(
            "provider", "lot"
        )
    )
    lowest: dict[int, Decimal] = {}
    for bid in bids:
        lowest[bid.lot_id] = min(lowest.get(bid.lot_id, bid.price), bid.price)
    parts_of: dict[int, dict[str, Decimal]] = {}
    for bid in bids:
        parts = dict.fromkeys(Criterion.Kind.values, ZERO)
        for criterion in criteria:
            if criterion.kind == Criterion.Kind.PRICE:
                points = evaluation.price_points(
                    price=bid.price, lowest=lowest[bid.lot_id], weight=criterion.weight
                )
            elif criterion.kind == Criterion.Kind.PAST_PERFORMANCE:
                points = evaluation.past_performance_score(bid.provider, criterion)
            else:
                score = agreed.get((bid.pk, criterion.pk))
                points = (
                    evaluation.panel_points(score=score, weight=criterion.weight)
                    if score is not None
                    else ZERO
                )
            parts[criterion.kind] += points
        parts_of[bid.pk] = parts
    BidResult.objects.filter(bid__tender=tender).delete()
    results = []
    for lot_id in sorted(lowest):
        standings = [
            evaluation.Standing(
                key=bid.pk,
                total=sum(parts_of[bid.pk].values(), ZERO),
                panel_points=parts_of[bid.pk][Criterion.Kind.QUALITY]
                + parts_of[bid.pk][Criterion.Kind.SOCIAL_VALUE],
                price=bid.price,
                submitted_at=bid.submitted_at,
            )
            for bid in bids
            if bid.lot_id == lot_id
        ]
        for rank, standing in enumerate(evaluation.ranked(standings), start=1):
            parts = parts_of[standing.key]
            results.append(
                BidResult(
                    bid_id=standing.key,
                    quality_score=parts[Criterion.Kind.QUALITY],
                    price_score=parts[Criterion.Kind.PRICE],
                    past_performance_score=parts[Criterion.Kind.PAST_PERFORMANCE],
                    social_value_score=parts[Criterion.Kind.SOCIAL_VALUE],
                    total=standing.total,
                    rank=rank,
                    computed_at=now,
                )
            )
    return BidResult.objects.bulk_create(results)


# --- awards -----------------------------------------------------------------


def _award_audit(award: Award, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=award.tender.lead_agency,
        target=award,
        details={"tender": award.tender.reference, "lot": award.lot.number, **details},
        label=award.tender.reference,
    )


def _move_award(award: Award, to: str) -> None:
    if to not in AWARD_TRANSITIONS[award.status]:
        raise InvalidTransition(
            _("An award that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Award.Status(award.status).label, "target": Award.Status(to).label}
        )
    award.status = to


def _lock_award(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related(
            "tender__lead_agency", "tender__budget", "lot", "bid__provider__organization"
        )
        .get(pk=award.pk)
    )


def _commissioners(tender: Tender) -> list[User]:
    return list(selectors.agency_users(tender.lead_agency_id, Role.COMMISSIONER))


@transaction.atomic
def recommend_award(
    *, lot: Lot, actor: User, bid: Bid | None = None, reason: str = "", now=None
) -> Award:
    """Recommend the lot's award to a bid: the first-ranked one unless a reason says otherwise.

    By the panel chair or a commissioner of the lead agency, once results are
    computed. The reason for passing over the first-ranked bid goes to the
    commissioners who approve (alert) and to the audit log.
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=lot.tender_id)
    tender = _require_evaluation(tender, now)
    if not rules.can_recommend_award(actor, tender):
        raise PermissionDenied(
            _("The panel chair or a commissioner recommends the award, once prices are revealed.")
        )
    results = list(
        BidResult.objects.filter(bid__lot=lot, bid__status=Bid.Status.SUBMITTED)
        .select_related("bid__provider__organization")
        .order_by("rank")
    )
    if not results:
        raise ApplicationError(_("This lot has no evaluated bid to award."), code="no_results")
    top = results[0]
    chosen = top if bid is None else next((r for r in results if r.bid_id == bid.pk), None)
    if chosen is None:
        raise ApplicationError(_("Choose an evaluated bid of this lot."), code="bid")
    reason = (reason or "").strip()
    if chosen.pk != top.pk and not reason:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "reason": [_("Say why the award should not go to the first-ranked bid.")]
            },
        )
    live = Award.objects.filter(lot=lot).exclude(status=Award.Status.CANCELLED).first()
    if live is not None:
        raise ApplicationError(
            _("This lot already has an award that is “%(status)s”.")
            % {"status": Award.Status(live.status).label},
            code="awarded",
        )
    award = Award.objects.create(
        tender=tender,
        lot=lot,
        bid=chosen.bid,
        value=chosen.bid.price,
        recommended_by=actor,
        recommended_at=now,
    )
    _award_audit(
        award, "award.recommended", actor, bid=str(chosen.bid.uuid), rank=chosen.rank, reason=reason
    )
    _alert_users(
        users=_commissioners(tender),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"recommended-{award.uuid.hex}",
        render=lambda: (
            _(
                "Lot %(lot)d of tender %(reference)s is recommended for award to %(provider)s "
                "(ranked %(rank)d). Approve or cancel the recommendation."
            )
            % {
                "lot": lot.number,
                "reference": tender.reference,
                "provider": chosen.bid.provider.name,
                "rank": chosen.rank,
            }
            + (" " + _("Reason: %(reason)s") % {"reason": reason} if reason else "")
        ),
    )
    return award


def _lots_all_awarded(tender: Tender) -> bool:
    """Every lot that received a submitted bid has an approved (or confirmed) award."""
    bid_lots = set(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values_list(
            "lot_id", flat=True
        )
    )
    awarded = set(
        Award.objects.filter(
            tender=tender, status__in=(Award.Status.APPROVED, Award.Status.CONFIRMED)
        ).values_list("lot_id", flat=True)
    )
    return bool(bid_lots) and bid_lots <= awarded


@transaction.atomic
def approve_award(*, award: Award, actor: User, now=None) -> Award:
    """A commissioner of the lead agency approves a recommended award.

    Commits the award's value on the pooled budget (refused, with what is
    available, when it would overdraw the budget or an earmark — also when
    two approvals race: the budget row stays locked), publishes the award
    notice, starts the standstill (``Tender.standstill_days``) and, once every
    lot with bids is awarded, moves the tender to awarded. Every bidder on the
    lot is alerted and e-mailed its assessment summary (PDF) after commit.
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=award.tender_id)
    award = _lock_award(award)
    _require_commissioner(actor, tender)
    _move_award(award, Award.Status.APPROVED)
    tender = _require_evaluation(tender, now)
    categories = list(award.lot.categories.all()) or list(tender.categories.all())
    commit_funds(
        budget=tender.budget,
        amount=award.value,
        categories=categories,
        tender=tender,
        lot=award.lot,
        award=award,
        actor=actor,
    )
    award.approved_by = actor
    award.approved_at = now
    award.standstill_ends_at = now + timedelta(days=tender.standstill_days)
    award.notice_published_at = now
    award.save()
    _award_audit(
        award,
        "award.approved",
        actor,
        standstill_ends_at=award.standstill_ends_at.isoformat(),
    )
    if _lots_all_awarded(tender):
        last = Award.objects.filter(tender=tender, status=Award.Status.APPROVED).aggregate(
            last=Max("standstill_ends_at")
        )["last"]
        tender.standstill_ends_at = last
        tender.save(update_fields=["standstill_ends_at", "updated_at"])
        note = _bilingual(
            lambda: _("Awarded; the standstill ends on %(end)s.") % {"end": moment_text(last)}
        )
        _transition(tender, Tender.Status.AWARDED, actor=actor, note=note, now=now)
    _tell_bidders_of_award(award)
    return award


def _tell_bidders_of_award(award: Award) -> None:
    """Alert every bidder on the lot, and queue each one's e-mail with its assessment summary."""
    tender, lot = award.tender, award.lot
    bids = list(
        Bid.objects.filter(lot=lot, status=Bid.Status.SUBMITTED).values_list(
            "pk", "provider__organization_id"
        )
    )
    people = selectors.provider_users({org for _pk, org in bids})
    winner_org = award.bid.provider.organization_id
    values = {
        "lot": lot.number,
        "reference": tender.reference,
        "provider": award.bid.provider.name,
        "end": moment_text(award.standstill_ends_at),
    }
    _alert_users(
        users=[user for org, user in people if org == winner_org],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"award-{award.uuid.hex}",
        render=lambda: (
            _(
                "Your bid for lot %(lot)d of tender %(reference)s has been awarded. The "
                "standstill ends on %(end)s; your assessment summary is on your bid's page."
            )
            % values
        ),
    )
    _alert_users(
        users=[user for org, user in people if org != winner_org],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"award-{award.uuid.hex}",
        render=lambda: (
            _(
                "Lot %(lot)d of tender %(reference)s has been awarded to %(provider)s. Your "
                "assessment summary is on your bid's page; you may lodge a complaint until "
                "%(end)s."
            )
            % values
        ),
    )
    award_id = award.pk
    for bid_id, _org in bids:
        transaction.on_commit(
            lambda bid_id=bid_id: tasks.send_assessment_summary.delay(award_id, bid_id)
        )


def _cancel_award(award: Award, *, reason: str, actor: User | None, now) -> Award:
    """Cancel an award (locked by the caller), give its money back, and send the tender
    back to evaluation when it was awarded."""
    was_approved = award.status == Award.Status.APPROVED
    _move_award(award, Award.Status.CANCELLED)
    award.cancelled_at = now
    award.cancellation_reason = reason
    award.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    if was_approved:
        release_funds(budget=award.tender.budget, award=award, actor=actor)
    tender = Tender.objects.select_for_update().get(pk=award.tender_id)
    if tender.status == Tender.Status.AWARDED:
        tender.standstill_ends_at = None
        tender.save(update_fields=["standstill_ends_at", "updated_at"])
        _transition(tender, Tender.Status.EVALUATION, actor=actor, note=reason, now=now)
    _award_audit(award, "award.cancelled", actor)
    return award


@transaction.atomic
def cancel_award(*, award: Award, reason: str, actor: User, now=None) -> Award:
    """Cancel a recommended or approved award, with a reason; committed money goes back."""
    now = now or timezone.now()
    Tender.objects.select_for_update().get(pk=award.tender_id)
    award = _lock_award(award)
    _require_commissioner(actor, award.tender)
    return _cancel_award(award, reason=_required_reason(reason), actor=actor, now=now)


# --- complaints -------------------------------------------------------------


def _lock_complaint(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("award__tender__lead_agency", "award__lot", "provider__organization")
        .get(pk=complaint.pk)
    )


def _complaint_audit(complaint: Complaint, action: str, actor, **details) -> None:
    # No complaint or response text: the record says who, when and what happened.
    record_change(
        action=action,
        actor=actor,
        organization=complaint.award.tender.lead_agency,
        target=complaint,
        details={
            "tender": complaint.award.tender.reference,
            "lot": complaint.award.lot.number,
            **details,
        },
        label=complaint.award.tender.reference,
    )


@transaction.atomic
def lodge_complaint(*, award: Award, bid: Bid, user: User, text: str, now=None) -> Complaint:
    """A bidder on the lot challenges an approved award during the standstill.

    While it is open, the tender cannot complete. One open complaint per bid.
    """
    now = now or timezone.now()
    award = _lock_award(award)
    bid = Bid.objects.select_related("provider__organization").get(pk=bid.pk)
    if not rules.is_bidder(user, bid):
        raise PermissionDenied(_("Only people of the bidding provider can complain about it."))
    if bid.lot_id != award.lot_id or bid.status != Bid.Status.SUBMITTED:
        raise ApplicationError(
            _("Only a provider that bid on this lot can complain about its award."), code="bid"
        )
    if award.status != Award.Status.APPROVED or award.standstill_ends_at is None:
        raise ApplicationError(
            _("Complaints are lodged against an approved award during its standstill."),
            code="not_in_standstill",
        )
    if award.standstill_over(now):
        raise ApplicationError(
            _("The standstill ended on %(end)s; complaints can no longer be lodged here.")
            % {"end": moment_text(award.standstill_ends_at)},
            code="standstill_over",
        )
    text = (text or "").strip()
    if not text or len(text) > MAX_COMPLAINT_LENGTH:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "text": [
                    _("Write your complaint, in at most %(limit)d characters.")
                    % {"limit": MAX_COMPLAINT_LENGTH}
                ]
            },
        )
    if Complaint.objects.filter(award=award, bid=bid, status=Complaint.Status.OPEN).exists():
        raise ApplicationError(
            _(
                "Your complaint about this award is still open; add to it by withdrawing and "
                "lodging it again."
            ),
            code="already_open",
        )
    complaint = Complaint.objects.create(
        award=award, bid=bid, provider=bid.provider, text=text, lodged_by=user, lodged_at=now
    )
    _complaint_audit(complaint, "complaint.lodged", user)
    tender = award.tender
    _alert_users(
        users=_commissioners(tender),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"complaint-{complaint.uuid.hex}",
        render=lambda: (
            _(
                "A bidder has lodged a complaint about the award of lot %(lot)d of tender "
                "%(reference)s. The tender cannot complete until it is resolved."
            )
            % {"lot": award.lot.number, "reference": tender.reference}
        ),
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *, complaint: Complaint, outcome: str, response: str, actor: User, now=None
) -> Complaint:
    """A commissioner of the lead agency answers a complaint: upheld or dismissed.

    Upheld: the award is cancelled, its money released and the tender goes
    back to evaluation, where the lot can be awarded again. The complainant
    is alerted either way.
    """
    now = now or timezone.now()
    Tender.objects.select_for_update().get(pk=complaint.award.tender_id)
    complaint = _lock_complaint(complaint)
    tender = complaint.award.tender
    _require_commissioner(actor, tender)
    if complaint.status != Complaint.Status.OPEN:
        raise InvalidTransition(
            _("This complaint is already “%(status)s”.")
            % {"status": Complaint.Status(complaint.status).label}
        )
    errors: dict[str, list[str]] = {}
    if outcome not in (Complaint.Status.UPHELD, Complaint.Status.DISMISSED):
        errors["outcome"] = [_("Choose upheld or dismissed.")]
    response = (response or "").strip()
    if not response:
        errors["response"] = [_("Give your answer: the complainant reads it.")]
    _raise_if(errors)
    complaint.status = outcome
    complaint.response = response
    complaint.resolved_by = actor
    complaint.resolved_at = now
    complaint.save(update_fields=["status", "response", "resolved_by", "resolved_at"])
    _complaint_audit(complaint, "complaint.resolved", actor, outcome=outcome)
    award = _lock_award(complaint.award)
    if outcome == Complaint.Status.UPHELD and award.status in (
        Award.Status.RECOMMENDED,
        Award.Status.APPROVED,
    ):
        reason = _bilingual(
            lambda: (
                _("A complaint about the award was upheld. Lot %(lot)d is evaluated again.")
                % {"lot": award.lot.number}
            )
        )
        _cancel_award(award, reason=reason, actor=actor, now=now)
    people = selectors.provider_users([complaint.provider.organization_id])
    _alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"complaint-resolved-{complaint.uuid.hex}",
        render=lambda: (
            _("Your complaint about tender %(reference)s was %(outcome)s.")
            % {
                "reference": tender.reference,
                "outcome": Complaint.Status(outcome).label.lower(),
            }
        ),
    )
    return complaint


@transaction.atomic
def withdraw_complaint(*, complaint: Complaint, user: User, now=None) -> Complaint:
    """The complainant withdraws an open complaint; it no longer blocks completion."""
    now = now or timezone.now()
    complaint = _lock_complaint(complaint)
    if not rules.is_complainant(user, complaint):
        raise PermissionDenied(_("Only the complaining provider can withdraw its complaint."))
    if complaint.status != Complaint.Status.OPEN:
        raise InvalidTransition(
            _("This complaint is already “%(status)s”.")
            % {"status": Complaint.Status(complaint.status).label}
        )
    complaint.status = Complaint.Status.WITHDRAWN
    complaint.resolved_at = now
    complaint.save(update_fields=["status", "resolved_at"])
    _complaint_audit(complaint, "complaint.withdrawn", user)
    return complaint


# --- end of the standstill (beat) -------------------------------------------


def _complete(tender: Tender, *, now) -> Tender:
    """Confirm the approved awards and complete the tender (row locked by the caller)."""
    for award in Award.objects.select_for_update().filter(
        tender=tender, status=Award.Status.APPROVED
    ):
        _move_award(award, Award.Status.CONFIRMED)
        award.confirmed_at = now
        award.save(update_fields=["status", "confirmed_at"])
        record_change(
            action="award.confirmed",
            actor=None,
            organization=tender.lead_agency,
            target=award,
            details={"tender": tender.reference},
            label=tender.reference,
        )
    note = _bilingual(lambda: _("The standstill ended with no open complaint."))
    return _transition(tender, Tender.Status.COMPLETE, actor=None, note=note, now=now)


def _note_completion_blocked(tender: Tender) -> None:
    """Tell the commissioners, once per standstill, that open complaints hold the tender."""
    count = selectors.open_complaints(tender).count()
    key = "complaints-" + timezone.localtime(tender.standstill_ends_at).strftime("%Y%m%dT%H%M")
    new = _alert_users(
        users=_commissioners(tender),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=key,
        render=lambda: (
            _(
                "The standstill of tender %(reference)s has ended, but %(count)d complaints are "
                "still open. The tender completes once they are resolved."
            )
            % {"reference": tender.reference, "count": count}
        ),
    )
    if new:
        record_change(
            action="tender.completion_blocked",
            actor=None,
            organization=tender.lead_agency,
            target=tender,
            details={"open_complaints": count},
            label=tender.reference,
        )
