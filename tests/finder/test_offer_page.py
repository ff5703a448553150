"""The public page of an offer: every part, languages, JSON-LD, print view, only published."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from kinetz.network.models import Contact, Phone
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TranslationOrigin,
)
from kinetz.offers.translating import save_translation
from kinetz.territory.models import Region
from tests.factories import MunicipalityFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(region: Region) -> Service:
    service: Service = ServiceFactory(
        organization__region=region,
        organization__name="Volkshochschule Kleve",
        organization__website="https://vhs.example.org",
        name="Sprachcafé am Dienstag",
        description="Deutsch üben im Gespräch.",
        eligibility_description="Alle Zugewanderten.",
        minimum_age=16,
        fees_description="Kostenlos.",
        application_process="Einfach vorbeikommen.",
        interpretation_services="Dolmetschen auf Arabisch möglich.",
        alert="Im August geschlossen.",
        email="cafe@vhs.example.org",
        last_verified=date(2025, 3, 1),
    )
    municipality = MunicipalityFactory(region=region, name="Goch")
    location = Location.objects.create(
        region=region,
        name="Bürgerhaus",
        latitude=51.68,
        longitude=6.16,
        municipality=municipality,
        extra={"accessibility": [{"description": "Zugang über eine Rampe."}]},
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
    ServiceLanguage.objects.create(service=service, code="ar", name="Arabisch")
    ServiceLanguage.objects.create(service=service, code="tr", name="Türkisch")
    CostOption.objects.create(
        service=service, option="Material", amount=Decimal("5"), currency="EUR"
    )
    Contact.objects.create(service=service, name="Maria Muster", email="maria@vhs.example.org")
    Phone.objects.create(service=service, number="02823 1234")
    return service


def page_text(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, {"lang": language})
    assert response.status_code == 200
    return response.content.decode()


def url_of(service: Service, suffix: str = "") -> str:
    return f"/offer/{service.pk}/{suffix}"


def test_page_shows_every_part_without_sign_in(client: Client, offer: Service) -> None:
    html = page_text(client, url_of(offer))
    for expected in [
        "Sprachcafé am Dienstag",
        "Deutsch üben im Gespräch.",
        "Alle Zugewanderten.",
        "from 16 years",
        "Kostenlos.",
        "Material – 5.00 EUR",
        "Arabic",
        "Turkish",
        "Einfach vorbeikommen.",
        "Dolmetschen auf Arabisch möglich.",
        "Im August geschlossen.",
        "Bürgerhaus",
        "Markt 1, 47574 Goch",
        "Zugang über eine Rampe.",
        "every Tuesday 15:00–17:00",
        "Maria Muster",
        "maria@vhs.example.org",
        "02823 1234",
        "cafe@vhs.example.org",
        "https://vhs.example.org",
        "Volkshochschule Kleve",
        "Last checked on March 1, 2025.",
        "openstreetmap.org/?mlat=51.68",
        f"/offer/{offer.pk}/print/",
        f"/offer/{offer.pk}/report/",
    ]:
        assert expected in html, expected


def test_language_names_follow_the_visitor(client: Client, offer: Service) -> None:
    html = page_text(client, url_of(offer), "de")
    assert "Arabisch" in html
    assert "Türkisch" in html


@pytest.mark.parametrize("state", [ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.ARCHIVED])
def test_unpublished_offers_are_not_found(client: Client, offer: Service, state: str) -> None:
    offer.review_state = state
    offer.save()
    for suffix in ["", "print/", "report/"]:
        assert client.get(url_of(offer, suffix)).status_code == 404


def test_offers_of_every_region_are_public(client: Client, other_region: Region) -> None:
    service = ServiceFactory(organization__region=other_region)
    assert client.get(url_of(service)).status_code == 200


def test_unknown_offer_is_not_found(client: Client) -> None:
    assert client.get("/offer/00000000-0000-0000-0000-000000000000/").status_code == 404


def in_arabic(message: str) -> str:
    with translation.override("ar"):
        text: str = translation.gettext(message)
    assert text != message, f"no Arabic translation of {message!r}"
    return text


def test_german_text_with_a_note_when_no_translation_exists(client: Client, offer: Service) -> None:
    html = page_text(client, url_of(offer), "ar")
    assert 'lang="ar" dir="rtl"' in html
    assert in_arabic("This offer is only available in German.") in html
    assert re.search(r'<h1[^>]*lang="de"[^>]*>Sprachcafé am Dienstag</h1>', html)
    assert re.search(r'<div class="offer-text" lang="de" dir="ltr">Deutsch üben', html)


def test_no_language_note_in_german(client: Client, offer: Service) -> None:
    html = page_text(client, url_of(offer), "de")
    assert "only available in German" not in html
    assert 'class="offer-text" lang="de"' not in html


def test_translation_is_shown_in_the_visitor_language(client: Client, offer: Service) -> None:
    for field, text in [("name", "مقهى اللغة"), ("description", "تدرب على الألمانية")]:
        save_translation(offer, "ar", field, text, TranslationOrigin.HUMAN, None)
    html = page_text(client, url_of(offer), "ar")
    assert re.search(r"<h1 class=\"kern-heading-large\">مقهى اللغة</h1>", html)
    assert '<div class="offer-text">تدرب على الألمانية</div>' in html
    # The fields without a translation still come in German, with the note.
    assert in_arabic("This offer is only available in German.") in html
    assert in_arabic("machine translation") not in html


def test_machine_translations_are_marked(client: Client, offer: Service) -> None:
    from kinetz.offers.models import TRANSLATABLE_SERVICE_FIELDS

    for field in TRANSLATABLE_SERVICE_FIELDS:
        save_translation(offer, "en", field, f"EN {field}", TranslationOrigin.MACHINE, None)
    html = page_text(client, url_of(offer), "en")
    assert "EN description" in html
    assert "machine translation" in html
    assert "only available in German" not in html


def test_outdated_translation_gives_way_to_the_german_text(client: Client, offer: Service) -> None:
    save_translation(offer, "en", "description", "Old English text", TranslationOrigin.HUMAN, None)
    offer.description = "Neuer deutscher Text."
    offer.save()
    html = page_text(client, url_of(offer), "en")
    assert "Old English text" not in html
    assert "Neuer deutscher Text." in html


def test_markup_in_offer_text_is_inert(client: Client, offer: Service) -> None:
    offer.description = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    offer.name = "</script><script>alert(2)</script>"
    offer.save()
    html = page_text(client, url_of(offer))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)" in html


def _jsonld(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_jsonld_describes_the_service(client: Client, offer: Service) -> None:
    data = _jsonld(page_text(client, url_of(offer)))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == "Sprachcafé am Dienstag"
    assert data["provider"] == {
        "@type": "Organization",
        "name": "Volkshochschule Kleve",
        "url": "https://vhs.example.org",
    }
    assert data["areaServed"] == [{"@type": "AdministrativeArea", "name": "Goch"}]
    channel = data["availableChannel"][0]  # type: ignore[index]
    assert channel["@type"] == "ServiceChannel"
    assert channel["serviceLocation"]["address"]["postalCode"] == "47574"
    assert channel["serviceLocation"]["geo"]["latitude"] == 51.68
    assert data["hoursAvailable"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Tuesday"],
            "opens": "15:00",
            "closes": "17:00",
        }
    ]
    assert str(data["url"]).endswith(f"/offer/{offer.pk}/")


def test_jsonld_cannot_be_broken_out_of(client: Client, offer: Service) -> None:
    offer.name = "</script><script>alert(1)</script> & <!--"
    offer.save()
    html = page_text(client, url_of(offer))
    data = _jsonld(html)
    assert data["name"] == "</script><script>alert(1)</script> & <!--"
    assert html.count("</script>") == html.count("<script")


def test_print_view_has_the_same_content(client: Client, offer: Service) -> None:
    html = page_text(client, url_of(offer, "print/"), "ar")
    assert 'dir="rtl"' in html
    for expected in ["Sprachcafé am Dienstag", "Markt 1, 47574 Goch", "Maria Muster"]:
        assert expected in html
    assert "site-header" not in html
    assert "Report a problem" not in html


def test_service_contacts_fall_back_to_the_organisation(client: Client, region: Region) -> None:
    service = ServiceFactory(organization__region=region)
    Contact.objects.create(organization=service.organization, name="Org Kontakt")
    Phone.objects.create(organization=service.organization, number="02821 999")
    html = page_text(client, url_of(service))
    assert "Org Kontakt" in html
    assert "02821 999" in html


def test_no_script_urls_become_links(client: Client, offer: Service) -> None:
    Service.objects.filter(pk=offer.pk).update(url="javascript:alert(1)")
    html = page_text(client, url_of(offer))
    assert "javascript:" not in html


def test_a_free_offer_says_free_once() -> None:
    from decimal import Decimal

    from kinetz.finder.offer_page import _cost
    from kinetz.offers.models import CostOption

    said = CostOption(
        option="kostenlos", amount=Decimal(0), amount_description="Die Teilnahme ist kostenlos."
    )
    assert _cost(said) == "kostenlos – Die Teilnahme ist kostenlos."
    unsaid = CostOption(option="Erwachsene", amount=Decimal(0))
    assert _cost(unsaid) == "Erwachsene – free of charge"
    assert _cost(CostOption(amount=Decimal("12.5"), currency="EUR")) == "12.50 EUR"
