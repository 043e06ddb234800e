"""The directory map: only where a tile server is configured, never instead of the list."""

import json
import re
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories.providers import ServiceFactory, SiteFactory, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("providers:directory")
TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"


@pytest.fixture
def located_service():
    provider = VerifiedProviderFactory(organization__name_en="Sunshine Social Work")
    site = SiteFactory(
        provider=provider,
        name_en="Lujiazui point",
        latitude=Decimal("31.238000"),
        longitude=Decimal("121.500000"),
    )
    unlocated = SiteFactory(provider=provider, latitude=None, longitude=None)
    ServiceFactory(provider=provider, name_en="Meals on wheels", sites=[site, unlocated])
    ServiceFactory(provider=provider, name_en="Home care", sites=[site])
    return provider, site


def map_points(content: str, element_id: str) -> list[dict]:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', content, re.S
    )
    assert match, f"no map data {element_id}"
    return json.loads(match.group(1))


@override_settings(MAP_TILE_URL="")
def test_without_a_tile_server_there_is_no_map_at_all(client, located_service):
    content = client.get(DIRECTORY, headers={"accept-language": "en"}).content.decode()

    assert "data-map" not in content
    assert "map.js" not in content
    assert "application/json" not in content
    assert "Meals on wheels" in content  # the list is still there


@override_settings(MAP_TILE_URL=TILES)
def test_with_a_tile_server_the_directory_has_a_labelled_map_of_the_sites(client, located_service):
    provider, site = located_service

    content = client.get(DIRECTORY, headers={"accept-language": "en"}).content.decode()

    assert f'data-tile-url="{TILES}"' in content
    assert "js/map.js" in content
    assert 'aria-labelledby="directory-map-title"' in content
    assert "Map of the services on this page" in content
    points = map_points(content, "directory-map")
    points[0]["services"].sort()
    # One point per located site, however many services it has; unlocated sites are left out.
    assert points == [
        {
            "lat": 31.238,
            "lng": 121.5,
            "name": "Lujiazui point",
            "provider": "Sunshine Social Work",
            "url": f"{reverse('providers:profile', args=[provider.uuid])}#site-{site.uuid}",
            "services": ["Home care", "Meals on wheels"],
        }
    ]


@override_settings(MAP_TILE_URL=TILES)
def test_map_shows_only_the_sites_of_the_current_page(client):
    for index in range(21):
        provider = VerifiedProviderFactory()
        site = SiteFactory(provider=provider, name_zh=f"站点{index:02d}")
        ServiceFactory(provider=provider, name_zh=f"服务{index:02d}", sites=[site])

    content = client.get(DIRECTORY).content.decode()

    assert len(map_points(content, "directory-map")) == 20


@override_settings(MAP_TILE_URL=TILES)
def test_no_map_when_no_result_has_a_located_site(client):
    ServiceFactory()

    content = client.get(DIRECTORY).content.decode()

    assert "data-map" not in content


@override_settings(MAP_TILE_URL=TILES)
def test_profile_map_shows_every_located_site_of_the_provider(client, located_service):
    provider, site = located_service
    SiteFactory(provider=provider, name_en="Site without services")

    response = client.get(
        reverse("providers:profile", args=[provider.uuid]), headers={"accept-language": "en"}
    )

    points = map_points(response.content.decode(), "profile-map")
    assert sorted(point["name"] for point in points) == ["Lujiazui point", "Site without services"]


@override_settings(MAP_TILE_URL="")
def test_profile_has_no_map_without_a_tile_server(client, located_service):
    provider, _site = located_service

    content = client.get(reverse("providers:profile", args=[provider.uuid])).content.decode()

    assert "data-map" not in content
