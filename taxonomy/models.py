"""Need categories and service tiers: the shared vocabulary of every other app.

A beneficiary's need, a provider's service, a tender and an unmet need all
name a ``NeedCategory`` by its stable code, so statistics and matching line up
across apps. The categories follow China's social assistance system (the
Interim Measures on Social Assistance, 2014: basic living, special and
emergency assistance) plus the social services that agencies purchase.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language

CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$"
code_validator = RegexValidator(
    CODE_PATTERN,
    _(
        "Use lower-case letters, digits and hyphens, with a dot before a sub-category: "
        "basic-living.dibao."
    ),
)


class NeedCategory(models.Model):
    """A kind of need, in a two-level tree: groups (基本生活救助) and their categories (低保).

    Codes never change once published: other apps, exports and outside
    clients refer to them. A category that is no longer used is deactivated,
    not deleted.
    """

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[code_validator],
        help_text=_("Stable identifier, e.g. basic-living.dibao; never changes once used."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    open_eligibility_code = models.CharField(
        _("Open Eligibility code"),
        max_length=20,
        blank=True,
        help_text=_(
            "The nearest concept in the Open Eligibility human services taxonomy, for "
            "exports; blank when there is none."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=CODE_PATTERN), name="need_category_code_format"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="need_category_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Chinese."""
        return in_active_language(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)

    @property
    def is_group(self) -> bool:
        return self.parent_id is None

    def clean(self):
        # Two levels are enough for the assistance system and keep roll-ups
        # (statistics per group, matching on a group) a single join.
        if self.parent_id is not None:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own group.")})
            if self.parent.parent_id is not None:
                raise ValidationError(
                    {"parent": _("Choose a top-level group; categories have only two levels.")}
                )
            if self.pk is not None and self.children.exists():
                raise ValidationError(
                    {
                        "parent": _(
                            "This is a group with categories of its own; it cannot join "
                            "another group."
                        )
                    }
                )


class ServiceTier(models.Model):
    """How far a service reaches: meeting survival needs, building capacity, opening opportunity."""

    class Code(models.TextChoices):
        SURVIVAL = "survival", _("Survival")
        DEVELOPMENT = "development", _("Development")
        OPPORTUNITY = "opportunity", _("Opportunity")

    code = models.CharField(_("code"), max_length=20, unique=True, choices=Code.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("service tier")
        verbose_name_plural = _("service tiers")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Chinese."""
        return in_active_language(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)
