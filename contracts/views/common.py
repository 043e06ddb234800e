"""What the contract pages share: breadcrumbs and how a refused write is told."""

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ApplicationError


def workspace_trail(*items) -> list[tuple[str, str]]:
    return [(_("Workspace"), reverse("accounts:workspace")), *items]


def contract_trail(contract, *items) -> list[tuple[str, str]]:
    """Breadcrumbs of a page about one contract (the last item is the current page)."""
    here = reverse("contracts:detail", args=[contract.uuid])
    return workspace_trail(
        (_("Contracts"), reverse("contracts:list")),
        (contract.reference, here if items else ""),
        *items,
    )


def fail(request, error: ApplicationError) -> None:
    """A refused write, as messages: the sentence, then each field's problem."""
    messages.error(request, error.message)
    for problems in error.field_errors.values():
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            if str(problem) != str(error.message):
                messages.error(request, problem)
