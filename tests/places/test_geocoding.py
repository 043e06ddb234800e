"""Turning Chinese addresses into an area and a point (places.geocoding)."""

from decimal import Decimal

import pytest
from django.test import override_settings

from places import geocoding
from places.geocoding import GeocodeResult, Precision, geocode
from places.models import Area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("上海市徐汇区漕溪北路201号", "310104"),
        ("上海市黄浦区人民大道200号", "310101"),
        ("上海市静安区南京西路1266号", "310106"),
        ("上海市闵行区沪闵路6258号", "310112"),
        ("浦东新区陆家嘴环路1000号", "310115"),  # no city named
        ("北京市海淀区中关村大街1号", "110108"),
        ("广东省广州市天河区天河路208号", "440106"),
    ],
)
def test_addresses_resolve_to_their_district(loaded_areas, address, district):
    result = geocode(address)

    assert result.found
    assert result.area.district_code == district
    assert result.precision in (Precision.DISTRICT, Precision.STREET)
    assert result.latitude is not None and result.longitude is not None


def test_address_without_a_known_street_is_located_to_the_district(loaded_areas):
    result = geocode("上海市徐汇区漕溪北路201号")

    assert result.area.code == "310104000000"
    assert result.precision == Precision.DISTRICT
    assert result.message == ""


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("上海市浦东新区塘桥街道", "310115008000"),
        ("上海市浦东新区塘桥街道蓝村路1号", "310115008000"),
        ("浦东新区陆家嘴环路1000号", "310115005000"),  # 陆家嘴 without 街道
        ("上海市 浦东新区 张江镇 祖冲之路", "310115125000"),
        ("上海市徐汇区徐家汇街道", "310104014000"),
    ],
)
def test_addresses_naming_a_street_resolve_to_the_street(loaded_areas, address, street):
    result = geocode(address)

    assert result.found
    assert result.area.code == street
    assert result.area.level == Area.Level.STREET
    assert result.area.parent.code == street[:6] + "000000"
    assert result.precision == Precision.STREET
    assert result.point == result.area.point


def test_one_character_street_stems_do_not_match_on_their_own(loaded_areas):
    # 唐镇 must not be found in every address that contains 唐.
    result = geocode("上海市浦东新区唐山路100号")

    assert result.area.code == "310115000000"
    assert result.precision == Precision.DISTRICT


def test_full_width_digits_and_spaces_are_tolerated(loaded_areas):
    result = geocode("  上海市　徐汇区　漕溪北路２０１号 ")

    assert result.area.code == "310104000000"


def test_city_only_address_is_found_with_city_precision_and_a_hint(loaded_areas):
    result = geocode("广州市")

    assert result.found
    assert result.area.code == "440100000000"
    assert result.precision == Precision.CITY
    assert "district" in result.message


def test_province_only_address_is_found_with_province_precision(loaded_areas):
    result = geocode("上海")

    assert result.area.code == "310000000000"
    assert result.precision == Precision.PROVINCE


@pytest.mark.parametrize(
    "address",
    ["", "   ", None, 12345, ["上海市"], "asdfghjkl", "!!!???", "你好世界", "上海市" * 100],
)
def test_bad_input_is_not_found_with_a_message_and_never_raises(loaded_areas, address):
    result = geocode(address)

    assert isinstance(result, GeocodeResult)
    assert not result.found
    assert result.area is None
    assert result.point is None
    assert result.precision == Precision.NONE
    assert result.message


def test_not_found_message_tells_the_person_to_include_the_district(loaded_areas):
    assert "include the district" in geocode("asdfghjkl").message


def test_failure_inside_cpca_is_reported_as_not_found(loaded_areas, monkeypatch):
    import cpca

    def broken(*args, **kwargs):
        raise RuntimeError("cpca broke")

    monkeypatch.setattr(cpca, "transform", broken)

    result = geocode("上海市徐汇区漕溪北路201号")

    assert not result.found
    assert result.message


def test_without_loaded_areas_the_message_says_to_load_them():
    # Other tests in this package may have loaded the areas: remove them in
    # this test's transaction (rolled back afterwards).
    for level in sorted(Area.Level, reverse=True):
        Area.objects.filter(level=level).delete()

    result = geocode("上海市徐汇区漕溪北路201号")

    assert not result.found
    assert "load_areas" in result.message


@override_settings(GEOCODER_HOME_CITY="310100000000")
def test_home_city_settles_district_names_shared_by_several_cities(loaded_areas):
    # 普陀区 exists in Shanghai and in Zhoushan.
    assert geocode("普陀区长寿路100号").area.code == "310107000000"
    assert geocode("浙江省舟山市普陀区").area.code == "330903000000"


def test_offline_backend_is_the_default():
    assert isinstance(geocoding.get_geocoder(), geocoding.OfflineGeocoder)


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="http://127.0.0.1:9")
def test_nominatim_backend_is_selected_by_settings():
    geocoder = geocoding.get_geocoder()

    assert isinstance(geocoder, geocoding.NominatimGeocoder)
    assert geocoder.client.domain == "127.0.0.1:9"
    assert geocoder.client.scheme == "http"


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="http://127.0.0.1:9")
def test_unreachable_nominatim_falls_back_to_the_offline_result(loaded_areas, caplog):
    # Port 9 (discard) refuses connections on the test machine: no traffic leaves it.
    result = geocode("上海市浦东新区塘桥街道")

    assert "Nominatim geocoding failed" in caplog.text
    assert result.found
    assert result.area.code == "310115008000"
    assert result.precision == Precision.STREET


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="http://127.0.0.1:9")
def test_nominatim_point_comes_with_the_offline_area(loaded_areas, monkeypatch):
    from geopy.location import Location

    answer = Location("蓝村路1号, 塘桥街道, 浦东新区, 上海市", (31.214567, 121.520123), {})
    monkeypatch.setattr(geocoding.Nominatim, "geocode", lambda self, *a, **kw: answer)

    result = geocode("上海市浦东新区塘桥街道蓝村路1号")

    assert result.found
    assert result.precision == Precision.STREET
    # Kept to about 100 m: the point is stored in plain columns.
    assert result.point == (Decimal("31.215"), Decimal("121.52"))
    assert result.area.code == "310115008000"


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="http://127.0.0.1:9")
def test_a_failing_nominatim_never_writes_the_address_to_the_log(loaded_areas, monkeypatch, caplog):
    from geopy.exc import GeocoderServiceError

    def refuse(self, query, *args, **kwargs):
        # geopy's own messages quote the URL, and so the address.
        raise GeocoderServiceError(f"HTTP Error 502 for /search?q={query}")

    monkeypatch.setattr(geocoding.Nominatim, "geocode", refuse)

    result = geocode("上海市浦东新区塘桥街道蓝村路1号")

    assert result.found
    assert "GeocoderServiceError" in caplog.text
    assert "蓝村路" not in caplog.text


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="http://127.0.0.1:9")
def test_bad_input_never_reaches_nominatim(loaded_areas, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("Nominatim must not be asked")

    monkeypatch.setattr(geocoding.Nominatim, "geocode", fail)

    assert not geocode("").found


@override_settings(GEOCODER="nominatim", NOMINATIM_URL="")
def test_nominatim_without_url_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="NOMINATIM_URL"):
        geocoding.get_geocoder()
