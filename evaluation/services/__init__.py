"""Every write of evaluation, one module per topic: ``outcomes`` (goals, their scores,
the T-score outcome, its confirmation or dispute), ``surveys`` (the single-use link,
answers without login), ``assessments`` (commissioning, scoring, submitting,
accepting or returning, the report) and ``ratings`` (rebuilding ratings from the
evidence).

Each function checks who may act with ``evaluation.rules`` (never
``user.has_perm``), validates with messages a person can act on, runs in a
transaction, writes an audit entry, and moves statuses only through
``core.lifecycle.move``. New evidence queues a rating update after commit
(``ratings.schedule_rating_update``).

Code inside the app imports the topic module (``evaluation.services.outcomes``).
"""
