"""Deployment checks of the configured secrets: ``manage.py check --deploy``.

Production settings already refuse to start with a published key; this check
reports the same under any settings module (a server's own, or development
settings checked before a deployment), so that ``check --deploy`` never calls a
configuration clean while it protects data with keys anyone can read.
"""

from django.conf import settings
from django.core import checks

from config import published_keys


def _configured_secrets() -> dict[str, str | None]:
    values = {
        name: getattr(settings, name, None)
        for name in (*published_keys.SECRET_SETTINGS, *published_keys.KEYRING_SETTINGS)
    }
    values["REDIS_URL"] = getattr(settings, "REDIS_URL", None)
    return values


@checks.register(checks.Tags.security, deploy=True)
def check_published_keys(app_configs=None, **kwargs):
    """Every key, password and passphrase in use differs from the values the repository shows."""
    names = published_keys.published_variables(_configured_secrets())
    if any(published_keys.is_published(key) for key in settings.SECRET_KEY_FALLBACKS):
        names.append("SECRET_KEY_FALLBACKS")
    for alias, database in settings.DATABASES.items():
        if published_keys.is_published(database.get("PASSWORD")):
            names.append("DATABASE_URL" if alias == "default" else f"DATABASES[{alias!r}]")
    if not names:
        return []
    return [
        checks.Error(
            published_keys.refusal_message(names),
            hint="Generate keys with 'python manage.py generate_keys'; see the README, "
            "'Configuration'.",
            id="core.E004",
        )
    ]
