"""The actor directory and an organisation profile: accessible in German and Arabic."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.network.models import Organization
from kinetz.territory.models import Region
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.factories import UserFactory
from tests.interop.test_hsds_files import CATALOGUE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator_with_catalogue(transactional_db: None) -> User:
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    return UserFactory(role=Role.COORDINATOR, region=Region.objects.get())


@pytest.mark.parametrize("language", ["de", "ar"])
def test_directory_filters_by_keyboard_and_profile_is_accessible(
    live_server: object, page: Page, coordinator_with_catalogue: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, coordinator_with_catalogue)
    page.goto(f"{base}/network/organisations/?lang={language}")
    assert axe_violations(page) == []
    page.locator("#filter-municipality").select_option("05154016")  # Goch
    page.locator(".filter-form button[type=submit]").press("Enter")
    expect(page.locator("#results tbody tr").first).to_be_visible()
    goch_rows = page.locator("#results tbody tr").count()
    assert 0 < goch_rows < Organization.objects.count()
    screenshot(page, f"network-directory-{language}")
    page.locator("#results tbody tr a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"network-profile-{language}")
