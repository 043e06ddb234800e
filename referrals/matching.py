"""Matching: the services a caseworker could refer a person to for a need, best first, and why.

``matches_for(beneficiary=…, category=…)`` returns ``Match`` objects: first the
eligible services, best first, then the services that would fit but for an
eligibility rule, each saying which rule it fails — so that when nothing fits
the caseworker sees why, and can record an unmet need with a reason.

**Candidates.** Services a caseworker may refer to
(``providers.selectors.referable_services``: verified provider, offered,
confirmed within 180 days, accepting referrals) that offer the need's category
and reach the person. *Category*: a need of a group (``social-services``)
matches services of the group or of any category in it; a need of a category
(``social-services.elderly-care``) matches services of that category and,
with fewer points, services tagged with its whole group (a generalist
offering every social service) — never a sibling category. *Reach*: the
service covers the person's area or one of its ancestors (street → district
→ city → province), or has a site within ``MAX_DISTANCE_KM`` of the person's
point. Without a point, only coverage counts; without an area either, nothing
can be matched.

**Eligibility** (``referrals.eligibility``): a service failing any rule is ineligible.

**Ranking** (``COMPONENTS``): each component gives 0 to ``weight`` points as
a database expression, with one sentence saying why — category fit,
coverage, distance, capacity (free places; stale capacity counts less; no
free place far less, and less again the longer the waiting list), rating and
contract. One query returns, for every candidate, each component's points and
each rule's verdict (a few numbers per row); the score is their sum, and the
order — score, then Chinese name (code point order, the same on every
database) — is worked out in Python. Only the ``limit`` best eligible and
ineligible services are then read in full.

**Cost.** A fixed number of queries whatever the number of services: the
category and its relatives, the person's area and its ancestors, the
ranking, the services shown, one per component that reads something for its
explanation (categories, areas, contracts, ratings), and the sites nearby.
The database never scans every service: it starts from the matching index
that ``providers.services`` keeps — ``ServiceCoverage`` (category, area) for
the services covering the person's areas, ``ServicePoint`` (category,
latitude, longitude) for those with a site inside a box around the person —
two index scans with plain range conditions, the same on SQLite and
PostgreSQL, so the work grows with the number of services of the category
near the person, not with the whole table (``bench/matching.py``).

**Adding a component.** A ``Component`` whose ``points()`` is an expression
over the service (``ContractInForce``: an ``Exists`` on an active contract for
the category and area, from ``contracts.selectors``) and whose ``explain()``
writes the sentence from rows ``load()`` attached to the services shown
(``Rating``: evaluation's ratings). The score is the sum of whatever the tuple
holds, and each reason shows the very points that were summed.
"""

import datetime
import heapq
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contracts.selectors import matching as contract_selectors
from core.errors import ApplicationError
from evaluation.selectors import ratings as rating_selectors
from places.models import Area
from providers import selectors as provider_selectors
from providers.selectors import CAPACITY_STALE_AFTER
from referrals.distance import distance_expression as _distance_expression
from referrals.distance import flat_km as _flat_km
from referrals.distance import km_per_degree as _km_per_degree
from referrals.eligibility import ELIGIBILITY_RULES, EligibilityRule
from referrals.models.beneficiaries import Beneficiary
from taxonomy.models import NeedCategory

# Services, providers and sites are the providers app's rows, read through its selectors.
Service = Provider = Site = Model

# A site farther than this does not count as near: about an hour across
# Shanghai by public transport, the most a person in need can be asked to travel.
MAX_DISTANCE_KM = 15.0
DEFAULT_LIMIT = 20

UNKNOWN_CATEGORY = gettext_lazy("Choose a need category from the list.")


class Reason(NamedTuple):
    """One line of a match's explanation: which component, what it found, the points it gave."""

    component: str
    text: str
    points: float


@dataclass
class Match:
    """A service the person could be referred to, its score and the reasons for it."""

    service: Service
    provider: Provider
    score: float
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)  # component name -> points
    distance_km: float | None = None  # to the nearest site, when one is within MAX_DISTANCE_KM
    nearest_site: Site | None = None
    has_free_place: bool = False

    @property
    def ineligible_because(self) -> list[str]:
        """The eligibility rules the person does not meet, in words (empty when eligible)."""
        return [reason.text for reason in self.reasons if reason.component == "eligibility"]


@dataclass(frozen=True)
class MatchContext:
    """What every rule and component needs to know about the request, worked out once."""

    beneficiary: Beneficiary
    category: NeedCategory
    categories: dict[int, NeedCategory]  # the category and its group or its categories
    areas: list[Area]  # the person's area and its ancestors, most specific first
    point: tuple[float, float] | None  # the person's (latitude, longitude)
    now: datetime.datetime
    age: int

    @property
    def category_ids(self) -> list[int]:
        return list(self.categories)

    @property
    def area(self) -> Area | None:
        return self.areas[0] if self.areas else None

    def bounding_box(self) -> tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]:
        """Latitude and longitude ranges holding every point within MAX_DISTANCE_KM."""
        latitude, longitude = self.point
        km_per_latitude, km_per_longitude = _km_per_degree(latitude)
        # A small margin: the box only narrows, the distance decides.
        half_height = MAX_DISTANCE_KM / km_per_latitude * 1.01
        half_width = MAX_DISTANCE_KM / km_per_longitude * 1.01
        return (
            (_degrees(latitude - half_height), _degrees(latitude + half_height)),
            (_degrees(longitude - half_width), _degrees(longitude + half_width)),
        )

    def site_is_in_box(self, prefix: str = "") -> Q:
        latitudes, longitudes = self.bounding_box()
        return Q(**{f"{prefix}latitude__range": latitudes, f"{prefix}longitude__range": longitudes})


# --- ranking components -------------------------------------------------------------


class Component(ABC):
    """One part of the score: 0 to ``weight`` points, computed by the database, and why.

    ``points()`` returns a database expression over the service being ranked
    (and the annotation ``nearest_km``); ``explain()`` writes one sentence for
    a match that was fetched; ``load()`` reads what ``explain()`` needs for
    all the services shown at once (one query, or none).
    """

    name = ""
    weight = 0.0

    @abstractmethod
    def points(self, context: MatchContext):
        """A database expression giving 0 to ``weight`` points to the service ranked."""

    @abstractmethod
    def explain(self, match: Match, context: MatchContext) -> str:
        """One sentence saying why the match got its points."""

    def load(self, services: list[Service], context: MatchContext) -> None:
        """Attach to each service shown what ``explain()`` reads (nothing by default)."""
        return None


class CategoryFit(Component):
    """A service of the very category needed ranks above a generalist of its whole group."""

    name = "category"
    weight = 10.0

    def points(self, context):
        category = context.category
        if category.is_group:
            return Value(self.weight)
        specialist = provider_selectors.service_category_links().filter(
            service_id=OuterRef("pk"), needcategory_id=category.pk
        )
        return Case(
            When(Exists(specialist), then=Value(self.weight)),
            default=Value(self.weight / 2),
            output_field=FloatField(),
        )

    def load(self, services, context):
        # For a category, the points say it all (specialist or generalist); for a
        # group, the explanation names the categories offered: only the links are
        # read, the categories are in the context already.
        if not context.category.is_group:
            return
        offered = _links(
            provider_selectors.service_category_links(),
            "needcategory_id",
            services,
            context.category_ids,
        )
        for service in services:
            service.matching_categories = sorted(
                (context.categories[pk] for pk in offered.get(service.pk, ())),
                key=lambda c: (c.sort_order, c.code),
            )

    def explain(self, match, context):
        category = context.category
        if category.is_group:
            offered = match.service.matching_categories
            names = [c.name for c in offered if c.pk != category.pk] or [category.name]
            return _("Offers %(categories)s") % {"categories": ", ".join(names)}
        if match.points[self.name] >= self.weight:
            return _("Offers %(category)s") % {"category": category.name}
        return _("Offers %(group)s in general, not %(category)s specifically") % {
            "group": category.parent.name,
            "category": category.name,
        }


class Coverage(Component):
    """Covering the person's street or district counts more than covering a whole city."""

    name = "coverage"
    weight = 15.0
    WIDE_AREA_SHARE = 2 / 3  # a city- or province-wide service is less local

    def points(self, context):
        local = [a.pk for a in context.areas if a.level >= Area.Level.DISTRICT]
        wide = [a.pk for a in context.areas if a.level < Area.Level.DISTRICT]
        whens = [
            When(
                Exists(
                    provider_selectors.service_coverage().filter(
                        service_id=OuterRef("pk"),
                        category_id__in=context.category_ids,
                        area_id__in=area_ids,
                    )
                ),
                then=Value(points),
            )
            for area_ids, points in (
                (local, self.weight),
                (wide, self.weight * self.WIDE_AREA_SHARE),
            )
            if area_ids
        ]
        if not whens:
            return Value(0.0)
        return Case(*whens, default=Value(0.0), output_field=FloatField())

    def load(self, services, context):
        # The areas are in the context already: only the links are read.
        covered = _links(
            provider_selectors.service_area_links(),
            "area_id",
            services,
            [a.pk for a in context.areas],
        )
        for service in services:
            service.covered_here = [a for a in context.areas if a.pk in covered.get(service.pk, ())]

    def explain(self, match, context):
        if context.area is None:
            return _("The person's area is not recorded, so coverage is not counted")
        covered = {area.pk for area in match.service.covered_here}
        for area in context.areas:  # most specific first
            if area.pk in covered:
                if area.level >= Area.Level.DISTRICT:
                    return _("Covers %(area)s") % {"area": area.name}
                return _("Covers all of %(area)s") % {"area": _place_name(area, context)}
        return _("Does not list %(area)s among the areas it covers") % {"area": context.area.name}


class Distance(Component):
    """A site next door scores the full weight, one at MAX_DISTANCE_KM nothing."""

    name = "distance"
    weight = 15.0

    def points(self, context):
        if context.point is None:
            return Value(0.0)
        # nearest_km is NULL when no site is within MAX_DISTANCE_KM: 0 points.
        remaining = Value(1.0) - Coalesce(F("nearest_km"), Value(MAX_DISTANCE_KM)) / Value(
            MAX_DISTANCE_KM
        )
        return ExpressionWrapper(Value(self.weight) * remaining, output_field=FloatField())

    def explain(self, match, context):
        if context.point is None:
            return _("The person's location is not recorded, so distance is not counted")
        if match.nearest_site is None:
            return _("No site within %(km)d km") % {"km": MAX_DISTANCE_KM}
        return _("%(km).1f km from %(site)s") % {
            "km": match.distance_km,
            "site": match.nearest_site.name,
        }


class Capacity(Component):
    """A free place now beats everything else; a place nobody has confirmed lately counts less."""

    name = "capacity"
    weight = 30.0
    STALE_SHARE = 0.5  # free places not updated for CAPACITY_STALE_AFTER
    FULL_SHARE = 0.2  # no free place, nobody waiting; divided by 1 + people waiting

    def points(self, context):
        fresh_since = context.now - CAPACITY_STALE_AFTER
        return Case(
            When(
                free_slots__gt=0,
                capacity_updated_at__gte=fresh_since,
                then=Value(self.weight),
            ),
            When(free_slots__gt=0, then=Value(self.weight * self.STALE_SHARE)),
            default=ExpressionWrapper(
                Value(self.weight * self.FULL_SHARE) / (F("waitlist_length") + Value(1.0)),
                output_field=FloatField(),
            ),
            output_field=FloatField(),
        )

    def explain(self, match, context):
        service = match.service
        updated = service.capacity_updated_at
        days = (context.now - updated).days if updated is not None else None
        if service.free_slots > 0:
            places = ngettext(
                "%(count)d free place", "%(count)d free places", service.free_slots
            ) % {"count": service.free_slots}
            if days is None:
                return _("%(places)s — capacity never updated, counts less") % {"places": places}
            if service.capacity_is_stale(context.now):
                return ngettext(
                    "%(places)s — capacity not updated for %(days)d day, counts less",
                    "%(places)s — capacity not updated for %(days)d days, counts less",
                    days,
                ) % {"places": places, "days": days}
            return f"{places} ({_updated(days)})"
        if service.waitlist_length:
            waiting = ngettext(
                "No free place; %(count)d person waiting",
                "No free place; %(count)d people waiting",
                service.waitlist_length,
            ) % {"count": service.waitlist_length}
        else:
            waiting = _("No free place; nobody waiting")
        if days is None:
            return _("%(waiting)s (capacity never updated)") % {"waiting": waiting}
        return f"{waiting} ({_updated(days)})"


def _updated(days: int) -> str:
    if days == 0:
        return _("updated today")
    return ngettext("updated %(days)d day ago", "updated %(days)d days ago", days) % {"days": days}


class Rating(Component):
    """Evidence of results: ``weight × (rating − 1) / 4`` points for the provider's rating in
    the need's category, else overall (``evaluation.selectors.ratings``); a provider without
    evidence scores the middle of the scale, neither helped nor harmed by being new."""

    name = "rating"
    weight = 15.0

    def points(self, context):
        score = rating_selectors.score_expression(
            provider_ref="provider_id", category_ids=[context.category.pk], default=3.0
        )
        return ExpressionWrapper(
            Value(self.weight) * (score - Value(1.0)) / Value(4.0), output_field=FloatField()
        )

    def load(self, services, context):
        found = rating_selectors.best_ratings_of(
            {s.provider_id for s in services}, context.category
        )
        for service in services:
            service.rating = found.get(service.provider_id)

    def explain(self, match, context):
        rating = getattr(match.service, "rating", None)
        if rating is None:
            return _("No rating yet: counts as average")
        words = {"rating": rating_selectors.in_words(rating), "category": context.category.name}
        if rating.is_for_category:
            return _("%(rating)s for %(category)s") % words
        return _("%(rating)s (all services)") % words


class ContractInForce(Component):
    """Full points when the provider holds an active contract for the need's category (or
    its group) covering the person's area or one it lies in (``contracts.selectors``)."""

    name = "contract"
    weight = 15.0

    def points(self, context):
        if not context.areas:
            return Value(0.0)
        held = contract_selectors.contracts_in_force(
            category_ids=context.category_ids, area_ids=[a.pk for a in context.areas]
        ).filter(provider_id=OuterRef("provider_id"))
        return Case(
            When(Exists(held), then=Value(self.weight)),
            default=Value(0.0),
            output_field=FloatField(),
        )

    def load(self, services, context):
        held = (
            contract_selectors.contract_of_providers(
                provider_ids={service.provider_id for service in services},
                category_ids=context.category_ids,
                area_ids=[a.pk for a in context.areas],
            )
            if context.areas
            else {}
        )
        for service in services:
            service.contract_in_force = held.get(service.provider_id)

    def explain(self, match, context):
        contract = getattr(match.service, "contract_in_force", None)
        if contract is None:
            return _("No contract in force for this need in the person's area")
        return _("Contracted by %(agency)s for this need here (%(reference)s, until %(end)s)") % {
            "agency": contract.lead_agency.name,
            "reference": contract.reference,
            "end": contract.end_date.isoformat(),
        }


# The ranking: add a component here and it counts (see the module docstring).
COMPONENTS: tuple[Component, ...] = (
    CategoryFit(),
    Coverage(),
    Distance(),
    Capacity(),
    Rating(),
    ContractInForce(),
)


# --- matching -------------------------------------------------------------------------


def matches_for(
    *,
    beneficiary: Beneficiary,
    category: NeedCategory | str,
    limit: int = DEFAULT_LIMIT,
    now: datetime.datetime | None = None,
    rules: Iterable[EligibilityRule] = ELIGIBILITY_RULES,
    components: Iterable[Component] = COMPONENTS,
) -> list[Match]:
    """The best ``limit`` eligible services for the person's need, then up to ``limit``
    ineligible ones with the rules they fail; each sorted by score, then name.

    ``category`` is a ``NeedCategory`` or its code; an unknown code raises
    ``ApplicationError``. The caller checks that the user may see the beneficiary.
    """
    rules, components = tuple(rules), tuple(components)
    context = _context(beneficiary, category, now or timezone.now())
    candidates = _candidates(context)
    if candidates is None or limit < 1:
        return []
    best = _best(candidates, context, rules, components, limit)
    if not best:
        return []
    services = provider_selectors.services_in_bulk([s.pk for s in best], fields=SHOWN_FIELDS)
    # (A service deleted in between is simply left out.)
    shown = [(services[s.pk], s) for s in best if s.pk in services]
    for component in components:
        component.load([service for service, _ranked in shown], context)
    _load_sites_nearby([service for service, _ranked in shown], context)
    return [_match(service, ranked, context, rules, components) for service, ranked in shown]


# What a match shows and explains of a service, its provider and its nearest site.
SHOWN_FIELDS = (
    "uuid",
    "name_zh",
    "name_en",
    "provider__uuid",
    "provider__organization__name_zh",
    "provider__organization__name_en",
    "min_age",
    "max_age",
    "gender",
    "household_registration",
    "required_statuses",
    "free_slots",
    "waitlist_length",
    "capacity_updated_at",
)
SITE_FIELDS = ("uuid", "name_zh", "name_en", "address", "latitude", "longitude")


def _links(links: QuerySet, column: str, services: list[Service], wanted: list[int]) -> dict:
    """``{service pk: {linked pk, …}}`` for the services shown, only the ``wanted`` links."""
    linked: dict[int, set[int]] = {}
    if not services or not wanted:
        return linked
    rows = links.filter(
        service_id__in=[service.pk for service in services], **{f"{column}__in": wanted}
    ).values_list("service_id", column)
    for service_id, pk in rows:
        linked.setdefault(service_id, set()).add(pk)
    return linked


def _load_sites_nearby(services: list[Service], context: MatchContext) -> None:
    """``sites_nearby``: each service's sites inside the box around the person (one query)."""
    for service in services:
        service.sites_nearby = []
    if context.point is None or not services:
        return
    by_pk = {service.pk: service for service in services}
    sites = provider_selectors.sites_of_services(
        by_pk, within=context.site_is_in_box(), fields=SITE_FIELDS
    )
    for site in sites:
        by_pk[site.shown_for].sites_nearby.append(site)


def _context(beneficiary, category, now) -> MatchContext:
    if isinstance(category, str):
        found = _category_family(category)
        category = next((c for c in found if c.code == category), None)
        if category is None:
            raise ApplicationError(
                str(UNKNOWN_CATEGORY),
                field_errors={"category": [str(UNKNOWN_CATEGORY)]},
                code="unknown_category",
            )
        related = found
    else:
        related = _category_family(category.code)
    # A group's need: the group and its categories; a category's: itself and its group.
    categories = {
        c.pk: c
        for c in related
        if c.pk == category.pk
        or (category.is_group and c.parent_id == category.pk)
        or (not category.is_group and c.pk == category.parent_id)
    }
    if not category.is_group and category.parent_id in categories:
        category.parent = categories[category.parent_id]

    areas = _area_and_ancestors(beneficiary.area_id) if beneficiary.area_id else []

    point = None
    if beneficiary.latitude is not None and beneficiary.longitude is not None:
        point = (float(beneficiary.latitude), float(beneficiary.longitude))

    return MatchContext(
        beneficiary=beneficiary,
        category=category,
        categories=categories,
        areas=areas,
        point=point,
        now=now,
        age=_age_on(beneficiary.birth_date, timezone.localdate(now)),
    )


# Need categories and areas are reference data (data migrations, load_areas, the
# rare admin correction): matching keeps what it read of them for a few minutes.
REFERENCE_CACHE_SECONDS = 300


def _category_family(code: str) -> list[NeedCategory]:
    """The category of ``code``, its categories (a group) or its group (a category)."""
    key = f"matching:categories:{code}"
    found = cache.get(key)
    if found is None:
        found = list(
            NeedCategory.objects.select_related("parent").filter(
                Q(code=code)
                | Q(parent__code=code)
                | Q(pk__in=NeedCategory.objects.filter(code=code).values("parent_id"))
            )
        )
        cache.set(key, found, REFERENCE_CACHE_SECONDS)
    return found


def _area_and_ancestors(area_id: int) -> list[Area]:
    """Community → street → district → city → province, most specific first."""
    key = f"matching:areas:{area_id}"
    areas = cache.get(key)
    if areas is None:
        areas = []
        area = (
            Area.objects.select_related("parent__parent__parent__parent").filter(pk=area_id).first()
        )
        while area is not None:
            areas.append(area)
            area = area.parent
        cache.set(key, areas, REFERENCE_CACHE_SECONDS)
    return areas


def _candidates(context: MatchContext) -> QuerySet[Service] | None:
    """Referable services of the category that reach the person (None: nothing can).

    Reach is one ``IN`` over the union of the services of the category covering
    the person's areas and those with a site nearby, so the database starts
    from those few rows instead of scanning every service.
    """
    reach = []
    if context.areas:
        # One index scan (category, area) of the coverage index.
        reach.append(
            provider_selectors.service_coverage()
            .filter(
                category_id__in=context.category_ids,
                area_id__in=[area.pk for area in context.areas],
            )
            .values("service_id")
        )
    if context.point is not None:
        # One index range scan (category, latitude, longitude) finds the points of
        # the categories inside the box before any distance is computed; the
        # distance then decides.
        reach.append(
            provider_selectors.service_points()
            .filter(context.site_is_in_box(), category_id__in=context.category_ids)
            .alias(km=_distance_expression(context.point, ""))
            .filter(km__lte=MAX_DISTANCE_KM)
            .values("service_id")
        )
    if not reach:
        return None
    return _with_distance(provider_selectors.referable_services(context.now), context).filter(
        pk__in=reach[0].union(*reach[1:]) if len(reach) > 1 else reach[0]
    )


def _with_distance(services: QuerySet[Service], context: MatchContext) -> QuerySet[Service]:
    """``nearest_km``: kilometres to the service's nearest site within MAX_DISTANCE_KM, or NULL."""
    if context.point is None:
        return services
    nearest = (
        provider_selectors.service_points()
        .filter(service_id=OuterRef("pk"), category_id__in=context.category_ids)
        .annotate(km=_distance_expression(context.point, ""))
        .filter(km__lte=MAX_DISTANCE_KM)
        .order_by("km")
        .values("km")[:1]
    )
    return services.alias(nearest_km=Subquery(nearest, output_field=FloatField()))


@dataclass(frozen=True)
class Scored:
    """A candidate as the ranking query returned it: each component's points, each verdict."""

    pk: int
    points: dict[str, float]  # component name -> points, in COMPONENTS order
    passes: dict[str, bool]  # rule name -> verdict (rules with a condition only)

    @property
    def score(self) -> float:
        return sum(self.points.values())


def _best(candidates, context, rules, components, limit: int) -> list[Scored]:
    """The ``limit`` best eligible candidates, then the ``limit`` best ineligible ones.

    One query gives every candidate's points and verdicts: the database computes
    what needs the data (joins, subqueries, distances), only these few columns
    travel, and the total and the order — score, then Chinese name — are worked
    out here from the very points the reasons will show.
    """
    points = {c.name: c.points(context) for c in components}
    verdicts = {
        rule.name: ExpressionWrapper(condition, output_field=BooleanField())
        for rule in rules
        if (condition := rule.condition(context)) is not None
    }
    query = (
        candidates.annotate(
            **{f"points_{name}": expression for name, expression in points.items()},
            **{f"passes_{name}": expression for name, expression in verdicts.items()},
        )
        .order_by()
        .values_list(
            "pk",
            "name_zh",
            *(f"points_{name}" for name in points),
            *(f"passes_{name}" for name in verdicts),
        )
        .query
    )
    # Read straight from the cursor: every value is turned into a float or a bool
    # below, so Django's per-value converters (thousands of calls) are skipped.
    sql, params = query.sql_with_params()
    with connections[candidates.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    count = len(points)
    eligible, ineligible = [], []
    for row in rows:
        # float(): PostgreSQL may compute a component in numeric.
        score = sum(map(float, row[2 : 2 + count]))
        (eligible if all(row[2 + count :]) else ineligible).append((-score, row[1], row[0], row))
    return [
        Scored(
            pk=row[0],
            points=dict(zip(points, map(float, row[2 : 2 + count]), strict=True)),
            passes=dict(zip(verdicts, map(bool, row[2 + count :]), strict=True)),
        )
        for group in (eligible, ineligible)
        for *_rank, row in heapq.nsmallest(limit, group)
    ]


def _match(service, ranked: Scored, context, rules, components) -> Match:
    nearest_site, nearest_km = None, None
    # Of the sites inside the box (so with coordinates), the nearest, by the same
    # flat-earth distance the ranking query used.
    if context.point is not None and service.sites_nearby:
        site = min(service.sites_nearby, key=lambda s: _flat_km(context.point, s))
        km = _flat_km(context.point, site)
        if km <= MAX_DISTANCE_KM:
            nearest_site, nearest_km = site, km
    failed = [rule for rule in rules if not ranked.passes.get(rule.name, True)]
    match = Match(
        service=service,
        provider=service.provider,
        score=round(ranked.score, 1),
        eligible=not failed,
        points=dict(ranked.points),
        distance_km=round(nearest_km, 1) if nearest_km is not None else None,
        nearest_site=nearest_site,
        has_free_place=service.free_slots > 0,
    )
    match.reasons = [Reason("eligibility", rule.explain(service, context), 0.0) for rule in failed]
    match.reasons += [
        Reason(
            component.name,
            component.explain(match, context),
            round(ranked.points[component.name], 1),
        )
        for component in components
    ]
    return match


def _degrees(value: float) -> Decimal:
    return Decimal(value).quantize(Decimal("0.000001"))


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    birthday_to_come = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - birthday_to_come


def _place_name(area: Area, context: MatchContext) -> str:
    """A city-level row of a municipality is named 市辖区 ("city districts"): say the city."""
    if area.level == Area.Level.CITY and area.name_zh in {"市辖区", "县"}:
        province = next((a for a in context.areas if a.level == Area.Level.PROVINCE), None)
        if province is not None:
            return province.name
    return area.name
