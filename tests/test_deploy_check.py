"""`manage.py check --deploy` is clean under the production settings (SPEC §2).

Run as a deployment would run it: a separate process, production settings, and
every required variable set to a value shaped like a real one.
"""

import re
import subprocess
import sys

from tests.test_settings import BASE_DIR, clean_environment, production_environment


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = deploy_check(production_environment(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_catches_a_weakened_setting(tmp_path):
    # Proves the check above runs the deploy checks on production settings:
    # turning off the HTTPS redirect must be reported.
    env = production_environment(tmp_path) | {"SECURE_SSL_REDIRECT": "false"}

    result = deploy_check(env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_the_deploy_check_reports_the_published_development_keys():
    # Development settings with nothing set use the keys this repository
    # publishes; `check --deploy` must say so, naming each variable.
    env = clean_environment(DJANGO_SETTINGS_MODULE="config.settings.dev")

    result = deploy_check(env)

    assert result.returncode != 0
    report = next(line for line in result.stderr.splitlines() if "core.E004" in line)
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"} <= set(
        re.findall(r"[A-Z][A-Z_]+", report)
    )
