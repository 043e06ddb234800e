"""What the contracts services share: amounts from what a person typed, a model's
field errors as lists, the reason some moves need, and the contract's row lock every
write takes first."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models.contracts import Contract
from core.errors import ApplicationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

SOME_FIELDS = gettext_lazy("Some fields need attention.")
REASON_REQUIRED = gettext_lazy("Give the reason: both parties read it in the contract's history.")


def amount_or_error(value, *, field: str, errors: dict, required: bool = True) -> Decimal | None:
    """A money amount to the fen, or None after adding a message for ``field`` to ``errors``."""
    if value is None or value == "":
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(_("Enter an amount in yuan, such as 120000.00."))
        return None


def full_clean_errors(instance, *, exclude=()) -> dict[str, list[str]]:
    """Field and single-object errors of an instance, as lists of messages per field.

    Database constraints are not validated here: ``clean()`` states the same
    rules with better messages, and the constraints remain the last guard.
    """
    errors: dict[str, list[str]] = {}
    for check in (lambda: instance.clean_fields(exclude=list(exclude)), instance.clean):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    return errors


def merge(errors: dict, more: dict, *, prefix: str = "") -> None:
    for name, messages in more.items():
        errors.setdefault(f"{prefix}{name}", []).extend(messages)


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(str(SOME_FIELDS), field_errors=errors)


def required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            str(REASON_REQUIRED), field_errors={"reason": [_("This field is required.")]}
        )
    return reason


def lock_contract(contract: Contract) -> Contract:
    """The contract's row, locked for the rest of the transaction, with what moves read."""
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("lead_agency", "provider__organization", "award__tender__budget", "lot")
        .get(pk=contract.pk)
    )
