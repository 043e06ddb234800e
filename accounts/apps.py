from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self):
        # Each app registers its own workspace cards in its `workspace.py`, so
        # that accounts, the lowest of the domain apps, names none of them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("workspace")
