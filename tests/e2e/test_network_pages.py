"""The actor directory and an organisation profile: accessible in German and Arabic."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.network.models import Organization, WorkingGroup
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


@pytest.fixture
def coordinator_with_network(coordinator_with_catalogue: User) -> User:
    call_command("load_demo_network", stdout=StringIO())
    return coordinator_with_catalogue


@pytest.mark.parametrize("language", ["de", "ar"])
def test_working_group_and_network_graph_are_accessible(
    live_server: object, page: Page, coordinator_with_network: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, coordinator_with_network)
    group = WorkingGroup.objects.get(name="Arbeitskreis Sprache und Bildung")
    page.goto(f"{base}/network/working-groups/{group.pk}/?lang={language}")
    expect(page.locator("h1")).to_have_text(group.name)
    expect(page.locator("#members-heading + .table-scroll tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"network-working-group-{language}")

    page.goto(f"{base}/network/graph/?lang={language}")
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-state", "drawn")
    expect(graph.locator("canvas").first).to_be_attached()
    # The accessible alternative: the same relations as lists and a table.
    expect(page.locator("#groups-heading ~ ul li").first).to_be_visible()
    expect(page.locator("#cooperations-heading ~ .table-scroll tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"network-graph-{language}")

    # Keyboard: focus the graph, walk to a node, open its page with Enter.
    graph.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#graph-status")).not_to_be_empty()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/network/" in page.url
    assert page.url != f"{base}/network/graph/?lang={language}"


def test_network_graph_draws_under_the_strict_content_security_policy(
    live_server: object, browser: Browser, coordinator_with_network: User
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
    sign_in(page, base, coordinator_with_network)
    page.goto(f"{base}/network/graph/")
    expect(page.locator("#network-graph")).to_have_attribute("data-state", "drawn")
    context.close()
    assert problems == []
