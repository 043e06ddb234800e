"""The demo app: only the ``seed_demo`` command and the modules it runs."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo data"
