"""JSON API of the referrals app, by topic: beneficiaries, assessments, consent, the
referral lifecycle, matches and unmet needs (routes in ``referrals.api_urls``).

Every write calls one function of ``referrals.services``; their
``ApplicationError`` becomes a 400 with field errors in
``core.api.exception_handler``. A write that the service refuses on an object
the user can see answers 403 (a supervisor trying to edit, a provider trying
to send); an object the user cannot see answers 404 before any service runs.
"""
