"""Areas in the Django admin: listed and searchable, only English names and centroids editable."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import ApplicationError
from core.models import AuditEvent
from places import services
from tests.factories.accounts import UserFactory
from tests.factories.places import DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_searches_by_code_prefix(admin_client):
    district = DistrictFactory(name_zh="测试区")

    response = admin_client.get(reverse("admin:places_area_changelist"), {"q": district.code[:6]})

    assert response.status_code == 200
    assert "测试区" in response.content.decode()


def test_admin_may_correct_the_english_name_and_the_change_is_audited(admin_client):
    district = DistrictFactory(name_zh="测试区", name_en="Old name")

    response = admin_client.post(
        reverse("admin:places_area_change", args=[district.pk]),
        {"name_en": "New name", "latitude": "31.200000", "longitude": "121.400000"},
    )

    assert response.status_code == 302
    district.refresh_from_db()
    assert district.name_en == "New name"
    assert district.name_zh == "测试区"
    event = AuditEvent.objects.get(action="places.area_updated")
    assert event.object_id == str(district.pk)
    assert "name_en" in event.details["fields"]


def test_areas_cannot_be_added_or_deleted_in_the_admin(admin_client):
    district = DistrictFactory()

    assert admin_client.get(reverse("admin:places_area_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:places_area_delete", args=[district.pk])).status_code == 403
    )


def test_codes_and_chinese_names_cannot_be_changed_through_the_service():
    district = DistrictFactory()

    with pytest.raises(ApplicationError):
        services.update_area(area=district, actor=None, name_zh="改名")


def test_centroid_off_the_globe_is_refused():
    district = DistrictFactory()

    with pytest.raises(ValidationError, match="Latitude must be between"):
        services.update_area(area=district, actor=None, latitude=Decimal("131.2"))
