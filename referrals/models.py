"""Beneficiaries: the people caseworkers help, with their personal data encrypted (SPEC §4, §5).

Name, ID number, phone, address and household members are personal
information under PIPL and are stored with the foundation's encrypted fields;
the ID number is matched only through its blind index.

The referral loop lives here too: a needs assessment lists needs; a referral
sends one need to one provider's service under a consent that says which
fields the provider may see; its lifecycle is the table ``REFERRAL_TRANSITIONS``
and only ``referrals.services`` moves a referral along it. When nothing
eligible has room, the caseworker records an ``UnmetNeed``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from core.blind_index import BlindIndexField
from core.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from core.models import TimeStampedModel
from providers.models import Service
from referrals import sla, validators

# The codes a service's eligibility names (providers), so that matching
# compares a beneficiary's statuses with a service's requirements like for like.
AssistanceStatus = Service.AssistanceStatus

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
    local_hukou = models.BooleanField(
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


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class NeedAssessment(TimeStampedModel):
    """A caseworker's assessment of a person's needs on a given day."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("beneficiary"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_on = models.DateField(_("date of assessment"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE
    )
    # A caseworker's notes describe a person's situation: personal data.
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-assessed_on", "-created_at"]

    def __str__(self):
        return str(_("Assessment of %(date)s") % {"date": self.assessed_on.isoformat()})


class Need(models.Model):
    """One need found in an assessment; referrals and unmet needs point at it."""

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MODERATE = 2, _("Moderate")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(
        NeedAssessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="needs"
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    tier = models.ForeignKey(
        "taxonomy.ServiceTier",
        verbose_name=_("service tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MODERATE
    )
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-severity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"], name="need_once_per_assessment"
            ),
        ]

    def __str__(self):
        return str(self.category)


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


# Who may move a referral where (SPEC §5). The service layer checks the actor's role.
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


class ShareableField(models.TextChoices):
    """What a consent may share with the provider once it has accepted (SPEC §4)."""

    NAME = "name", _("Name")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    ID_NUMBER = "id_number", _("ID number")
    HOUSEHOLD_MEMBERS = "household_members", _("Household members")
    SITUATION = "situation", _("Reason for the referral and assessment notes")


class Consent(TimeStampedModel):
    """The person's consent for one referral: which fields go to which provider, and why.

    A supervisor may send a referral without the person's consent (for
    example an emergency where the person cannot be asked); that override is
    recorded here as a consent given by ``SUPERVISOR_OVERRIDE`` with the
    supervisor's written reason, and audited.
    """

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed consent form")
        VERBAL_WITNESSED = "verbal", _("Verbal, witnessed by the caseworker")
        ELECTRONIC = "electronic", _("Electronic confirmation by the person")
        GUARDIAN = "guardian", _("Given by a guardian")
        SUPERVISOR_OVERRIDE = "override", _("Supervisor override without consent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="consents"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    fields = models.JSONField(_("fields shared"), default=list)
    purpose = models.CharField(_("purpose"), max_length=300)
    method = models.CharField(_("how consent was given"), max_length=12, choices=Method.choices)
    given_at = models.DateTimeField(_("given at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why consent was overridden, and why it was withdrawn, may describe the
    # person (illness, capacity): encrypted like every other free text here.
    override_reason = EncryptedTextField(_("reason for the override"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_note = EncryptedCharField(_("revocation note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                # An encrypted column refuses lookups; its length is still known
                # ("" is stored as "", any reason as a longer ciphertext).
                condition=~models.Q(method="override")
                | models.lookups.GreaterThan(Length("override_reason"), 0),
                name="consent_override_needs_reason",
            ),
        ]

    def __str__(self):
        return str(_("Consent %(uuid)s") % {"uuid": self.uuid})

    def clean(self):
        if not isinstance(self.fields, list) or not set(self.fields) <= set(ShareableField.values):
            raise ValidationError({"fields": _("Choose the fields to share from the list.")})
        if self.expires_at and self.given_at and self.expires_at <= self.given_at:
            raise ValidationError({"expires_at": _("The consent must expire after it was given.")})

    def is_valid(self, now=None) -> bool:
        """In force: not revoked and not expired."""
        from django.utils import timezone

        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class UnmetNeed(TimeStampedModel):
    """A need nobody eligible could meet: feeds the next commissioning round and statistics.

    Holds the category, the area and the reason, and no personal data: the
    link to the need lets the caseworker find it again, statistics never follow it.
    """

    class Reason(models.TextChoices):
        NO_SERVICE = "no_service", _("No service for this need in the area")
        NO_CAPACITY = "no_capacity", _("Eligible services have no free place")
        NOT_ELIGIBLE = "not_eligible", _("The person is not eligible for the services there")
        TOO_FAR = "too_far", _("Services are too far away")
        DECLINED = "declined", _("Every provider declined")
        OTHER = "other", _("Other reason")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unmet_records",
    )
    category = models.ForeignKey(
        "taxonomy.NeedCategory",
        verbose_name=_("need category"),
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unmet_needs",
    )
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("What would have helped. Do not write names or ID numbers here."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unmet need")
        verbose_name_plural = _("unmet needs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["category", "area"])]

    def __str__(self):
        return str(self.category)
