"""Translations of an offer's text fields, each marked human or machine made.

A translation keeps the digest of the German text it was made from (`source_digest`): when the
German text changes, the translation is known to be outdated by comparing digests, without
reading the change history.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinetz.core.audit import log_action
from kinetz.core.languages import DEFAULT_LANGUAGE, supported_codes
from kinetz.offers.models import (
    TRANSLATABLE_SERVICE_FIELDS,
    Service,
    ServiceTranslation,
    TranslationOrigin,
)


class TranslationStatus(models.TextChoices):
    MISSING = "missing", gettext_lazy("missing")
    CURRENT = "current", gettext_lazy("current")
    OUTDATED = "outdated", gettext_lazy("outdated")
    # The German field is empty: there is nothing to translate.
    NOT_NEEDED = "not_needed", gettext_lazy("nothing to translate")


class TranslationError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class FieldTranslation:
    field: str
    source: str  # the current German text
    status: TranslationStatus
    translation: ServiceTranslation | None

    @property
    def label(self) -> str:
        return field_label(self.field)

    @property
    def text(self) -> str:
        return self.translation.text if self.translation else ""

    @property
    def origin(self) -> str:
        return self.translation.origin if self.translation else ""


@dataclass
class Localised:
    """A text in the language asked for if a translation exists, else in German."""

    text: str
    language: str
    translated: bool
    outdated: bool = False
    origin: str = ""


def normalise(text: str) -> str:
    """The German text as compared: Unicode NFC, whitespace runs collapsed, ends trimmed.

    Re-wrapping lines or trailing spaces do not make a translation outdated; any change of
    words or punctuation does.
    """
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def source_digest(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def field_label(field: str) -> str:
    model_field = cast(models.Field[Any, Any], Service._meta.get_field(field))
    return str(model_field.verbose_name)


def target_languages() -> list[str]:
    """The languages an offer can be translated into: every UI language except German."""
    return [code for code in supported_codes() if code != DEFAULT_LANGUAGE]


def language_names() -> list[tuple[str, str]]:
    """(code, name in its own language) of every target language."""
    return [(code, name) for code, name in settings.LANGUAGES if code != DEFAULT_LANGUAGE]


def _check_language(language: str) -> str:
    if language not in target_languages():
        raise TranslationError(
            _("“%(language)s” is not a language offers can be translated into.")
            % {"language": language}
        )
    return language


def _status(source: str, translation: ServiceTranslation | None) -> TranslationStatus:
    if translation is None:
        return TranslationStatus.MISSING if normalise(source) else TranslationStatus.NOT_NEEDED
    if translation.source_digest != source_digest(source):
        return TranslationStatus.OUTDATED
    return TranslationStatus.CURRENT


def _translations(service: Service) -> list[ServiceTranslation]:
    # `.all()` uses prefetched translations when the caller prefetched them.
    return list(service.translations.all())


def translation_status(service: Service, language: str) -> dict[str, FieldTranslation]:
    """Per translatable field: missing, current, outdated (or nothing to translate)."""
    stored = {t.field: t for t in _translations(service) if t.language == language}
    return {
        field: FieldTranslation(
            field=field,
            source=getattr(service, field),
            status=_status(getattr(service, field), stored.get(field)),
            translation=stored.get(field),
        )
        for field in TRANSLATABLE_SERVICE_FIELDS
    }


def overview(service: Service) -> dict[str, dict[str, FieldTranslation]]:
    """Languages by fields, from one read of the offer's translations."""
    return {language: translation_status(service, language) for language in target_languages()}


def summary(service: Service) -> dict[str, int]:
    """How many field translations of the offer are current, outdated and missing."""
    counts = {status.value: 0 for status in TranslationStatus}
    for fields in overview(service).values():
        for item in fields.values():
            counts[item.status.value] += 1
    return counts


def translated_text(service: Service, field: str, language: str) -> Localised:
    """The field in `language` if translated (flagged when outdated), else the German text."""
    if field not in TRANSLATABLE_SERVICE_FIELDS:
        raise ValueError(f"{field!r} is not a translatable field of an offer")
    german: str = getattr(service, field)
    if language != DEFAULT_LANGUAGE:
        for translation in _translations(service):
            if translation.language == language and translation.field == field:
                return Localised(
                    text=translation.text,
                    language=language,
                    translated=True,
                    outdated=translation.source_digest != source_digest(german),
                    origin=translation.origin,
                )
    return Localised(text=german, language=DEFAULT_LANGUAGE, translated=False)


@transaction.atomic
def save_translation(
    service: Service,
    language: str,
    field: str,
    text: str,
    origin: str,
    user: Any,
) -> ServiceTranslation:
    """Store one field's translation, made from the offer's current German text."""
    _check_language(language)
    if field not in TRANSLATABLE_SERVICE_FIELDS:
        raise TranslationError(_("This field of an offer cannot be translated."), field)
    if origin not in TranslationOrigin.values:
        raise TranslationError(_("Say whether a person or a machine translated the text."))
    text = text.strip()
    if not text:
        raise TranslationError(_("Enter the translation."), field)
    translation, created = ServiceTranslation.objects.update_or_create(
        service=service,
        language=language,
        field=field,
        defaults={
            "text": text,
            "origin": origin,
            "source_digest": source_digest(getattr(service, field)),
            "translated_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    log_action(
        user,
        "offer.translation_saved",
        service,
        language=language,
        field=field,
        origin=origin,
        created=created,
    )
    return translation


@transaction.atomic
def remove_translation(service: Service, language: str, field: str, user: Any) -> bool:
    deleted, _rows = ServiceTranslation.objects.filter(
        service=service, language=language, field=field
    ).delete()
    if deleted:
        log_action(user, "offer.translation_removed", service, language=language, field=field)
    return bool(deleted)


@dataclass
class FieldInput:
    """What an editor entered for one field in the translation form."""

    text: str
    confirm: bool = False  # "still matches the current German text" for an outdated field


@transaction.atomic
def apply_human_translation(
    service: Service, language: str, entered: dict[str, FieldInput], user: Any
) -> list[str]:
    """Save what an editor entered for one language; returns the fields that changed.

    A changed text is stored as a human translation of the current German text. An unchanged
    text is left as it is (its origin stays honest), unless it was outdated and the editor
    confirmed that it still fits the German text, which records the current German version.
    An emptied field removes the translation.
    """
    _check_language(language)
    current = translation_status(service, language)
    changed = []
    for field, item in entered.items():
        if field not in current:
            raise TranslationError(_("This field of an offer cannot be translated."), field)
        state = current[field]
        text = item.text.strip()
        if not text:
            if state.translation is not None:
                remove_translation(service, language, field, user)
                changed.append(field)
            continue
        if state.translation is None or text != state.translation.text:
            save_translation(service, language, field, text, TranslationOrigin.HUMAN, user)
            changed.append(field)
        elif state.status == TranslationStatus.OUTDATED and item.confirm:
            save_translation(service, language, field, text, state.translation.origin, user)
            changed.append(field)
    return changed
