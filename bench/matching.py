"""Benchmark of referral matching (``referrals.matching.matches_for``) at national scale.

Builds a synthetic data set on the configured database — organizations named
``MATCHBENCH-…``, their providers, sites and services, spread over Shanghai's 16
districts (a quarter of the providers by default, ``--shanghai-share``) and
twelve other cities of China, and one beneficiary living in Xujiahui — unless
one of the requested size is there already. Then, for several need categories
(two categories and a whole group, the widest search), it calls
``matches_for`` the way the caseworker page and the API do and prints how many
services reach the person, the median and 95th percentile time and the number
of queries per call.

    .venv/bin/python bench/matching.py [--services 10000 100000] [--runs 200] [--clean]

``DJANGO_SETTINGS_MODULE`` defaults to ``config.settings.dev``; ``DATABASE_URL``
chooses the database (SQLite by default, PostgreSQL for the figures that count:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench_matching``). The
bench rows stay for the next run; ``--clean`` removes them. It is not part of
the test suite (``bench/`` is outside ``tests/``).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from core.blind_index import blind_index  # noqa: E402
from places import selectors as place_selectors  # noqa: E402
from places import services as place_services  # noqa: E402
from places.models import Area  # noqa: E402
from providers import services as provider_services  # noqa: E402
from providers.models import Provider, Service, ServiceAtSite, ServicePoint, Site  # noqa: E402
from referrals import matching  # noqa: E402
from referrals.matching import matches_for  # noqa: E402
from referrals.models import AssistanceStatus, Beneficiary  # noqa: E402
from referrals.validators import check_character  # noqa: E402
from taxonomy.models import NeedCategory, ServiceTier  # noqa: E402

# Not "BENCH-": bench/directory.py cleans every organization starting with that.
PREFIX = "MATCHBENCH-"
BATCH = 2000
SEED = 20260315
SERVICES_PER_PROVIDER = 4
# Share of the providers based in Shanghai; the rest are in the other cities. What the
# time depends on is how many services of the category reach the person (printed).
SHANGHAI_SHARE = 0.25
# Sites lie within this many degrees of their district's centroid: about 4 km in
# Shanghai's seven central districts, 12 km in the large outer ones, 6 km elsewhere.
CENTRAL_SHANGHAI = ("310101", "310104", "310105", "310106", "310107", "310109", "310110")
CENTRAL_JITTER, OUTER_JITTER, OTHER_CITY_JITTER = 0.04, 0.12, 0.06

# Other cities (4-digit GB/T 2260 prefixes): Beijing, Tianjin, Nanjing, Suzhou,
# Hangzhou, Ningbo, Hefei, Wuhan, Guangzhou, Shenzhen, Chengdu, Xi'an.
OTHER_CITIES = ("1101", "1201", "3201", "3205", "3301", "3302", "3401", "4201", "4401", "4403")
OTHER_CITIES += ("5101", "6101")

# Where the person lives: Xujiahui, Xuhui District.
XUHUI = "310104"
HOME = (Decimal("31.188000"), Decimal("121.437000"))

# The needs timed: a common category, a rarer one, and a whole group (the widest search).
CATEGORIES = (
    "social-services.elderly-care",
    "emergency.homeless",
    "social-services",
)

# Most services are open to every age; some are for older people, children or adults.
AGE_RANGES = [(None, None)] * 6 + [(60, None)] * 3 + [(None, 17), (18, None)]
SERVICE_NAMES = ("社区服务", "上门服务", "日间照料", "个案帮扶", "小组活动", "咨询服务")
STEMS = ("阳光", "乐群", "益心", "新航", "恩派", "华爱", "明德", "春晖", "馨家", "同心")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--shanghai-share", type=float, default=SHANGHAI_SHARE)
    parser.add_argument("--clean", action="store_true", help="remove the bench data and stop")
    return parser.parse_args()


def bench_services():
    return Service.objects.filter(provider__organization__name_zh__startswith=PREFIX)


def bench_beneficiary() -> Beneficiary | None:
    return (
        Beneficiary.objects.select_related("area", "agency")
        .filter(agency__name_zh__startswith=PREFIX)
        .first()
    )


def clean() -> None:
    started = time.perf_counter()
    with transaction.atomic():
        services = bench_services()
        ServicePoint.objects.filter(service__in=services).delete()
        ServiceAtSite.objects.filter(service__in=services).delete()
        Service.categories.through.objects.filter(service__in=services).delete()
        Service.areas_covered.through.objects.filter(service__in=services).delete()
        services.delete()
        Site.objects.filter(provider__organization__name_zh__startswith=PREFIX).delete()
        Provider.objects.filter(organization__name_zh__startswith=PREFIX).delete()
        Beneficiary.objects.filter(agency__name_zh__startswith=PREFIX).delete()
        Organization.objects.filter(name_zh__startswith=PREFIX).delete()
    print(f"removed the bench data in {time.perf_counter() - started:.1f} s")


def districts() -> tuple[list[Area], list[Area]]:
    """Shanghai's 16 districts, and the districts of the other cities (with centroids)."""
    shanghai = list(place_selectors.shanghai_districts())
    if len(shanghai) < 16:
        print("loading administrative areas (load_areas, without streets)…")
        place_services.load_areas(include_streets=False)
        shanghai = list(place_selectors.shanghai_districts())
    in_other_cities = Q()
    for prefix in OTHER_CITIES:
        in_other_cities |= Q(code__startswith=prefix)
    elsewhere = list(
        Area.objects.filter(in_other_cities, level=Area.Level.DISTRICT, latitude__isnull=False)
    )
    return shanghai, elsewhere


def build(service_count: int, shanghai_share: float) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    shanghai, elsewhere = districts()
    leaves = list(NeedCategory.objects.filter(parent__isnull=False))
    tiers = list(ServiceTier.objects.all())
    provider_count = max(1, service_count // SERVICES_PER_PROVIDER)
    started = time.perf_counter()

    with transaction.atomic():
        homes = [
            rng.choice(shanghai) if rng.random() < shanghai_share else rng.choice(elsewhere)
            for _ in range(provider_count)
        ]
        organizations = _with_ids(
            Organization.objects.bulk_create(
                [
                    Organization(
                        kind=Organization.Kind.PROVIDER,
                        name_zh=f"{PREFIX}{rng.choice(STEMS)}社会工作服务社{index:06d}",
                        name_en=f"{PREFIX}Social Work Agency {index:06d}",
                        area=home,
                    )
                    for index, home in enumerate(homes)
                ],
                batch_size=BATCH,
            ),
            Organization.objects.filter(name_zh__startswith=PREFIX, kind="provider"),
        )
        providers = []
        for organization in organizations:
            status = rng.choices(
                [Provider.Status.VERIFIED, Provider.Status.SUBMITTED, Provider.Status.SUSPENDED],
                weights=[92, 5, 3],
            )[0]
            providers.append(
                Provider(
                    organization_id=organization.pk,
                    status=status,
                    legal_form=Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
                    registration_authority="民政局",
                    verified_at=now if status != Provider.Status.SUBMITTED else None,
                )
            )
        providers = _with_ids(
            Provider.objects.bulk_create(providers, batch_size=BATCH),
            Provider.objects.filter(organization__name_zh__startswith=PREFIX),
        )

        sites = []
        for provider, home in zip(providers, homes, strict=True):
            for number in range(rng.choice([1, 1, 2, 3])):
                sites.append(
                    Site(
                        provider_id=provider.pk,
                        name_zh=f"服务站点{number + 1}",
                        address=f"{home.name_zh}某路{rng.randint(1, 999)}号",
                        area=home,
                        district=home,
                        latitude=_jitter(rng, home.latitude, home),
                        longitude=_jitter(rng, home.longitude, home),
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

        services = []
        for index in range(service_count):
            provider = providers[index % len(providers)]
            min_age, max_age = rng.choice(AGE_RANGES)
            services.append(
                Service(
                    provider_id=provider.pk,
                    name_zh=f"{rng.choice(SERVICE_NAMES)}{index:06d}",
                    name_en=f"Service {index:06d}",
                    tier=rng.choice(tiers),
                    min_age=min_age,
                    max_age=max_age,
                    gender=rng.choices(list(Service.Gender.values), weights=[94, 4, 2])[0],
                    household_registration=rng.choices(
                        list(Service.HouseholdRegistration.values), weights=[80, 20]
                    )[0],
                    required_statuses=rng.choice(
                        [[]] * 17
                        + [[AssistanceStatus.DIBAO, AssistanceStatus.LOW_INCOME]]
                        + [[AssistanceStatus.DISABILITY]] * 2
                    ),
                    at_site=True,
                    home_visit=rng.random() < 0.4,
                    accepting_referrals=rng.random() < 0.85,
                    free_slots=0 if rng.random() < 0.4 else rng.randint(1, 12),
                    waitlist_length=rng.randint(0, 6),
                    capacity_updated_at=now - timedelta(hours=rng.randint(0, 24 * 20)),
                    last_confirmed_at=now - timedelta(days=rng.randint(0, 240)),
                )
            )
        services = _with_ids(
            Service.objects.bulk_create(services, batch_size=BATCH), bench_services()
        )

        category_links, area_links, site_links = [], [], []
        city_of = {area.pk: area.parent_id for area in shanghai + elsewhere}
        for service, home in zip(
            services, (homes[i % len(homes)] for i in range(len(services))), strict=True
        ):
            chosen = {rng.choice(leaves).pk for _ in range(rng.choice([1, 1, 1, 2]))}
            category_links += [
                Service.categories.through(service_id=service.pk, needcategory_id=pk)
                for pk in chosen
            ]
            covered = set()
            reach = rng.random()
            if reach < 0.05 and city_of.get(home.pk):
                covered.add(city_of[home.pk])  # city-wide
            elif reach < 0.6:
                covered.add(home.pk)
                if rng.random() < 0.3:
                    covered.add(rng.choice(shanghai if home in shanghai else elsewhere).pk)
            area_links += [
                Service.areas_covered.through(service_id=service.pk, area_id=pk) for pk in covered
            ]
            own_sites = sites_of[service.provider_id]
            site_links += [
                ServiceAtSite(service_id=service.pk, site_id=site.pk)
                for site in rng.sample(own_sites, rng.randint(1, len(own_sites)))
            ]
        Service.categories.through.objects.bulk_create(category_links, batch_size=BATCH)
        Service.areas_covered.through.objects.bulk_create(area_links, batch_size=BATCH)
        ServiceAtSite.objects.bulk_create(site_links, batch_size=BATCH)
        # Bulk-created rows bypass providers.services: index them as it would.
        points = provider_services.refresh_all_service_points()

        agency = Organization.objects.create(
            kind=Organization.Kind.AGENCY,
            name_zh=f"{PREFIX}徐家汇街道办事处",
            name_en=f"{PREFIX}Xujiahui Street Office {_label(service_count, shanghai_share)}",
            area=next(d for d in shanghai if d.code.startswith(XUHUI)),
        )
        number = _id_number(datetime.date(1948, 5, 17))
        Beneficiary.objects.create(
            agency=agency,
            name="测试老人",
            id_number=number,
            id_number_index=blind_index(number),
            gender="female",
            birth_date=datetime.date(1948, 5, 17),
            area=agency.area,
            latitude=HOME[0],
            longitude=HOME[1],
            assistance_statuses=[AssistanceStatus.LOW_INCOME],
            local_household_registration=True,
        )

    # Fresh planner statistics and visibility maps, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"built {len(providers)} providers, {len(sites)} sites, {len(services)} services "
        f"({len(category_links)} category links, {len(area_links)} areas covered, "
        f"{len(site_links)} service-site links, {points} matching-index rows) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _label(service_count: int, shanghai_share: float) -> str:
    """What the bench data was built for, kept in the bench agency's name to reuse it."""
    return f"({service_count} services, Shanghai share {shanghai_share:.2f})"


def _jitter(rng, value, district: Area) -> Decimal:
    if not district.code.startswith("31"):
        spread = OTHER_CITY_JITTER
    elif district.code[:6] in CENTRAL_SHANGHAI:
        spread = CENTRAL_JITTER
    else:
        spread = OUTER_JITTER
    offset = Decimal(rng.uniform(-spread, spread))
    return (value + offset).quantize(Decimal("0.000001"))


def _id_number(birth_date: datetime.date) -> str:
    # A fictional woman's number from Xuhui with a valid check character.
    first_17 = f"{XUHUI}{birth_date:%Y%m%d}998"
    return first_17 + check_character(first_17)


def _with_ids(objects, queryset):
    """The rows just created, with primary keys (read back where the backend returns none)."""
    if all(obj.pk is not None for obj in objects):
        return objects
    return list(queryset.order_by("pk"))


def time_matching(beneficiary, category: str, runs: int) -> dict:
    # How many services of the category reach the person: what the time depends on.
    context = matching._context(beneficiary, category, timezone.now())
    in_reach = matching._candidates(context).count()
    with CaptureQueriesContext(connection) as queries:
        matches = matches_for(beneficiary=beneficiary, category=category)  # warm-up
    timings = []
    cpu_before = _cpu_seconds()
    for _ in range(runs):
        started = time.perf_counter()
        matches_for(beneficiary=beneficiary, category=category)
        timings.append((time.perf_counter() - started) * 1000)
    cpu_after = _cpu_seconds()
    timings.sort()
    return {
        "in_reach": in_reach,
        "eligible": sum(match.eligible for match in matches),
        "ineligible": sum(not match.eligible for match in matches),
        "queries": len(queries),
        "median": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)],
        "cpu": (cpu_after - cpu_before) * 1000 / runs if cpu_before is not None else None,
    }


def _cpu_seconds() -> float | None:
    """CPU time used so far by this process and, on a local PostgreSQL, by its server process.

    On a busy machine the wall-clock time measures the other processes too;
    the CPU time per call is what the call itself costs.
    """
    used = time.process_time()
    if connection.vendor != "postgresql":
        return used
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server runs elsewhere
        return None
    # utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks.
    return used + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    args = parse_args()
    # Timed as in production: with DEBUG on, Django would also record every query.
    settings.DEBUG = False
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.clean:
        clean()
        return
    rows = []
    for size in args.services:
        label = _label(size, args.shanghai_share)
        beneficiary = bench_beneficiary()
        if beneficiary is None or not beneficiary.agency.name_en.endswith(label):
            if beneficiary is not None or bench_services().exists():
                print(f"bench data of another size found: rebuilding for {label}")
                clean()
            build(size, args.shanghai_share)
            beneficiary = bench_beneficiary()
        else:
            print(f"reusing bench data {label}")
        for category in CATEGORIES:
            result = time_matching(beneficiary, category, args.runs)
            rows.append((size, category, result))
            print(
                f"  {size:>7} services  {category:<30} median {result['median']:6.1f} ms  "
                f"p95 {result['p95']:6.1f} ms"
            )

    print(
        f"\nmatches_for on {connection.vendor}, {args.runs} runs each, "
        f"{args.shanghai_share:.0%} of the providers in Shanghai:"
    )
    print(
        f"{'services':>9} | {'need category':<30} | {'in reach':>8} | {'shown':>7} | "
        f"{'queries':>7} | {'median ms':>9} | {'p95 ms':>7} | {'CPU ms':>6}"
    )
    print("-" * 105)
    for size, category, result in rows:
        shown = f"{result['eligible']}+{result['ineligible']}"
        cpu = f"{result['cpu']:.1f}" if result["cpu"] is not None else "-"
        print(
            f"{size:>9} | {category:<30} | {result['in_reach']:>8} | {shown:>7} | "
            f"{result['queries']:>7} | {result['median']:>9.1f} | {result['p95']:>7.1f} | "
            f"{cpu:>6}"
        )
    print(
        "in reach: referable services of the category covering the person's area or with a "
        "site within 15 km;\nshown: eligible + ineligible matches returned (at most 20 each);\n"
        "CPU: mean CPU time per call of this process and its database server process "
        f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
