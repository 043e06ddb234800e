"""Who may bid on a tender: the rules a bid is checked against when it is submitted.

A tender sets its own eligibility (verified providers only, a minimum
evaluation grade, a presence in its areas, certified social workers, no
expired documents); every bid must also have a price within its lot's
maximum and a response to every criterion the panel scores. Only a verified
grade meets the minimum: a grade the provider declared counts once a platform
administrator has checked its certificate. ``services.bids`` runs
``eligibility_report`` at submission and keeps the reasons on the bid;
nothing here writes. No price or response text goes into a reason: the
report is shown to the bidder, but bids are sealed from everyone else.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import in_languages
from core.i18n import in_active_language
from marketplace.models.bids import Bid
from marketplace.selectors.common import areas_within_and_above
from providers.selectors import (
    ProviderGrade,
    ProviderGradeStatus,
    ProviderStatus,
    services_of,
    sites_of,
)


def _problem(code: str, render) -> dict:
    message_zh, message_en = in_languages(render)
    return {"code": code, "message_zh": message_zh, "message_en": message_en}


def _grade_problem(provider, required: int) -> dict:
    """The grade falls short. Only a verified grade counts (issue #13): a declared one
    that would be enough is named as such, so the provider knows what is missing."""
    if provider.grade_status == ProviderGradeStatus.DECLARED and provider.grade >= required:
        return _problem(
            "grade",
            lambda: (
                _(
                    "This tender asks for an evaluation grade of at least %(required)s; your "
                    "grade %(grade)s is declared but not verified, so it does not count yet. It "
                    "counts once a platform administrator has checked its certificate."
                )
                % {
                    "required": ProviderGrade(required).label,
                    "grade": ProviderGrade(provider.grade).label,
                }
            ),
        )
    return _problem(
        "grade",
        lambda: (
            _(
                "This tender asks for an evaluation grade of at least %(required)s; yours "
                "is “%(grade)s”."
            )
            % {"required": ProviderGrade(required).label, "grade": provider.grade_in_words}
        ),
    )


def eligibility_report(bid: Bid, now=None) -> list[dict]:
    """Every reason the bid cannot be submitted now, each once; empty when it can.

    Each reason is ``{"code", "message_zh", "message_en"}`` (stored on the bid
    by ``services.submit_bid`` and shown to the bidder only). Checked: the
    provider's status (verified when the tender asks; never debarred or
    suspended), minimum evaluation grade (a verified one), presence in the
    lot's or tender's areas (a site in one, or an offered service covering
    one), certified social workers, no expired documents, a price within the
    lot's maximum value, and a response to every criterion the panel scores. No price or
    response text goes into a message.
    """
    now = now or timezone.now()
    tender, lot, provider = bid.tender, bid.lot, bid.provider
    problems = []
    if provider.status == ProviderStatus.DEBARRED:
        problems.append(
            _problem(
                "debarred", lambda: _("Your organization is debarred from taking part in tenders.")
            )
        )
    elif provider.status == ProviderStatus.SUSPENDED:
        problems.append(
            _problem(
                "suspended",
                lambda: _("Your organization is suspended; it may bid again once reinstated."),
            )
        )
    elif tender.require_verified and provider.status != ProviderStatus.VERIFIED:
        problems.append(
            _problem(
                "not_verified",
                lambda: (
                    _(
                        "Only verified providers may bid on this tender; your registration is "
                        "“%(status)s”."
                    )
                    % {"status": ProviderStatus(provider.status).label}
                ),
            )
        )
    if tender.min_grade and provider.verified_grade < tender.min_grade:
        problems.append(_grade_problem(provider, tender.min_grade))
    if tender.require_area_presence:
        areas = list(lot.areas.all()) or list(tender.areas.all())
        inside, above = areas_within_and_above(areas)
        present = (
            sites_of(provider).filter(Q(area_id__in=inside) | Q(district_id__in=inside)).exists()
            or services_of(provider)
            .filter(is_active=True, areas_covered__in=inside | above)
            .exists()
        )
        if not present:
            names = "、".join(area.name_zh for area in areas)
            problems.append(
                _problem(
                    "area",
                    lambda: (
                        _(
                            "This tender asks for a presence in its area (%(areas)s): record "
                            "a site there, or an offered service covering it."
                        )
                        % {"areas": names}
                    ),
                )
            )
    if provider.certified_social_workers < tender.min_certified_social_workers:
        problems.append(
            _problem(
                "social_workers",
                lambda: (
                    _(
                        "This tender asks for at least %(required)d certified social workers; your "
                        "profile lists %(count)d."
                    )
                    % {
                        "required": tender.min_certified_social_workers,
                        "count": provider.certified_social_workers,
                    }
                ),
            )
        )
    if tender.require_valid_documents:
        expired = list(
            provider.documents.filter(expires_on__lt=timezone.localdate(now))
            .order_by("expires_on", "pk")
            .values_list("title", flat=True)
        )
        if expired:
            problems.append(
                _problem(
                    "documents_expired",
                    lambda: (
                        _(
                            "These documents of your organization have expired: %(titles)s. Upload "
                            "current ones in your profile."
                        )
                        % {"titles": "、".join(expired)}
                    ),
                )
            )
    if bid.price is None:
        problems.append(_problem("price_missing", lambda: _("Enter your price.")))
    elif bid.price > lot.max_value:
        problems.append(
            _problem(
                "price_above_maximum",
                lambda: (
                    _("Your price is above the lot's maximum value of ¥%(max)s.")
                    % {"max": f"{lot.max_value:,.2f}"}
                ),
            )
        )
    answered = {response.criterion_id for response in bid.responses.all() if response.text.strip()}
    missing = [
        criterion
        for criterion in tender.criteria.all()
        if criterion.is_scored_by_panel and criterion.pk not in answered
    ]
    if missing:
        problems.append(
            _problem(
                "response_missing",
                lambda: (
                    _("Write a response to every criterion the panel scores. Missing: %(names)s.")
                    % {"names": ", ".join(criterion.name for criterion in missing)}
                ),
            )
        )
    return problems


def eligibility_messages(report: Iterable[dict]) -> list[str]:
    """The reasons of an ``eligibility_report`` in the reader's language."""
    return [in_active_language(item["message_zh"], item["message_en"]) for item in report]
