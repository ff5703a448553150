"""Coverage and overlaps in the browser, on the (fictional) demo catalogue: the choropleth
draws every municipality, the matrix sorts and the counts lead to their offers by keyboard
alone, and axe-core finds no serious or critical violation, in German and in Arabic (RTL)."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinetz.accounts.demo import DEMO_DOMAIN, create_demo_users
from kinetz.accounts.models import User
from kinetz.territory.models import Region
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.interop.test_hsds_files import CATALOGUE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(transactional_db: None) -> User:
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    create_demo_users(Region.objects.get())
    return User.objects.get(email=f"koordination@{DEMO_DOMAIN}")


def _tab_until(page: Page, condition: str, limit: int = 400) -> None:
    """Press Tab until `condition` (a JS expression over `element`) holds for the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        script = f"() => {{ const element = document.activeElement; return {condition}; }}"
        if page.evaluate(script):
            return
    raise AssertionError(f"no element with {condition} can be reached with the Tab key")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_coverage_page_sorts_and_drills_down_by_keyboard(
    live_server: object, page: Page, coordinator: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, coordinator)
    page.goto(f"{base}/staff/coordination/coverage/?lang={language}&handlungsfeld=hf-gesundheit")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    expect(page.locator("#coverage-map path.leaflet-interactive")).to_have_count(16)
    expect(page.locator("#coverage-table tbody tr")).to_have_count(16)
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280  # no page scroll
    screenshot(page, f"coverage-{language}")

    # Sort the matrix by the health column with the keyboard: the server sorts, no script.
    _tab_until(page, "element.href && element.href.includes('sort=-hf-gesundheit')")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-hf-gesundheit**")
    first = page.locator("#coverage-matrix tbody tr").first.locator("th")
    expect(first).to_contain_text("Kleve")

    # Follow a count to the offers it counts.
    _tab_until(page, "element.href && element.href.includes('/coverage/cell/')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/coverage/cell/?**")
    expect(page.locator("#cell-offers")).to_be_visible()
    assert axe_violations(page) == []


def test_drill_down_of_an_empty_cell_says_so(
    live_server: object, page: Page, coordinator: User
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, coordinator)
    page.goto(
        f"{base}/staff/coordination/coverage/cell/?municipality=05154048"
        "&handlungsfeld=hf-gesundheit&zielgruppe=zg-alle&lang=de"
    )
    expect(page.locator("#cell-offers tbody tr")).to_have_count(1)  # "no published offer"
    expect(page.locator("#cell-offers caption")).to_contain_text("0")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_overlaps_page_is_accessible(
    live_server: object, page: Page, coordinator: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, coordinator)
    page.goto(f"{base}/staff/coordination/overlaps/?lang={language}")
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"overlaps-{language}")
    _tab_until(page, "element.href && element.href.includes('/offer/')")
