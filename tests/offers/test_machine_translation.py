"""Machine translation: off by default, a LibreTranslate backend over real HTTP, staff action."""

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from kinetz.accounts.models import User
from kinetz.offers import machine_translation
from kinetz.offers.machine_translation import (
    LibreTranslateBackend,
    MachineTranslationError,
    create_machine_translation,
)
from kinetz.offers.models import Service, ServiceTranslation, TranslationOrigin
from kinetz.offers.translating import save_translation
from kinetz.territory.models import Region
from tests.factories import ServiceFactory


class FakeLibreTranslate(BaseHTTPRequestHandler):
    """Answers POST /translate like LibreTranslate: upper-cases each text."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(body)
        if self.path != "/translate":
            return self._answer(404, {"error": "Not found"})
        if body.get("api_key") == "wrong":
            return self._answer(403, {"error": "Invalid API key"})
        texts = body["q"] if isinstance(body["q"], list) else [body["q"]]
        translated = [f"{body['target']}:{text.upper()}" for text in texts]
        self._answer(200, {"translatedText": translated})

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    FakeLibreTranslate.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibreTranslate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_off_by_default(settings: Any) -> None:
    settings.KINETZ_MACHINE_TRANSLATION_URL = ""
    assert machine_translation.is_enabled() is False
    with pytest.raises(MachineTranslationError, match="not configured"):
        machine_translation.translate(["Hallo"], target="en")


def test_libretranslate_backend_over_http(server_url: str) -> None:
    backend = LibreTranslateBackend(server_url + "/", api_key="secret", timeout=5)
    assert backend.translate(["Hallo", "Welt"], "de", "ar") == ["ar:HALLO", "ar:WELT"]
    assert FakeLibreTranslate.received == [
        {
            "q": ["Hallo", "Welt"],
            "source": "de",
            "target": "ar",
            "format": "text",
            "api_key": "secret",
        }
    ]


def test_libretranslate_errors_are_clear(server_url: str) -> None:
    with pytest.raises(MachineTranslationError, match=r"HTTP 403.*Invalid API key"):
        LibreTranslateBackend(server_url, api_key="wrong").translate(["Hallo"], "de", "en")
    with pytest.raises(MachineTranslationError, match="HTTP 404"):
        LibreTranslateBackend(server_url + "/nowhere").translate(["Hallo"], "de", "en")


def test_unreachable_server_is_a_clear_error() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibreTranslate)
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port any more
    with pytest.raises(MachineTranslationError, match="could not be reached"):
        LibreTranslateBackend(f"http://127.0.0.1:{port}", timeout=2).translate(["x"], "de", "en")


def test_configured_url_chooses_libretranslate(settings: Any, server_url: str) -> None:
    settings.KINETZ_MACHINE_TRANSLATION_BACKEND = "libretranslate"
    settings.KINETZ_MACHINE_TRANSLATION_URL = server_url
    assert machine_translation.translate(["Hallo"], target="tr") == ["tr:HALLO"]


def test_fake_backend_marks_the_language(settings: Any) -> None:
    settings.KINETZ_MACHINE_TRANSLATION_BACKEND = "fake"
    assert machine_translation.translate(["Hallo"], target="ar") == ["[ar] Hallo"]


@pytest.fixture
def offer(region: Region) -> Service:
    service: Service = ServiceFactory(
        organization__region=region, name="Sprachcafé", description="Deutsch üben.", alert=""
    )
    return service


@pytest.mark.django_db
def test_machine_translation_is_stored_marked_and_keeps_human_work(
    settings: Any, offer: Service, coordinator: User
) -> None:
    settings.KINETZ_MACHINE_TRANSLATION_BACKEND = "fake"
    save_translation(offer, "ar", "name", "مقهى اللغة", TranslationOrigin.HUMAN, coordinator)
    fields = create_machine_translation(offer, "ar", coordinator)
    assert fields == ["description"]
    stored = ServiceTranslation.objects.get(service=offer, language="ar", field="description")
    assert stored.text == "[ar] Deutsch üben."
    assert stored.origin == TranslationOrigin.MACHINE
    human = ServiceTranslation.objects.get(service=offer, language="ar", field="name")
    assert human.origin == TranslationOrigin.HUMAN
    assert create_machine_translation(offer, "ar", coordinator) == []


@pytest.mark.django_db
def test_staff_action_appears_only_when_configured(
    settings: Any,
    offer: Service,
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(coordinator)
    url = f"/staff/catalogue/offers/{offer.pk}/translations/en/"
    settings.KINETZ_MACHINE_TRANSLATION_URL = ""
    assert "Create machine translation" not in client.get(url).content.decode()
    settings.KINETZ_MACHINE_TRANSLATION_BACKEND = "fake"
    assert "Create machine translation" in client.get(url).content.decode()
    response = client.post(url, {"machine_translate": "1"})
    assert response.status_code == 302
    texts = dict(
        ServiceTranslation.objects.filter(service=offer, language="en").values_list("field", "text")
    )
    assert texts == {"name": "[en] Sprachcafé", "description": "[en] Deutsch üben."}
    page = Client().get(f"/offer/{offer.pk}/?lang=en").content.decode()
    assert "[en] Deutsch üben." in page
    assert "machine translation" in page


@pytest.mark.django_db
def test_staff_action_reports_a_server_error(
    settings: Any,
    server_url: str,
    offer: Service,
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    settings.KINETZ_MACHINE_TRANSLATION_BACKEND = "libretranslate"
    settings.KINETZ_MACHINE_TRANSLATION_URL = server_url
    settings.KINETZ_MACHINE_TRANSLATION_API_KEY = "wrong"
    client = client_for(coordinator)
    url = f"/staff/catalogue/offers/{offer.pk}/translations/en/"
    response = client.post(url, {"machine_translate": "1"}, follow=True)
    assert "Invalid API key" in response.content.decode()
    assert not ServiceTranslation.objects.filter(service=offer).exists()
