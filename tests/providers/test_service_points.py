"""The matching index (``ServicePoint``) follows every change of a service's categories or
sites and of a site's point, so matching never finds a service where it no longer is."""

from decimal import Decimal

import pytest

from accounts.models import Role
from providers.models import ServiceAtSite, ServiceCoverage, ServicePoint
from providers.services import listings, service_points, sites
from tests.factories.accounts import user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory, VerifiedProviderFactory
from tests.factories.taxonomy import need_category, service_tier

pytestmark = pytest.mark.django_db

ELDERLY = "social-services.elderly-care"
CHILDREN = "social-services.child-welfare"
XUJIAHUI = (Decimal("31.192000"), Decimal("121.437000"))
LUJIAZUI = (Decimal("31.240000"), Decimal("121.500000"))


def points_of(service) -> set[tuple]:
    """(site, category, latitude, longitude) rows, coordinates back as Decimal for comparing."""
    rows = ServicePoint.objects.filter(service=service).values_list(
        "site_id", "category__code", "latitude", "longitude"
    )
    return {
        (site, code, Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}"))
        for site, code, latitude, longitude in rows
    }


def coverage_of(service) -> set[tuple]:
    return set(
        ServiceCoverage.objects.filter(service=service).values_list("area__code", "category__code")
    )


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def admin(provider):
    return user_with_role(Role.PROVIDER_ADMIN, organization=provider.organization)


@pytest.fixture
def site(provider):
    return SiteFactory(provider=provider, latitude=XUJIAHUI[0], longitude=XUJIAHUI[1])


def create(provider, admin, *, categories, sites, areas=()):
    return listings.save_service(
        provider=provider,
        actor=admin,
        name_zh="助餐服务",
        tier=service_tier("survival"),
        categories=[need_category(code) for code in categories],
        sites=sites,
        areas_covered=list(areas),
    )


def test_a_new_service_has_a_point_per_site_and_category(provider, admin, site):
    other = SiteFactory(provider=provider, latitude=LUJIAZUI[0], longitude=LUJIAZUI[1])

    service = create(provider, admin, categories=[ELDERLY, CHILDREN], sites=[site, other])

    assert points_of(service) == {
        (site.pk, ELDERLY, *XUJIAHUI),
        (site.pk, CHILDREN, *XUJIAHUI),
        (other.pk, ELDERLY, *LUJIAZUI),
        (other.pk, CHILDREN, *LUJIAZUI),
    }


def test_changing_categories_or_sites_rewrites_the_points(provider, admin, site):
    other = SiteFactory(provider=provider, latitude=LUJIAZUI[0], longitude=LUJIAZUI[1])
    service = create(provider, admin, categories=[ELDERLY], sites=[site])

    listings.save_service(
        provider=provider,
        actor=admin,
        service=service,
        categories=[need_category(CHILDREN)],
        sites=[other],
    )

    assert points_of(service) == {(other.pk, CHILDREN, *LUJIAZUI)}


def test_saving_other_fields_keeps_the_points(provider, admin, site):
    service = create(provider, admin, categories=[ELDERLY], sites=[site])

    listings.save_service(provider=provider, actor=admin, service=service, name_zh="老年助餐服务")

    assert points_of(service) == {(site.pk, ELDERLY, *XUJIAHUI)}


def test_moving_a_site_moves_the_points_of_every_service_there(provider, admin, site):
    first = create(provider, admin, categories=[ELDERLY], sites=[site])
    second = create(provider, admin, categories=[CHILDREN], sites=[site])

    sites.save_site(
        provider=provider, actor=admin, site=site, latitude=LUJIAZUI[0], longitude=LUJIAZUI[1]
    )

    assert points_of(first) == {(site.pk, ELDERLY, *LUJIAZUI)}
    assert points_of(second) == {(site.pk, CHILDREN, *LUJIAZUI)}


def test_a_site_without_coordinates_gives_no_point(provider, admin):
    unplaced = SiteFactory(provider=provider, latitude=None, longitude=None)

    service = create(provider, admin, categories=[ELDERLY], sites=[unplaced])

    assert points_of(service) == set()


def test_deleting_a_site_or_a_service_removes_its_points(provider, admin, site):
    other = SiteFactory(provider=provider, latitude=LUJIAZUI[0], longitude=LUJIAZUI[1])
    service = create(provider, admin, categories=[ELDERLY], sites=[site, other])

    other.delete()
    assert points_of(service) == {(site.pk, ELDERLY, *XUJIAHUI)}

    service.delete()
    assert not ServicePoint.objects.exists()


def test_a_full_rebuild_gives_what_the_services_keep(provider, admin, site):
    """After a bulk load (which bypasses the services), one call indexes everything."""
    service = create(provider, admin, categories=[ELDERLY], sites=[site])
    bulk = ServiceFactory(provider=provider, categories=[need_category(CHILDREN)])
    ServiceAtSite.objects.bulk_create([ServiceAtSite(service=bulk, site=site)])
    kept = points_of(service)

    written = service_points.refresh_all_service_points()

    assert written == 2  # no area covered: no coverage rows
    assert points_of(service) == kept
    assert points_of(bulk) == {(site.pk, CHILDREN, *XUJIAHUI)}


def test_coverage_rows_follow_the_areas_and_categories(provider, admin, site):
    xuhui = shanghai_district("310104", "徐汇区", "Xuhui District")
    pudong = shanghai_district()
    service = create(provider, admin, categories=[ELDERLY], sites=[site], areas=[xuhui])
    assert coverage_of(service) == {(xuhui.code, ELDERLY)}

    listings.save_service(
        provider=provider,
        actor=admin,
        service=service,
        categories=[need_category(ELDERLY), need_category(CHILDREN)],
        areas_covered=[pudong],
    )

    assert coverage_of(service) == {(pudong.code, ELDERLY), (pudong.code, CHILDREN)}
