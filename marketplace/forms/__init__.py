"""Forms of the marketplace pages, one module per topic: ``budgets``, ``tenders``,
``clarifications``, ``bids``, ``panels``, ``awards`` and ``complaints``; ``common`` holds
money and moment fields and the reason a published notice needs.

The forms only parse what a person typed; ``marketplace.services`` checks the
rules and writes. A service's ``ApplicationError`` comes back next to the
fields through ``core.forms.attach_errors``, and anything that belongs to no
field above the form.
"""
