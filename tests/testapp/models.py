"""Concrete models that exercise encrypted fields and blind indexes; installed by test settings."""

from django.db import models

from core.blind_index import BlindIndexField
from core.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField


class Person(models.Model):
    """Shaped like a beneficiary: encrypted identifiers beside a blind index."""

    name = EncryptedCharField(max_length=100, blank=True)
    id_number = EncryptedCharField(max_length=18, blank=True)
    id_number_index = BlindIndexField(blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    household = EncryptedJSONField(null=True, blank=True)

    def __str__(self):
        return f"Person {self.pk}"


class CaseNote(models.Model):
    """A second model, to show that ciphertext copied across tables does not decrypt."""

    body = EncryptedTextField(blank=True)

    def __str__(self):
        return f"Case note {self.pk}"


class Ticket(models.Model):
    """A small state machine for the tests of ``core.lifecycle`` itself."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Ticket {self.pk}"


class TicketEvent(models.Model):
    """The history row each move of a ticket leaves."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    reason_code = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"
