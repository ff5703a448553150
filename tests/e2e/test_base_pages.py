"""Start and sign-in pages in German and Arabic: accessible, keyboard-usable, responsive."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kleve(transactional_db: None) -> None:
    call_command("load_territory", "kleve", verbosity=0)


@pytest.mark.usefixtures("kleve")
@pytest.mark.parametrize("language", ["de", "ar"])
@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_page_has_no_serious_accessibility_violations(
    live_server: object, page: Page, language: str, path: str
) -> None:
    page.goto(f"{live_server.url}{path}?lang={language}")  # type: ignore[attr-defined]
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    screenshot(page, f"{path.strip('/').replace('/', '-') or 'start'}-{language}")
    assert axe_violations(page) == []


@pytest.mark.usefixtures("kleve")
def test_arabic_layout_is_mirrored(live_server: object, page: Page) -> None:
    page.goto(f"{live_server.url}/?lang=ar")  # type: ignore[attr-defined]
    brand = page.locator(".site-brand").bounding_box()
    switcher = page.locator(".language-switcher").bounding_box()
    assert brand
    assert switcher
    assert brand["x"] > switcher["x"], "in RTL the brand stands on the right, the switcher left"


@pytest.mark.usefixtures("kleve")
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(
    live_server: object, page: Page
) -> None:
    page.goto(f"{live_server.url}/")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


@pytest.mark.usefixtures("kleve")
def test_language_switcher_works_by_keyboard(live_server: object, page: Page) -> None:
    page.goto(f"{live_server.url}/")  # type: ignore[attr-defined]
    page.locator(".language-switcher summary").focus()
    page.keyboard.press("Enter")
    arabic = page.locator('.language-switcher__list a[hreflang="ar"]')
    expect(arabic).to_be_visible()
    arabic.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The choice sticks on the next page.
    page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
    expect(page.locator("html")).to_have_attribute("lang", "ar")


@pytest.mark.usefixtures("kleve")
@pytest.mark.parametrize("language", ["de", "ar"])
def test_pages_fit_a_320_pixel_screen(live_server: object, page: Page, language: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/accounts/login/"):
        page.goto(f"{live_server.url}{path}?lang={language}")  # type: ignore[attr-defined]
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 320, f"{path} scrolls sideways at 320 px ({overflow} px)"
    screenshot(page, f"login-320-{language}")


@pytest.mark.usefixtures("kleve")
def test_sign_in_by_keyboard_shows_errors_accessibly(live_server: object, page: Page) -> None:
    page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
    page.get_by_label("E-Mail-Adresse").fill("nobody@example.org")
    page.get_by_label("Passwort").fill("wrong-password")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("nicht korrekt")
    assert axe_violations(page) == []
