"""The public offer page, its print view and the problem report: German and Arabic, keyboard."""

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from kinetz.finder.models import ProblemKind, ProblemReport
from kinetz.offers.models import Address, Location, Schedule, Service, ServiceAtLocation
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import RegionFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def offer(transactional_db: None) -> Service:
    region = RegionFactory()
    service: Service = ServiceFactory(
        organization__region=region,
        name="Sprachcafé am Dienstag",
        description="Deutsch üben im Gespräch, ohne Anmeldung.",
        fees_description="Kostenlos.",
        alert="Im August geschlossen.",
        last_verified=date(2025, 3, 1),
    )
    location = Location.objects.create(
        region=region, name="Bürgerhaus", latitude=51.7, longitude=6.1
    )
    Address.objects.create(
        location=location,
        address_1="Markt 1",
        city="Goch",
        postal_code="47574",
        state_province="NRW",
        country="DE",
        address_type="physical",
    )
    link = ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(
        service_at_location=link, freq="WEEKLY", byday="TU", opens_at="15:00", closes_at="17:00"
    )
    return service


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached by keyboard")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_offer_page_and_report_form_are_accessible_and_work_by_keyboard(
    live_server: object, page: Page, offer: Service, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/offer/{offer.pk}/?lang={language}")
    expect(page.locator("h1")).to_have_text("Sprachcafé am Dienstag")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert axe_violations(page) == []
    screenshot(page, f"finder-offer-{language}")

    tab_to(page, "a[href$='/report/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_be_visible()
    assert axe_violations(page) == []

    tab_to(page, "input[name=kind]")
    page.keyboard.press("ArrowDown")  # the second kind: wrong contact details
    tab_to(page, "textarea[name=message]")
    page.keyboard.type("Die Telefonnummer stimmt nicht.")
    tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages [role=status]")).to_be_visible()
    report = ProblemReport.objects.get()
    assert report.kind == ProblemKind.WRONG_CONTACT
    assert report.message == "Die Telefonnummer stimmt nicht."
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_report_form_errors_are_accessible(
    live_server: object, page: Page, offer: Service, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/offer/{offer.pk}/report/?lang={language}")
    page.locator("button[type=submit]").click()
    expect(page.locator("#id_kind_error")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"finder-report-errors-{language}")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_print_view_renders(live_server: object, page: Page, offer: Service, language: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/offer/{offer.pk}/print/?lang={language}")
    expect(page.locator("h1")).to_have_text("Sprachcafé am Dienstag")
    expect(page.locator("main")).to_contain_text("Markt 1, 47574 Goch")
    page.emulate_media(media="print")
    expect(page.locator(".print-view__back")).to_be_hidden()
    assert axe_violations(page) == []
    screenshot(page, f"finder-offer-print-{language}")


def test_json_ld_causes_no_content_security_policy_report(
    live_server: object, browser: Browser, offer: Service
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(locale="de-DE")  # no bypass_csp: the real policy applies
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{base}/offer/{offer.pk}/")
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("script[type='application/ld+json']").count() == 1
    context.close()
    assert problems == []
