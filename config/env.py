"""The one module that reads the process environment.

Every setting that differs between a laptop, CI and production comes from an
environment variable read here, so the rest of the settings never touch
``os.environ`` directly.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def require(name: str) -> str:
    """Return a variable production cannot run without, or refuse to start naming it."""
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set in production. "
            f"See the README section 'Configuration'."
        )
    return value
