"""Tenders, as the lead agency's commissioners make them: drafting with lots and
criteria, publishing (now or at a set time), amending, documents, cancelling and closing
without an award.

Every problem with a draft is reported at once, per field. Once published, a
tender changes only by a numbered amendment, so that every bidder sees what
changed; a material amendment close to the deadline extends it and sends the
submitted bids back for reconfirmation. The moves of the tender's lifecycle
(publication, closing) are in ``marketplace.services.timetable``, which beat
shares.
"""

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from accounts.rules import organizations_where
from core.audit import record_change
from core.errors import ApplicationError, InvalidTransition
from core.formatting import yuan
from core.uploads import sniff_uploaded_file
from marketplace.models.budgets import PooledBudget
from marketplace.models.tenders import (
    DOCUMENT_STATES,
    MATERIAL_AMENDMENT_WINDOW,
    TENDER_LIFECYCLE,
    TOTAL_WEIGHT,
    Amendment,
    Criterion,
    Lot,
    Tender,
    TenderDocument,
)
from marketplace.selectors.budgets import available_funds
from marketplace.services import timetable
from marketplace.services.bids import ask_bidders_to_reconfirm
from marketplace.services.common import (
    CENT,
    ZERO,
    cents,
    full_clean_errors,
    raise_if,
    require_commissioner,
    required_reason,
)
from places import codes

# --- validation --------------------------------------------------------------

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
            % {"total": yuan(total), "max": yuan(tender.max_value)}
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
    errors = full_clean_errors(tender, exclude=["reference"] if not tender.reference else ())

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
            available = available_funds(tender.budget, categories)
            if tender.max_value > available:
                add(
                    "max_value",
                    _(
                        "The maximum value (%(max)s) is more than the %(available)s still "
                        "available in the pooled budget for these need categories."
                    )
                    % {"max": yuan(tender.max_value), "available": yuan(available)},
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


# --- drafting, publishing, amending ------------------------------------------


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
        fields["max_value"] = cents(fields["max_value"], field="max_value")
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
    raise_if(errors)
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
    require_commissioner(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise ApplicationError(
            _(
                "Only a draft can be edited. A published tender is changed by an amendment, "
                "so that every bidder sees what changed."
            ),
            code="not_draft",
        )
    if "max_value" in fields and fields["max_value"] not in (None, ""):
        fields["max_value"] = cents(fields["max_value"], field="max_value")
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
    raise_if(errors)
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


@transaction.atomic
def publish_tender(*, tender: Tender, actor: User, now=None) -> Tender:
    """Publish a draft now, or schedule it when its publication time is in the future.

    A scheduled tender stays a draft until beat publishes it at ``publish_at``
    (``advance_tenders``). Everything is checked again first: deadlines may
    have passed and money may have been committed since the draft was saved.
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    require_commissioner(actor, tender)
    if not TENDER_LIFECYCLE.allows(tender.status, Tender.Status.PUBLISHED):
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
    raise_if(errors)
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
    return timetable.publish(tender, actor=actor, now=now)


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
    require_commissioner(actor, tender)
    if not tender.accepts_bids(now):
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
        values["max_value"] = cents(values["max_value"], field="max_value")
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
    model_errors = full_clean_errors(tender)
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
        available = available_funds(
            tender.budget, categories if categories is not None else current_categories
        )
        if tender.max_value > available:
            errors["max_value"] = [
                _(
                    "The maximum value (%(max)s) is more than the %(available)s still "
                    "available in the pooled budget for these need categories."
                )
                % {"max": yuan(tender.max_value), "available": yuan(available)}
            ]
    if not changes and not errors:
        errors["new_values"] = [_("Nothing changes: give at least one new value.")]
    raise_if(errors)
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
        reconfirm = ask_bidders_to_reconfirm(tender=tender, amendment=amendment, actor=actor)
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


# --- documents ---------------------------------------------------------------

# Tender documents are specifications and forms, public once the tender is.
TENDER_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def add_tender_document(
    *, tender: Tender, title: str, uploaded_file, actor: User
) -> TenderDocument:
    """Attach a document (PDF or image, checked by its content) to a draft or open tender.

    Once published the document is public at once: documents of a published
    tender are added, never removed, so what bidders read stays on record.
    """
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    require_commissioner(actor, tender)
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
    elif sniff_uploaded_file(uploaded_file) is None:
        errors["file"] = [_("Only PDF, PNG or JPEG files are accepted.")]
    raise_if(errors)
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
    require_commissioner(actor, tender)
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


# --- ending ------------------------------------------------------------------


@transaction.atomic
def cancel_tender(*, tender: Tender, reason: str, actor: User) -> Tender:
    """Cancel a draft or open tender, with a reason that is published."""
    require_commissioner(actor, tender)
    return timetable.close(
        tender, Tender.Status.CANCELLED, reason=required_reason(reason), actor=actor
    )


@transaction.atomic
def mark_unsuccessful(*, tender: Tender, reason: str, actor: User) -> Tender:
    """Close an open tender without an award (no suitable bid), with a reason that is published."""
    require_commissioner(actor, tender)
    return timetable.close(
        tender, Tender.Status.UNSUCCESSFUL, reason=required_reason(reason), actor=actor
    )
