"""Machine translation of offer texts, for staff who want a first draft to correct.

Off by default. `KINETZ_MACHINE_TRANSLATION_URL` set to a LibreTranslate-compatible server
turns it on (`KINETZ_MACHINE_TRANSLATION_API_KEY` if the server wants one). Tests use the
`fake` backend (`KINETZ_MACHINE_TRANSLATION_BACKEND=fake`), which answers "[ar] text".
What a backend returns is stored as a translation marked as machine made
(`create_machine_translation`), never shown as a human one.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kinetz.core.audit import log_action
from kinetz.offers import translating
from kinetz.offers.models import Service, TranslationOrigin


class MachineTranslationError(Exception):
    """The backend could not translate; the message says why, for staff."""


class Backend(Protocol):
    def translate(self, texts: list[str], source: str, target: str) -> list[str]: ...


class FakeBackend:
    """Marks each text with the target language: "[ar] Sprachcafé". For tests and demos."""

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        return [f"[{target}] {text}" for text in texts]


class LibreTranslateBackend:
    """A LibreTranslate-compatible server: POST /translate with q, source, target, format."""

    def __init__(self, url: str, api_key: str = "", timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target}
        payload["format"] = "text"
        if self.api_key:
            payload["api_key"] = self.api_key
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            f"{self.url}/translate",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise MachineTranslationError(
                _("The translation server refused the request (HTTP %(status)s): %(reason)s")
                % {"status": error.code, "reason": _error_text(error)}
            ) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise MachineTranslationError(
                _("The translation server could not be reached: %(reason)s")
                % {"reason": getattr(error, "reason", error)}
            ) from error
        except ValueError as error:
            raise MachineTranslationError(
                _("The translation server sent an answer that is not JSON.")
            ) from error
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise MachineTranslationError(
                _("The translation server sent an answer without the translated texts.")
            )
        return [str(text) for text in translated]


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return str(error.reason)
    return str(body.get("error", error.reason)) if isinstance(body, dict) else str(error.reason)


def _libretranslate() -> Backend | None:
    url = getattr(settings, "KINETZ_MACHINE_TRANSLATION_URL", "")
    if not url:
        return None
    return LibreTranslateBackend(
        url,
        getattr(settings, "KINETZ_MACHINE_TRANSLATION_API_KEY", ""),
        float(getattr(settings, "KINETZ_MACHINE_TRANSLATION_TIMEOUT", 30)),
    )


BACKENDS: dict[str, Callable[[], Backend | None]] = {
    "libretranslate": _libretranslate,
    "fake": FakeBackend,
}


def backend() -> Backend | None:
    """The configured backend, or None when machine translation is off."""
    name = getattr(settings, "KINETZ_MACHINE_TRANSLATION_BACKEND", "libretranslate")
    factory = BACKENDS.get(name)
    return factory() if factory is not None else None


def is_enabled() -> bool:
    return backend() is not None


def translate(texts: list[str], source: str = "de", target: str = "en") -> list[str]:
    """`texts` in `target`, in the same order; raises MachineTranslationError."""
    chosen = backend()
    if chosen is None:
        raise MachineTranslationError(_("Machine translation is not configured."))
    return chosen.translate(texts, source, target)


def create_machine_translation(
    service: Service, language: str, user: Any, *, replace_human: bool = False
) -> list[str]:
    """Machine-translate the offer's missing and outdated fields into `language`.

    Returns the fields stored. Human translations are kept unless `replace_human`; current
    machine translations are not translated again.
    """
    if language not in translating.target_languages():
        raise MachineTranslationError(_("Offers cannot be translated into this language."))
    status = translating.translation_status(service, language)
    fields = [
        name
        for name, item in status.items()
        if item.status
        in (translating.TranslationStatus.MISSING, translating.TranslationStatus.OUTDATED)
        and (replace_human or item.origin != TranslationOrigin.HUMAN or item.translation is None)
    ]
    if not fields:
        return []
    # The server is asked outside the transaction: a slow answer must not hold the database.
    texts = translate([status[name].source for name in fields], source="de", target=language)
    stored = []
    with transaction.atomic():
        for name, text in zip(fields, texts, strict=True):
            if text.strip():
                translating.save_translation(
                    service, language, name, text, TranslationOrigin.MACHINE, user
                )
                stored.append(name)
        log_action(user, "offer.machine_translated", service, language=language, fields=stored)
    return stored
