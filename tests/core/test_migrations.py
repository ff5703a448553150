from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Missing migrations:\n{out.getvalue()}")


@pytest.mark.django_db
def test_changing_the_language_list_creates_no_migration(settings: object) -> None:
    settings.LANGUAGES = [("de", "Deutsch")]  # type: ignore[attr-defined]
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"The language list leaks into migrations:\n{out.getvalue()}")
