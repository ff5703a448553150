"""The duplicate review queue in the browser: a coordinator merges two entries of the same offer
by keyboard alone and undoes the merge; axe-core finds no serious or critical violation on the
pages, in German and in Arabic (RTL)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.coordination.models import Merge
from kinetz.offers.models import ReviewState, Service
from kinetz.territory.models import Region
from tests.coordination.test_duplicate_pages import stored_run
from tests.coordination.test_find_duplicates_command import same_offer_twice
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.e2e.test_review_pages import _tab_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE = "/staff/coordination/duplicates/"


@pytest.fixture
def twins(transactional_db: None) -> tuple[Service, Service]:
    call_command("load_territory", "kleve", verbosity=0)
    region = Region.objects.get()
    first, second = same_offer_twice(region)
    # A stored search, as the linkage leaves it (the linkage itself is tested elsewhere).
    stored_run(region, services=[first, second])
    return first, second


@pytest.fixture
def coordinator_in_kleve(twins: tuple[Service, Service]) -> User:
    return UserFactory(
        email="koordination@kleve.example.org", role=Role.COORDINATOR, region=Region.objects.get()
    )


def _button_label(page: Page, selector: str) -> str:
    """The button's text as the Tab helper reads it (textContent, screen-reader text included)."""
    text: str = page.locator(selector).first.evaluate("el => el.textContent.trim()")
    return text


@pytest.mark.parametrize("language", ["de", "ar"])
def test_coordinator_merges_by_keyboard_and_undoes_the_merge(
    live_server: object,
    page: Page,
    twins: tuple[Service, Service],
    coordinator_in_kleve: User,
    language: str,
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    first, second = twins
    sign_in(page, base, coordinator_in_kleve)
    page.goto(f"{base}{QUEUE}?lang={language}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    expect(page.locator("#offers table")).to_contain_text(second.name)
    assert axe_violations(page) == []
    screenshot(page, f"duplicates-queue-{language}")

    # Keyboard only: the first record is chosen to stay; Tab to "Merge …" and press Enter.
    _tab_to(page, _button_label(page, "#offers form[method=get] button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r".*/duplicates/services/merge/\?.*keep="))
    expect(page.locator("form[method=post] input[name=keep]")).to_have_count(1)
    assert axe_violations(page) == []
    screenshot(page, f"duplicates-merge-confirm-{language}")
    _tab_to(page, _button_label(page, "main form[method=post] button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}{QUEUE}")

    merge = Merge.objects.get()
    kept = Service.objects.get(pk=merge.survivor_id)
    merged = Service.objects.get(pk=merge.merged_id)
    assert {kept.pk, merged.pk} == {first.pk, second.pk}
    assert merged.review_state == ReviewState.ARCHIVED
    expect(page.locator("#offers")).not_to_contain_text(merged.name)

    page.goto(f"{base}{QUEUE}merges/")
    assert axe_violations(page) == []
    screenshot(page, f"duplicates-merges-{language}")
    _tab_to(page, _button_label(page, "main table form button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}{QUEUE}merges/")
    merge.refresh_from_db()
    assert merge.undone_at is not None
    merged.refresh_from_db()
    assert merged.review_state == ReviewState.PUBLISHED
