"""Benchmark of the public service directory query at city scale.

Builds a synthetic data set on the configured database (organizations named
``BENCH-…``, their providers, sites and services) unless one of the requested
size is there already, then runs the query a person typically makes (a need
category, a district, "has free places" and a search word) the way the
directory view does — the same ``ServiceDirectoryFilter``, the same selector,
the count and the first page with its prefetches — and prints the median and
95th percentile time and the number of queries per run.

    DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/directory.py \\
        [--providers 10000 --services 50000 --runs 50] [--clean]

It is not part of the test suite (``bench/`` is outside ``tests/``).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from places import selectors as place_selectors  # noqa: E402
from places import services as place_services  # noqa: E402
from providers import selectors  # noqa: E402
from providers.filters import ServiceDirectoryFilter  # noqa: E402
from providers.models import Provider, Service, ServiceAtSite, Site  # noqa: E402
from providers.views.directory import SERVICES_PER_PAGE  # noqa: E402
from taxonomy.models import NeedCategory, ServiceTier  # noqa: E402

PREFIX = "BENCH-"
BATCH = 2000
SEED = 20240601

# The query timed: what a caseworker or resident looking for meals for an
# older relative in Pudong would ask.
TYPICAL_QUERY = {
    "category": "social-services",
    "district": "310115",
    "has_capacity": "on",
    "q": "助餐",
}

# (Chinese name, English name, category code) of the services generated.
SERVICE_KINDS = [
    ("老年助餐服务", "Meals for older people", "social-services.elderly-care"),
    ("居家养老上门照护", "Home care for older people", "social-services.elderly-care"),
    ("社区长者日间照料", "Day care for older people", "social-services.elderly-care"),
    ("儿童课后托管", "After-school care", "social-services.child-welfare"),
    ("困境儿童关爱", "Support for children in difficulty", "social-services.child-welfare"),
    ("残疾人康复训练", "Rehabilitation for disabled people", "social-services.disability"),
    ("心理疏导热线", "Counselling line", "social-services.social-work"),
    ("家庭关系调适", "Family mediation", "social-services.family-support"),
    ("低保家庭帮扶", "Support for dibao households", "basic-living.dibao"),
    ("特困人员助餐", "Meals for people in extreme poverty", "basic-living.extreme-poverty"),
    ("临时救助申请协助", "Help applying for temporary assistance", "emergency.temporary"),
    ("就业指导与培训", "Job coaching and training", "special-assistance.employment"),
    ("法律咨询服务", "Legal advice", "social-services.legal-aid"),
    ("来沪人员社会融入", "Settling in for newcomers", "social-services.social-integration"),
    ("医疗救助咨询", "Medical assistance advice", "special-assistance.medical"),
]
STEMS = ["阳光", "乐群", "益心", "新航", "恩派", "华爱", "明德", "春晖", "馨家", "同心"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--clean", action="store_true", help="remove the bench data and stop")
    return parser.parse_args()


def bench_organizations():
    return Organization.objects.filter(name_zh__startswith=PREFIX)


def bench_size() -> tuple[int, int]:
    providers = Provider.objects.filter(organization__name_zh__startswith=PREFIX).count()
    services = Service.objects.filter(provider__organization__name_zh__startswith=PREFIX).count()
    return providers, services


def clean() -> None:
    started = time.perf_counter()
    with transaction.atomic():
        services = Service.objects.filter(provider__organization__name_zh__startswith=PREFIX)
        ServiceAtSite.objects.filter(service__in=services).delete()
        Service.categories.through.objects.filter(service__in=services).delete()
        Service.areas_covered.through.objects.filter(service__in=services).delete()
        services.delete()
        Site.objects.filter(provider__organization__name_zh__startswith=PREFIX).delete()
        Provider.objects.filter(organization__name_zh__startswith=PREFIX).delete()
        bench_organizations().delete()
    print(f"removed the bench data in {time.perf_counter() - started:.1f} s")


def shanghai_districts():
    districts = list(place_selectors.shanghai_districts())
    if len(districts) < 16:
        print("loading administrative areas (load_areas, without streets)…")
        place_services.load_areas(include_streets=False)
        districts = list(place_selectors.shanghai_districts())
    return districts


def build(provider_count: int, service_count: int) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    districts = shanghai_districts()
    pudong = next(d for d in districts if d.code.startswith("310115"))
    categories = {c.code: c for c in NeedCategory.objects.filter(parent__isnull=False)}
    tiers = list(ServiceTier.objects.all())
    started = time.perf_counter()

    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            [
                Organization(
                    kind=Organization.Kind.PROVIDER,
                    name_zh=f"{PREFIX}{rng.choice(STEMS)}社会工作服务社{index:05d}",
                    name_en=f"{PREFIX}Social Work Agency {index:05d}",
                    area=rng.choice(districts),
                )
                for index in range(provider_count)
            ],
            batch_size=BATCH,
        )
        organizations = _with_ids(organizations, bench_organizations())

        providers = []
        for organization in organizations:
            status = rng.choices(
                [Provider.Status.VERIFIED, Provider.Status.SUBMITTED, Provider.Status.SUSPENDED],
                weights=[90, 6, 4],
            )[0]
            grade = rng.choice([0, 0, 1, 2, 3, 3, 4, 4, 5])
            providers.append(
                Provider(
                    organization_id=organization.pk,
                    status=status,
                    legal_form=Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
                    registration_authority="上海市民政局",
                    grade=grade,
                    grade_date=date(2023, 6, 1) if grade else None,
                    certified_social_workers=rng.randint(0, 40),
                    verified_at=now if status != Provider.Status.SUBMITTED else None,
                    description_zh="为社区居民提供专业社会工作服务。",
                )
            )
        providers = _with_ids(
            Provider.objects.bulk_create(providers, batch_size=BATCH),
            Provider.objects.filter(organization__name_zh__startswith=PREFIX),
        )

        sites = []
        site_district = {}
        for provider in providers:
            for number in range(rng.choice([1, 1, 2])):
                district = pudong if rng.random() < 0.25 else rng.choice(districts)
                sites.append(
                    Site(
                        provider_id=provider.pk,
                        name_zh=f"服务站点{number + 1}",
                        address=f"上海市{district.name_zh}某路{rng.randint(1, 999)}号",
                        area=district,
                        district=district,
                        latitude=(district.latitude or Decimal("31.23"))
                        + Decimal(rng.randint(-2000, 2000)) / 100000,
                        longitude=(district.longitude or Decimal("121.47"))
                        + Decimal(rng.randint(-2000, 2000)) / 100000,
                        geocode_precision=Site.Precision.STREET,
                    )
                )
        sites = _with_ids(
            Site.objects.bulk_create(sites, batch_size=BATCH),
            Site.objects.filter(provider__organization__name_zh__startswith=PREFIX),
        )
        sites_of = {}
        for site in sites:
            sites_of.setdefault(site.provider_id, []).append(site)
            site_district[site.pk] = site.district_id

        services, main_categories = [], []
        for index in range(service_count):
            provider = providers[index % len(providers)]
            name_zh, name_en, code = rng.choice(SERVICE_KINDS)
            main_categories.append(code)
            modes = rng.choice([(1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1)])
            services.append(
                Service(
                    provider_id=provider.pk,
                    name_zh=f"{name_zh}{index:05d}",
                    name_en=f"{name_en} {index:05d}",
                    description_zh=f"{name_zh}：面向社区有需要的居民，欢迎社工转介。",
                    description_en=f"{name_en} for residents in need; referrals welcome.",
                    tier=rng.choice(tiers),
                    fee_kind=rng.choice(list(Service.FeeKind.values)),
                    at_site=bool(modes[0]),
                    home_visit=bool(modes[1]),
                    remote=bool(modes[2]),
                    accepting_referrals=rng.random() < 0.85,
                    free_slots=0 if rng.random() < 0.4 else rng.randint(1, 12),
                    waitlist_length=rng.randint(0, 6),
                    capacity_updated_at=now - timedelta(hours=rng.randint(0, 24 * 20)),
                    last_confirmed_at=now - timedelta(days=rng.randint(0, 240)),
                )
            )
        services = _with_ids(
            Service.objects.bulk_create(services, batch_size=BATCH),
            Service.objects.filter(provider__organization__name_zh__startswith=PREFIX),
        )

        category_links, area_links, site_links = [], [], []
        for service, main in zip(services, main_categories, strict=True):
            chosen = {main} | set(rng.sample(sorted(categories), rng.choice([0, 0, 1, 2])))
            category_links += [
                Service.categories.through(service_id=service.pk, needcategory_id=categories[c].pk)
                for c in chosen
            ]
            covered = {rng.choice(districts).pk for _ in range(rng.choice([0, 1, 1, 2]))}
            area_links += [
                Service.areas_covered.through(service_id=service.pk, area_id=area_id)
                for area_id in covered
            ]
            if service.at_site or rng.random() < 0.3:
                site_links += [
                    ServiceAtSite(service_id=service.pk, site_id=site.pk)
                    for site in sites_of.get(service.provider_id, [])
                ]
        Service.categories.through.objects.bulk_create(category_links, batch_size=BATCH)
        Service.areas_covered.through.objects.bulk_create(area_links, batch_size=BATCH)
        ServiceAtSite.objects.bulk_create(site_links, batch_size=BATCH)

    # Fresh planner statistics, as a production database would have.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {len(providers)} providers, {len(sites)} sites, {len(services)} services "
        f"({len(category_links)} category links, {len(area_links)} areas covered, "
        f"{len(site_links)} service-site links) in {time.perf_counter() - started:.1f} s"
    )


def _with_ids(objects, queryset):
    """The rows just created, with primary keys (read back where the backend returns none)."""
    if all(obj.pk is not None for obj in objects):
        return objects
    return list(queryset.order_by("pk"))


def directory_page(params: dict) -> tuple[int, list[Service]]:
    """What the directory view does before rendering: filter, count, first page, prefetches."""
    service_filter = ServiceDirectoryFilter(params, queryset=selectors.directory_services())
    page = Paginator(service_filter.qs, SERVICES_PER_PAGE).get_page(1)
    services = list(page.object_list)
    for service in services:  # touch what a result card shows
        list(service.categories.all()), list(service.areas_covered.all()), list(service.sites.all())
    return page.paginator.count, services


def time_query(label: str, params: dict, runs: int) -> None:
    with CaptureQueriesContext(connection) as queries:
        count, services = directory_page(params)  # warm-up, and the query count
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        directory_page(params)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(
        f"{label}: {count} services found, {len(services)} on the first page; "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"{len(queries)} queries per run ({runs} runs)"
    )


def main() -> None:
    args = parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.clean:
        clean()
        return
    have = bench_size()
    if have != (args.providers, args.services):
        if have != (0, 0):
            print(f"bench data of another size found {have}: rebuilding")
            clean()
        build(args.providers, args.services)
    else:
        print(f"reusing bench data: {have[0]} providers, {have[1]} services")
    time_query(f"typical filtered query {TYPICAL_QUERY}", TYPICAL_QUERY, args.runs)
    time_query("no filters (first page of all services)", {}, args.runs)


if __name__ == "__main__":
    main()
