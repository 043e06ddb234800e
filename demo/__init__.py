"""Demo data for a local platform: the parties, people and history ``seed_demo`` makes.

The highest app: it builds on every domain app and nothing imports it. Each
module seeds one domain (``accounts``, ``providers``, ``referrals``,
``marketplace``, ``cms``) and makes every object through that domain's
services, as the person who would make it in the app, at the moment it would
have been made (``demo.history``). Seeding is refused under production settings.
"""
