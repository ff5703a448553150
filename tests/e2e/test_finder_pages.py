"""The finder's start page and results page: German and Arabic, axe-core, keyboard only."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kinetz.finder import index as search_index
from kinetz.offers.models import Location, Service, ServiceAtLocation, ServiceAttribute
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_offer_page import tab_to
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    RegionFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db: None, settings: Any, tmp_path: Path) -> dict[str, Service]:
    settings.KINETZ_SEARCH_INDEX_DIR = tmp_path / "index"
    region = RegionFactory()
    goch = MunicipalityFactory(region=region, slug="goch", name="Goch")
    fields = TaxonomyFactory(vocabulary="handlungsfeld")
    sprache = TaxonomyTermFactory(taxonomy=fields, code="hf-sprache", name="Sprache")
    TaxonomyTermFactory(taxonomy=fields, code="hf-wohnen", name="Wohnen")
    organization = OrganizationFactory(region=region, name="Bürgerverein Goch")
    services = {}
    for key, name, description in (
        ("swim", "Schwimmkurs für Frauen", "Schwimmen lernen im Hallenbad, mit Trainerin."),
        ("cafe", "Sprachcafé am Dienstag", "Deutsch üben im Gespräch, ohne Anmeldung."),
    ):
        service = ServiceFactory(
            organization=organization, region=region, name=name, description=description
        )
        location = Location.objects.create(
            region=region, organization=organization, name="Bürgerhaus", municipality=goch
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        services[key] = service
    ServiceAttribute.objects.create(service=services["cafe"], taxonomy_term=sprache)
    search_index.build_generation()
    return services


@pytest.mark.parametrize("language", ["de", "ar"])
def test_start_and_results_pages_are_accessible(
    live_server: object, page: Page, catalogue: dict[str, Service], language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/?lang={language}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    expect(page.locator("input[type=search][name=q]")).to_be_visible()
    expect(page.locator(".finder-topics a")).to_have_count(2)
    assert axe_violations(page) == []
    screenshot(page, f"finder-start-{language}")

    page.goto(f"{base}/search/?q=Schwimmkurs&municipality=atlantis&lang={language}")
    expect(page.locator(".finder-card").first).to_contain_text("Schwimmkurs für Frauen")
    expect(page.locator(".finder-results__ignored")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"finder-results-{language}")

    page.goto(f"{base}/search/?handlungsfeld=hf-sprache&lang={language}")
    expect(page.locator(".finder-card")).to_have_count(1)
    assert axe_violations(page) == []


def test_search_by_keyboard_alone(
    live_server: object, page: Page, catalogue: dict[str, Service]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/?lang=de")
    tab_to(page, "#finder-q")
    page.keyboard.type("Schwimmkurs")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".finder-card").first).to_contain_text("Schwimmkurs für Frauen")

    # On the results page the form updates the results region in place (htmx).
    tab_to(page, "#finder-q")
    page.keyboard.press("Control+A")
    page.keyboard.type("Sprachcafé")
    page.keyboard.press("Enter")
    expect(page.locator(".finder-card").first).to_contain_text("Sprachcafé am Dienstag")
    expect(page).to_have_url(re.compile(r"/search/\?q=Sprachcaf%C3%A9"))  # hx-push-url
    expect(page.locator("#search-status")).to_contain_text(re.compile(r"\d"))

    tab_to(page, ".finder-card a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Sprachcafé am Dienstag")
    assert page.url.endswith(f"/offer/{catalogue['cafe'].pk}/")


def test_results_work_without_javascript(
    live_server: object, browser: Any, catalogue: dict[str, Service]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(f"{base}/search/")
    page.locator("#filter-handlungsfeld").select_option("hf-sprache")
    with page.expect_navigation():
        page.locator(".finder-filters button[type=submit]").click()
    expect(page.locator(".finder-card")).to_have_count(1)
    expect(page.locator(".finder-card")).to_contain_text("Sprachcafé am Dienstag")
    context.close()
