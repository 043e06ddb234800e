"""Administrative areas of China (GB/T 2260), from provinces down to communities."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import in_active_language


class Area(models.Model):
    """An administrative area with its 12-digit GB/T 2260 code.

    Provinces, cities and districts come from the ``cpca`` package data
    (``load_areas``); streets and communities are added where needed. The code
    is the stable identifier used everywhere else.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        DISTRICT = 3, _("District / county")
        STREET = 4, _("Street / township")
        COMMUNITY = 5, _("Community / village")

    code = models.CharField(_("GB/T 2260 code"), max_length=12, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__range=(-90, 90)),
                name="area_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__range=(-180, 180)),
                name="area_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Chinese."""
        return in_active_language(self.name_zh, self.name_en)

    @property
    def district_code(self) -> str:
        return self.code[:6]

    @property
    def point(self) -> tuple[Decimal, Decimal] | None:
        """The centroid as (latitude, longitude), or None when the area has none."""
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)
