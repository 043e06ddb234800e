"""Reads of administrative areas.

Areas are public reference data, so these selectors take no user. Each one
joins the parent it will be shown with, so a list costs the same number of
queries however long it is.
"""

from django.db.models import Q, QuerySet

from places import codes
from places.models import Area

SHANGHAI_CITY_CODE = "310100000000"


def areas() -> QuerySet[Area]:
    """Every area with its parent joined, in code order."""
    return Area.objects.select_related("parent").order_by("code")


def area_by_code(code) -> Area | None:
    """The area with ``code`` (2, 4, 6, 9 or 12 digits), its parent and grandparent joined."""
    full_code = codes.normalize(code)
    if full_code is None:
        return None
    return Area.objects.select_related("parent__parent").filter(code=full_code).first()


def areas_under(code, *, level: int | None = None) -> QuerySet[Area]:
    """Every area inside the area ``code`` (not the area itself), optionally of one level.

    Codes nest, so the areas inside are exactly those whose code starts with
    the area's significant digits; no walk down the tree is needed.
    """
    full_code = codes.normalize(code)
    if full_code is None:
        return Area.objects.none()
    found = areas().filter(code__startswith=codes.significant_prefix(full_code))
    if level is not None:
        found = found.filter(level=level)
    return found.exclude(code=full_code)


def children_of(area: Area) -> QuerySet[Area]:
    return areas().filter(parent=area)


def district_of(area: Area | None) -> Area | None:
    """The district (county) ``area`` lies in: itself if it is one, None above that level.

    Services, sites and caseload are counted by district, the level at which
    civil-affairs bureaus commission and supervise; a street or community is
    walked up to its district through ``parent`` (joined by ``area_by_code``,
    so usually without a query). A province or city has no district.
    """
    while area is not None and area.level > Area.Level.DISTRICT:
        area = area.parent
    if area is None or area.level != Area.Level.DISTRICT:
        return None
    return area


def streets_of(district: Area) -> QuerySet[Area]:
    return Area.objects.filter(parent=district, level=Area.Level.STREET).order_by("code")


def shanghai_districts() -> QuerySet[Area]:
    """The 16 districts of Shanghai (under the municipality's 市辖区, 310100)."""
    return areas().filter(parent__code=SHANGHAI_CITY_CODE, level=Area.Level.DISTRICT)


def search_areas(queryset: QuerySet[Area], text: str) -> QuerySet[Area]:
    """Areas whose Chinese or English name contains ``text``, or whose code starts with it."""
    text = text.strip()
    if not text:
        return queryset
    condition = Q(name_zh__icontains=text) | Q(name_en__icontains=text)
    if text.isascii() and text.isdigit():
        condition |= Q(code__startswith=text)
    return queryset.filter(condition)


def areas_loaded() -> bool:
    return Area.objects.exists()
