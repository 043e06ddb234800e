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
