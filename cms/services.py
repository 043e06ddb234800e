"""Writes of the public site. Views, the admin and tasks call these functions.

Each section of this module is kept by the engineer of that part of the site;
add new writes at the end under their own heading.
"""

import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization
from cms import selectors
from cms.models import Feedback, FeedbackEvent
from cms.models.feedback import FEEDBACK_LIFECYCLE
from cms.rules import is_feedback_of_own_agency
from core.audit import record_change
from core.errors import ApplicationError
from core.lifecycle import move
from places import codes
from places.models import Area

# --- feedback and complaints ------------------------------------------------------------

# Tracking numbers look like FK-20261123-7K3Q9: the day it was sent, then five
# characters people can read out on the phone without confusing them (no 0/O,
# 1/I/L). 31^5 ≈ 28 million codes a day, so a collision is rare, and retried.
TRACKING_PREFIX = "FK"
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_CODE_LENGTH = 5
TRACKING_ATTEMPTS = 5
TRACKING_NUMBER_PATTERN = re.compile(
    rf"^{TRACKING_PREFIX}-\d{{8}}-[{TRACKING_ALPHABET}]{{{TRACKING_CODE_LENGTH}}}$"
)

# Without accounts or third-party services, the address a submission comes from is
# the only handle on a flood: five pieces of feedback an hour is plenty for a person.
SUBMISSIONS_PER_HOUR = 5
# A tracking number is a bearer token: looking them up is limited too, so that nobody
# can try numbers until one answers. A person checks one number a few times.
LOOKUPS_PER_HOUR = 20
RATE_WINDOW_SECONDS = 60 * 60

# The city whose lead agency receives what no district bureau takes: Shanghai, as a
# province-level municipality (310000) and as its city-level 市辖区 (310100).
LEAD_AGENCY_AREA_CODES = ("310000000000", "310100000000")

TOO_MANY_SUBMISSIONS = gettext_lazy(
    "You have sent a lot of feedback from this connection in the last hour. Please wait an "
    "hour and try again, or call the 12345 government service hotline."
)
NO_AGENCY = gettext_lazy(
    "Feedback cannot be received at the moment because no agency is set up to answer it. "
    "Please call the 12345 government service hotline."
)
TOO_MANY_LOOKUPS = gettext_lazy(
    "You have checked a lot of tracking numbers from this connection in the last hour. Please "
    "wait an hour and try again, or call the 12345 government service hotline."
)
REPLY_REQUIRED = gettext_lazy("Write the answer: the person reads it with their tracking number.")
NOT_YOUR_FEEDBACK = gettext_lazy("Only the agency this feedback was sent to can answer it.")


def normalize_tracking_number(text: str) -> str:
    """A tracking number as typed (spaces, lower case, full-width dashes) in its canonical form."""
    text = (text or "").strip().upper().replace("－", "-").replace("—", "-").replace(" ", "")
    return text[:30]


def new_tracking_number(today=None) -> str:
    today = today or timezone.localdate()
    code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))
    return f"{TRACKING_PREFIX}-{today:%Y%m%d}-{code}"


def responsible_agency(area: Area | None) -> Organization | None:
    """The agency that answers feedback about ``area`` (None when none is set up).

    The rule, in order:

    1. the district's civil-affairs bureau: the active agency whose area is the
       district that ``area`` lies in (the earliest registered if there are several);
    2. the lead agency named by ``settings.FEEDBACK_LEAD_AGENCY`` (its unified social
       credit code), when that setting is given;
    3. otherwise the city's lead agency: the earliest registered active agency whose
       area is Shanghai itself and that has no parent agency (上海市民政局 in the demo).
    """
    agencies = Organization.objects.filter(kind=Organization.Kind.AGENCY, is_active=True).order_by(
        "pk"
    )
    if area is not None and codes.level_of(area.code) >= Area.Level.DISTRICT:
        district_code = area.code[:6].ljust(codes.FULL_LENGTH, "0")
        district_bureau = agencies.filter(area__code=district_code).first()
        if district_bureau is not None:
            return district_bureau
    configured = getattr(settings, "FEEDBACK_LEAD_AGENCY", "")
    if configured:
        lead = agencies.filter(credit_code=configured).first()
        if lead is not None:
            return lead
    return agencies.filter(area__code__in=LEAD_AGENCY_AREA_CODES, parent__isnull=True).first()


def _rate_key(client_ip: str, what: str = "submissions") -> str:
    return f"cms:feedback-{what}:{client_ip}"


def _recent(client_ip: str, what: str = "submissions") -> list[float]:
    # The times of the submissions (or lookups) in the last hour (a sliding window).
    # Judged by our own clock, not the cache server's expiry, so the rule is the same
    # on every cache backend.
    cutoff = timezone.now().timestamp() - RATE_WINDOW_SECONDS
    return [moment for moment in cache.get(_rate_key(client_ip, what)) or [] if moment > cutoff]


def _count(client_ip: str, what: str = "submissions") -> None:
    moments = [*_recent(client_ip, what), timezone.now().timestamp()]
    cache.set(_rate_key(client_ip, what), moments, timeout=RATE_WINDOW_SECONDS)


def feedback_rate_exceeded(client_ip: str) -> bool:
    return len(_recent(client_ip)) >= SUBMISSIONS_PER_HOUR


def _count_submission(client_ip: str) -> None:
    _count(client_ip)


def look_up_status(*, number: str, client_ip: str):
    """The public status of the feedback with this tracking number, or None.

    Every lookup counts against the connection's hourly allowance, found or not
    (``LOOKUPS_PER_HOUR``); past it, ``ApplicationError`` "rate_limited". Every
    number, well-formed or not, takes the same path: one lookup and the same "not
    found", so the answer does not hint at what exists.
    """
    if len(_recent(client_ip, "lookups")) >= LOOKUPS_PER_HOUR:
        raise ApplicationError(TOO_MANY_LOOKUPS, code="rate_limited")
    _count(client_ip, "lookups")
    return selectors.feedback_status(normalize_tracking_number(number))


@transaction.atomic
def submit_feedback(
    *,
    category: str,
    message: str,
    area: Area | None = None,
    contact_name: str = "",
    contact: str = "",
    client_ip: str | None = None,
) -> Feedback:
    """Receive feedback from the public, route it to an agency and give it a tracking number.

    ``client_ip`` is the address a web submission came from, for the flood limit;
    None for feedback entered by staff (a phone call, a letter), which is not limited.
    """
    if client_ip is not None and feedback_rate_exceeded(client_ip):
        raise ApplicationError(TOO_MANY_SUBMISSIONS, code="rate_limited")
    agency = responsible_agency(area)
    if agency is None:
        raise ApplicationError(NO_AGENCY, code="no_agency")
    feedback = _create_with_unique_number(
        category=category,
        area=area,
        agency=agency,
        message=message.strip(),
        contact_name=contact_name.strip(),
        contact=contact.strip(),
    )
    FeedbackEvent.objects.create(feedback=feedback, status=Feedback.Status.RECEIVED)
    # Never the message or the contact details: the log must not copy personal data.
    record_change(
        action="feedback.submitted",
        organization=agency,
        target=feedback,
        details={
            "category": category,
            "area": area.code if area is not None else None,
            "contact_given": bool(feedback.contact),
        },
        label=feedback.tracking_number,
    )
    # Counted now rather than on commit: a submission that fails later still used
    # the sender's allowance, which errs on the side of the flood limit.
    if client_ip is not None:
        _count_submission(client_ip)
    return feedback


def _create_with_unique_number(**fields) -> Feedback:
    for _attempt in range(TRACKING_ATTEMPTS):
        number = new_tracking_number()
        try:
            with transaction.atomic():  # a savepoint, so a collision does not spoil the rest
                return Feedback.objects.create(tracking_number=number, **fields)
        except IntegrityError:
            if not Feedback.objects.filter(tracking_number=number).exists():
                raise  # some other constraint failed: not ours to hide
    raise ApplicationError(
        _("Your feedback could not be saved. Please send it again."), code="tracking_number"
    )


@transaction.atomic
def change_feedback_status(
    *, feedback: Feedback, user, status: str, note: str = "", public_reply: str | None = None
) -> Feedback:
    """Move feedback to ``status`` with a note for the public, and answer it when answering.

    Only the caseworkers, supervisors and commissioners of the agency it was
    routed to may (``cms.rules.is_feedback_of_own_agency``). ``public_reply``
    replaces the answer the person sees with their tracking number (None keeps
    it); moving to "answered" needs one.
    """
    feedback = Feedback.objects.select_for_update().select_related("agency").get(pk=feedback.pk)
    if not is_feedback_of_own_agency.test(user, feedback):
        raise PermissionDenied(NOT_YOUR_FEEDBACK)
    FEEDBACK_LIFECYCLE.check(feedback.status, status)
    reply = feedback.public_reply if public_reply is None else public_reply.strip()
    if status == Feedback.Status.ANSWERED and not reply:
        raise ApplicationError(
            REPLY_REQUIRED, field_errors={"public_reply": [_("This field is required.")]}
        )
    return move(
        feedback,
        status,
        lifecycle=FEEDBACK_LIFECYCLE,
        actor=user,
        note=note,
        values={"public_reply": reply},
        details={"replied": bool(reply)},
        action="feedback.status_changed",
    )
