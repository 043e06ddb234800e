"""Users, the organizations they act for, their roles (SPEC §4) and their API tokens.

One ``Organization`` table holds every party, as OCDS does: agencies,
providers, assessors and the platform operator. A person acts through a
``Membership`` that names the organization and the role. Programs act for a
person with an ``APIToken``.
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from knox.models import AbstractAuthToken

from accounts.validators import validate_credit_code
from core.i18n import in_active_language


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so fields can be added later."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("work phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username


class Organization(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("Government agency")
        PROVIDER = "provider", _("Service provider")
        ASSESSOR = "assessor", _("Third-party assessor")
        PLATFORM = "platform", _("Platform operator")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, db_index=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100."),
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": "agency"},
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_zh"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)


class Role(models.TextChoices):
    """Roles of SPEC §4. Panel membership is per tender, not a role."""

    COMMISSIONER = "commissioner", _("Commissioner")
    FINANCE = "finance", _("Finance officer")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    PROVIDER_ADMIN = "provider_admin", _("Provider administrator")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    ASSESSOR = "assessor", _("Assessor")
    EDITOR = "editor", _("Content editor")
    MODERATOR = "moderator", _("Content moderator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Which roles each kind of organization can grant (SPEC §4).
ROLES_BY_KIND = {
    Organization.Kind.AGENCY: {Role.COMMISSIONER, Role.FINANCE, Role.CASEWORKER, Role.SUPERVISOR},
    Organization.Kind.PROVIDER: {Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF},
    Organization.Kind.ASSESSOR: {Role.ASSESSOR},
    Organization.Kind.PLATFORM: {Role.EDITOR, Role.MODERATOR, Role.PLATFORM_ADMIN},
}


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = (
            ROLES_BY_KIND.get(self.organization.kind, set()) if self.organization_id else set()
        )
        if self.role and self.organization_id and self.role not in allowed:
            raise ValidationError(
                {
                    "role": _("A %(kind)s cannot grant the role %(role)s.")
                    % {
                        "kind": self.organization.get_kind_display(),
                        "role": Role(self.role).label,
                    }
                }
            )


class APIToken(AbstractAuthToken):
    """A key a program sends as ``Authorization: Token <key>`` to act as its owner.

    django-rest-knox keeps only a SHA-512 digest of the key (``digest``) and its
    first characters in clear (``token_key``, how knox finds the row), so a copy
    of the database gives nobody a working key. Every token expires
    (``API_TOKEN_TTL_DAYS``); its owner names it, sees when it expires and
    revokes it. Pages and the API refer to a token by its ``uuid``, never by
    anything derived from the key.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(pgettext_lazy("API token", "name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return self.name or self.key_start

    @property
    def key_start(self) -> str:
        """The first characters of the key, enough for its owner to tell tokens apart."""
        return f"{self.token_key[:8]}…"
