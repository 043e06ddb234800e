"""E-mails about disputed outcomes, in Chinese and then in English (``core.mail``).

A dispute is mailed to the supervisors of the agency that holds the case; the
supervisor's decision to the provider's staff and to the caseworker who
disputed it. A mail names the referral's reference, the provider and the
result, with a link behind the sign-in; never the goals, the caseworker's
reason or the supervisor's note (they may speak of the person). Called from
``evaluation.tasks``, never from a request.
"""

from django.urls import reverse

from core.mail import absolute, send_bilingual
from evaluation.models.outcomes import Outcome
from evaluation.selectors import outcomes as selectors


def send_outcome_notification(*, outcome_id: int, event: str) -> int:
    """Mail the audience of ``event``; returns how many mails went out (0 if it is gone)."""
    outcome = (
        Outcome.objects.select_related("provider__organization", "referral", "disputed_by")
        .filter(pk=outcome_id)
        .first()
    )
    if outcome is None:
        return 0
    reference = str(outcome.referral.uuid)[:8].upper()
    if event == "disputed":
        recipients = selectors.supervisor_recipients(outcome)
        link = absolute(reverse("evaluation:dispute", args=[outcome.uuid]))
    elif event in {"upheld", "rejected"}:
        sent = 0
        for recipients, link in (
            (
                selectors.provider_recipients(outcome),
                reverse("referrals:inbox_referral", args=[outcome.referral.uuid]),
            ),
            (
                selectors.caseworker_recipients(outcome),
                reverse("referrals:referral", args=[outcome.referral.uuid]),
            ),
        ):
            sent += _send(outcome, event, reference, recipients, absolute(link))
        return sent
    else:
        return 0
    return _send(outcome, event, reference, recipients, link)


def _send(outcome, event, reference, recipients, link) -> int:
    return send_bilingual(
        recipients=recipients,
        subject_template="evaluation/email/outcome_subject.txt",
        body_template="evaluation/email/outcome.txt",
        context={"outcome": outcome, "event": event, "reference": reference, "link": link},
    )
