"""Telling the demo's history: each step at its own moment, and no mail about it.

The demo is a story told after the fact — providers registered a year ago,
referrals sent, answered and closed over the months since, tenders published
and awarded — and every step of it goes through the service a person would
use. ``as_of`` runs a step at the moment it happened (time-machine moves the
clock, so every timestamp the services stamp, the audit log's included, is
that moment); services that take ``now`` are given the same moment too.
``without_mail`` drops the e-mails and alerts the services queue for after the
commit: news months old is no news, and nobody should be mailed about a demo.
"""

import datetime
from contextlib import contextmanager

import time_machine
from django.db import transaction
from django.utils import timezone


@contextmanager
def as_of(moment: datetime.datetime):
    """Run the block at ``moment``: the clock stands still there while it runs."""
    with time_machine.travel(moment, tick=False):
        yield


def moment(today: datetime.date, days: float, hour: int = 10, minute: int = 0):
    """``days`` from ``today`` (negative: in the past) at ``hour`` o'clock, local time."""
    day = today + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@contextmanager
def without_mail():
    """Run inside a transaction and drop the tasks its services queue for the commit.

    The services queue e-mails, alerts and PDFs with ``transaction.on_commit``;
    for a history told after the fact they would send news months old. The
    callbacks registered inside are removed from the connection's list before
    the transaction ends (where Django's own ``captureOnCommitCallbacks`` reads
    them).
    """
    with transaction.atomic():
        connection = transaction.get_connection()
        queued = len(connection.run_on_commit)
        yield
        del connection.run_on_commit[queued:]
