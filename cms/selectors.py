"""Reads of the public site: pages in the reader's language, and figures from the other apps.

Each section of this module is kept by the engineer of that part of the site;
add new reads at the end under their own heading.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.query import PageQuerySet

# --- guides, news and the home page (cms/sections.py) ------------------------------

HOME_POLICY_COUNT = 5
HOME_NEWS_COUNT = 3


def _content_language(language_code: str) -> str:
    try:
        return get_supported_content_language_variant(language_code)
    except LookupError:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def in_reader_language(pages: PageQuerySet) -> PageQuerySet:
    """``pages`` in the reader's language, plus the Chinese pages not translated into it.

    A reader of English sees the English translation of a page where there is one,
    and the Chinese original where there is not, never both; no extra query.
    """
    active = _content_language(translation.get_language() or settings.LANGUAGE_CODE)
    default = _content_language(settings.LANGUAGE_CODE)
    if active == default:
        return pages.filter(locale__language_code=active)
    translated = (
        pages.model.objects.live().filter(locale__language_code=active).values("translation_key")
    )
    return pages.filter(
        Q(locale__language_code=active)
        | (Q(locale__language_code=default) & ~Q(translation_key__in=translated))
    )


def latest_policies(limit: int = HOME_POLICY_COUNT) -> PageQuerySet:
    from cms.models import PolicyPage

    return in_reader_language(PolicyPage.objects.live().public()).order_by(
        "-issue_date", "-first_published_at", "-pk"
    )[:limit]


def news_items() -> PageQuerySet:
    """Live news in the reader's language, newest first (ties: latest published first)."""
    from cms.models import NewsPage

    return in_reader_language(NewsPage.objects.live().public()).order_by(
        "-date", "-first_published_at", "-pk"
    )


def guides() -> PageQuerySet:
    """Live service guides in the reader's language, in the order of the category tree."""
    from cms.models import ServiceGuidePage

    return (
        in_reader_language(ServiceGuidePage.objects.live().public())
        .select_related("category__parent")
        .order_by(
            "category__parent__sort_order",
            "category__sort_order",
            "category__code",
            "title",
            "pk",
        )
    )


@dataclass
class GuideGroup:
    """The guides of one group of need categories (基本生活救助, 专项救助…)."""

    group: object
    guides: list = field(default_factory=list)


def guides_by_group() -> list[GuideGroup]:
    """Guides grouped under their category's group, groups in tree order (one query)."""
    groups: dict[int, GuideGroup] = {}
    for guide in guides():
        group = guide.category.parent or guide.category
        groups.setdefault(group.pk, GuideGroup(group)).guides.append(guide)
    return sorted(groups.values(), key=lambda g: (g.group.sort_order, g.group.code))


def policies_of_guide(guide) -> PageQuerySet:
    """The live policies a guide rests on, each in the reader's language where translated."""
    from cms.models import PolicyPage

    linked = guide.policies.values("translation_key")
    return in_reader_language(
        PolicyPage.objects.live().public().filter(translation_key__in=linked)
    ).order_by("-issue_date", "pk")


@dataclass(frozen=True)
class CategoryCount:
    group: object
    services: int


@dataclass(frozen=True)
class HeadlineFigures:
    """What the home page says about the directory, in three queries whatever its size."""

    providers: int
    services: int
    free_places: int
    services_by_group: list[CategoryCount]


def headline_figures(now=None) -> HeadlineFigures:
    from providers import selectors as provider_selectors
    from providers.models import CAPACITY_STALE_AFTER
    from taxonomy import selectors as taxonomy_selectors

    now = now or timezone.now()
    providers = provider_selectors.public_providers().count()
    # One row per service and category (a service with no category gives one row
    # with None): enough to count services, free places and services per group.
    rows = (
        provider_selectors.public_services(now)
        .order_by()
        .values_list(
            "pk", "free_slots", "capacity_updated_at", "categories__pk", "categories__parent_id"
        )
    )
    free_places: dict[int, int] = {}
    services_in_group: dict[int, set[int]] = {}
    for service_id, free_slots, updated_at, category_id, parent_id in rows:
        # Free places count only while fresh: capacity older than a week may be gone.
        fresh = updated_at is not None and now - updated_at <= CAPACITY_STALE_AFTER
        free_places[service_id] = free_slots if fresh else 0
        group_id = parent_id or category_id
        if group_id is not None:
            services_in_group.setdefault(group_id, set()).add(service_id)
    return HeadlineFigures(
        providers=providers,
        services=len(free_places),
        free_places=sum(free_places.values()),
        services_by_group=[
            CategoryCount(group, len(services_in_group.get(group.pk, ())))
            for group in taxonomy_selectors.category_groups()
        ],
    )


# --- feedback and complaints ----------------------------------------------------------


@dataclass(frozen=True)
class FeedbackStep:
    created_at: object
    status: str
    status_label: str
    note: str


@dataclass(frozen=True)
class PublicFeedbackStatus:
    """What the tracking number shows: never the message, the name or the contact.

    Whoever holds the number sees this (it is a bearer token, and may be shared or
    overheard), so it carries only what is safe for anyone to read.
    """

    tracking_number: str
    category_label: str
    submitted_at: object
    status: str
    status_label: str
    public_reply: str
    steps: list[FeedbackStep]


def feedback_status(tracking_number: str) -> PublicFeedbackStatus | None:
    """The public status of the feedback with ``tracking_number``, or None (two queries).

    The encrypted columns are not even loaded.
    """
    from django.db.models import Prefetch

    from cms.models import Feedback, FeedbackEvent

    found = (
        Feedback.objects.only(
            "tracking_number", "category", "status", "public_reply", "submitted_at"
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=FeedbackEvent.objects.only("feedback_id", "status", "note", "created_at"),
            )
        )
        .filter(tracking_number=tracking_number)
        .first()
    )
    if found is None:
        return None
    return PublicFeedbackStatus(
        tracking_number=found.tracking_number,
        category_label=found.get_category_display(),
        submitted_at=found.submitted_at,
        status=found.status,
        status_label=found.get_status_display(),
        public_reply=found.public_reply,
        steps=[
            FeedbackStep(event.created_at, event.status, event.get_status_display(), event.note)
            for event in found.events.all()
        ],
    )


def feedback_inbox(user, status: str | None = None):
    """Feedback routed to the user's agencies, newest first (list columns only, one query)."""
    from cms.models import Feedback
    from cms.rules import feedback_agencies_of

    inbox = (
        Feedback.objects.filter(agency_id__in=feedback_agencies_of(user))
        .select_related("area", "agency")
        .defer("message", "contact_name", "contact")
        .order_by("-submitted_at", "-pk")
    )
    if status:
        inbox = inbox.filter(status=status)
    return inbox


def feedback_inbox_counts(user) -> dict[str, int]:
    """How much of the user's agencies' feedback is in each status (one query)."""
    from django.db.models import Count

    from cms.models import Feedback
    from cms.rules import feedback_agencies_of

    rows = (
        Feedback.objects.filter(agency_id__in=feedback_agencies_of(user))
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def feedback_to_handle(user, uuid):
    """One piece of feedback of the user's agencies with its steps, or None (not theirs)."""
    from django.db.models import Prefetch

    from cms.models import Feedback, FeedbackEvent
    from cms.rules import feedback_agencies_of

    return (
        Feedback.objects.filter(agency_id__in=feedback_agencies_of(user), uuid=uuid)
        .select_related("area", "agency")
        .prefetch_related(
            Prefetch("events", queryset=FeedbackEvent.objects.select_related("actor"))
        )
        .first()
    )
