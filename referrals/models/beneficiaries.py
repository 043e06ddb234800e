"""Beneficiaries: the people caseworkers help, with their personal data encrypted (SPEC §4, §5).

Name, ID number, phone, address and household members are personal
information under PIPL and are stored with the foundation's encrypted fields;
the ID number is matched only through its blind index, so that an agency
finds a person — and learns that another agency knows them — without any
column being searched in clear.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.blind_index import BlindIndexField
from core.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from core.models import TimeStampedModel
from providers import selectors as provider_selectors
from referrals import validators

# The codes a service's eligibility names (providers), so that matching
# compares a beneficiary's statuses with a service's requirements like for like.
AssistanceStatus = provider_selectors.AssistanceStatus

MAX_DISABILITY_GRADE = 4


class Gender(models.TextChoices):
    # As on the ID card, whose 17th digit encodes it (see referrals.validators).
    FEMALE = validators.FEMALE, _("Female")
    MALE = validators.MALE, _("Male")


class GeocodePrecision(models.TextChoices):
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NONE = "none", _("Unknown")


class Beneficiary(TimeStampedModel):
    """A person recorded by an agency. One record per person per agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        limit_choices_to={"kind": "agency"},
    )
    name = EncryptedCharField(_("name"), max_length=100)
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_number_index = BlindIndexField(_("ID number index"))
    phone = EncryptedCharField(_("phone"), max_length=30, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    geocode_precision = models.CharField(
        _("location precision"),
        max_length=10,
        choices=GeocodePrecision.choices,
        default=GeocodePrecision.NONE,
    )
    household_size = models.PositiveSmallIntegerField(
        _("household size"), default=1, validators=[MinValueValidator(1)]
    )
    # Names and relations of household members are personal data too.
    household_members = EncryptedJSONField(_("household members"), default=list, blank=True)
    assistance_statuses = models.JSONField(
        _("assistance statuses"),
        default=list,
        blank=True,
        help_text=_("Codes of the social assistance the person receives (dibao, low-income…)."),
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DISABILITY_GRADE)],
        help_text=_("1 (most severe) to 4, as on the disability certificate."),
    )
    local_household_registration = models.BooleanField(
        _("local household registration"),
        default=True,
        help_text=_("Whether the person's hukou is registered in this city."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["-created_at"]
        constraints = [
            # Another agency may know the same person; one agency records them once.
            models.UniqueConstraint(
                fields=["agency", "id_number_index"], name="beneficiary_once_per_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(household_size__gte=1), name="beneficiary_household_size_min_1"
            ),
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=MAX_DISABILITY_GRADE),
                name="beneficiary_disability_grade_1_to_4",
            ),
        ]

    def __str__(self):
        # Never the name: __str__ ends up in logs, admin lists and error reports.
        return str(_("Beneficiary %(uuid)s") % {"uuid": self.uuid})

    def clean(self):
        errors = {}
        statuses = self.assistance_statuses
        if not isinstance(statuses, list) or not set(statuses) <= set(AssistanceStatus.values):
            errors["assistance_statuses"] = _("Choose assistance statuses from the list.")
        elif len(statuses) != len(set(statuses)):
            errors["assistance_statuses"] = _("Each assistance status can be given once.")
        if self.disability_grade is not None and AssistanceStatus.DISABILITY not in (
            statuses or []
        ):
            errors["disability_grade"] = _(
                "A disability grade goes with the disability status; add the status or clear "
                "the grade."
            )
        # The household counts the beneficiary; the members listed are the others.
        if not isinstance(self.household_members, list):
            errors["household_members"] = _("Household members must be a list.")
        elif self.household_size < len(self.household_members) + 1:
            errors["household_size"] = _(
                "The household size counts the person and every member listed, so it must be "
                "at least %(size)d."
            ) % {"size": len(self.household_members) + 1}
        if errors:
            raise ValidationError(errors)

    @property
    def assistance_status_labels(self) -> list[str]:
        return [AssistanceStatus(code).label for code in self.assistance_statuses]
