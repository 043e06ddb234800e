"""Factories for administrative areas.

Generated areas live under fictional province codes 90-99, which GB/T 2260
does not use, so they never collide with real areas loaded by ``load_areas``.
``shanghai_district()`` gives a real district with its real parents when a
test needs a recognisable place. All factories get-or-create by code, so
asking twice for the same code returns the same row.
"""

import factory
from factory.django import DjangoModelFactory

from places.models import Area


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 10}0000000000")
    name_zh = factory.Sequence(lambda n: f"测试省{n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    level = Area.Level.PROVINCE
    parent = None
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=20, max_value=45)
    longitude = factory.Faker(
        "pydecimal", left_digits=3, right_digits=6, min_value=100, max_value=125
    )


class CityFactory(ProvinceFactory):
    level = Area.Level.CITY
    parent = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.parent.code[:2]}{n % 99 + 1:02d}00000000"
    )
    name_zh = factory.Sequence(lambda n: f"测试市{n}")
    name_en = factory.Sequence(lambda n: f"Test City {n}")


class DistrictFactory(ProvinceFactory):
    level = Area.Level.DISTRICT
    parent = factory.SubFactory(CityFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:4]}{n % 99 + 1:02d}000000")
    name_zh = factory.Sequence(lambda n: f"测试区{n}")
    name_en = factory.Sequence(lambda n: f"Test District {n}")


class StreetFactory(ProvinceFactory):
    level = Area.Level.STREET
    parent = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:6]}{n % 999 + 1:03d}000")
    name_zh = factory.Sequence(lambda n: f"测试街道{n}")
    name_en = factory.Sequence(lambda n: f"Test Subdistrict {n}")


# The area most records need (an organization's, a site's, a beneficiary's) is a district.
AreaFactory = DistrictFactory


def shanghai_district(
    code: str = "310115", name_zh: str = "浦东新区", name_en: str = "Pudong New Area"
) -> Area:
    """A real Shanghai district (Pudong by default) under 市辖区 310100 and Shanghai 310000."""
    shanghai = ProvinceFactory(
        code="310000000000",
        name_zh="上海市",
        name_en="Shanghai",
        latitude="31.230372",
        longitude="121.473662",
    )
    city = CityFactory(
        code="310100000000",
        name_zh="市辖区",
        name_en="City districts",
        parent=shanghai,
        latitude="31.230372",
        longitude="121.473662",
    )
    return DistrictFactory(code=f"{code}000000", name_zh=name_zh, name_en=name_en, parent=city)
