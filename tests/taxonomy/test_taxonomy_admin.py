"""Need categories in the Django admin: edits are validated and audited, nothing is deleted."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.factories.accounts import UserFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_filters_by_group(admin_client):
    response = admin_client.get(
        reverse("admin:taxonomy_needcategory_changelist"), {"group": "emergency"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "临时救助" in content
    assert "医疗救助" not in content


def test_editing_a_category_is_audited_and_keeps_its_code(admin_client):
    dibao = need_category("basic-living.dibao")

    response = admin_client.post(
        reverse("admin:taxonomy_needcategory_change", args=[dibao.pk]),
        {
            "code": "changed",  # read-only: ignored
            "parent": dibao.parent_id,
            "name_zh": dibao.name_zh,
            "name_en": "Dibao (minimum living allowance)",
            "description_zh": dibao.description_zh,
            "description_en": dibao.description_en,
            "sort_order": dibao.sort_order,
            "open_eligibility_code": dibao.open_eligibility_code,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    dibao.refresh_from_db()
    assert dibao.code == "basic-living.dibao"
    assert dibao.name_en == "Dibao (minimum living allowance)"
    event = AuditEvent.objects.get(action="taxonomy.need_category_changed")
    assert event.details == {"code": "basic-living.dibao", "fields": ["name_en"]}


def test_categories_cannot_be_deleted_in_the_admin(admin_client):
    dibao = need_category("basic-living.dibao")

    url = reverse("admin:taxonomy_needcategory_delete", args=[dibao.pk])
    assert admin_client.get(url).status_code == 403
