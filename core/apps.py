from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core building blocks")

    def ready(self):
        # Register the system checks of the encryption and blind-index keys so
        # `manage.py check` reports a broken configuration before any request,
        # and the deployment check of published keys (`check --deploy`).
        from core import blind_index, checks, crypto  # noqa: F401
