"""The public statistics of /stats/: what help exists where, what happened to referrals,
which needs went unmet and (once the marketplace has data) who funds the pooled budgets.

Each table is one function returning a :class:`StatisticsTable`; ``TABLES`` lists them
in page order, and the page, its charts and the CSV downloads all read the same
registry, so a figure is computed (and suppressed) in exactly one place. Figures come
from the other apps' selectors only: public services here are the ones the public
directory lists (verified providers, services confirmed within 180 days).

Small numbers are suppressed before a figure leaves this module: any count from 1 to
4 is shown as "<5" everywhere (page, chart and CSV), because in a small district
a count that low can point at a person. See :func:`suppress` for how totals are kept
from giving a suppressed cell away; a cell hidden for that reason says "withheld".
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from places import codes
from places import selectors as place_selectors
from places.models import Area
from providers import selectors as provider_selectors
from providers.models import CAPACITY_STALE_AFTER
from referrals import selectors as referral_selectors
from taxonomy import selectors as taxonomy_selectors

# Counts from 1 to SMALL_NUMBER_LIMIT - 1 are never published; zero is (it names nobody).
SMALL_NUMBER_LIMIT = 5
SUPPRESSED = "<5"
# A larger number hidden only so that a small one cannot be worked out from a total
# (secondary suppression). Calling it "<5" would be untrue.
WITHHELD = _("withheld")


@dataclass(frozen=True)
class Cell:
    """One published figure: its value is kept for sorting and charts inside this
    module's callers, but ``text`` is what may be shown, and ``suppressed`` cells
    must never be drawn at their true size."""

    value: int
    suppressed: bool = False

    @property
    def is_complement(self) -> bool:
        """Hidden to protect another cell, not because it is small itself."""
        return self.suppressed and not is_small(self.value)

    @property
    def text(self) -> str:
        if self.suppressed:
            return str(WITHHELD) if self.is_complement else SUPPRESSED
        return f"{self.value:,}"

    @property
    def csv_text(self) -> str:
        return self.text if self.suppressed else str(self.value)

    @property
    def chart_value(self) -> int | None:
        return None if self.suppressed else self.value


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    is_total: bool = False


@dataclass
class StatisticsTable:
    """A table of the statistics page. ``available`` is False while the data behind it
    does not exist yet; then ``rows`` is empty and ``unavailable_text`` says why."""

    slug: str
    title: Promise
    description: Promise
    row_heading: Promise
    columns: tuple[Column, ...] = ()
    rows: list[Row] = field(default_factory=list)
    notes: tuple[Promise, ...] = ()
    available: bool = True
    unavailable_text: Promise | str = ""
    # Which column the chart draws (the table behind the chart shows them all).
    chart_column: int = 0

    @property
    def body_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.is_total]

    @property
    def total_row(self) -> Row | None:
        return next((row for row in self.rows if row.is_total), None)

    @property
    def is_empty(self) -> bool:
        return not any(cell.value for row in self.body_rows for cell in row.cells)


# --- suppression ------------------------------------------------------------------


def is_small(value: int) -> bool:
    return 0 < value < SMALL_NUMBER_LIMIT


def suppress(grid: list[list[int]], lines: Iterable[list[tuple[int, int]]]) -> set[tuple[int, int]]:
    """The positions of ``grid`` to suppress: small numbers, then their complements.

    Primary suppression hides every count from 1 to 4. That alone is not enough
    when a total is published: if a line of cells that add up to a shown total has
    exactly one hidden cell, the total minus the visible cells gives it back. So
    (secondary suppression) in every such line we also hide the smallest other
    non-zero cell, which leaves two unknowns and one equation. Hiding a cell in one
    line can leave a crossing line with a single hidden cell, so we repeat until
    nothing changes. If no other non-zero cell exists, the hidden cell equals the
    total, which is then itself small and hidden by the primary rule.

    ``lines`` lists, for each total, the positions (row, column) of the cells that
    add up to it, the total's own position included. Our district and category
    counts may exceed their total (a service serving two districts counts in both),
    so the equation is an inequality there; treating it as a sum is the safe side.
    """
    hidden = {
        (r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if is_small(value)
    }
    lines = [list(line) for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = [position for position in line if position in hidden]
            if len(hidden_here) != 1:
                continue
            candidates = [
                position
                for position in line
                if position not in hidden and grid[position[0]][position[1]] > 0
            ]
            if not candidates:
                continue
            # The smallest cell hides the least information; ties go to the first row.
            complement = min(candidates, key=lambda p: (grid[p[0]][p[1]], p))
            hidden.add(complement)
            changed = True
    return hidden


def _rows_with_total(
    labels: list[str], values: list[list[int]], total_label: str, totals: list[int]
) -> list[Row]:
    """Rows of ``values`` and a total row, suppressed column by column (each column's
    cells add up, at most, to the figure in the total row)."""
    grid = [*values, totals]
    total_index = len(values)
    column_count = len(totals)
    lines = [[(r, c) for r in range(total_index + 1)] for c in range(column_count)]
    hidden = suppress(grid, lines)
    rows = []
    for r, (label, row_values) in enumerate(zip([*labels, total_label], grid, strict=True)):
        cells = tuple(Cell(v, (r, c) in hidden) for c, v in enumerate(row_values))
        rows.append(Row(label=label, cells=cells, is_total=r == total_index))
    return rows


# --- supply: services and free places ------------------------------------------------

SERVICE_COLUMNS = (
    Column("services", _("Services")),
    Column("free_places", _("Free places")),
)
FREE_PLACES_NOTE = _(
    "Free places count only places a provider has confirmed in the last 7 days; "
    "older figures are left out because they may no longer be true."
)


@dataclass(frozen=True)
class _PublicService:
    free_places: int


def _public_services(now: datetime) -> dict[int, _PublicService]:
    """The directory's services with their current free places (one query)."""
    fresh_after = now - CAPACITY_STALE_AFTER
    return {
        pk: _PublicService(
            free_places=free if updated_at is not None and updated_at >= fresh_after else 0
        )
        for pk, free, updated_at in provider_selectors.public_services(now).values_list(
            "pk", "free_slots", "capacity_updated_at"
        )
    }


def _districts_served(now: datetime, districts: list[Area]) -> dict[int, set[str]]:
    """For each public service, the codes of the districts it serves (two queries).

    A service serves a district when it covers the district, a street in it, or the
    whole city or province around it (as the directory's district filter reads
    coverage), or when one of its sites is in the district.
    """
    district_codes = [district.code for district in districts]
    served: dict[int, set[str]] = defaultdict(set)
    services = provider_selectors.public_services(now)
    covered = services.filter(areas_covered__isnull=False).values_list("pk", "areas_covered__code")
    for pk, area_code in covered:
        prefix = codes.significant_prefix(area_code)
        if codes.level_of(area_code) >= Area.Level.DISTRICT:
            prefix = area_code[:6]
        served[pk].update(code for code in district_codes if code.startswith(prefix))
    at_sites = services.filter(sites__district__isnull=False).values_list(
        "pk", "sites__district__code"
    )
    for pk, district_code in at_sites:
        if district_code in district_codes:
            served[pk].add(district_code)
    return served


def services_by_district(now: datetime | None = None) -> StatisticsTable:
    """Services and free places in each Shanghai district (each service once per district)."""
    now = now or timezone.now()
    districts = list(place_selectors.shanghai_districts())
    services = _public_services(now)
    served = _districts_served(now, districts)
    counts = {district.code: [0, 0] for district in districts}
    for pk, district_codes in served.items():
        service = services.get(pk)
        if service is None:
            continue
        for code in district_codes:
            counts[code][0] += 1
            counts[code][1] += service.free_places
    totals = [len(services), sum(service.free_places for service in services.values())]
    return StatisticsTable(
        slug="services-by-district",
        title=_("Services and free places by district"),
        description=_(
            "How many services in the directory serve each district of Shanghai, and how "
            "many free places they have now."
        ),
        row_heading=_("District"),
        columns=SERVICE_COLUMNS,
        rows=_rows_with_total(
            [district.name for district in districts],
            [counts[district.code] for district in districts],
            str(_("Whole city")),
            totals,
        ),
        notes=(
            _(
                "A service that serves several districts is counted in each of them, so the "
                "districts add up to more than the whole city."
            ),
            FREE_PLACES_NOTE,
        ),
    )


def services_by_category(now: datetime | None = None) -> StatisticsTable:
    """Services and free places in each top-level group of need categories."""
    now = now or timezone.now()
    groups = list(taxonomy_selectors.category_groups())
    services = _public_services(now)
    group_codes = {group.code for group in groups}
    in_group: dict[str, set[int]] = defaultdict(set)
    tagged = (
        provider_selectors.public_services(now)
        .filter(categories__isnull=False)
        .values_list("pk", "categories__code", "categories__parent__code")
    )
    for pk, code, parent_code in tagged:
        group_code = parent_code or code
        if group_code in group_codes:
            in_group[group_code].add(pk)
    values = []
    for group in groups:
        members = [services[pk] for pk in in_group[group.code] if pk in services]
        values.append([len(members), sum(service.free_places for service in members)])
    totals = [len(services), sum(service.free_places for service in services.values())]
    return StatisticsTable(
        slug="services-by-category",
        title=_("Services and free places by kind of help"),
        description=_(
            "How many services in the directory offer each kind of help, and how many free "
            "places they have now."
        ),
        row_heading=_("Kind of help"),
        columns=SERVICE_COLUMNS,
        rows=_rows_with_total(
            [group.name for group in groups], values, str(_("All kinds of help")), totals
        ),
        notes=(
            _(
                "A service that offers several kinds of help is counted under each of them, "
                "so the rows add up to more than the total."
            ),
            FREE_PLACES_NOTE,
        ),
    )


def _rows_with_totals_both_ways(
    labels: list[str], values: list[list[int]], total_label: str
) -> list[Row]:
    """Rows whose first cell is the sum of the others, and a total row summing each column.

    Suppressed along both: a row's cells add up to its first cell, and a column's cells
    to the total row, so hiding a small cell hides enough others in its row and in its
    column that neither sum gives it back."""
    grid = [[sum(row), *row] for row in values]
    grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [])
    width = len(grid[0]) if grid and grid[0] else 0
    lines = [[(r, c) for c in range(width)] for r in range(len(grid))]
    lines += [[(r, c) for r in range(len(grid))] for c in range(width)]
    hidden = suppress(grid, lines)
    total_index = len(values)
    return [
        Row(
            label=label,
            cells=tuple(Cell(v, (r, c) in hidden) for c, v in enumerate(row_values)),
            is_total=r == total_index,
        )
        for r, (label, row_values) in enumerate(zip([*labels, total_label], grid, strict=True))
    ]


# --- referrals and unmet needs ---------------------------------------------------------

REFERRAL_COLUMNS = (
    Column("referrals", _("Referrals")),
    Column(referral_selectors.STANDING_HELPED, _("Help given")),
    Column(referral_selectors.STANDING_NOT_HELPED, _("Did not help")),
    Column(referral_selectors.STANDING_RETURNED, _("Returned to the caseworker")),
    Column(referral_selectors.STANDING_OPEN, _("Still open")),
)


def referrals_by_category(now: datetime | None = None) -> StatisticsTable:
    """Referrals sent to providers, by top-level group of need categories and how they stand."""
    groups = list(taxonomy_selectors.category_groups())
    counts = referral_selectors.referral_statistics()
    empty = dict.fromkeys(referral_selectors.STANDINGS, 0)
    values = [
        [counts.get(group.code, empty)[column.key] for column in REFERRAL_COLUMNS[1:]]
        for group in groups
    ]
    return StatisticsTable(
        slug="referrals-by-category",
        title=_("Referrals and their outcomes by kind of help"),
        description=_(
            "How often caseworkers referred someone to a service for each kind of help, and "
            "how the referrals ended."
        ),
        row_heading=_("Kind of help"),
        columns=REFERRAL_COLUMNS,
        rows=_rows_with_totals_both_ways(
            [group.name for group in groups], values, str(_("All kinds of help"))
        ),
        notes=(
            _(
                "“Help given”: the provider reported the need met or partly met. “Did not "
                "help”: the service did not go ahead, or the need was not met. “Returned to "
                "the caseworker”: the provider declined or did not answer in time, or the "
                "caseworker took the referral back; the person may have been referred again, "
                "so one need can count more than once."
            ),
        ),
    )


def unmet_needs_by_district(now: datetime | None = None) -> StatisticsTable:
    """Unmet needs recorded in each district, by top-level group of need categories."""
    districts = list(place_selectors.shanghai_districts())
    groups = list(taxonomy_selectors.category_groups())
    counts = referral_selectors.unmet_need_statistics()
    labels = [district.name for district in districts]
    values = [
        [counts.get((district.code[:6], group.code), 0) for group in groups]
        for district in districts
    ]
    # Needs whose area was not recorded (or lies outside Shanghai's districts) still
    # count in the city's total, on a row of their own.
    known = {district.code[:6] for district in districts}
    elsewhere: dict[str, int] = defaultdict(int)
    for (district_code, group_code), count in counts.items():
        if district_code not in known:
            elsewhere[group_code] += count
    if any(elsewhere.values()):
        labels.append(str(_("Elsewhere or not recorded")))
        values.append([elsewhere[group.code] for group in groups])
    return StatisticsTable(
        slug="unmet-needs-by-district",
        title=_("Unmet needs by district"),
        description=_(
            "How often a caseworker could find no service with room for a person's need, in "
            "each district. These gaps guide what is commissioned next."
        ),
        row_heading=_("District"),
        columns=(
            Column("unmet_needs", _("Unmet needs")),
            *(Column(group.code, group.name) for group in groups),
        ),
        rows=_rows_with_totals_both_ways(labels, values, str(_("Whole city"))),
        notes=(
            _(
                "A need counts in the district where the person lives; needs that a "
                "district office reported without naming anyone count in that district."
            ),
        ),
    )


# --- figures that wait for the commissioning app ------------------------------------------
# The marketplace's pooled budgets have no data yet. Rather than show made-up numbers or
# empty charts, this table says in words what will appear and when. When the app lands,
# build the rows from its selectors here (with _rows_with_total, so suppression applies)
# and drop ``available=False``.


def pooled_budgets_by_funder(now: datetime | None = None) -> StatisticsTable:
    return StatisticsTable(
        slug="pooled-budgets-by-funder",
        title=_("Pooled budgets by funder"),
        description=_(
            "How much each agency and fund has put into the pooled budgets for social "
            "services, and how much of it is already committed to contracts."
        ),
        row_heading=_("Funder"),
        available=False,
        unavailable_text=_(
            "These figures will appear here once agencies pool their budgets and award "
            "contracts through the platform."
        ),
    )


# The tables of the page, in order. The CSV download at /stats/data/<slug>.csv
# serves any table here that is available.
TABLES: dict[str, Callable[..., StatisticsTable]] = {
    "services-by-district": services_by_district,
    "services-by-category": services_by_category,
    "referrals-by-category": referrals_by_category,
    "unmet-needs-by-district": unmet_needs_by_district,
    "pooled-budgets-by-funder": pooled_budgets_by_funder,
}


def all_tables(now: datetime | None = None) -> list[StatisticsTable]:
    now = now or timezone.now()
    return [build(now) for build in TABLES.values()]


def table(slug: str, now: datetime | None = None) -> StatisticsTable | None:
    """The table called ``slug``, or None when there is no such table."""
    build = TABLES.get(slug)
    return build(now or timezone.now()) if build is not None else None
