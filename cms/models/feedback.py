"""Feedback and complaints from the public, tracked by number and routed to an agency."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField, EncryptedTextField
from core.lifecycle import Lifecycle


class Feedback(models.Model):
    class Category(models.TextChoices):
        QUESTION = "question", _("Question")
        SUGGESTION = "suggestion", _("Suggestion")
        COMPLAINT_SERVICE = "complaint_service", _("Complaint about a service")
        COMPLAINT_STAFF = "complaint_staff", _("Complaint about staff")
        SITE_PROBLEM = "site_problem", _("Problem with this website")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    # The message and contact details may hold personal data: encrypted at rest.
    message = EncryptedTextField(_("message"))
    contact_name = EncryptedCharField(_("name"), max_length=100, blank=True)
    contact = EncryptedCharField(_("phone or e-mail"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    public_reply = models.TextField(_("reply shown with the tracking number"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["agency", "status", "-submitted_at"])]

    def __str__(self):
        return self.tracking_number


# Allowed status changes; cms.services.change_feedback_status is the only mover.
# Closing comes after an answer; an answer may be reopened when the person comes back.
FEEDBACK_TRANSITIONS = {
    Feedback.Status.RECEIVED: {Feedback.Status.IN_PROGRESS, Feedback.Status.ANSWERED},
    Feedback.Status.IN_PROGRESS: {Feedback.Status.ANSWERED},
    Feedback.Status.ANSWERED: {Feedback.Status.CLOSED, Feedback.Status.IN_PROGRESS},
    Feedback.Status.CLOSED: set(),
}


def _write_step(feedback, previous, status, actor, now, note, extra) -> None:
    # The step the person sees with their tracking number (without the actor's name).
    FeedbackEvent.objects.create(feedback=feedback, status=status, note=note, actor=actor, **extra)


FEEDBACK_LIFECYCLE = Lifecycle(
    name="feedback",
    states=Feedback.Status,
    transitions=FEEDBACK_TRANSITIONS,
    refusal=_("Feedback that is “%(current)s” cannot become “%(target)s”."),
    # The agency answering it reads the entry, under the tracking number (never the message).
    organization=lambda feedback: feedback.agency_id,
    label=lambda feedback: feedback.tracking_number,
    history=_write_step,
)


class FeedbackEvent(models.Model):
    """Each step in handling a piece of feedback, shown (without names) in the status lookup."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=12, choices=Feedback.Status.choices)
    note = models.TextField(_("public note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback step")
        verbose_name_plural = _("feedback steps")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.feedback} {self.status}"
