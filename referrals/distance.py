"""Distances for matching (``referrals.matching``): kilometres between a person's point
and a site's, the same formula in SQL (``FlatDistanceKm``) and in Python (``flat_km``).

Within matching's reach (a few tens of kilometres) a flat-earth approximation around
the person is off by a few metres and needs no database extension.
"""

import math

from django.db.models import F, FloatField, Func


def distance_expression(point: tuple[float, float], prefix: str) -> "FlatDistanceKm":
    return FlatDistanceKm(F(f"{prefix}latitude"), F(f"{prefix}longitude"), point=point)


class FlatDistanceKm(Func):
    """Kilometres from ``point`` to the row's latitude and longitude, in plain arithmetic.

    A flat-earth approximation around the person (kilometres per degree at that
    latitude on the WGS 84 ellipsoid): within MAX_DISTANCE_KM it is off by a few
    metres, it needs no database extension, and the same SQL runs on SQLite and
    PostgreSQL (SQRT is built into both, or registered by Django on SQLite).
    ``flat_km`` is the same formula in Python, for the distance shown. One node rather
    than a tree of arithmetic expressions: it is built on every request.
    """

    output_field = FloatField()

    def __init__(self, latitude, longitude, *, point: tuple[float, float]):
        super().__init__(latitude, longitude)
        self.point = point

    def as_sql(self, compiler, connection, **extra_context):
        latitude, longitude = self.point
        km_per_latitude, km_per_longitude = km_per_degree(latitude)
        latitude_sql, latitude_params = compiler.compile(self.source_expressions[0])
        longitude_sql, longitude_params = compiler.compile(self.source_expressions[1])
        north = f"((CAST({latitude_sql} AS DOUBLE PRECISION) - %s) * %s)"
        east = f"((CAST({longitude_sql} AS DOUBLE PRECISION) - %s) * %s)"
        params = (*latitude_params, latitude, km_per_latitude) * 2
        params += (*longitude_params, longitude, km_per_longitude) * 2
        return f"SQRT({north} * {north} + {east} * {east})", params


def flat_km(point: tuple[float, float], site) -> float:
    """``FlatDistanceKm`` in Python: kilometres from ``point`` to the site."""
    latitude, longitude = point
    per_latitude, per_longitude = km_per_degree(latitude)
    return math.hypot(
        (float(site.latitude) - latitude) * per_latitude,
        (float(site.longitude) - longitude) * per_longitude,
    )


def km_per_degree(latitude: float) -> tuple[float, float]:
    phi = math.radians(latitude)
    per_latitude = 111.13292 - 0.55982 * math.cos(2 * phi) + 0.001175 * math.cos(4 * phi)
    per_longitude = 111.41284 * math.cos(phi) - 0.0935 * math.cos(3 * phi)
    return per_latitude, per_longitude
