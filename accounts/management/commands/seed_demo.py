"""Seed the demo data set (idempotent): parties, users, and what later apps add.

Refused under production settings: demo users with a known password must
never exist on a live server.
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from accounts import demo
from cms import demo_content as cms_demo
from cms import sections as cms_sections
from cms.demo_policies import seed_policies
from marketplace import demo as marketplace_demo
from places.models import Area
from providers import demo as provider_demo
from referrals import demo as referral_demo


class Command(BaseCommand):
    help = "Create the demo organizations and users (and later apps' demo data). Idempotent."

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_SEED:
            raise CommandError(
                "seed_demo is refused under production settings: demo users have a known password."
            )
        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        if not Area.objects.filter(code="310000000000").exists():
            self.stdout.write("Areas not loaded yet: running load_areas first.")
            call_command("load_areas", stdout=self.stdout)

        with transaction.atomic():
            parties = demo.seed_parties()
            demo.seed_users(parties, password=password)
            provider_counts = provider_demo.seed_providers(parties)
            referral_counts = referral_demo.seed_referrals(parties)
            marketplace_counts = marketplace_demo.seed_marketplace(parties)
            # Public site: section pages, real policy records, guides and news.
            cms_demo.seed_public_content()
            sections = cms_sections.section_pages()
            seed_policies(sections["policies"]["zh-hans"], sections["policies"].get("en"))
            cms_demo.seed_public_content()  # again, so guides link to the policies

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(parties.agencies)} agencies, "
                f"{len(parties.providers)} provider organizations "
                f"({provider_counts['verified']} verified, "
                f"{provider_counts['services']} services), "
                f"{len(parties.users)} users, "
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
        self.stdout.write("")
        self.stdout.write("Demo logins (all with the same password):")
        # The console table is in English: operators read it, and Chinese
        # characters would break the column alignment.
        with translation.override("en"):
            for username, (_name, where, roles) in demo.DEMO_USERS.items():
                organization = demo.organization_for(parties, where)
                role_names = ", ".join(str(role.label) for role in roles)
                self.stdout.write(f"  {username:<13} {role_names:<42} {organization.name_en}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(
            f"  A person known to both agencies has the (fictional) ID number "
            f"{referral_counts['known_to_both']}."
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/")
