"""Benchmark of provider ratings (``evaluation.services.ratings``) at national scale.

Builds a synthetic body of evidence on a bench database: organizations named
``RATEBENCH-…`` (2,000 providers of uneven size and quality with one service per
need category they work in, an agency in each of Shanghai's 16 districts, an
assessor), their beneficiaries and needs, and, written in bulk (``COPY`` on
PostgreSQL), 1,000,000 referrals with confirmed outcomes over the last 24 months
(T-scores from one to three scored goals, about one in eight did not go ahead
with its reason), 2 % more outcomes still awaiting the caseworker or disputed, 8 %
more referrals declined or left unanswered, every referral's lifecycle events
(the responsiveness evidence) and 200,000 survey answers with their invitations,
plus an accepted assessment for about a quarter of the providers. Then it times a
full ``recompute_ratings`` (what the command and the daily beat run) and one
provider's incremental ``update_ratings_of`` (what the Celery task runs when new
evidence arrives), for a provider of median size and for the busiest one, and
checks that the incremental update gives the rows the full rebuild gave.

    .venv/bin/python bench/ratings.py [--outcomes 1000000] [--surveys 200000]
                                      [--providers 2000] [--runs 20] [--keep | --clean]

``recompute_ratings`` rebuilds every rating of the database, so the bench runs
only on a database whose name says "bench" (it migrates it when needed):

    createdb -h 127.0.0.1 -U postgres sc_bench_ratings
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench_ratings
    .venv/bin/python bench/ratings.py                     # or --outcomes 20000 --surveys 4000

(or ``DATABASE_URL=sqlite:////tmp/bench-ratings.sqlite3`` for SQLite).

The bench rows, and the ratings and priors they gave, are removed at the end
unless ``--keep``; a later run of the same sizes reuses kept rows; ``--clean``
removes them and stops. Timings run with ``DEBUG`` off, as in production (no
query log). It is not part of the test suite (``bench/`` is outside ``tests/``).
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import random
import secrets
import statistics
import sys
import time
import uuid
from bisect import bisect_left
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from core import crypto  # noqa: E402
from core.blind_index import blind_index  # noqa: E402
from evaluation import gas  # noqa: E402
from evaluation.models import (  # noqa: E402
    Assessment,
    Goal,
    Outcome,
    ProviderRating,
    RatingHistory,
    RatingPrior,
    StandardsFramework,
    SurveyInvitation,
    SurveyResponse,
)
from evaluation.services.ratings import recompute_ratings, update_ratings_of  # noqa: E402
from places import selectors as place_selectors  # noqa: E402
from places import services as place_services  # noqa: E402
from providers.models import Provider, Service  # noqa: E402
from referrals.models import Beneficiary, Need, NeedAssessment, Referral, ReferralEvent  # noqa: E402
from referrals.validators import check_character, parse_id_number  # noqa: E402
from taxonomy.models import NeedCategory, ServiceTier  # noqa: E402

# Not "BENCH-" nor "MATCHBENCH-": the other benches clean organizations starting with those.
PREFIX = "RATEBENCH-"
SEED = 20260413
CHUNK = 50_000  # referrals generated and written at a time
HISTORY_DAYS = 730  # evidence is spread over the 24 months a full rebuild keeps history of
BENEFICIARIES = 4000

# How often providers work in each need category (a provider works in one to four).
CATEGORY_WEIGHTS = {
    "social-services.elderly-care": 30, "social-services.disability": 10,
    "social-services.child-welfare": 10, "social-services.family-support": 10,
    "social-services.social-work": 8, "basic-living.dibao": 6, "basic-living.low-income": 5,
    "special-assistance.medical": 5, "special-assistance.employment": 4,
    "social-services.social-integration": 4, "social-services.legal-aid": 4,
    "emergency.homeless": 2, "emergency.temporary": 2,
}  # fmt: skip
FAILED_SHARE = 0.12  # referrals that did not go ahead
FAILURES = ("could_not_contact",) * 5 + ("withdrew",) * 4 + ("not_eligible",) * 3
UNCONFIRMED_SHARE = 0.02  # outcomes more than the confirmed ones: awaiting or disputed
UNANSWERED_SHARE = 0.08  # referrals more than those with outcomes: declined or expired
DECLINE_REASONS = ("no_capacity", "no_capacity", "out_of_area", "not_our_service", "not_eligible")
ASSESSED_SHARE = 0.25  # providers with an accepted assessment
GOAL_COUNTS = (1, 2, 2, 3, 3)
GOAL_WEIGHTS = (1, 1, 1, 2, 2, 3)
COMMENTS = ("服务很好，谢谢社工。", "上门及时，态度耐心。", "希望能多来几次。", "Very helpful.")

REFERRAL_COLUMNS = (
    "id", "created_at", "updated_at", "uuid", "beneficiary_id", "need_id", "agency_id",
    "service_id", "provider_id", "category_id", "district_id", "urgency", "reason", "status",
    "status_changed_at", "sent_at", "due_at", "expires_at", "reminded_half_at",
    "reminded_full_at", "decline_reason", "failure_reason", "outcome", "outcome_note",
    "return_code", "holds_place", "closed_at",
)  # fmt: skip
EVENT_COLUMNS = ("id", "referral_id", "from_status", "to_status", "at", "reason_code", "note")
OUTCOME_COLUMNS = (
    "id", "uuid", "referral_id", "round", "scores", "provider_id", "agency_id", "category_id",
    "district_id", "result", "t_score", "failure_reason", "status", "status_changed_at",
    "recorded_at", "confirmed_at", "dispute_reason", "resolution_note",
)  # fmt: skip
INVITATION_COLUMNS = (
    "id", "referral_id", "provider_id", "category_id", "token_digest", "token", "created_at",
    "expires_at", "used_at",
)  # fmt: skip
RESPONSE_COLUMNS = (
    "id", "invitation_id", "provider_id", "category_id", "submitted_at", "helped", "respect",
    "timely", "explained", "recommend", "comment", "language",
)  # fmt: skip
REFERRAL_DEFAULTS = {
    "sent_at": None, "due_at": None, "expires_at": None, "reminded_half_at": None,
    "reminded_full_at": None, "decline_reason": "", "failure_reason": "", "outcome": "",
    "return_code": "", "closed_at": None,
}  # fmt: skip
# Written in this order: referrals first, the others point at them.
COLUMNS = {
    Referral: REFERRAL_COLUMNS, ReferralEvent: EVENT_COLUMNS, Outcome: OUTCOME_COLUMNS,
    SurveyInvitation: INVITATION_COLUMNS, SurveyResponse: RESPONSE_COLUMNS,
}  # fmt: skip
COPIED = tuple(COLUMNS)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outcomes", type=int, default=1_000_000, help="confirmed outcomes")
    parser.add_argument("--surveys", type=int, default=200_000, help="survey answers")
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20, help="runs of the incremental update")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--keep", action="store_true", help="leave the bench data for the next run")
    what.add_argument("--clean", action="store_true", help="remove the bench data and stop")
    args = parser.parse_args()
    if args.surveys > args.outcomes:
        parser.error("--surveys cannot exceed --outcomes (one survey per completed referral)")
    return args


# --- the database -----------------------------------------------------------------------------


def describe_machine() -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    else:
        version = connection.Database.sqlite_version
    print(f"database: {connection.vendor} {version} {name}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def refuse_other_databases() -> None:
    """A full rebuild rewrites every rating of the database: never a dev or test one."""
    if "bench" not in str(connection.settings_dict["NAME"]).lower():
        sys.exit(
            "bench/ratings.py rebuilds every rating of the database it runs on: set "
            "DATABASE_URL to a database whose name contains 'bench' "
            "(e.g. postgres://postgres@127.0.0.1:5432/sc_bench_ratings, created with createdb)."
        )


def migrate_if_needed() -> None:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("migrating the bench database…")
        call_command("migrate", verbosity=0)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


class Writer:
    """Rows of one table written in bulk: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self, model, columns: tuple[str, ...]):
        self.table = _quoted(model._meta.db_table)
        self.columns = ", ".join(_quoted(model._meta.get_field(c).column) for c in columns)
        self.postgresql = connection.vendor == "postgresql"

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.postgresql:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})",  # noqa: S608
                    [tuple(map(_for_sqlite, row)) for row in rows],
                )


def _for_sqlite(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


# --- what is there, and removing it -----------------------------------------------------------


def bench_organizations():
    return Organization.objects.filter(name_en__startswith=PREFIX)


def bench_providers():
    return Provider.objects.filter(organization__name_en__startswith=PREFIX)


def _label(args) -> str:
    """What the bench data was built for, kept in the marker organization's name."""
    return (
        f"{PREFIX}bench data ({args.outcomes} outcomes, {args.surveys} surveys, "
        f"{args.providers} providers)"
    )


def clean() -> None:
    started = time.perf_counter()
    providers = bench_providers().values("pk")
    referrals = Referral.objects.filter(provider__in=providers).values("pk")
    agencies = bench_organizations().filter(kind=Organization.Kind.AGENCY).values("pk")
    beneficiaries = Beneficiary.objects.filter(agency__in=agencies).values("pk")
    assessments = NeedAssessment.objects.filter(beneficiary__in=beneficiaries).values("pk")
    services = Service.objects.filter(provider__in=providers).values("pk")
    removals = (
        (SurveyResponse, "provider_id", providers),
        (SurveyInvitation, "provider_id", providers),
        (Outcome, "provider_id", providers),
        (Goal, "referral_id", referrals),
        (ReferralEvent, "referral_id", referrals),
        (Referral, "provider_id", providers),
        (Need, "assessment_id", assessments),
        (NeedAssessment, "beneficiary_id", beneficiaries),
        (Beneficiary, "agency_id", agencies),
        (Assessment, "provider_id", providers),
        (ProviderRating, "provider_id", providers),
        (RatingHistory, "provider_id", providers),
        (Service.categories.through, "service_id", services),
        (Service, "provider_id", providers),
        (Provider, "organization_id", bench_organizations().values("pk")),
    )
    # Raw set-based deletes (the ORM would collect millions of rows in Python first), each
    # table before the tables its subquery reads.
    statements = []
    for model, column, subquery in removals:
        sql, params = subquery.query.sql_with_params()
        statements.append(
            (f"DELETE FROM {_quoted(model._meta.db_table)} WHERE {column} IN ({sql})", params)  # noqa: S608
        )
    with transaction.atomic(), connection.cursor() as cursor:
        removed = 0
        for sql, params in statements:
            cursor.execute(sql, params)
            removed += max(cursor.rowcount, 0)
        # The priors were worked out from the bench evidence: the next rebuild makes them anew.
        RatingPrior.objects.all().delete()
        bench_organizations().delete()
    print(f"removed the bench data ({removed:,} rows) in {time.perf_counter() - started:.1f} s")


# --- building ---------------------------------------------------------------------------------


@dataclass
class BenchProvider:
    pk: int
    quality: float  # mean goal attainment, −0.8 … +0.9
    accept_hours: float  # median time to accept
    decline_share: float
    services: dict[int, int] = field(default_factory=dict)  # category → service
    categories: list[int] = field(default_factory=list)


BenchNeed = namedtuple("BenchNeed", "pk beneficiary agency district")


def shanghai_districts():
    districts = list(place_selectors.shanghai_districts())
    if len(districts) < 16:
        print("loading administrative areas (load_areas, without streets)…")
        place_services.load_areas(include_streets=False)
        districts = list(place_selectors.shanghai_districts())
    return districts


def build(args) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    started = time.perf_counter()
    districts = shanghai_districts()
    categories = {c.code: c.pk for c in NeedCategory.objects.filter(code__in=CATEGORY_WEIGHTS)}
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    tier = ServiceTier.objects.order_by("pk").first()
    framework = StandardsFramework.objects.order_by("pk").first()
    counts = {}

    with transaction.atomic():
        Organization.objects.create(
            kind=Organization.Kind.PLATFORM, name_zh=_label(args), name_en=_label(args)
        )
        agencies = Organization.objects.bulk_create(
            Organization(kind=Organization.Kind.AGENCY, name_zh=f"{PREFIX}{d.name_zh}民政局",
                         name_en=f"{PREFIX}Civil Affairs Bureau {i:02d}", area=d)
            for i, d in enumerate(districts)
        )  # fmt: skip
        assessor = Organization.objects.create(
            kind=Organization.Kind.ASSESSOR,
            name_zh=f"{PREFIX}评估中心",
            name_en=f"{PREFIX}Assessor",
        )
        providers = _build_providers(args.providers, rng, districts, categories, codes, tier)
        needs = _build_needs(rng, agencies, categories, codes, now)
        counts = _build_evidence(args, rng, now, providers, needs)
        counts["assessments"] = _build_assessments(
            rng, now, providers, agencies, assessor, framework
        )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(COPIED)):
                cursor.execute(sql)
    built = time.perf_counter() - started
    # Fresh planner statistics and visibility maps, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"built {len(providers):,} providers, {counts['confirmed']:,} confirmed outcomes "
        f"({counts['failed']:,} did not go ahead) and {counts['unconfirmed']:,} awaiting or "
        f"disputed, {counts['referrals']:,} referrals, {counts['events']:,} referral events, "
        f"{counts['surveys']:,} survey answers, {counts['assessments']:,} accepted assessments "
        f"in {built:.1f} s (then {time.perf_counter() - started - built:.1f} s of "
        f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'})"
    )


def _build_providers(count, rng, districts, categories, codes, tier) -> list[BenchProvider]:
    now = timezone.now()
    organizations = Organization.objects.bulk_create(
        [
            Organization(kind=Organization.Kind.PROVIDER, name_zh=f"{PREFIX}社会工作服务社{i:05d}",
                         name_en=f"{PREFIX}Social Work Agency {i:05d}", area=rng.choice(districts))
            for i in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    rows = Provider.objects.bulk_create(
        [
            Provider(organization_id=organization.pk, status=Provider.Status.VERIFIED,
                     legal_form=Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
                     registration_authority="上海市民政局", verified_at=now)
            for organization in organizations
        ],
        batch_size=2000,
    )  # fmt: skip
    weights = [CATEGORY_WEIGHTS[code] for code in codes]
    providers, services = [], []
    for row in rows:
        chosen = {categories[c] for c in rng.choices(codes, weights, k=rng.choice([1, 2, 2, 3, 4]))}
        provider = BenchProvider(
            pk=row.pk,
            quality=max(-0.8, min(0.9, rng.gauss(0.1, 0.35))),
            accept_hours=rng.lognormvariate(math.log(10), 0.7),
            decline_share=rng.uniform(0.2, 0.7),
            categories=sorted(chosen),
        )
        providers.append(provider)
        services += [
            (provider, category, Service(provider_id=row.pk, name_zh=f"社区服务{row.pk}-{category}",
                                         tier=tier, last_confirmed_at=now))
            for category in provider.categories
        ]  # fmt: skip
    Service.objects.bulk_create([service for _p, _c, service in services], batch_size=2000)
    for provider, category, service in services:
        provider.services[category] = service.pk
    Service.categories.through.objects.bulk_create(
        [Service.categories.through(service_id=s.pk, needcategory_id=c) for _p, c, s in services],
        batch_size=2000,
    )
    return providers


def _build_needs(rng, agencies, categories, codes, now) -> dict[int, list[BenchNeed]]:
    """Beneficiaries of the district agencies, each with one assessment of two needs."""
    people = []
    for index in range(BENEFICIARIES):
        agency = agencies[index % len(agencies)]
        birth = datetime.date(1940, 1, 1) + timedelta(days=index)
        first_17 = f"{agency.area.code[:6]}{birth:%Y%m%d}{index % 997:03d}"
        number = first_17 + check_character(first_17)
        people.append(
            Beneficiary(agency_id=agency.pk, name=f"测试居民{index:05d}", id_number=number,
                        id_number_index=blind_index(number), birth_date=birth,
                        gender=parse_id_number(number).gender, area_id=agency.area_id)
        )  # fmt: skip
    people = Beneficiary.objects.bulk_create(people, batch_size=2000)
    assessments = NeedAssessment.objects.bulk_create(
        [NeedAssessment(beneficiary_id=p.pk, assessed_on=now.date()) for p in people],
        batch_size=2000,
    )
    area_of = {agency.pk: agency.area_id for agency in agencies}
    rows, owners = [], []
    for index, (person, assessment) in enumerate(zip(people, assessments, strict=True)):
        first = codes[index % len(codes)]
        second = codes[(index * 7 + 3) % len(codes)]
        for code in dict.fromkeys((first, second)):
            rows.append(Need(assessment_id=assessment.pk, category_id=categories[code]))
            owners.append(person)
    rows = Need.objects.bulk_create(rows, batch_size=2000)
    needs: dict[int, list[BenchNeed]] = {}
    for need, person in zip(rows, owners, strict=True):
        needs.setdefault(need.category_id, []).append(
            BenchNeed(need.pk, person.pk, person.agency_id, area_of[person.agency_id])
        )
    return needs


class Evidence:
    """Generates referrals with their events, outcomes and surveys, a chunk at a time."""

    def __init__(self, rng, now, providers, needs):
        self.rng, self.now, self.needs = rng, now, needs
        self.providers = providers
        weights = [rng.lognormvariate(0, 0.8) for _ in providers]  # uneven sizes
        total, self.cumulative = 0.0, []
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.ids = {model: _next_id(model) for model in COPIED}
        self.writers = {model: Writer(model, columns) for model, columns in COLUMNS.items()}
        self.rows = {model: [] for model in COPIED}
        self.counts = dict.fromkeys(
            ("referrals", "events", "confirmed", "failed", "unconfirmed", "surveys"), 0
        )
        self.t_scores: dict[tuple, tuple[Decimal, str]] = {}
        self.token_context = SurveyInvitation._meta.get_field("token").encryption_context
        self.comment_context = SurveyResponse._meta.get_field("comment").encryption_context
        self.dispute_context = Outcome._meta.get_field("dispute_reason").encryption_context

    def _id(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def _provider(self) -> BenchProvider:
        point = self.rng.random() * self.cumulative[-1]
        return self.providers[min(bisect_left(self.cumulative, point), len(self.providers) - 1)]

    def _event(self, referral, previous, to, at, reason="") -> None:
        self.rows[ReferralEvent].append(
            (self._id(ReferralEvent), referral, previous, to, at, reason, "")
        )
        self.counts["events"] += 1

    def _referral_row(self, pk, provider, category, need, created, status, **fields) -> tuple:
        values = REFERRAL_DEFAULTS | {"status_changed_at": created} | fields
        # fmt: off
        return (
            pk, created, values["status_changed_at"], _uuid(self.rng), need.beneficiary, need.pk,
            need.agency, provider.services[category], provider.pk, category, need.district,
            "routine", "", status, values["status_changed_at"], values["sent_at"],
            values["due_at"], values["expires_at"], values["reminded_half_at"],
            values["reminded_full_at"], values["decline_reason"], values["failure_reason"],
            values["outcome"], "", values["return_code"], False, values["closed_at"],
        )
        # fmt: on

    def _sent(self, sent, hours_to_answer):
        """The SLA fields of a referral sent at ``sent`` and answered after some hours."""
        return {
            "sent_at": sent,
            "due_at": sent + timedelta(hours=48),
            "expires_at": sent + timedelta(hours=120),
            "reminded_half_at": sent + timedelta(hours=24) if hours_to_answer > 24 else None,
            "reminded_full_at": sent + timedelta(hours=48) if hours_to_answer > 48 else None,
        }

    def _goals(self, quality) -> tuple[Decimal, str, str]:
        rng = self.rng
        pairs = tuple(
            (max(-2, min(2, round(rng.gauss(quality, 0.9)))), rng.choice(GOAL_WEIGHTS))
            for _ in range(rng.choice(GOAL_COUNTS))
        )
        found = self.t_scores.get(pairs)
        if found is None:
            score = gas.t_score(pairs)
            goals = [
                {"number": n, "weight": w, "attainment": x} for n, (x, w) in enumerate(pairs, 1)
            ]
            scores = json.dumps(goals)
            found = self.t_scores[pairs] = (score, scores)
        return found[0], found[1], gas.outcome_in_words(found[0])

    def outcome(self, *, confirmed: bool, surveyed: bool) -> None:
        """A referral taken to its outcome (completed or not), with its events and survey."""
        rng, now = self.rng, self.now
        provider = self._provider()
        category = rng.choice(provider.categories)
        need = rng.choice(self.needs[category])
        if confirmed:
            confirmed_at = now - timedelta(seconds=HISTORY_DAYS * 86400 * rng.random() ** 1.25)
            recorded = confirmed_at - timedelta(hours=rng.uniform(0.5, 120))
        else:
            confirmed_at = None
            recorded = now - timedelta(hours=rng.uniform(1, 24 * 30))
        failed = not surveyed and rng.random() < FAILED_SHARE
        hours = rng.lognormvariate(math.log(provider.accept_hours), 0.9)
        accepted = recorded - timedelta(days=rng.uniform(1, 20) if failed else rng.uniform(7, 120))
        sent = accepted - timedelta(hours=hours)
        created = sent - timedelta(hours=rng.uniform(0.1, 48))
        pk = self._id(Referral)
        self._event(pk, "", "draft", created)
        self._event(pk, "draft", "sent", sent)
        answered_from = "sent"
        if rng.random() < 0.6:
            self._event(pk, "sent", "viewed", sent + timedelta(hours=hours * rng.uniform(0.1, 0.9)))
            answered_from = "viewed"
        self._event(pk, answered_from, "accepted", accepted)
        changed = self._sent(sent, hours) | {"status_changed_at": recorded}
        if failed:
            reason = changed["failure_reason"] = rng.choice(FAILURES)
            self._event(pk, "accepted", "failed", recorded, reason)
            t_score, scores, result = None, "[]", Outcome.Result.FAILED
            self.counts["failed"] += confirmed
        else:
            reason = ""
            in_service = accepted + (recorded - accepted) * rng.uniform(0.02, 0.2)
            self._event(pk, "accepted", "in_service", in_service)
            self._event(pk, "in_service", "completed", recorded)
            t_score, scores, changed["outcome"] = self._goals(provider.quality)
            result = Outcome.Result.COMPLETED
        status = "failed" if failed else "completed"
        row = self._referral_row(pk, provider, category, need, created, status, **changed)
        self.rows[Referral].append(row)
        self.counts["referrals"] += 1
        if confirmed:
            status, dispute = Outcome.Status.CONFIRMED, ""
            self.counts["confirmed"] += 1
        else:
            status = rng.choice([Outcome.Status.RECORDED] * 2 + [Outcome.Status.DISPUTED])
            dispute = (
                crypto.encrypt("目标评分与实际情况不符。", context=self.dispute_context)
                if status == Outcome.Status.DISPUTED
                else ""
            )
            self.counts["unconfirmed"] += 1
        # fmt: off
        self.rows[Outcome].append(
            (
                self._id(Outcome), _uuid(rng), pk, 1, scores, provider.pk, need.agency, category,
                need.district, result, t_score, reason, status, confirmed_at or recorded, recorded,
                confirmed_at, dispute, "",
            )
        )
        # fmt: on
        if surveyed:
            self._survey(pk, provider, category, recorded)

    def _survey(self, referral, provider, category, completed) -> None:
        rng = self.rng
        token = secrets.token_urlsafe(32)
        submitted = min(self.now, completed + timedelta(hours=rng.uniform(0.2, 24 * 20)))
        invitation = self._id(SurveyInvitation)
        # fmt: off
        self.rows[SurveyInvitation].append(
            (
                invitation, referral, provider.pk, category,
                hashlib.sha256(token.encode()).hexdigest(),
                crypto.encrypt(token, context=self.token_context), completed,
                completed + timedelta(days=60), submitted,
            )
        )
        # fmt: on
        centre = 3.9 + 0.8 * provider.quality
        answers = [max(1, min(5, round(rng.gauss(centre, 0.8)))) for _ in range(5)]
        comment = (
            crypto.encrypt(rng.choice(COMMENTS), context=self.comment_context)
            if rng.random() < 0.1
            else ""
        )
        # fmt: off
        self.rows[SurveyResponse].append(
            (
                self._id(SurveyResponse), invitation, provider.pk, category, submitted, *answers,
                comment, rng.choice(["zh-hans"] * 9 + ["en"]),
            )
        )
        # fmt: on
        self.counts["surveys"] += 1

    def unanswered(self) -> None:
        """A referral the provider declined or left until it expired: evidence of answering."""
        rng = self.rng
        provider = self._provider()
        category = rng.choice(provider.categories)
        need = rng.choice(self.needs[category])
        sent = self.now - timedelta(seconds=HISTORY_DAYS * 86400 * rng.random() ** 1.25)
        created = sent - timedelta(hours=rng.uniform(0.1, 48))
        pk = self._id(Referral)
        self._event(pk, "", "draft", created)
        self._event(pk, "draft", "sent", sent)
        if rng.random() < provider.decline_share:
            hours = rng.lognormvariate(math.log(provider.accept_hours), 0.9)
            reason = rng.choice(DECLINE_REASONS)
            answered = sent + timedelta(hours=hours)
            self._event(pk, "sent", "declined", answered, reason)
            fields = {"decline_reason": reason, "return_code": "declined"}
            status = "declined"
        else:
            hours = 120.0
            answered = sent + timedelta(hours=hours)
            self._event(pk, "sent", "expired", answered)
            fields = {"return_code": "no_answer"}
            status = "expired"
        fields |= self._sent(sent, hours) | {"status_changed_at": answered}
        row = self._referral_row(pk, provider, category, need, created, status, **fields)
        self.rows[Referral].append(row)
        self.counts["referrals"] += 1

    def flush(self) -> None:
        for model in COPIED:
            self.writers[model].write(self.rows[model])
            self.rows[model] = []


def _uuid(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _build_evidence(args, rng, now, providers, needs) -> dict:
    evidence = Evidence(rng, now, providers, needs)
    surveyed = set(rng.sample(range(args.outcomes), args.surveys))
    unconfirmed = round(args.outcomes * UNCONFIRMED_SHARE)
    unanswered = round(args.outcomes * UNANSWERED_SHARE)
    started, reported = time.perf_counter(), 0
    for index in range(args.outcomes):
        evidence.outcome(confirmed=True, surveyed=index in surveyed)
        if index % CHUNK == CHUNK - 1:
            evidence.flush()
        if time.perf_counter() - started > reported + 30:
            reported += 30
            print(f"  … {index + 1:,} outcomes written in {reported} s", flush=True)
    for _ in range(unconfirmed):
        evidence.outcome(confirmed=False, surveyed=False)
    for index in range(unanswered):
        evidence.unanswered()
        if index % CHUNK == CHUNK - 1:
            evidence.flush()
    evidence.flush()
    return evidence.counts


def _build_assessments(rng, now, providers, agencies, assessor, framework) -> int:
    if framework is None:
        print("no standards framework in the database: no assessments built")
        return 0
    rows = []
    for index, provider in enumerate(p for p in providers if rng.random() < ASSESSED_SHARE):
        accepted = now - timedelta(days=rng.uniform(1, HISTORY_DAYS))
        score = max(1.0, min(4.0, rng.gauss(2.9 + provider.quality, 0.4)))
        rows.append(
            Assessment(reference=f"{PREFIX}{index:05d}", framework=framework, assessor=assessor,
                       provider_id=provider.pk, agency_id=rng.choice(agencies).pk,
                       due_date=(accepted - timedelta(days=10)).date(),
                       status=Assessment.Status.ACCEPTED, status_changed_at=accepted,
                       commissioned_at=accepted - timedelta(days=60),
                       submitted_at=accepted - timedelta(days=5), accepted_at=accepted,
                       overall_score=Decimal(f"{score:.2f}"))
        )  # fmt: skip
    Assessment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- timing -----------------------------------------------------------------------------------


def time_full() -> None:
    started = time.perf_counter()
    count = recompute_ratings()
    elapsed = time.perf_counter() - started
    overall = ProviderRating.objects.filter(category__isnull=True).count()
    history = RatingHistory.objects.count()
    print(
        f"full recompute_ratings: {elapsed:.1f} s — {count:,} ProviderRating rows "
        f"({overall:,} overall, {count - overall:,} per category), {history:,} RatingHistory rows"
    )


def _ratings_of(provider_id: int) -> list[dict]:
    rows = ProviderRating.objects.filter(provider_id=provider_id).order_by("category_id").values()
    return [{k: v for k, v in row.items() if k not in ("id", "computed_at")} for row in rows]


def time_incremental(label: str, provider_id: int, outcomes: int, runs: int) -> None:
    after_full = _ratings_of(provider_id)
    with CaptureQueriesContext(connection) as queries:
        update_ratings_of(provider_id=provider_id)  # warm-up, and the query count
    agrees = _ratings_of(provider_id) == after_full
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        update_ratings_of(provider_id=provider_id)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(
        f"incremental update_ratings_of, {label} provider ({outcomes:,} confirmed outcomes, "
        f"{len(after_full)} ratings): median {statistics.median(timings):.0f} ms, "
        f"p95 {p95:.0f} ms, {len(queries)} queries ({runs} runs); "
        f"same rows as the full recompute: {'yes' if agrees else 'NO'}"
    )


def timed_providers() -> list[tuple[str, int, int]]:
    sizes = list(
        Outcome.objects.filter(provider__in=bench_providers(), status=Outcome.Status.CONFIRMED)
        .values("provider_id")
        .annotate(n=Count("pk"))
        .order_by("n", "provider_id")
        .values_list("provider_id", "n")
    )
    median = sizes[len(sizes) // 2]
    return [("median-size", *median), ("busiest", *sizes[-1])]


def main() -> None:
    args = parse_args()
    describe_machine()
    refuse_other_databases()
    migrate_if_needed()
    settings.DEBUG = False  # as in production: no query log slowing every statement
    if args.clean:
        clean()
        return
    if not Organization.objects.filter(name_en=_label(args)).exists():
        if bench_organizations().exists():
            print("bench data of another size found: rebuilding")
            clean()
        build(args)
    else:
        print(f"reusing the bench data: {_label(args).removeprefix(PREFIX)}")
    time_full()
    for label, provider_id, outcomes in timed_providers():
        time_incremental(label, provider_id, outcomes, args.runs)
    if not args.keep:
        clean()


if __name__ == "__main__":
    main()
