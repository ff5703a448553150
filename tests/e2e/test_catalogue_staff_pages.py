"""Vocabularies, translations of an offer and the export page: accessible in German and Arabic."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.offers.models import Service, ServiceTranslation, TaxonomyTerm
from kinetz.territory.models import Region
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.interop.test_hsds_files import CATALOGUE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_with_catalogue(transactional_db: None) -> User:
    call_command("load_territory", "kleve", stdout=StringIO())
    call_command("import_hsds", str(CATALOGUE), stdout=StringIO())
    user = UserFactory(role=Role.REGION_ADMIN, region=Region.objects.get())
    TOTPDeviceFactory(user=user)
    return user


@pytest.mark.parametrize("language", ["de", "ar"])
def test_vocabulary_page_and_term_form_are_accessible(
    live_server: object, page: Page, admin_with_catalogue: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, admin_with_catalogue)
    page.goto(f"{base}/staff/catalogue/vocabularies/?lang={language}")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("table")).to_have_count(2)
    assert axe_violations(page) == []
    screenshot(page, f"catalogue-vocabularies-{language}")

    term = TaxonomyTerm.objects.get(code="hf-sprache")
    page.locator(f"a[href$='/vocabularies/terms/{term.pk}/']").click()
    expect(page.locator("#id_name")).to_have_value(term.name)
    page.locator("#id_name").fill("")
    page.locator("main form button.kern-btn--primary").press("Enter")
    expect(page.locator("#id_name_error")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"catalogue-term-form-{language}")

    page.goto(f"{base}/staff/catalogue/vocabularies/terms/{term.pk}/remove/?lang={language}")
    expect(page.locator("#id_target")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"{base}/staff/catalogue/export/?lang={language}")
    expect(page.locator("button[value=xlsx]")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"catalogue-export-{language}")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_translation_form_is_accessible_and_right_to_left_for_arabic(
    live_server: object, page: Page, admin_with_catalogue: User, language: str
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    offer = Service.objects.order_by("name").first()
    assert offer is not None
    sign_in(page, base, admin_with_catalogue)

    page.goto(f"{base}/staff/catalogue/translations/?lang={language}")
    assert axe_violations(page) == []
    page.goto(f"{base}/staff/catalogue/offers/{offer.pk}/translations/?lang={language}")
    expect(page.locator("table tbody tr")).to_have_count(10)
    assert axe_violations(page) == []
    screenshot(page, f"catalogue-translations-{language}")

    page.locator("a[href$='/translations/ar/']").click()
    name = page.locator("#id_text_name")
    expect(name).to_have_attribute("dir", "rtl")
    expect(name).to_have_attribute("lang", "ar")
    assert axe_violations(page) == []
    screenshot(page, f"catalogue-translation-form-{language}")
    name.fill("مقهى اللغة")
    page.locator("main form button.kern-btn--primary").click()

    expect(page).to_have_url(f"{base}/staff/catalogue/offers/{offer.pk}/translations/")
    saved = ServiceTranslation.objects.get(service=offer, language="ar", field="name")
    assert saved.text == "مقهى اللغة"
    assert saved.origin == "human"
