"""Language choice, RTL and the completeness of the compiled catalogues."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from kinetz.core.languages import RTL_LANGUAGES

LOCALE = Path(__file__).resolve().parents[2] / "kinetz" / "locale"
BASE_STRINGS = ["Skip to main content", "Sign in", "Language", "Main navigation", "Overview"]


def html_tag(response: object) -> str:
    match = re.search(r"<html[^>]*>", response.content.decode())  # type: ignore[attr-defined]
    assert match
    return match.group(0)


@pytest.mark.django_db
def test_start_page_is_german_by_default(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="de"' in html_tag(response)
    assert 'dir="ltr"' in html_tag(response)
    assert "Zum Hauptinhalt springen" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(RTL_LANGUAGES))
def test_rtl_languages_are_served_right_to_left(client: Client, code: str) -> None:
    response = client.get(f"/?lang={code}")
    assert f'lang="{code}"' in html_tag(response)
    assert 'dir="rtl"' in html_tag(response)


@pytest.mark.django_db
def test_chosen_language_is_remembered_across_pages(client: Client) -> None:
    client.get("/?lang=uk")
    response = client.get("/accounts/login/")
    assert 'lang="uk"' in html_tag(response)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["xx", "klingon", "", "../../etc"])
def test_unknown_language_falls_back_to_german(client: Client, value: str) -> None:
    response = client.get("/", {"lang": value})
    assert response.status_code == 200
    assert 'lang="de"' in html_tag(response)


@pytest.mark.django_db
def test_switcher_offers_every_language_keeping_the_query(client: Client) -> None:
    content = client.get("/accounts/login/?next=/overview/").content.decode()
    for code, _name in settings.LANGUAGES:
        assert f'hreflang="{code}"' in content
    assert "next=%2Foverview%2F&amp;lang=ar" in content


@pytest.mark.parametrize("code", [c for c, _ in settings.LANGUAGES if c != "en"])
def test_every_language_translates_the_base_layout(code: str) -> None:
    with translation.override(code):
        untranslated = [s for s in BASE_STRINGS if translation.gettext(s) == s]
    assert untranslated == []


def po_msgids(path: Path) -> set[str]:
    """The msgids of a .po file (header and obsolete entries left out)."""
    ids: set[str] = set()
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[6:])]
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            if current is not None and "".join(current):
                ids.add("".join(current))
            current = None
    return ids


@pytest.mark.parametrize("code", [c for c, _ in settings.LANGUAGES if c != "en"])
def test_compiled_catalogue_translates_every_message(code: str) -> None:
    every_message = po_msgids(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    # Keys are "msgid", "context\x04msgid", or (msgid, plural form) tuples.
    translated = {
        (key if isinstance(key, str) else key[0]).split("\x04")[-1]
        for key, value in catalogue.items()
        if value
    }
    missing = sorted(every_message - translated)
    assert missing == [], f"{code}: {len(missing)} messages without translation, e.g. {missing[:3]}"
