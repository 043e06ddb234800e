"""Distances between points (places.geocoding.distance_km)."""

from decimal import Decimal

import pytest

from places.geocoding import distance_km
from tests.factories.places import DistrictFactory

PEOPLES_SQUARE = (31.2304, 121.4737)
LUJIAZUI = (31.2397, 121.4998)  # Oriental Pearl Tower
XUJIAHUI = (31.1939, 121.4365)
BEIJING_TIANANMEN = (39.9087, 116.3975)


def test_peoples_square_to_lujiazui_is_under_three_kilometres():
    assert 2.4 < distance_km(PEOPLES_SQUARE, LUJIAZUI) < 3.0


def test_peoples_square_to_xujiahui_is_about_five_kilometres():
    assert 4.5 < distance_km(PEOPLES_SQUARE, XUJIAHUI) < 6.0


def test_shanghai_to_beijing_is_about_a_thousand_kilometres():
    assert 1050 < distance_km(PEOPLES_SQUARE, BEIJING_TIANANMEN) < 1090


def test_distance_is_symmetric_and_zero_to_itself():
    assert distance_km(LUJIAZUI, XUJIAHUI) == pytest.approx(distance_km(XUJIAHUI, LUJIAZUI))
    assert distance_km(LUJIAZUI, LUJIAZUI) == 0


def test_areas_and_decimal_points_are_accepted():
    area = DistrictFactory.build(latitude=Decimal("31.239700"), longitude=Decimal("121.499800"))

    assert distance_km(area, (Decimal("31.2304"), Decimal("121.4737"))) == pytest.approx(
        distance_km(LUJIAZUI, PEOPLES_SQUARE)
    )


def test_a_point_without_coordinates_is_refused():
    area = DistrictFactory.build(latitude=None, longitude=None)

    with pytest.raises(ValueError, match="no coordinates"):
        distance_km(area, PEOPLES_SQUARE)
