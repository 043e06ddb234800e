"""Loading the administrative areas of China with ``load_areas``."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.errors import ApplicationError
from core.models import AuditEvent
from places import codes, selectors, services
from places.models import Area

pytestmark = pytest.mark.django_db


def test_all_provinces_cities_and_districts_are_loaded(loaded_areas):
    assert Area.objects.exclude(level=Area.Level.STREET).count() > 3000
    assert Area.objects.filter(level=Area.Level.PROVINCE).count() == 34


def test_loading_twice_creates_no_duplicates_and_changes_nothing(loaded_areas):
    before = Area.objects.count()

    summary = services.load_areas()

    assert Area.objects.count() == before
    assert (summary.created, summary.updated) == (0, 0)
    assert summary.unchanged == before


def test_loading_again_restores_changed_names_and_centroids(loaded_areas):
    Area.objects.filter(code="310115000000").update(name_en="Wrong", latitude=0)
    Area.objects.filter(code="310115008000").update(name_zh="错误")

    summary = services.load_areas()

    assert summary.updated == 2
    pudong = Area.objects.get(code="310115000000")
    assert pudong.name_en == "Pudong New Area"
    assert str(pudong.latitude) == "31.221517"
    assert Area.objects.get(code="310115008000").name_zh == "塘桥街道"


def test_a_load_that_changes_something_is_audited(loaded_areas):
    Area.objects.filter(code="310104000000").update(name_en="Wrong")

    services.load_areas(include_streets=False)

    event = AuditEvent.objects.get(action="places.areas_loaded")
    assert event.details == {"created": 0, "updated": 1}


def test_pudong_is_a_district_of_shanghai(loaded_areas):
    pudong = selectors.area_by_code("310115")

    assert pudong.code == "310115000000"
    assert pudong.level == Area.Level.DISTRICT
    assert pudong.name_zh == "浦东新区"
    assert pudong.name_en == "Pudong New Area"
    assert pudong.parent.code == "310100000000"
    assert pudong.parent.level == Area.Level.CITY
    assert pudong.parent.parent.code == "310000000000"
    assert pudong.parent.parent.name_en == "Shanghai"


def test_municipality_city_districts_row_is_a_city_under_the_province(loaded_areas):
    city_districts = Area.objects.select_related("parent").get(code="110100000000")

    assert city_districts.name_zh == "市辖区"
    assert city_districts.name_en == "City districts"
    assert city_districts.level == Area.Level.CITY
    assert city_districts.parent.code == "110000000000"


def test_county_level_city_under_a_province_hangs_from_the_grouping_row(loaded_areas):
    # 济源市 (419001) is administered directly by Henan, through the row
    # 省直辖县级行政区划 (419000) that the code list keeps at city level.
    jiyuan = Area.objects.select_related("parent__parent").get(code="419001000000")

    assert jiyuan.level == Area.Level.DISTRICT
    assert jiyuan.parent.code == "419000000000"
    assert jiyuan.parent.parent.code == "410000000000"


def test_parent_falls_back_to_coarser_levels_when_a_row_is_missing():
    assert codes.parent_candidates("419001000000") == ["419000000000", "410000000000"]
    assert codes.parent_candidates("310115008000") == [
        "310115000000",
        "310100000000",
        "310000000000",
    ]
    assert codes.parent_candidates("310000000000") == []


def test_every_area_but_the_provinces_has_a_parent(loaded_areas):
    assert not Area.objects.exclude(level=Area.Level.PROVINCE).filter(parent=None).exists()


def test_shanghai_streets_hang_from_their_districts(loaded_areas):
    tangqiao = selectors.area_by_code("310115008")

    assert tangqiao.level == Area.Level.STREET
    assert tangqiao.name_zh == "塘桥街道"
    assert tangqiao.name_en == "Tangqiao Subdistrict"
    assert tangqiao.parent.code == "310115000000"
    assert selectors.area_by_code("310104014").name_zh == "徐家汇街道"
    assert selectors.areas_under("310115", level=Area.Level.STREET).count() >= 12


def test_shanghai_has_sixteen_districts_with_official_english_names(loaded_areas):
    districts = {area.name_zh: area.name_en for area in selectors.shanghai_districts()}

    assert len(districts) == 16
    assert districts["徐汇区"] == "Xuhui District"
    assert districts["静安区"] == "Jing'an District"


def test_areas_under_a_province_are_all_inside_it(loaded_areas):
    inside = selectors.areas_under("310000")

    assert inside.filter(code="310115008000").exists()
    assert not inside.filter(code="310000000000").exists()
    assert not inside.exclude(code__startswith="31").exists()


def test_command_prints_a_one_line_summary(loaded_areas):
    out = StringIO()

    call_command("load_areas", stdout=out)

    assert out.getvalue().strip().splitlines() == [
        f"Areas loaded: 0 created, 0 updated, {Area.objects.count()} unchanged."
    ]


def test_streets_of_a_district_that_is_not_loaded_are_refused(tmp_path):
    streets = tmp_path / "streets.csv"
    streets.write_text(
        "code,name_zh,name_en,latitude,longitude\n990101001000,测试街道,Test Subdistrict,31,121\n",
        encoding="utf-8",
    )

    with pytest.raises(ApplicationError, match="districts"):
        services.load_streets(path=streets)

    assert not Area.objects.filter(code="990101001000").exists()
