"""Reads of contracts, scoped to what the user may see, one module per topic
(``contracts`` for now). Code inside the app imports the topic module; this package
re-exports every public name for the other apps."""

from contracts.selectors.contracts import contract_for, contracts_visible_to

__all__ = ["contract_for", "contracts_visible_to"]
