"""What the marketplace's services share: amounts and field errors from what a person
typed, the reason a published notice needs, the commissioner check, and the one way a
tender moves between states (under its row lock, along ``TENDER_LIFECYCLE``)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.lifecycle import move
from marketplace import rules
from marketplace.models.tenders import TENDER_LIFECYCLE, Tender

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value, *, field: str) -> Decimal:
    """A money amount from user input, to the fen; a clear field error otherwise."""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={field: [_("Enter an amount in yuan, such as 120000.00.")]},
        ) from None
    return amount


def full_clean_errors(instance, *, exclude=()) -> dict[str, list[str]]:
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


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)


def required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason: it is published with the notice and bidders read it."),
            field_errors={"reason": [_("This field is required.")]},
        )
    return reason


def require_commissioner(actor, tender: Tender) -> None:
    if not rules.is_tender_commissioner(actor, tender):
        raise PermissionDenied(_("Only a commissioner of the lead agency can do this."))


def move_tender(tender: Tender, to: str, *, actor, note: str = "", now=None, values=None) -> Tender:
    """Move a tender along ``TENDER_LIFECYCLE`` under its row lock; returns the locked row.

    The table refuses a move it does not allow (``InvalidTransition``); each
    move leaves a ``TenderEvent`` (the public history OCDS releases read) and
    an audit entry ``tender.<status>``. ``values`` are other fields of the
    tender set in the same save. ``actor`` None is the system (beat).
    """
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    return move(
        tender, to, lifecycle=TENDER_LIFECYCLE, actor=actor, note=note, now=now, values=values
    )
