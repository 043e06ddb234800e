"""``manage.py seed_demo``: the demo data set, made through the services (idempotent); refused
under production settings, where demo users with a known password must never exist."""

import os

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from places import selectors as place_selectors


class Command(BaseCommand):
    help = (
        "Create the demo organizations, users, providers, people and referrals, budgets, "
        "tenders and contracts, outcomes, survey answers, assessments and ratings, and "
        "public pages, each through the services at its moment. "
        "Idempotent."
    )

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_SEED:
            raise CommandError(
                "seed_demo is refused under production settings: demo users have a known password."
            )
        # Imported only now: the demo tells its history with time-machine, a
        # development dependency that production settings need not have.
        from demo import (
            accounts,
            cms,
            contracts,
            evaluation,
            history,
            marketplace,
            providers,
            referrals,
        )

        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("DEMO_PASSWORD is refused: " + " ".join(error.messages)) from error
        if place_selectors.area_by_code(accounts.SHANGHAI) is None:
            self.stdout.write("Areas not loaded yet: running load_areas first.")
            call_command("load_areas", stdout=self.stdout)

        with transaction.atomic(), history.without_mail(), accounts.quick_password_hashing():
            parties = accounts.seed_parties()
            accounts.seed_users(parties, password=password)
            provider_counts = providers.seed_providers(parties, password=password)
            referral_counts = referrals.seed_referrals(parties)
            marketplace_counts = marketplace.seed_marketplace(parties)
            contract_counts = contracts.seed_contracts(parties, password=password)
            evaluation_counts = evaluation.seed_evaluation(parties)
            cms.seed_cms()

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(parties.agencies)} agencies, "
                f"{len(parties.providers)} provider organizations "
                f"({provider_counts['verified']} verified, "
                f"{provider_counts['services']} services), "
                f"{len(accounts.DEMO_USERS)} demo logins, "
                f"{referral_counts['beneficiaries']} people with "
                f"{referral_counts['referrals']} referrals and "
                f"{referral_counts['unmet_needs']} unmet needs."
            )
        )
        states = marketplace_counts["states"]
        self.stdout.write(
            f"Commissioning: {marketplace_counts['budgets']} pooled budgets with "
            f"{marketplace_counts['contributions']} contributions, "
            f"{marketplace_counts['tenders']} tenders ("
            + ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
            + f") and {marketplace_counts['bids']} submitted bids."
        )
        self.stdout.write(
            f"Contracts: {contract_counts['contracts']} ("
            + ", ".join(
                f"{count} {state}" for state, count in sorted(contract_counts["states"].items())
            )
            + f") with {contract_counts['payments']} payments."
        )
        if contract_counts["unsigned"]:
            self.stdout.write(
                self.style.WARNING(
                    "Some contract PDFs could not be made, so they wait unsigned: "
                    + contract_counts["unsigned"]
                )
            )
        outcomes, assessments = evaluation_counts["outcomes"], evaluation_counts["assessments"]
        self.stdout.write(
            f"Evaluation: {sum(outcomes.values())} outcomes ("
            + ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items()))
            + f"), {evaluation_counts['survey_answers']} survey answers, "
            f"{sum(assessments.values())} assessments ("
            + ", ".join(f"{count} {state}" for state, count in sorted(assessments.items()))
            + f"), {evaluation_counts['ratings']} ratings of "
            f"{evaluation_counts['rated_providers']} providers; "
            f"{evaluation_counts['newcomer']} is new and has no rating yet."
        )
        self.stdout.write("")
        self.stdout.write("Demo logins (all with the same password):")
        # The console table is in English: operators read it, and Chinese
        # characters would break the column alignment.
        with translation.override("en"):
            for username, (_name, where, roles) in accounts.DEMO_USERS.items():
                organization = accounts.organization_for(parties, where)
                role_names = ", ".join(str(role.label) for role in roles)
                self.stdout.write(f"  {username:<13} {role_names:<42} {organization.name_en}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(
            f"  A person known to both agencies has the (fictional) ID number "
            f"{referral_counts['known_to_both']}."
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/")
