"""Referrals and their lifecycle: one need of one person sent to one provider's service.

A referral sends one need to one provider's service under a consent that says
which fields the provider may see. Its states are ``Referral.Status``; the
moves between them are the table ``REFERRAL_TRANSITIONS``, declared as
``REFERRAL_LIFECYCLE`` for ``core.lifecycle.move``, the only code that moves a
referral (``referrals.services.lifecycle`` and ``.deadlines`` call it, after
checking who may act). Each move leaves a ``ReferralEvent``, the history both
sides see, and an audit entry ``referral.<state>`` in the agency's log.

Pages and the API ask ``REFERRAL_LIFECYCLE.allows`` which moves to offer; the
named groups of states below (``ACTIVE_STATUSES``…) are for lists and filters.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.lifecycle import Lifecycle
from core.models import TimeStampedModel
from referrals import sla
from referrals.models.assessments import Need
from referrals.models.beneficiaries import Beneficiary


class UrgencyChoices(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class Referral(TimeStampedModel):
    """One need of one person, sent to one provider's service, followed until it closes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent — awaiting answer")
        VIEWED = "viewed", _("Viewed by the provider")
        WAITLISTED = "waitlisted", _("On the waiting list")
        ACCEPTED = "accepted", _("Accepted")
        IN_SERVICE = "in_service", _("In service")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Did not go ahead")
        DECLINED = "declined", _("Declined by the provider")
        RECALLED = "recalled", _("Recalled by the caseworker")
        EXPIRED = "expired", _("Expired — no answer in time")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    class DeclineReason(models.TextChoices):
        NO_CAPACITY = "no_capacity", _("No free place")
        NOT_ELIGIBLE = "not_eligible", _("Person not eligible for this service")
        OUT_OF_AREA = "out_of_area", _("Outside the area we serve")
        NOT_OUR_SERVICE = "not_our_service", _("Need not met by this service")
        OTHER = "other", _("Other reason (see note)")

    class ReturnCode(models.TextChoices):
        DECLINED = "declined", _("Declined by the provider")
        RECALLED = "recalled", _("Recalled by the caseworker")
        NO_ANSWER = "no_answer", _("The provider did not answer in time")
        WAITLIST_TIMEOUT = "waitlist_timeout", _("Still on the waiting list for too long")

    class FailureReason(models.TextChoices):
        COULD_NOT_CONTACT = "could_not_contact", _("Could not contact the person")
        NOT_ELIGIBLE = "not_eligible", _("Person turned out not to be eligible")
        WITHDREW = "withdrew", _("Person withdrew")

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Need met")
        PARTLY = "partly", _("Need partly met")
        NOT_ACHIEVED = "not_achieved", _("Need not met")

    Urgency = UrgencyChoices

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="referrals"
    )
    # Denormalised from the beneficiary and the service so that the caseworker's
    # list and the provider's inbox are single indexed queries.
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    service = models.ForeignKey(
        "providers.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=UrgencyChoices.choices, default=UrgencyChoices.ROUTINE
    )
    # Why the person is referred: written about a person, so encrypted, and
    # shown to the provider only when the consent shares the "situation".
    reason = EncryptedTextField(_("reason for the referral"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # SLA: the provider should answer by due_at; reminders at half and full
    # time; the referral returns to the caseworker at expires_at.
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    reminded_half_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_full_at = models.DateTimeField(null=True, blank=True, editable=False)
    waitlist_position = models.PositiveIntegerField(
        _("waiting list position"), null=True, blank=True
    )
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    failure_reason = models.CharField(
        _("reason it did not go ahead"), max_length=20, choices=FailureReason.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_note = EncryptedTextField(_("outcome note"), blank=True)
    # Why the referral came back to the caseworker, as a code: the words are
    # written in the reader's language (``returned_reason``), not the mover's.
    return_code = models.CharField(
        _("returned because"), max_length=20, choices=ReturnCode.choices, blank=True
    )
    # Capacity accounting (providers.services.take_place / release_place): whether
    # this referral holds one of the service's places right now.
    holds_place = models.BooleanField(default=False, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            # A person is never referred twice at once for the same need: the
            # database refuses it even when two caseworkers send at the same moment.
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(
                    status__in=[
                        "draft",
                        "sent",
                        "viewed",
                        "waitlisted",
                        "accepted",
                        "in_service",
                        "reopened",
                    ]
                ),
                name="referral_one_active_per_need",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["agency", "status"]),
        ]

    def __str__(self):
        return str(_("Referral %(uuid)s") % {"uuid": self.uuid})

    @property
    def returned_reason(self) -> str:
        """Why the referral came back to the caseworker, in the active language ('' if not)."""
        code = self.return_code
        if code == self.ReturnCode.DECLINED and self.decline_reason:
            return str(self.DeclineReason(self.decline_reason).label)
        if code == self.ReturnCode.WAITLIST_TIMEOUT:
            return _("Still on the waiting list after %(days)d days") % {
                "days": sla.WAITLIST_EXPIRES_AFTER.days
            }
        return str(self.ReturnCode(code).label) if code else ""


# What may become of a referral (SPEC §5). Who may make each move is for referrals.rules,
# which the services ask before they move it.
REFERRAL_TRANSITIONS: dict[str, set[str]] = {
    Referral.Status.DRAFT: {Referral.Status.SENT, Referral.Status.RECALLED},
    Referral.Status.SENT: {
        Referral.Status.VIEWED,
        Referral.Status.ACCEPTED,
        Referral.Status.DECLINED,
        Referral.Status.WAITLISTED,
        Referral.Status.RECALLED,
        Referral.Status.EXPIRED,
    },
    Referral.Status.VIEWED: {
        Referral.Status.ACCEPTED,
        Referral.Status.DECLINED,
        Referral.Status.WAITLISTED,
        Referral.Status.RECALLED,
        Referral.Status.EXPIRED,
    },
    Referral.Status.WAITLISTED: {
        Referral.Status.ACCEPTED,
        Referral.Status.DECLINED,
        Referral.Status.RECALLED,
        Referral.Status.EXPIRED,
    },
    Referral.Status.ACCEPTED: {
        Referral.Status.IN_SERVICE,
        Referral.Status.FAILED,
        Referral.Status.RECALLED,
    },
    Referral.Status.IN_SERVICE: {
        Referral.Status.COMPLETED,
        Referral.Status.FAILED,
        Referral.Status.RECALLED,
    },
    Referral.Status.COMPLETED: {Referral.Status.CLOSED},
    Referral.Status.FAILED: {Referral.Status.CLOSED},
    Referral.Status.CLOSED: {Referral.Status.REOPENED},
    Referral.Status.REOPENED: {
        Referral.Status.IN_SERVICE,
        Referral.Status.COMPLETED,
        Referral.Status.FAILED,
        Referral.Status.RECALLED,
    },
    Referral.Status.DECLINED: set(),
    Referral.Status.RECALLED: set(),
    Referral.Status.EXPIRED: set(),
}

# Open: the need is being handled by this referral, so no second one may be made.
ACTIVE_STATUSES = frozenset(
    {
        Referral.Status.DRAFT,
        Referral.Status.SENT,
        Referral.Status.VIEWED,
        Referral.Status.WAITLISTED,
        Referral.Status.ACCEPTED,
        Referral.Status.IN_SERVICE,
        Referral.Status.REOPENED,
    }
)
# Waiting for the provider's answer: the SLA clock runs.
AWAITING_ANSWER = frozenset({Referral.Status.SENT, Referral.Status.VIEWED})
# Came back to the caseworker, who should refer again or record an unmet need.
RETURNED_STATUSES = frozenset(
    {Referral.Status.DECLINED, Referral.Status.EXPIRED, Referral.Status.RECALLED}
)
# The provider has accepted: consented fields may be shown.
ACCEPTED_STATUSES = frozenset(
    {
        Referral.Status.ACCEPTED,
        Referral.Status.IN_SERVICE,
        Referral.Status.COMPLETED,
        Referral.Status.FAILED,
        Referral.Status.CLOSED,
        Referral.Status.REOPENED,
    }
)


class ReferralEvent(models.Model):
    """One move of a referral along its lifecycle: the history both sides see."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Referral.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    reason_code = models.CharField(_("reason"), max_length=20, blank=True)
    # Notes may speak of the person: encrypted like every other free text here.
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


def _write_event(referral, previous, to, actor, at, note, extra) -> None:
    """The history row of one move; ``extra`` carries its ``reason_code``, if any."""
    ReferralEvent.objects.create(
        referral=referral,
        from_status=previous,
        to_status=to,
        actor=actor,
        at=at,
        reason_code=extra.get("reason_code", ""),
        note=note,
    )


REFERRAL_LIFECYCLE = Lifecycle(
    name="referral",
    states=Referral.Status,
    transitions=REFERRAL_TRANSITIONS,
    refusal=_("A referral that is %(current)s cannot become %(target)s."),
    # The agency that holds the case reads the entry: its supervisors follow every move,
    # the provider's included.
    organization=lambda referral: referral.agency_id,
    changed_at="status_changed_at",
    history=_write_event,
)
