"""A counsellor signs in with password and code and sees the municipalities on a map."""

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.territory.models import Region
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counsellor_in_kleve(transactional_db: None) -> User:
    call_command("load_territory", "kleve", verbosity=0)
    user = UserFactory(
        email="beratung@kleve.example.org", role=Role.COUNSELLOR, region=Region.objects.get()
    )
    TOTPDeviceFactory(user=user)
    return user


def code_for(user: User) -> str:
    device = user.totpdevice_set.get()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_counsellor_signs_in_and_sees_the_map_of_municipalities(
    live_server: object, page: Page, counsellor_in_kleve: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/staff/municipalities/?lang={language}")
    page.locator("#id_email").fill(counsellor_in_kleve.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_focused()
    assert axe_violations(page) == []
    page.locator("#id_code").fill(code_for(counsellor_in_kleve))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base}/staff/municipalities/?lang={language}")
    expect(page.locator("table tbody tr")).to_have_count(16)
    expect(page.locator("#boundary-map path.leaflet-interactive")).to_have_count(16)
    expect(page.get_by_role("row", name="Goch")).to_contain_text("35")
    screenshot(page, f"municipalities-{language}")
    assert axe_violations(page) == []
