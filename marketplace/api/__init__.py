"""JSON API of the marketplace under /api/v1/, one module per part of commissioning.

=====================  ================================================================
module                 routes
=====================  ================================================================
``budgets``            ``/budgets/`` (ledger per funder), ``/contributions/{uuid}/``
``tenders``            ``/tenders/`` and ``/tenders/{id}/`` (uuid or reference), with
                       the tender-scoped actions of the modules below
``clarifications``     ``/tenders/{id}/clarifications/``, ``/clarifications/{uuid}/``
``bids``               ``/tenders/{id}/bids/``, ``/bids/``, ``/bids/{uuid}/``
``panels``             ``/tenders/{id}/panel/``, ``scores/``, ``moderation/``, ``results/``
``awards``             ``/tenders/{id}/awards/``, ``/awards/{uuid}/``, ``/complaints/{uuid}/``
``alerts``             ``/alerts/`` (the caller's own), ``/alerts/{uuid}/read/``,
                       ``/alerts/read-all/``
=====================  ================================================================

Who sees what follows SPEC §4 and the pages:

- Budgets and their contributions are seen by the commissioners, finance
  officers and supervisors of the lead agency and of every funder, and by
  platform administrators; only the funder's finance officer approves a
  contribution.
- Tenders are public once published; drafts only to their own agency.
- Clarifications never name the asker to anyone but the asking provider and
  the lead agency: for everyone else the asker fields are absent.
- Bids are read only through the sealing selectors (``selectors.bids.bid_for``,
  ``visible_bids``, ``visible_bid``). Before the deadline a bid exists for
  its own provider alone — for the lead agency, panel members, platform
  administrators and superusers it answers 404. After the deadline the
  evaluators see the submitted bids' responses; prices only once the chair
  has locked moderation. What is hidden is absent from the JSON, not null.
- Panel members declare conflicts before scoring; members see each other's
  scores only after submitting their own; the chair moderates and locks.

Every write calls one function of ``marketplace.services`` (the topic module of
the same name); their
``ApplicationError`` becomes a 400 with field errors and their
``PermissionDenied`` a 403 (``core.api.exception_handler``). An object outside
the user's scope answers 404 before any service runs. Objects are addressed by
uuid (a tender also by its reference), lots and criteria by their number
within the tender; never by database ids.
"""
