"""The terms of a draft contract: its KPIs, outcome targets and milestone schedule.

Terms are given as lists of plain dicts (what a formset's ``cleaned_data`` or
an API body holds) and replace the draft's lists as a whole. Errors are keyed
the way a formset names its fields (``milestones-0-amount``), so a page can
show each message beside the field to fix. Terms change only while the
contract is a draft: what the parties sign is never edited afterwards (an
amendment makes a new version).
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import CONTRACT_LIFECYCLE, EDITABLE_STATES, Contract
from contracts.models.kpis import KPI, OutcomeTarget
from contracts.models.milestones import Milestone
from contracts.services.common import (
    ZERO,
    amount_or_error,
    full_clean_errors,
    merge,
    raise_if,
)
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import yuan

ONLY_COMMISSIONER = gettext_lazy(
    "Only a commissioner of the lead agency can change the contract's terms."
)
NOT_A_DRAFT = gettext_lazy(
    "The terms of a contract that is “%(status)s” cannot change: only a draft's can."
)
MILESTONES_EXCEED_VALUE = gettext_lazy(
    "The milestones pay %(total)s in all, more than the contract's value of %(value)s."
)

KPI_FIELDS = ("name_zh", "name_en", "unit", "baseline", "target", "measured_by", "measure")
OUTCOME_TARGET_FIELDS = ("description_zh", "description_en", "outcome_kind", "target", "unit")
MILESTONE_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "due_date",
    "amount",
    "output_measure",
    "output_target",
    "outcome_kind",
    "outcome_price",
)
TEXT_FIELDS = frozenset(
    {
        "name_zh",
        "name_en",
        "unit",
        "measured_by",
        "measure",
        "description_zh",
        "description_en",
        "outcome_kind",
        "kind",
        "title_zh",
        "title_en",
        "output_measure",
    }
)
MONEY_FIELDS = frozenset({"amount", "outcome_price"})


def _values(row: Mapping, names: Iterable[str], *, errors: dict) -> dict:
    """The known fields of one input row: text stripped, money to the fen."""
    values = {}
    for name in names:
        value = row.get(name)
        if name in TEXT_FIELDS:
            values[name] = (value or "").strip()
        elif name in MONEY_FIELDS:
            values[name] = amount_or_error(
                value, field=name, errors=errors, required=name == "amount"
            )
        else:
            values[name] = None if value == "" else value
    return values


def _build(model, rows, fields, *, contract: Contract, name: str, errors: dict) -> list:
    """Unsaved, numbered instances of ``model`` from input rows; their errors into ``errors``."""
    built = []
    for index, row in enumerate(rows or ()):
        row_errors: dict[str, list[str]] = {}
        values = _values(row, fields, errors=row_errors)
        instance = model(contract=contract, number=index + 1, **values)
        # A field whose input could not be read already has its message.
        more = full_clean_errors(instance, exclude=["contract", "number", *row_errors])
        merge(row_errors, {field: m for field, m in more.items() if field not in row_errors})
        merge(errors, row_errors, prefix=f"{name}-{index}-")
        built.append(instance)
    return built


def schedule_errors(contract: Contract, milestones: list[Milestone]) -> dict[str, list[str]]:
    """What the milestone schedule as a whole must respect, against the contract.

    The milestones together may not pay more than the contract is worth, and
    a fixed milestone falls within the contract period.
    """
    errors: dict[str, list[str]] = {}
    total = sum((m.amount for m in milestones if m.amount is not None), ZERO)
    if contract.value is not None and total > contract.value:
        errors["milestones"] = [
            MILESTONES_EXCEED_VALUE % {"total": yuan(total), "value": yuan(contract.value)}
        ]
    for index, milestone in enumerate(milestones):
        due = milestone.due_date
        if (
            due
            and contract.start_date
            and contract.end_date
            and not (contract.start_date <= due <= contract.end_date)
        ):
            errors.setdefault(f"milestones-{index}-due_date", []).append(
                _("Choose a date within the contract period, %(start)s to %(end)s.")
                % {"start": contract.start_date, "end": contract.end_date}
            )
    return errors


def build_terms(
    contract: Contract,
    *,
    kpis: Iterable[Mapping] = (),
    outcome_targets: Iterable[Mapping] = (),
    milestones: Iterable[Mapping] = (),
    errors: dict,
) -> tuple[list[KPI], list[OutcomeTarget], list[Milestone]]:
    """Validate the terms against ``contract`` (saved or not); messages go into ``errors``."""
    built_kpis = _build(KPI, kpis, KPI_FIELDS, contract=contract, name="kpis", errors=errors)
    built_targets = _build(
        OutcomeTarget,
        outcome_targets,
        OUTCOME_TARGET_FIELDS,
        contract=contract,
        name="outcome_targets",
        errors=errors,
    )
    built_milestones = _build(
        Milestone, milestones, MILESTONE_FIELDS, contract=contract, name="milestones", errors=errors
    )
    merge(errors, schedule_errors(contract, built_milestones))
    return built_kpis, built_targets, built_milestones


def write_terms(contract: Contract, kpis, outcome_targets, milestones) -> None:
    """Replace the saved contract's terms with validated, unsaved instances."""
    contract.kpis.all().delete()
    contract.outcome_targets.all().delete()
    contract.milestones.all().delete()
    for instance in (*kpis, *outcome_targets, *milestones):
        instance.contract = contract
    KPI.objects.bulk_create(kpis)
    OutcomeTarget.objects.bulk_create(outcome_targets)
    Milestone.objects.bulk_create(milestones)


def require_draft(contract: Contract) -> None:
    if contract.status not in EDITABLE_STATES:
        raise ApplicationError(
            NOT_A_DRAFT % {"status": CONTRACT_LIFECYCLE.state_label(contract.status)},
            code="not_draft",
        )


@transaction.atomic
def save_terms(
    *,
    contract: Contract,
    actor: User,
    kpis: Iterable[Mapping],
    outcome_targets: Iterable[Mapping],
    milestones: Iterable[Mapping],
) -> Contract:
    """Replace a draft contract's KPIs, outcome targets and milestones, all or nothing.

    Each list is numbered in the order given. Refused with field errors a
    person can act on; the milestones may not pay more than the value.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    require_draft(contract)
    errors: dict[str, list[str]] = {}
    built = build_terms(
        contract,
        kpis=list(kpis),
        outcome_targets=list(outcome_targets),
        milestones=list(milestones),
        errors=errors,
    )
    raise_if(errors)
    write_terms(contract, *built)
    record_change(
        action="contract.terms_saved",
        actor=actor,
        organization=contract.lead_agency_id,
        target=contract,
        details={
            "kpis": len(built[0]),
            "outcome_targets": len(built[1]),
            "milestones": len(built[2]),
            "milestone_total": str(sum((m.amount for m in built[2]), ZERO)),
        },
        label=contract.reference,
    )
    return contract
