"""The extension point of the OCDS releases (``marketplace.ocds.releases``): apps above
marketplace register a ``ProcessExtension`` that adds later stages of a contracting
process (the contracts app: the signed contract, amendments, payments, its end)
without marketplace naming them.
"""

from abc import ABC, abstractmethod
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the releases module imports this one
    from marketplace.ocds.releases import Process, Stage


class ProcessExtension(ABC):
    """Later stages of contracting processes, published by an app above marketplace.

    ``load`` reads what the extension needs for many processes at once (a fixed
    number of queries) into ``process.extra[name]``; ``stages`` names its
    releases; ``sections`` adds to a release what was public at its date, and
    the parties' roles it adds (organization, role) pairs.
    """

    name = ""

    @abstractmethod
    def load(self, processes: list["Process"]) -> None:
        """Read the extension's rows for all ``processes`` into ``process.extra[name]``."""

    @abstractmethod
    def stages(self, process: "Process") -> list["Stage"]:
        """The releases the extension adds to ``process``, oldest first."""

    @abstractmethod
    def sections(self, process: "Process", at: datetime) -> tuple[dict, list[tuple]]:
        """The release sections public at ``at``, and the (organization, role) pairs."""


_registered: list[ProcessExtension] = []


def register_extension(extension: ProcessExtension) -> None:
    """Add ``extension`` to every process's releases (once, at start-up)."""
    if all(type(existing) is not type(extension) for existing in _registered):
        _registered.append(extension)


def extensions() -> list[ProcessExtension]:
    """The registered extensions, in the order they were registered."""
    return list(_registered)
