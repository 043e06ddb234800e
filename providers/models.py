"""Providers (NGOs, social-work firms…), their documents, services, sites and capacity.

A ``Provider`` is the service-delivery profile of an ``accounts.Organization``
of kind provider: the organization holds the legal name and the unified social
credit code, the provider holds what the directory and commissioning need.
Status moves only through ``providers.services``, along ``PROVIDER_LIFECYCLE``.

The evaluation grade (社会组织评估等级, 1A–5A) is evidence, not a claim: the
provider may only declare one with its certificate; it counts (tenders, the
directory's grade filter) once a platform administrator has verified the
certificate, or when an accepted third-party assessment awards it. Its
standing moves along ``GRADE_LIFECYCLE``, through ``providers.services.grades``.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language
from core.lifecycle import Lifecycle
from core.storage import private_storage

# Directory freshness rules (issue: listings go stale).
CAPACITY_STALE_AFTER = timedelta(days=7)
# More free places or people waiting than any one service has: a typing slip.
MAX_PLACES = 100_000
CONFIRMATION_REMINDER_EVERY = timedelta(days=90)
UNCONFIRMED_HIDDEN_AFTER = timedelta(days=180)


class BilingualNameMixin:
    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)


class Provider(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        DEBARRED = "debarred", _("Debarred")

    class LegalForm(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("Social group (社会团体)")
        SOCIAL_SERVICE_AGENCY = (
            "social_service_agency",
            _("Social service agency / private non-enterprise unit (社会服务机构)"),
        )
        FOUNDATION = "foundation", _("Foundation (基金会)")
        SOCIAL_WORK_FIRM = "social_work_firm", _("Social-work firm (社工事务所)")
        ENTERPRISE = "enterprise", _("Enterprise (企业)")
        VOLUNTEER_GROUP = "volunteer_group", _("Volunteer group (志愿服务组织)")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")

    class Nature(models.TextChoices):
        NON_PROFIT = "non_profit", _("Non-profit")
        FOR_PROFIT = "for_profit", _("For-profit")
        CHARITABLE = "charitable", _("Charitable / voluntary")

    class Grade(models.IntegerChoices):
        NONE = 0, _("Not graded")
        A1 = 1, _("1A")
        A2 = 2, _("2A")
        A3 = 3, _("3A")
        A4 = 4, _("4A")
        A5 = 5, _("5A")

    class GradeStatus(models.TextChoices):
        """How far the grade is evidenced: only a verified grade counts anywhere."""

        NONE = "none", _("Not graded")
        DECLARED = "declared", _("Declared, not verified")
        VERIFIED = "verified", _("Verified")

    class GradeSource(models.TextChoices):
        CERTIFICATE = "certificate", _("Evaluation grade certificate")
        ASSESSMENT = "assessment", _("Third-party assessment")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="provider",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(_("reason for the last status change"), blank=True)
    legal_form = models.CharField(_("legal form"), max_length=24, choices=LegalForm.choices)
    nature = models.CharField(
        _("nature"), max_length=12, choices=Nature.choices, default=Nature.NON_PROFIT
    )
    registration_authority = models.CharField(_("registration authority"), max_length=200)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("evaluation grade"), choices=Grade.choices, default=Grade.NONE, db_index=True
    )
    grade_date = models.DateField(_("grade awarded on"), null=True, blank=True)
    grade_status = models.CharField(
        _("grade standing"),
        max_length=10,
        choices=GradeStatus.choices,
        default=GradeStatus.NONE,
        db_index=True,
    )
    grade_source = models.CharField(
        _("grade evidenced by"), max_length=12, choices=GradeSource.choices, blank=True
    )
    grade_reference = models.CharField(
        _("certificate number or assessment reference"), max_length=100, blank=True
    )
    grade_document = models.ForeignKey(
        "ProviderDocument",
        verbose_name=_("grade certificate"),
        null=True,
        blank=True,
        # The file may go; the decision taken on it stays in the audit log.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grade_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grade verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grade_verified_at = models.DateTimeField(_("grade verified at"), null=True, blank=True)
    grade_note = models.TextField(_("note on the last grade decision"), blank=True)
    certified_social_workers = models.PositiveIntegerField(_("certified social workers"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    public_email = models.EmailField(_("public e-mail"), blank=True)
    public_phone = models.CharField(_("public phone"), max_length=30, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["organization__name_zh"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=0, grade__lte=5), name="provider_grade_range"
            ),
            models.CheckConstraint(
                condition=models.Q(grade=0) | models.Q(grade_date__isnull=False),
                name="provider_grade_has_date",
            ),
            # A grade is declared or verified; "not graded" carries no number.
            models.CheckConstraint(
                condition=models.Q(grade=0, grade_status="none")
                | models.Q(grade__gt=0, grade_status__in=["declared", "verified"]),
                name="provider_grade_standing_matches_grade",
            ),
            # A verified grade says what evidenced it.
            models.CheckConstraint(
                condition=~models.Q(grade_status="verified")
                | models.Q(grade_source__in=["certificate", "assessment"]),
                name="provider_verified_grade_has_source",
            ),
        ]

    def __str__(self):
        return str(self.organization)

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def verified_grade(self) -> int:
        """The grade that counts (tender eligibility, the directory filter): a verified
        one, otherwise none — a declared grade is a claim until its certificate is checked."""
        return self.grade if self.grade_status == self.GradeStatus.VERIFIED else self.Grade.NONE

    @property
    def grade_in_words(self) -> str:
        """The grade with its standing, never the number alone: “5A (declared, not
        verified)”, “5A — verified (certificate)”, “5A — verified (assessment ASM-…)”."""
        if self.grade_status == self.GradeStatus.NONE or not self.grade:
            return gettext("Not graded")
        grade = self.get_grade_display()
        if self.grade_status == self.GradeStatus.DECLARED:
            return pgettext("evaluation grade", "%(grade)s (declared, not verified)") % {
                "grade": grade
            }
        if self.grade_source == self.GradeSource.ASSESSMENT:
            words = pgettext("evaluation grade", "%(grade)s — verified (assessment %(reference)s)")
            return words % {"grade": grade, "reference": self.grade_reference}
        return pgettext("evaluation grade", "%(grade)s — verified (certificate)") % {"grade": grade}


# Allowed status changes (SPEC §5): draft → submitted → verified | rejected,
# verified ⇄ suspended, debarred from verified or suspended. A rejected
# provider fixes its profile and submits again.
PROVIDER_TRANSITIONS: dict[str, set[str]] = {
    Provider.Status.DRAFT: {Provider.Status.SUBMITTED},
    Provider.Status.SUBMITTED: {Provider.Status.VERIFIED, Provider.Status.REJECTED},
    Provider.Status.REJECTED: {Provider.Status.SUBMITTED},
    Provider.Status.VERIFIED: {Provider.Status.SUSPENDED, Provider.Status.DEBARRED},
    Provider.Status.SUSPENDED: {Provider.Status.VERIFIED, Provider.Status.DEBARRED},
    Provider.Status.DEBARRED: set(),
}

PROVIDER_LIFECYCLE = Lifecycle(
    name="provider",
    states=Provider.Status,
    transitions=PROVIDER_TRANSITIONS,
    refusal=_("A provider that is “%(current)s” cannot become “%(target)s”."),
    # The provider's own organization reads the entry, under its legal name.
    organization=lambda provider: provider.organization_id,
    label=lambda provider: provider.organization.name_zh,
)


# How a grade's standing changes (issue #13: grades are evidence, not claims). The
# provider declares (again, after a refusal or with a newer certificate: a new
# declaration replaces the grade held until it is verified); a platform
# administrator verifies the certificate or refuses it (the grade is cleared); an
# accepted third-party assessment awards a verified grade whatever stood before.
GRADE_TRANSITIONS: dict[str, set[str]] = {
    Provider.GradeStatus.NONE: {Provider.GradeStatus.DECLARED, Provider.GradeStatus.VERIFIED},
    Provider.GradeStatus.DECLARED: {
        Provider.GradeStatus.DECLARED,
        Provider.GradeStatus.VERIFIED,
        Provider.GradeStatus.NONE,
    },
    Provider.GradeStatus.VERIFIED: {Provider.GradeStatus.DECLARED, Provider.GradeStatus.VERIFIED},
}

GRADE_LIFECYCLE = Lifecycle(
    name="provider_grade",
    states=Provider.GradeStatus,
    transitions=GRADE_TRANSITIONS,
    refusal=_("An evaluation grade that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda provider: provider.organization_id,
    label=lambda provider: provider.organization.name_zh,
    status_field="grade_status",
)


def document_upload_path(instance, filename):
    # The stored name never contains the uploader's file name: it may hold
    # personal data, and it must not be guessable.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"providers/{instance.provider.uuid}/{uuid.uuid4().hex}.{extension}"


class ProviderDocument(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate")
        ANNUAL_REPORT = "annual_report", _("Annual report")
        QUALIFICATION = "qualification", _("Qualification")
        GRADE_CERTIFICATE = (
            "grade_certificate",
            _("Evaluation grade certificate (社会组织评估等级证书)"),
        )
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_upload_path, max_length=255
    )
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    reminder_sent_on = models.DateField(_("expiry reminder sent on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider document")
        verbose_name_plural = _("provider documents")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self):
        return self.title

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()


class Site(BilingualNameMixin, models.Model):
    """A place where a provider delivers services. Its address is the provider's, not a person's."""

    class Precision(models.TextChoices):
        STREET = "street", _("Street")
        DISTRICT = "district", _("District")
        CITY = "city", _("City")
        PROVINCE = "province", _("Province")
        MANUAL = "manual", _("Set by hand")
        NONE = "none", _("Unknown")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="sites"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    address = models.CharField(_("address"), max_length=300)
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_sites",
    )
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The district of the area, kept for fast filtering."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    geocode_precision = models.CharField(
        _("location precision"), max_length=10, choices=Precision.choices, default=Precision.NONE
    )
    opening_hours_zh = models.CharField(_("opening hours (Chinese)"), max_length=300, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=300, blank=True)
    wheelchair_accessible = models.BooleanField(_("step-free / wheelchair access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_support = models.BooleanField(_("hearing loop or sign language"), default=False)
    accessibility_notes = models.CharField(
        _("other accessibility notes"), max_length=300, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name_zh"]

    def __str__(self):
        return self.name

    @property
    def opening_hours(self) -> str:
        return in_active_language(self.opening_hours_zh, self.opening_hours_en)


class Service(BilingualNameMixin, models.Model):
    class Gender(models.TextChoices):
        ANY = "any", _("Anyone")
        FEMALE = "female", _("Women and girls")
        MALE = "male", _("Men and boys")

    class HouseholdRegistration(models.TextChoices):
        ANY = "any", _("Any household registration")
        LOCAL = "local", _("Local household registration only")

    class FeeKind(models.TextChoices):
        FREE = "free", _("Free")
        SUBSIDISED = "subsidised", _("Subsidised / sliding scale")
        PAID = "paid", _("Paid")

    class AssistanceStatus(models.TextChoices):
        """Statuses of social assistance a service may require (any one of them)."""

        DIBAO = "dibao", _("Dibao (minimum living allowance)")
        LOW_INCOME = "low_income", _("Low-income household")
        EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty support")
        DISABILITY = "disability", _("Disability certificate")
        ORPHAN = "orphan", _("Orphan or de facto unattended child")

    class Language(models.TextChoices):
        MANDARIN = "zh", _("Mandarin")
        SHANGHAINESE = "wuu", _("Shanghainese")
        CANTONESE = "yue", _("Cantonese")
        ENGLISH = "en", _("English")
        SIGN = "csl", _("Chinese Sign Language")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="services"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    categories = models.ManyToManyField(
        "taxonomy.NeedCategory", verbose_name=_("need categories"), related_name="services"
    )
    tier = models.ForeignKey(
        "taxonomy.ServiceTier",
        verbose_name=_("service tier"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    # eligibility
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, default=Gender.ANY)
    household_registration = models.CharField(
        _("household registration"),
        max_length=5,
        choices=HouseholdRegistration.choices,
        default=HouseholdRegistration.ANY,
    )
    required_statuses = models.JSONField(
        _("assistance status required (any of)"),
        default=list,
        blank=True,
        help_text=_("Leave empty when the service is open to everyone."),
    )
    # fee and delivery
    fee_kind = models.CharField(
        _("fee"), max_length=10, choices=FeeKind.choices, default=FeeKind.FREE, db_index=True
    )
    fee_amount = models.DecimalField(
        _("fee amount (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    fee_note = models.CharField(_("fee details"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    at_site = models.BooleanField(_("at a site"), default=True)
    home_visit = models.BooleanField(_("home visits"), default=False)
    remote = models.BooleanField(_("by phone or online"), default=False)
    areas_covered = models.ManyToManyField(
        "places.Area", verbose_name=_("areas covered"), blank=True, related_name="services"
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("sites"), through="ServiceAtSite", blank=True, related_name="services"
    )
    is_active = models.BooleanField(_("offered"), default=True)
    accepting_referrals = models.BooleanField(_("accepting referrals"), default=True)
    # capacity (issue: capacity is unknown): one action updates both numbers
    free_slots = models.PositiveIntegerField(_("free places"), default=0)
    waitlist_length = models.PositiveIntegerField(_("people waiting"), default=0)
    capacity_updated_at = models.DateTimeField(_("capacity updated at"), null=True, blank=True)
    capacity_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("capacity updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # freshness (issue: listings go stale)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), db_index=True)
    confirmation_reminded_at = models.DateTimeField(
        _("confirmation reminder sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_zh"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(at_site=True)
                | models.Q(home_visit=True)
                | models.Q(remote=True),
                name="service_has_delivery_mode",
            ),
        ]
        indexes = [models.Index(fields=["provider", "is_active"])]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)

    def capacity_is_stale(self, now=None) -> bool:
        """Capacity not updated for 7 days is shown as stale (and counts less in matching)."""
        if self.capacity_updated_at is None:
            return True
        return (now or timezone.now()) - self.capacity_updated_at > CAPACITY_STALE_AFTER

    def is_confirmed(self, now=None) -> bool:
        """A service unconfirmed for 180 days leaves the public directory until confirmed."""
        return (now or timezone.now()) - self.last_confirmed_at <= UNCONFIRMED_HIDDEN_AFTER

    @property
    def has_free_capacity(self) -> bool:
        return self.free_slots > 0


class ServiceAtSite(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="site_links")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="service_links")

    class Meta:
        verbose_name = _("service at site")
        verbose_name_plural = _("services at sites")
        constraints = [
            models.UniqueConstraint(fields=["service", "site"], name="service_at_site_unique")
        ]

    def __str__(self):
        return f"{self.service} @ {self.site}"


class ServicePoint(models.Model):
    """Where a service is found, per need category: the matching index of sites.

    One row per service, site with coordinates, and need category of the
    service, holding the site's latitude and longitude (as floating point: the
    distance arithmetic needs no conversion). Matching finds "the services of
    these categories with a site inside this box" in one index range scan
    (category, latitude, longitude) instead of joining every site to every
    service-site link. Derived data: ``providers.services`` rebuilds a
    service's rows whenever its categories or sites, or a site's point, change
    (``refresh_service_points``); nothing else writes it.
    """

    # Indexed by the unique constraint, which starts with it.
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "taxonomy.NeedCategory", on_delete=models.CASCADE, related_name="+"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "category", "site"], name="service_point_unique"
            )
        ]
        indexes = [
            # Which services of these categories have a point in the box?
            models.Index(
                fields=["category", "latitude", "longitude", "service"],
                name="service_point_near",
            ),
            # How far is this service's nearest point? Both read only the index.
            models.Index(
                fields=["service", "category", "latitude", "longitude"],
                name="service_point_of_service",
            ),
        ]

    def __str__(self):
        return f"{self.service_id} @ {self.latitude},{self.longitude}"


class ServiceCoverage(models.Model):
    """Which areas a service covers, per need category: the matching index of coverage.

    One row per service, area covered and need category of the service, so
    that "the services of these categories covering these areas" is one index
    scan (category, area). Derived like ``ServicePoint``, by the same
    ``refresh_service_points``.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("places.Area", on_delete=models.CASCADE, related_name="+")
    # Indexed by the unique constraint, which starts with it.
    category = models.ForeignKey(
        "taxonomy.NeedCategory", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("service coverage")
        verbose_name_plural = _("service coverage")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area", "service"], name="service_coverage_unique"
            )
        ]

    def __str__(self):
        return f"{self.service_id} covers {self.area_id}"


class ExternalRecord(models.Model):
    """Where an imported record came from (HSDS import): source + foreign id → our object.

    Re-importing the same source updates the object recorded here instead of
    creating a duplicate.
    """

    source = models.CharField(_("source"), max_length=100)
    entity = models.CharField(_("entity"), max_length=30)
    external_id = models.CharField(_("external id"), max_length=100)
    object_uuid = models.UUIDField(_("our object"))
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "entity", "external_id"], name="external_record_unique"
            )
        ]

    def __str__(self):
        return f"{self.source}:{self.entity}:{self.external_id}"
