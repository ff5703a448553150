"""The printable local guide (Wegweiser): content, grouping, language, QR target, cache, errors."""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import segno
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from pypdf import PdfReader

from kinetz.finder import wegweiser
from kinetz.offers.models import (
    Address,
    CostOption,
    Location,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceStatus,
    ServiceTranslation,
)
from kinetz.offers.translating import source_digest
from kinetz.territory.models import Municipality, Region
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    """An anonymous visitor who reads the pages in English (the msgids)."""
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visitor


@pytest.fixture
def towns(region: Region) -> dict[str, Municipality]:
    return {
        "goch": MunicipalityFactory(region=region, slug="goch", name="Goch"),
        "kleve": MunicipalityFactory(region=region, slug="kleve", name="Kleve"),
    }


@pytest.fixture
def offers(region: Region, towns: dict[str, Municipality]) -> dict[str, Service]:
    fields = TaxonomyFactory(vocabulary="handlungsfeld")
    terms = {
        code: TaxonomyTermFactory(taxonomy=fields, code=code, name=name)
        for code, name in (("hf-sprache", "Sprache"), ("hf-wohnen", "Wohnen"))
    }
    provider = OrganizationFactory(region=region, name="Bürgerverein Goch")
    plan = [
        ("cafe", "Sprachcafé am Dienstag", "goch", ["hf-sprache"], {}),
        ("housing", "Wohnungssuche mit Begleitung", "goch", ["hf-wohnen", "hf-sprache"], {}),
        (
            "gone",
            "Alter Gesprächskreis",
            "goch",
            ["hf-sprache"],
            {"status": ServiceStatus.INACTIVE},
        ),
        ("draft", "Entwurf Nähcafé", "goch", ["hf-sprache"], {"review_state": ReviewState.DRAFT}),
        ("kleve", "Sprachcafé Kleve", "kleve", ["hf-sprache"], {}),
    ]
    services = {}
    for key, name, town, codes, extra in plan:
        service = ServiceFactory(
            organization=provider, region=region, name=name, email=f"{key}@example.org", **extra
        )
        location = Location.objects.create(
            region=region, name=f"Bürgerhaus {town.title()}", municipality=towns[town]
        )
        Address.objects.create(
            location=location,
            address_1="Markt 1",
            city=towns[town].name,
            postal_code="47574",
            state_province="Nordrhein-Westfalen",
            country="DE",
            address_type="physical",
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        for position, code in enumerate(codes):
            ServiceAttribute.objects.create(
                service=service, taxonomy_term=terms[code], position=position
            )
        Schedule.objects.create(service=service, freq="WEEKLY", byday="TU", opens_at="15:00")
        CostOption.objects.create(service=service, amount=0, currency="EUR")
        services[key] = service
    return services


def pdf_text(content: bytes) -> tuple[str, list[str]]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    return "\n".join(pages), pages


def test_guide_is_a_pdf_of_the_towns_offers_grouped_by_field(
    client: Client, offers: dict[str, Service]
) -> None:
    response = client.get("/wegweiser/goch.pdf", {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text, pages = pdf_text(response.content)
    assert "Local guide Goch" in text
    body = "\n".join(pages[1:])  # after the cover with its table of contents
    # Each offer once, under its first field of action, in the vocabulary order.
    assert body.index("Sprache") < body.index("Sprachcafé am Dienstag") < body.index("Wohnen")
    assert body.index("Wohnen") < body.index("Wohnungssuche mit Begleitung")
    assert body.count("Wohnungssuche mit Begleitung") == 1
    assert "Bürgerverein Goch" in body
    assert "Markt 1" in body
    assert "Tuesday" in body  # the schedule in words
    assert "cafe@example.org" in body
    # Not another town's offers, nor inactive offers or drafts.
    for name in ("Sprachcafé Kleve", "Alter Gesprächskreis", "Entwurf Nähcafé"):
        assert name not in text
    assert re.search(r"Page 1 / \d+", text)


def test_demo_guide_says_that_the_catalogue_is_fictional(
    client: Client, offers: dict[str, Service], settings: Any
) -> None:
    settings.KINETZ_DEMO_CATALOGUE = True
    text, _pages = pdf_text(client.get("/wegweiser/goch.pdf?lang=en").content)
    assert "fictional" in text
    settings.KINETZ_DEMO_CATALOGUE = False
    text, _pages = pdf_text(client.get("/wegweiser/goch.pdf?lang=en").content)
    assert "fictional" not in text


def test_qr_code_leads_to_the_finder_of_that_town_and_language(
    offers: dict[str, Service], towns: dict[str, Municipality], settings: Any
) -> None:
    settings.SITE_URL = "https://kinetz.kreis-kleve.example.org"
    expected = "https://kinetz.kreis-kleve.example.org/search/?municipality=goch&lang=uk"
    guide = wegweiser.collect(towns["goch"], "uk")
    assert guide.finder_url == expected
    html = wegweiser.render_html(guide)
    qr = segno.make(expected, error="m").svg_data_uri(scale=4, border=2)
    assert f'src="{qr}"' in html
    text, _pages = pdf_text(wegweiser.render_pdf(html))
    assert expected in text.replace("\n", "")


def test_arabic_guide_is_right_to_left_with_german_text_marked(
    offers: dict[str, Service], towns: dict[str, Municipality]
) -> None:
    cafe = offers["cafe"]
    ServiceTranslation.objects.create(
        service=cafe,
        language="ar",
        field="name",
        text="مقهى اللغة يوم الثلاثاء",
        source_digest=source_digest(cafe.name),
    )
    html = wegweiser.render_html(wegweiser.collect(towns["goch"], "ar"))
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    # The translated name is Arabic in the page's direction; the untranslated one is German.
    assert '<h3 class="offer__name">مقهى اللغة يوم الثلاثاء</h3>' in html
    assert '<h3 class="offer__name" lang="de" dir="ltr">Wohnungssuche mit Begleitung</h3>' in html
    assert '<span lang="de" dir="ltr">Wohnen</span>' in html
    german = wegweiser.render_html(wegweiser.collect(towns["goch"], "de"))
    assert re.search(r'<html lang="de" dir="ltr">', german)
    assert 'lang="de" dir="ltr">Wohnungssuche' not in german


def test_arabic_pdf_shows_arabic_glyphs(
    offers: dict[str, Service], towns: dict[str, Municipality]
) -> None:
    cafe = offers["cafe"]
    ServiceTranslation.objects.create(
        service=cafe,
        language="ar",
        field="name",
        text="مقهى اللغة",
        source_digest=source_digest(cafe.name),
    )
    text, _pages = pdf_text(wegweiser.guide_pdf(towns["goch"], "ar"))
    # Text extraction gives back the Arabic letters only if the font had glyphs for them.
    assert re.search(r"[\u0621-\u064A]{3}", text)


def test_language_defaults_to_the_visitors_and_unknown_ones_are_refused(
    offers: dict[str, Service],
) -> None:
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    response = visitor.get("/wegweiser/goch.pdf")
    assert response.status_code == 200
    assert 'filename="wegweiser-goch-uk.pdf"' in response["Content-Disposition"]
    response = visitor.get("/wegweiser/goch.pdf", {"lang": "xx"})
    assert response.status_code == 400
    assert "lang" in response.content.decode()
    assert "'xx'" in response.content.decode()


def test_a_guide_in_another_language_does_not_switch_the_visitors_site(
    offers: dict[str, Service],
) -> None:
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    response = visitor.get("/wegweiser/goch.pdf", {"lang": "ar"})
    assert 'filename="wegweiser-goch-ar.pdf"' in response["Content-Disposition"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert visitor.get("/wegweiser/")["Content-Language"] == "uk"
    # A page asked for in a language does switch it.
    page = visitor.get("/wegweiser/", {"lang": "ar"})
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert visitor.get("/wegweiser/")["Content-Language"] == "ar"


def test_unknown_town_is_not_found(client: Client, offers: dict[str, Service]) -> None:
    assert client.get("/wegweiser/atlantis.pdf").status_code == 404


def test_cache_hit_does_not_render_again_until_the_catalogue_changes(
    client: Client, offers: dict[str, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    real_html = wegweiser.HTML

    def counting_html(*args: Any, **kwargs: Any) -> Any:
        renders.append("render")
        return real_html(*args, **kwargs)

    monkeypatch.setattr(wegweiser, "HTML", counting_html)
    first = client.get("/wegweiser/goch.pdf?lang=en").content
    second = client.get("/wegweiser/goch.pdf?lang=en").content
    assert renders == ["render"]
    assert first == second
    client.get("/wegweiser/goch.pdf?lang=de")
    assert len(renders) == 2  # another language is another guide

    offers["cafe"].name = "Sprachcafé am Mittwoch"
    offers["cafe"].save()
    text, _pages = pdf_text(client.get("/wegweiser/goch.pdf?lang=en").content)
    assert len(renders) == 3
    assert "Sprachcafé am Mittwoch" in text


def test_guide_page_leads_to_the_pdf(client: Client, offers: dict[str, Service]) -> None:
    response = client.get("/wegweiser/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="kern-label" for="guide-municipality">' in html
    assert '<label class="kern-label" for="guide-language">' in html
    assert 'href="/wegweiser/goch.pdf?lang=en"' in html
    response = client.get("/wegweiser/", {"municipality": "goch", "language": "ar"})
    assert response.status_code == 302
    assert response["Location"] == "/wegweiser/goch.pdf?lang=ar"
    response = client.get("/wegweiser/", {"municipality": "atlantis", "language": "ar"})
    assert response.status_code == 400
    assert "Please choose a town or municipality" in response.content.decode()


def test_guide_stays_cached_when_another_town_changes_but_not_when_an_offer_comes(
    offers: dict[str, Service], towns: dict[str, Municipality], region: Region
) -> None:
    goch = towns["goch"]
    key = wegweiser.cache_key(goch, "de")
    offers["kleve"].name = "Sprachcafé Kleve-Mitte"
    offers["kleve"].save()
    assert wegweiser.cache_key(goch, "de") == key
    newcomer = ServiceFactory(region=region, name="Nähcafé Goch")
    ServiceAtLocation.objects.create(
        service=newcomer, location=Location.objects.filter(municipality=goch).first()
    )
    assert wegweiser.cache_key(goch, "de") != key


def test_render_guides_fills_the_cache_so_visitors_wait_for_no_rendering(
    client: Client, offers: dict[str, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("render_guides", "--languages", "de,ar", stdout=out)
    towns = Municipality.objects.count()
    assert f"{2 * towns} rendered, 0 already cached" in out.getvalue()

    renders: list[str] = []
    real_html = wegweiser.HTML

    def counting_html(*args: Any, **kwargs: Any) -> Any:
        renders.append("render")
        return real_html(*args, **kwargs)

    monkeypatch.setattr(wegweiser, "HTML", counting_html)
    assert client.get("/wegweiser/goch.pdf?lang=ar").status_code == 200
    assert renders == []
    out = StringIO()
    call_command("render_guides", "--languages", "de,ar", stdout=out)
    assert f"0 rendered, {2 * towns} already cached" in out.getvalue()
    with pytest.raises(CommandError, match="--languages"):
        call_command("render_guides", "--languages", "xx")
