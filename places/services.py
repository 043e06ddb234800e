"""Writes to the table of administrative areas.

Areas are reference data: provinces, cities and districts come from the data
file shipped with the ``cpca`` package (the same data the offline geocoder
parses addresses with, so the two always agree), streets from our own file
``places/data/shanghai_streets.csv``. Loading is idempotent: it creates what
is missing, updates names, levels, parents and centroids that changed, and
never deletes, because other records point at areas.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import record_change
from core.errors import ApplicationError
from places import codes
from places.models import Area
from places.names import english_name

STREETS_FILE = Path(__file__).resolve().parent / "data" / "shanghai_streets.csv"

# Fields a load may change on an existing area.
LOADED_FIELDS = ["name_zh", "name_en", "level", "parent", "latitude", "longitude"]
BATCH_SIZE = 500
CENTROID_PLACES = Decimal("0.000001")

DISTRICTS_MISSING = _(
    "Streets belong to districts that are not loaded yet: run load_areas without --streets first."
)
EDITABLE_AREA_FIELDS = frozenset({"name_en", "latitude", "longitude"})
AREA_FIELDS_NOT_EDITABLE = _(
    "Only the English name and the centroid of an area can be changed; codes, Chinese names, "
    "levels and parents come from the official code list."
)


@dataclass(frozen=True)
class AreaRecord:
    """One area as read from a data file, before it meets the database."""

    code: str
    name_zh: str
    name_en: str
    level: int
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass(frozen=True)
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "LoadSummary") -> "LoadSummary":
        return LoadSummary(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )


def load_areas(*, include_streets: bool = True, actor=None) -> LoadSummary:
    """Load every province, city and district of China, then (by default) the Shanghai streets."""
    summary = _load(records=read_cpca_areas(), action="places.areas_loaded", actor=actor)
    if include_streets:
        summary += load_streets(actor=actor)
    return summary


def load_streets(*, path: Path = STREETS_FILE, actor=None) -> LoadSummary:
    """Load the streets and towns listed in ``path`` under their districts (already loaded)."""
    with path.open(encoding="utf-8", newline="") as stream:
        records = list(read_street_rows(stream))
    district_codes = {record.code[:6].ljust(codes.FULL_LENGTH, "0") for record in records}
    if Area.objects.filter(code__in=district_codes).count() < len(district_codes):
        raise ApplicationError(DISTRICTS_MISSING, code="districts_missing")
    return _load(records=records, action="places.streets_loaded", actor=actor)


def update_area(*, area: Area, actor, **changes) -> Area:
    """Correct an area's English name or centroid (what the admin may edit)."""
    unknown = set(changes) - EDITABLE_AREA_FIELDS
    if unknown:
        raise ApplicationError(AREA_FIELDS_NOT_EDITABLE, code="not_editable")
    for field, value in changes.items():
        setattr(area, field, value)
    area.full_clean()
    with transaction.atomic():
        area.save(update_fields=sorted(changes))
        record_change(
            action="places.area_updated",
            actor=actor,
            target=area,
            details={"fields": sorted(changes)},
            label=area.code,
        )
    return area


def read_cpca_areas() -> list[AreaRecord]:
    """Provinces, cities and districts from ``cpca/resources/adcodes.csv``."""
    source = resources.files("cpca.resources").joinpath("adcodes.csv")
    with source.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        return [
            _record(
                code=row["adcode"][:6],
                name_zh=row["name"],
                latitude=row["latitude"],
                longitude=row["longitude"],
            )
            for row in csv.DictReader(text)
        ]


def read_street_rows(stream: Iterable[str]) -> Iterable[AreaRecord]:
    """Streets from a CSV with columns code, name_zh, name_en, latitude, longitude."""
    for row in csv.DictReader(stream):
        yield _record(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            latitude=row["latitude"],
            longitude=row["longitude"],
        )


def _record(*, code, name_zh, latitude, longitude, name_en="") -> AreaRecord:
    full_code = codes.normalize(code)
    if full_code is None:
        raise ValueError(f"Not a GB/T 2260 code: {code!r}")
    name_zh = name_zh.strip()
    return AreaRecord(
        code=full_code,
        name_zh=name_zh,
        name_en=name_en.strip() or english_name(name_zh, full_code),
        level=codes.level_of(full_code),
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
    )


def _coordinate(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip()).quantize(CENTROID_PLACES)
    except (InvalidOperation, ValueError):
        # Some grouping rows (市辖区, 省直辖县级行政区划) have no centroid.
        return None


@transaction.atomic
def _load(*, records: list[AreaRecord], action: str, actor) -> LoadSummary:
    """Create or update ``records`` in a few bulk statements, coarsest level first.

    Going level by level means every parent exists (and has a primary key)
    before its children are written, whatever order the file is in.
    """
    levels = sorted({record.level for record in records})
    # Whole levels rather than long IN lists: SQLite caps the number of parameters.
    existing = {area.code: area for area in Area.objects.filter(level__in=levels)}
    parent_ids = dict(
        Area.objects.filter(level__lt=max(levels, default=0)).values_list("code", "id")
    )
    created = updated = unchanged = 0

    for level in levels:
        new_areas, changed_areas = [], []
        for record in (r for r in records if r.level == level):
            parent_id = _parent_id(record.code, parent_ids)
            area = existing.get(record.code)
            if area is None:
                new_areas.append(_area_from(record, parent_id))
            elif _apply(area, record, parent_id):
                changed_areas.append(area)
            else:
                unchanged += 1
        Area.objects.bulk_create(new_areas, batch_size=BATCH_SIZE)
        Area.objects.bulk_update(changed_areas, LOADED_FIELDS, batch_size=BATCH_SIZE)
        created += len(new_areas)
        updated += len(changed_areas)
        # Not every backend returns primary keys from bulk_create: read them back.
        parent_ids.update(Area.objects.filter(level=level).values_list("code", "id"))

    summary = LoadSummary(created=created, updated=updated, unchanged=unchanged)
    if created or updated:
        record_change(
            action=action,
            actor=actor,
            target="places.area",
            details={"created": created, "updated": updated},
        )
    return summary


def _parent_id(code: str, parent_ids: dict[str, int]) -> int | None:
    for candidate in codes.parent_candidates(code):
        if candidate in parent_ids:
            return parent_ids[candidate]
    return None


def _area_from(record: AreaRecord, parent_id: int | None) -> Area:
    return Area(
        code=record.code,
        name_zh=record.name_zh,
        name_en=record.name_en,
        level=record.level,
        parent_id=parent_id,
        latitude=record.latitude,
        longitude=record.longitude,
    )


def _apply(area: Area, record: AreaRecord, parent_id: int | None) -> bool:
    """Copy ``record`` onto ``area``; True if anything changed."""
    wanted = {
        "name_zh": record.name_zh,
        "name_en": record.name_en,
        "level": record.level,
        "parent_id": parent_id,
        "latitude": record.latitude,
        "longitude": record.longitude,
    }
    changed = False
    for field, value in wanted.items():
        if getattr(area, field) != value:
            setattr(area, field, value)
            changed = True
    return changed
