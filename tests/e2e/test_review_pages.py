"""Self-service and review in the browser: the demo editor changes an offer of the demo
catalogue and submits it by keyboard alone, a coordinator publishes it; axe-core finds no
serious or critical violation on the pages, in German and in Arabic (RTL)."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinetz.accounts.demo import DEMO_DOMAIN, create_demo_users
from kinetz.accounts.models import User
from kinetz.offers.models import ReviewState, RevisionState, Service, ServiceRevision
from kinetz.territory.models import Region
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.interop.test_hsds_files import CATALOGUE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_TEXT = "Neu: auch samstags von 10 bis 12 Uhr."


@pytest.fixture
def demo(transactional_db: None) -> dict[str, User]:
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    create_demo_users(Region.objects.get())
    return {
        "editor": User.objects.get(email=f"traeger@{DEMO_DOMAIN}"),
        "coordinator": User.objects.get(email=f"koordination@{DEMO_DOMAIN}"),
    }


def _tab_to(page: Page, name: str, limit: int = 250) -> None:
    """Press Tab until the focused element is the button called `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement && document.activeElement.textContent.trim()"
        )
        if focused == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_editor_submits_by_keyboard_and_coordinator_publishes(
    live_server: object, page: Page, demo: dict[str, User], language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    editor = demo["editor"]
    assert editor.organization is not None
    service = (
        Service.objects.filter(organization=editor.organization, review_state=ReviewState.PUBLISHED)
        .order_by("name")
        .first()
    )
    assert service is not None
    published_text = service.description

    sign_in(page, base, editor)
    page.goto(f"{base}/offers/my/?lang={language}")
    expect(page.locator("h1")).to_contain_text(editor.organization.name)
    assert axe_violations(page) == []
    screenshot(page, f"offers-my-organisation-{language}")

    page.goto(f"{base}/offers/{service.pk}/edit/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert axe_violations(page) == []
    screenshot(page, f"offers-edit-{language}")

    # Keyboard only: focus the description, replace its text, Tab to the submit button.
    description = page.locator("#id_description")
    description.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_TEXT)
    submit_label = page.locator("button[value=submit]").inner_text().strip()
    _tab_to(page, submit_label)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/offers/my/")
    revision = ServiceRevision.objects.get(service=service)
    assert revision.state == RevisionState.SUBMITTED
    assert revision.data["description"] == NEW_TEXT
    service.refresh_from_db()
    assert service.description == published_text  # still the published text

    page.context.clear_cookies()
    sign_in(page, base, demo["coordinator"])
    page.goto(f"{base}/offers/review/?lang={language}")
    assert axe_violations(page) == []
    page.locator(f"a[href='/offers/review/{revision.pk}/']").click()
    expect(page.locator(".review-diff")).to_contain_text(NEW_TEXT)
    assert axe_violations(page) == []
    screenshot(page, f"offers-review-{language}")
    page.locator("button[value=publish]").click()
    expect(page).to_have_url(f"{base}/offers/review/")

    service.refresh_from_db()
    assert service.description == NEW_TEXT
    page.goto(f"{base}/offers/freshness/")
    expect(page.locator("#by-provider tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"offers-freshness-{language}")
    api = page.request.get(f"{base}/api/v1/services/{service.pk}").json()
    assert api["description"] == NEW_TEXT


def test_adding_a_weekly_time_with_htmx_moves_the_focus_to_it(
    live_server: object, page: Page, demo: dict[str, User]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, demo["editor"])
    page.goto(f"{base}/offers/new/")
    rows = page.locator("#schedule-rows .offer-schedule")
    before = rows.count()
    page.locator("button[value=add_schedule]").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator(f"input[name='schedules-{before}-days']").first).to_be_focused()
    assert Service.objects.filter(name="").count() == 0
    assert axe_violations(page) == []
