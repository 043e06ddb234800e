"""Hard conditions of a service on the person it would serve (age, gender, household
registration, assistance status), used by matching (``referrals.matching``): each rule
gives the database condition of the services that accept the person, and says in one
sentence why a service that does not accept them refuses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Model, Q
from django.utils.translation import gettext as _

from providers.selectors import ServiceGender, ServiceHouseholdRegistration
from referrals.models.beneficiaries import AssistanceStatus

if TYPE_CHECKING:  # matching imports this module
    from referrals.matching import MatchContext

# A provider's service, read through providers.selectors (type hints only).
Service = Model


class EligibilityRule(ABC):
    """A hard condition of a service on the person; ``explain`` says why it is not met."""

    name = ""

    @abstractmethod
    def condition(self, context: MatchContext) -> Q | None:
        """Services meeting the rule for this person; None when every service does."""

    @abstractmethod
    def explain(self, service: Service, context: MatchContext) -> str:
        """Why ``service`` refuses this person, in one sentence."""


class AgeRule(EligibilityRule):
    name = "age"

    def condition(self, context):
        return (Q(min_age__isnull=True) | Q(min_age__lte=context.age)) & (
            Q(max_age__isnull=True) | Q(max_age__gte=context.age)
        )

    def explain(self, service, context):
        ages = {"min": service.min_age, "max": service.max_age, "age": context.age}
        if service.max_age is None:
            return _("For people aged %(min)d and over; this person is %(age)d.") % ages
        if service.min_age is None:
            return _("For people aged up to %(max)d; this person is %(age)d.") % ages
        return _("For people aged %(min)d to %(max)d; this person is %(age)d.") % ages


class GenderRule(EligibilityRule):
    name = "gender"

    def condition(self, context):
        return Q(gender__in=[ServiceGender.ANY, context.beneficiary.gender])

    def explain(self, service, context):
        if service.gender == ServiceGender.FEMALE:
            return _("For women and girls only.")
        return _("For men and boys only.")


class HouseholdRegistrationRule(EligibilityRule):
    name = "household_registration"

    def condition(self, context):
        if context.beneficiary.local_household_registration:
            return None
        return Q(household_registration=ServiceHouseholdRegistration.ANY)

    def explain(self, service, context):
        return _(
            "Only for people with a local household registration (hukou); this person's is "
            "elsewhere."
        )


class AssistanceStatusRule(EligibilityRule):
    """A service may require any one of several statuses (dibao, disability…); none = open."""

    name = "assistance_status"

    def condition(self, context):
        open_to_all = Q(required_statuses=[])
        # The statuses are a JSON list of codes; a code in quotes appears in its text
        # only as a whole element (no code is part of another), on SQLite and PostgreSQL.
        return reduce(
            or_,
            (
                Q(required_statuses__icontains=f'"{status}"')
                for status in context.beneficiary.assistance_statuses
            ),
            open_to_all,
        )

    def explain(self, service, context):
        names = dict(AssistanceStatus.choices)
        labels = ", ".join(str(names.get(code, code)) for code in service.required_statuses)
        return _("Only for people receiving one of: %(statuses)s; this person receives none.") % {
            "statuses": labels
        }


ELIGIBILITY_RULES: tuple[EligibilityRule, ...] = (
    AgeRule(),
    GenderRule(),
    HouseholdRegistrationRule(),
    AssistanceStatusRule(),
)
