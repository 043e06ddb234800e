"""How a provider's rating is worked out from the evidence (docs/ratings.md says why).

Every piece of evidence is a value on the same 1–5 scale, of one *component*:

===============  =====================================================  ======  =====
component        one piece of evidence and its value                    share   prior
===============  =====================================================  ======  =====
outcomes         a confirmed outcome: 1 + (T − 30) / 10, kept in 1…5    35 %    5
                 (T 30 → 1, 50 → 3, 70 → 5); a referral that did not
                 go ahead because the person could not be contacted
                 or withdrew → 1 (not eligible is the referrer's call:
                 it does not count against the provider)
satisfaction     one survey answer: the mean of its five answers         20 %    10
assessments      an accepted assessment: 1 + (score − 1) · 4/3           20 %    1
notices          one KPI rating of a published performance notice:       10 %    3
                 good 5, approaching target 3.5, requires improvement
                 2, inadequate 1 ("other" does not count)
responsiveness   one referral answered or left unanswered: accepted in   15 %    10
                 time 5, accepted later than agreed 3, put on the
                 waiting list 3.5, declined 2, no answer in time 1
===============  =====================================================  ======  =====

**Decay.** Evidence is grouped by the month it arrived in. Evidence ``a`` whole
months old weighs ``0.5 ** (a / HALF_LIFE_MONTHS)``: with the default half-life
of 12 months, last year's evidence counts half as much as this month's.

**Shrinkage.** Each component is a Bayesian average: with ``W`` the decayed
weight of the provider's evidence and ``S`` the decayed sum of its values,

    estimate = (C · μ + S) / (C + W)

where μ is the platform mean of the component (all providers' evidence before
the month, decayed the same way: ``RatingPrior``) and C its *prior weight*
(the table's last column): a provider with little evidence stays near the
mean, one with much evidence moves as far as its evidence says. Its variance is
σ² / (C + W), with σ the platform standard deviation of the component's
values (at least ``MIN_SD``).

**Overall.** The components' estimates weighted by their shares; a component
without evidence counts at the platform mean. The band is the estimate ± 1.96
standard errors (the shares applied to each component's variance), kept
within 1…5, so "4.1 from 3 answers" shows a wider band than "4.1 from 300".
A provider without any evidence has no rating at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

HALF_LIFE_MONTHS = 12
MIN_SD = 0.5
DEFAULT_MEAN = 3.0  # the middle of the scale, when the platform has no evidence yet
DEFAULT_SD = 1.0
Z = 1.96  # a 95 % band
HISTORY_MONTHS = 24
SCALE = (1.0, 5.0)


@dataclass(frozen=True)
class Component:
    name: str
    label: object
    share: float
    prior_weight: float
    counted: object  # the count of its evidence in words: "58 outcomes", "1 outcome"


COMPONENTS: tuple[Component, ...] = (
    Component(
        "outcomes",
        pgettext_lazy("rating component", "Outcomes"),
        0.35,
        5.0,
        ngettext_lazy("%(count)d outcome", "%(count)d outcomes", "count"),
    ),
    Component(
        "satisfaction",
        pgettext_lazy("rating component", "Satisfaction"),
        0.20,
        10.0,
        ngettext_lazy("%(count)d survey answer", "%(count)d survey answers", "count"),
    ),
    Component(
        "assessments",
        pgettext_lazy("rating component", "Assessments"),
        0.20,
        1.0,
        ngettext_lazy("%(count)d assessment", "%(count)d assessments", "count"),
    ),
    Component(
        "notices",
        pgettext_lazy("rating component", "Contract performance"),
        0.10,
        3.0,
        ngettext_lazy("%(count)d KPI rating", "%(count)d KPI ratings", "count"),
    ),
    Component(
        "responsiveness",
        pgettext_lazy("rating component", "Responsiveness"),
        0.15,
        10.0,
        ngettext_lazy("%(count)d referral answered", "%(count)d referrals answered", "count"),
    ),
)
BY_NAME = {component.name: component for component in COMPONENTS}

# Values of the notices' KPI ratings and of the referral answers (see the table above).
NOTICE_VALUES = {"good": 5.0, "approaching": 3.5, "requires_improvement": 2.0, "inadequate": 1.0}
ANSWER_VALUES = {"on_time": 5.0, "late": 3.0, "waitlisted": 3.5, "declined": 2.0, "expired": 1.0}


def decay(age_months: int) -> float:
    """The weight of evidence ``age_months`` whole months old."""
    return 0.5 ** (max(age_months, 0) / HALF_LIFE_MONTHS)


def months_between(earlier, later) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (first days of months)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass(frozen=True)
class Prior:
    mean: float = DEFAULT_MEAN
    sd: float = DEFAULT_SD
    weight: float = 0.0


@dataclass
class Tally:
    """The decayed evidence of one component for one provider (and category)."""

    weight: float = 0.0  # Σ decay · n
    total: float = 0.0  # Σ decay · sum of values
    count: int = 0  # pieces of evidence, undecayed

    def add(self, *, n: int, s: float, factor: float) -> None:
        self.weight += factor * n
        self.total += factor * s
        self.count += n


@dataclass(frozen=True)
class Estimate:
    score: float
    variance: float
    count: int
    weight: float
    raw: float | None  # the provider's own decayed mean, before shrinking


def estimate(tally: Tally, prior: Prior, component: Component) -> Estimate:
    c = component.prior_weight
    score = (c * prior.mean + tally.total) / (c + tally.weight)
    sd = max(prior.sd, MIN_SD)
    raw = tally.total / tally.weight if tally.weight > 0 else None
    return Estimate(
        score=score,
        variance=sd * sd / (c + tally.weight),
        count=tally.count,
        weight=tally.weight,
        raw=raw,
    )


@dataclass(frozen=True)
class Rating:
    score: float
    low: float
    high: float
    evidence_count: int
    breakdown: dict


def _clip(value: float) -> float:
    return min(max(value, SCALE[0]), SCALE[1])


def combine(tallies: dict[str, Tally], priors: dict[str, Prior]) -> Rating | None:
    """The overall rating from each component's tally, or None without any evidence."""
    if not any(tally.count for tally in tallies.values()):
        return None
    score = 0.0
    variance = 0.0
    breakdown = {}
    for component in COMPONENTS:
        tally = tallies.get(component.name) or Tally()
        est = estimate(tally, priors.get(component.name) or Prior(), component)
        score += component.share * est.score
        variance += component.share**2 * est.variance
        breakdown[component.name] = {
            "score": round(est.score, 3),
            "raw": None if est.raw is None else round(est.raw, 3),
            "count": est.count,
            "weight": round(est.weight, 3),
            "band": round(Z * math.sqrt(est.variance), 3),
        }
    half = Z * math.sqrt(variance)
    score = _clip(score)
    return Rating(
        score=round(score, 3),
        low=round(_clip(score - half), 3),
        high=round(_clip(score + half), 3),
        evidence_count=sum(tally.count for tally in tallies.values()),
        breakdown=breakdown,
    )


def prior_from(*, weight: float, total: float, squares: float) -> Prior:
    """The platform's decayed mean and standard deviation of a component."""
    if weight <= 0:
        return Prior()
    mean = total / weight
    var = max(squares / weight - mean * mean, 0.0)
    return Prior(mean=mean, sd=max(math.sqrt(var), MIN_SD), weight=weight)


def evidence_in_words(name: str, count: int) -> str:
    """How much evidence a component rests on, in words: "58 outcomes", "1 survey answer"."""
    return BY_NAME[name].counted % {"count": count}


NO_RATING = _("No rating yet")
