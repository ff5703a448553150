"""Start-up with bad configuration stops with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    ignored = ("DATABASE_URL", "KINETZ_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean["DJANGO_SETTINGS_MODULE"] = "kinetz.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("url", ["not a url", "mysql://db.example.org/kinetz", "postgres://h:99x/"])
def test_unparsable_database_url_stops_start_up_naming_the_variable(url: str) -> None:
    result = run_manage("check", DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_without_secret_key_stops_start_up_naming_the_variable() -> None:
    result = run_manage("check", KINETZ_ENV="production", ALLOWED_HOSTS="kinetz.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_environment_mode_is_refused() -> None:
    result = run_manage("check", KINETZ_ENV="staging")
    assert result.returncode != 0
    assert "KINETZ_ENV" in result.stderr


def test_production_settings_pass_the_deployment_checks() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KINETZ_ENV="production",
        SECRET_KEY="x" * 20 + "a-long-and-random-production-secret-key-for-the-check",
        ALLOWED_HOSTS="kinetz.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_development_defaults_need_no_environment() -> None:
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
