"""The results map of the finder in the browser: axe-core in German and Arabic, keyboard, htmx."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kinetz.finder import index as search_index
from kinetz.offers.models import Location, Service, ServiceAtLocation
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_offer_page import tab_to
from tests.factories import MunicipalityFactory, OrganizationFactory, RegionFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Two places in Goch, one in Kleve, and an online offer (no place, no marker).
PLACES = {
    "Bürgerhaus Goch": ("goch", 51.68, 6.16),
    "Stadtbücherei Goch": ("goch", 51.675, 6.17),
    "Haus der Vielfalt Kleve": ("kleve", 51.79, 6.14),
}
OFFERS = [
    ("Sprachcafé am Dienstag", "Bürgerhaus Goch"),
    ("Schwimmkurs für Frauen", "Bürgerhaus Goch"),
    ("Lesepaten für Kinder", "Stadtbücherei Goch"),
    ("Beratung für Familien", "Haus der Vielfalt Kleve"),
    ("Online-Sprachkurs", None),
]


def _square(lon: float, lat: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def catalogue(transactional_db: None, settings: Any, tmp_path: Path) -> dict[str, Service]:
    settings.KINETZ_SEARCH_INDEX_DIR = tmp_path / "index"
    region = RegionFactory()
    towns = {
        "goch": MunicipalityFactory(
            region=region, slug="goch", name="Goch", boundary=_square(6.1, 51.62)
        ),
        "kleve": MunicipalityFactory(
            region=region, slug="kleve", name="Kleve", boundary=_square(6.08, 51.74)
        ),
    }
    organization = OrganizationFactory(region=region, name="Bürgerverein Goch")
    locations = {
        name: Location.objects.create(
            region=region,
            organization=organization,
            name=name,
            municipality=towns[town],
            latitude=lat,
            longitude=lon,
        )
        for name, (town, lat, lon) in PLACES.items()
    }
    services = {}
    for name, place in OFFERS:
        service = ServiceFactory(organization=organization, region=region, name=name)
        if place is None:
            online = Location.objects.create(
                region=region, location_type="virtual", url="https://kurs.example.org"
            )
            ServiceAtLocation.objects.create(service=service, location=online)
        else:
            ServiceAtLocation.objects.create(service=service, location=locations[place])
        services[name] = service
    search_index.build_generation()
    return services


@pytest.mark.parametrize("language", ["de", "ar"])
def test_results_map_shows_the_places_and_is_accessible(
    live_server: object, page: Page, catalogue: dict[str, Service], language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/search/?lang={language}")
    expect(page.locator(".finder-card")).to_have_count(5)
    expect(page.locator("#results-map")).to_be_visible()
    # Three places with coordinates; the online offer has none.
    expect(page.locator(".finder-map__pin")).to_have_count(3)
    expect(page.locator("#results-map .leaflet-overlay-pane path")).to_have_count(2)
    assert axe_violations(page) == []
    screenshot(page, f"finder-map-{language}")

    # A pin opens a popup that links to the offer page.
    page.locator(".finder-map__marker[aria-label*='Lesepaten']").click()
    link = page.locator(".leaflet-popup a", has_text="Lesepaten für Kinder")
    expect(link).to_have_attribute("href", f"/offer/{catalogue['Lesepaten für Kinder'].pk}/")
    # axe measures contrast; let the popup finish fading in first.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert axe_violations(page) == []


def test_map_follows_the_results_that_htmx_swaps_in(
    live_server: object, page: Page, catalogue: dict[str, Service]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/search/?lang=de")
    expect(page.locator(".finder-map__pin")).to_have_count(3)
    page.locator("#filter-municipality").select_option("kleve")
    page.locator(".finder-filters button[type=submit]").click()
    expect(page.locator(".finder-card")).to_have_count(1)
    expect(page.locator(".finder-map__pin")).to_have_count(1)
    expect(page.locator(".finder-map__marker")).to_have_attribute(
        "aria-label", "1. Beratung für Familien"
    )
    screenshot(page, "finder-map-after-swap")


def test_keyboard_reaches_the_results_before_the_map_and_leaves_the_map_again(
    live_server: object, page: Page, catalogue: dict[str, Service]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/search/?lang=de")
    expect(page.locator(".finder-map__pin")).to_have_count(3)
    tab_to(page, ".finder-card a")
    assert page.evaluate("() => !document.activeElement.closest('#results-map')")
    # Tab on through the rest of the list, into the map and out of it: never stuck.
    inside, left = 0, False
    for _ in range(40):
        page.keyboard.press("Tab")
        in_map = page.evaluate("() => !!document.activeElement.closest('.finder-map')")
        if in_map:
            inside += 1
        elif inside:
            left = True
            break
    assert inside > 0, "the map is not reachable by keyboard"
    assert left, "the keyboard focus did not leave the map"
    # Shift+Tab goes back into the map; the map's own controls are in normal tab order.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.finder-map')")


def test_without_javascript_there_is_no_empty_map(
    live_server: object, browser: Any, catalogue: dict[str, Service]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(f"{base}/search/")
    expect(page.locator(".finder-card")).to_have_count(5)
    expect(page.locator(".finder-map")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("language", ["de", "ar"])
def test_local_guide_page_is_accessible(
    live_server: object, page: Page, catalogue: dict[str, Service], language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/wegweiser/?lang={language}")
    expect(page.locator("#guide-municipality option")).to_have_count(2)
    expect(page.locator(f"a[href='/wegweiser/goch.pdf?lang={language}']")).to_have_count(1)
    assert axe_violations(page) == []
    screenshot(page, f"wegweiser-form-{language}")
