from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self):
        # The contract and implementation stages join marketplace's OCDS releases.
        from contracts.ocds import ContractsExtension
        from marketplace.selectors.ocds import register_extension

        register_extension(ContractsExtension())
