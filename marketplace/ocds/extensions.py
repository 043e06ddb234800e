"""The extension point of the OCDS releases (``marketplace.ocds.releases``): apps above
marketplace register a ``ProcessExtension`` that adds later stages of a contracting
process (the contracts app: the signed contract, amendments, payments, its end)
without marketplace naming them.
"""

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the releases module imports this one
    from marketplace.ocds.releases import Process, Stage


class ProcessExtension:
    """Later stages of contracting processes, published by an app above marketplace.

    ``load`` reads what the extension needs for many processes at once (a fixed
    number of queries) into ``process.extra[name]``; ``stages`` names its
    releases; ``sections`` adds to a release what was public at its date, and
    the parties' roles it adds (organization, role) pairs.
    """

    name = ""

    def load(self, processes: list["Process"]) -> None:
        raise NotImplementedError

    def stages(self, process: "Process") -> list["Stage"]:
        raise NotImplementedError

    def sections(self, process: "Process", at: datetime) -> tuple[dict, list[tuple]]:
        raise NotImplementedError


_registered: list[ProcessExtension] = []


def register_extension(extension: ProcessExtension) -> None:
    """Add ``extension`` to every process's releases (once, at start-up)."""
    if all(type(existing) is not type(extension) for existing in _registered):
        _registered.append(extension)


def extensions() -> list[ProcessExtension]:
    """The registered extensions, in the order they were registered."""
    return list(_registered)
