"""Translations of offers: status per field, outdated when the German text changes, access."""

import re
from collections.abc import Callable

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.core.models import AuditEntry
from kinetz.network.models import Organization
from kinetz.offers import translating
from kinetz.offers.models import Service, ServiceTranslation, TranslationOrigin
from kinetz.offers.translating import TranslationStatus
from kinetz.territory.models import Region
from tests.factories import OrganizationFactory, ServiceFactory


@pytest.fixture
def organization(region: Region) -> Organization:
    return OrganizationFactory(region=region, name="Caritas Kleve")


@pytest.fixture
def offer(organization: Organization) -> Service:
    return ServiceFactory(
        organization=organization,
        name="Sprachcafé Kleve",
        description="Deutsch üben im Gespräch.",
        fees_description="kostenlos",
        alert="",
    )


@pytest.fixture
def editor(provider_editor: User, organization: Organization) -> User:
    provider_editor.organization = organization
    provider_editor.save()
    return provider_editor


def url(offer: Service, language: str = "") -> str:
    base = f"/staff/catalogue/offers/{offer.pk}/translations/"
    return f"{base}{language}/" if language else base


def test_digest_ignores_whitespace_but_not_words() -> None:
    digest = translating.source_digest("Deutsch üben\r\n im  Gespräch. ")
    assert digest == translating.source_digest("Deutsch üben im Gespräch.")
    assert digest != translating.source_digest("Deutsch üben im Gespräch!")
    assert len(digest) == 64


def test_status_goes_current_outdated_current(offer: Service, coordinator: User) -> None:
    assert translating.translation_status(offer, "en")["description"].status == (
        TranslationStatus.MISSING
    )
    assert translating.translation_status(offer, "en")["alert"].status == (
        TranslationStatus.NOT_NEEDED
    )

    translating.save_translation(
        offer, "en", "description", "Practise German.", TranslationOrigin.HUMAN, coordinator
    )
    offer = Service.objects.get(pk=offer.pk)
    assert translating.translation_status(offer, "en")["description"].status == (
        TranslationStatus.CURRENT
    )
    assert translating.translation_status(offer, "ar")["description"].status == (
        TranslationStatus.MISSING
    )

    offer.description = "Deutsch üben im Gespräch, jeden Dienstag."
    offer.save()
    offer = Service.objects.get(pk=offer.pk)
    state = translating.translation_status(offer, "en")["description"]
    assert state.status == TranslationStatus.OUTDATED
    assert state.source == "Deutsch üben im Gespräch, jeden Dienstag."
    localised = translating.translated_text(offer, "description", "en")
    assert (localised.text, localised.outdated, localised.translated) == (
        "Practise German.",
        True,
        True,
    )

    translating.save_translation(
        offer,
        "en",
        "description",
        "Practise German, every Tuesday.",
        TranslationOrigin.HUMAN,
        coordinator,
    )
    offer = Service.objects.get(pk=offer.pk)
    assert translating.translation_status(offer, "en")["description"].status == (
        TranslationStatus.CURRENT
    )
    assert ServiceTranslation.objects.count() == 1


def test_translated_text_falls_back_to_german(offer: Service, coordinator: User) -> None:
    translating.save_translation(
        offer, "tr", "name", "Dil kafesi", TranslationOrigin.MACHINE, coordinator
    )
    offer = Service.objects.prefetch_related("translations").get(pk=offer.pk)

    turkish = translating.translated_text(offer, "name", "tr")
    assert (turkish.text, turkish.language, turkish.origin, turkish.outdated) == (
        "Dil kafesi",
        "tr",
        "machine",
        False,
    )
    polish = translating.translated_text(offer, "name", "pl")
    assert (polish.text, polish.language, polish.translated) == ("Sprachcafé Kleve", "de", False)
    assert translating.translated_text(offer, "name", "de").text == "Sprachcafé Kleve"


def test_save_translation_rejects_unknown_language_field_and_empty_text(
    offer: Service, coordinator: User
) -> None:
    for language, field, text in [("de", "name", "x"), ("xx", "name", "x"), ("en", "url", "x")]:
        with pytest.raises(translating.TranslationError):
            translating.save_translation(
                offer, language, field, text, TranslationOrigin.HUMAN, coordinator
            )
    with pytest.raises(translating.TranslationError):
        translating.save_translation(offer, "en", "name", "  ", "human", coordinator)
    assert not ServiceTranslation.objects.exists()


def test_coordinator_saves_a_human_translation_with_the_german_digest(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    client = client_for(coordinator)
    assert client.get(url(offer, "en")).status_code == 200

    response = client.post(
        url(offer, "en"),
        {"text_name": "Language café Kleve", "text_description": "Practise German."},
    )

    assert response.status_code == 302
    saved = ServiceTranslation.objects.get(field="description")
    assert saved.origin == TranslationOrigin.HUMAN
    assert saved.translated_by == coordinator
    assert saved.source_digest == translating.source_digest(offer.description)
    assert ServiceTranslation.objects.count() == 2
    assert (
        AuditEntry.objects.filter(action="offer.translation_saved", target_id=str(offer.pk)).count()
        == 2
    )


def test_outdated_translation_is_shown_with_the_current_german_text(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    translating.save_translation(
        offer, "en", "description", "Practise German.", TranslationOrigin.MACHINE, coordinator
    )
    offer.description = "Deutsch üben im Gespräch, neu: auch samstags."
    offer.save()
    client = client_for(coordinator)

    overview = client.get(url(offer)).content.decode()
    assert "outdated" in overview
    assert "machine" in overview
    form = client.get(url(offer, "en")).content.decode()
    assert "neu: auch samstags" in form
    assert "Practise German." in form
    assert 'name="confirm_description"' in form


def test_unchanged_outdated_translation_stays_outdated_until_confirmed(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    translating.save_translation(
        offer, "en", "description", "Practise German.", TranslationOrigin.MACHINE, coordinator
    )
    offer.description = "Deutsch üben im Gespräch!"
    offer.save()
    client = client_for(coordinator)

    client.post(url(offer, "en"), {"text_description": "Practise German."})
    saved = ServiceTranslation.objects.get()
    assert saved.source_digest != translating.source_digest(offer.description)

    client.post(
        url(offer, "en"), {"text_description": "Practise German.", "confirm_description": "on"}
    )
    saved.refresh_from_db()
    assert saved.source_digest == translating.source_digest(offer.description)
    assert saved.origin == TranslationOrigin.MACHINE  # the text is still the machine's


def test_editing_a_machine_translation_makes_it_human(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    translating.save_translation(
        offer, "en", "name", "Language cafe", TranslationOrigin.MACHINE, coordinator
    )
    client_for(coordinator).post(url(offer, "en"), {"text_name": "Language café Kleve"})
    saved = ServiceTranslation.objects.get()
    assert (saved.text, saved.origin) == ("Language café Kleve", TranslationOrigin.HUMAN)


def test_emptied_field_removes_the_translation(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    translating.save_translation(offer, "en", "name", "Language café", "human", coordinator)
    client_for(coordinator).post(url(offer, "en"), {"text_name": ""})
    assert not ServiceTranslation.objects.exists()
    assert AuditEntry.objects.filter(action="offer.translation_removed").exists()


def translation_inputs(content: str) -> list[str]:
    return re.findall(r"<(?:textarea|input)[^>]*name=\"text_[^>]*>", content)


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_inputs_carry_dir_and_lang(
    client_for: Callable[[User], Client], coordinator: User, offer: Service, language: str
) -> None:
    content = client_for(coordinator).get(url(offer, language)).content.decode()
    inputs = translation_inputs(content)
    assert len(inputs) == len(translating.TRANSLATABLE_SERVICE_FIELDS)
    assert all(f'lang="{language}" dir="rtl"' in tag for tag in inputs)
    assert 'lang="de" dir="ltr"' in content  # the German source beside each field


def test_left_to_right_language_inputs_are_ltr(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    content = client_for(coordinator).get(url(offer, "uk")).content.decode()
    assert all('lang="uk" dir="ltr"' in tag for tag in translation_inputs(content))
    assert 'dir="rtl"' not in content


def test_editor_translates_offers_of_their_own_organisation(
    client_for: Callable[[User], Client], editor: User, offer: Service
) -> None:
    client = client_for(editor)
    assert client.get(url(offer)).status_code == 200
    response = client.post(url(offer, "pl"), {"text_name": "Kawiarenka językowa"})
    assert response.status_code == 302
    assert ServiceTranslation.objects.get().translated_by == editor
    listing = client.get("/staff/catalogue/translations/").content.decode()
    assert "Sprachcafé Kleve" in listing


def test_editor_of_another_organisation_cannot_reach_the_offer(
    client_for: Callable[[User], Client], editor: User, region: Region
) -> None:
    foreign = ServiceFactory(organization=OrganizationFactory(region=region), name="Fremd")
    client = client_for(editor)
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign, "en"), {"text_name": "Foreign"}).status_code == 404
    assert "Fremd" not in client.get("/staff/catalogue/translations/").content.decode()
    assert not ServiceTranslation.objects.exists()


def test_editor_without_organisation_is_refused(
    client_for: Callable[[User], Client], provider_editor: User, offer: Service
) -> None:
    assert client_for(provider_editor).get(url(offer)).status_code == 403


def test_coordinator_of_another_region_cannot_reach_the_offer(
    client_for: Callable[[User], Client], outside_coordinator: User, offer: Service
) -> None:
    assert client_for(outside_coordinator).get(url(offer, "en")).status_code == 404


@pytest.mark.parametrize("role_fixture", ["school_office", "council_viewer", "counsellor"])
def test_roles_without_catalogue_access_are_refused(
    client_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
    role_fixture: str,
    offer: Service,
) -> None:
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.get(url(offer)).status_code == 403
    assert client.get("/staff/catalogue/translations/").status_code == 403


def test_unknown_language_is_not_found(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    client = client_for(coordinator)
    assert client.get(url(offer, "xx")).status_code == 404
    assert client.get(url(offer, "de")).status_code == 404


def test_overview_shows_every_language_and_field(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    response = client_for(coordinator).get(url(offer))
    matrix = response.context["matrix"]
    assert [code for code, _name, _items in matrix] == translating.target_languages()
    assert all(
        len(items) == len(translating.TRANSLATABLE_SERVICE_FIELDS) for _c, _n, items in matrix
    )


def test_fields_left_out_of_the_request_keep_their_translation(
    client_for: Callable[[User], Client], coordinator: User, offer: Service
) -> None:
    translating.save_translation(offer, "en", "name", "Language café", "human", coordinator)
    client_for(coordinator).post(url(offer, "en"), {"text_description": "Practise German."})
    assert set(ServiceTranslation.objects.values_list("field", flat=True)) == {
        "name",
        "description",
    }
