"""Links to public contract notices from other apps' public pages.

The marketplace and the provider directory do not know about contracts (apps
depend downward only), so their templates ask here: a tender's award notices
paired with the contract made from each, and a provider's contracts in force.
Each tag reads in one query, whatever the number of awards or contracts.
"""

from django import template

from contracts.selectors import public as public_selectors

register = template.Library()


@register.filter
def with_public_contracts(awards):
    """Each award as ``(award, contract)``; ``contract`` is None until one is public.

    ``{% for award, contract in award_notices|with_public_contracts %}``
    """
    return public_selectors.with_public_contracts(awards)


@register.simple_tag
def current_contracts_of(provider):
    """The provider's contracts in force, newest first.

    ``{% current_contracts_of provider as contracts %}``
    """
    return list(public_selectors.current_contracts_of(provider))
