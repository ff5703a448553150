"""The normalisers put the spellings of one value into one form before Splink compares."""

import pytest

from kinetz.coordination import normalise


@pytest.mark.parametrize(
    "raw",
    ["+49 2821 000123", "02821/000123", "02821 000 123", "(02821) 000-123", "0049 2821 000123"],
)
def test_phone_numbers_in_any_format_become_national_digits(raw: str) -> None:
    assert normalise.phone(raw) == "02821000123"


def test_foreign_phone_number_stays_international() -> None:
    assert normalise.phone("+31 24 1234567") == "0031241234567"


def test_web_address_becomes_its_host_without_www() -> None:
    assert normalise.web_host("https://www.VHS-Kleve.example.org/kurse?x=1") == (
        "vhs-kleve.example.org"
    )
    assert normalise.web_host("vhs-kleve.example.org") == "vhs-kleve.example.org"


def test_email_is_lowercased_and_trimmed() -> None:
    assert normalise.email("  Info@VHS-Kleve.example.org ") == "info@vhs-kleve.example.org"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Caritasverband Kleve e.V.", "Caritasverband Kleve"),
        ("AWO Kreisverband Kleve e.V.", "Arbeiterwohlfahrt Kreisverband Kleve"),
        ("DRK-Ortsverein Emmerich", "Deutsches Rotes Kreuz Ortsverein Emmerich e. V."),
        ("VHS Gelderland", "Volkshochschule Gelderland"),
        ("KI Kreis Kleve", "Kommunales Integrationszentrum Kreis Kleve"),
        ("Ev. Kirchengemeinde Goch", "Evangelische Kirchengemeinde Goch"),
        ("Kath. Grundschule St. Peter", "Katholische Grundschule Sankt Peter"),
        ("Bildungswerk Rhein-Maas gGmbH", "Bildungswerk Rhein-Maas"),
    ],
)
def test_organisation_name_variants_normalise_alike(left: str, right: str) -> None:
    assert normalise.name(left) == normalise.name(right)


def test_evangelisch_is_not_taken_for_a_legal_form() -> None:
    assert normalise.name("Ev. Familienzentrum e.V.") == "evangelisch familienzentrum"


@pytest.mark.parametrize("raw", ["Hagsche Str. 7", "Hagsche Strasse 7", "Hagsche Straße 7"])
def test_street_spellings_normalise_alike(raw: str) -> None:
    assert normalise.street(raw) == "hagsche straße 7"


def test_joined_street_names_normalise_alike() -> None:
    assert normalise.street("Hauptstr. 5") == normalise.street("Hauptstraße 5")


def test_postcode_keeps_five_digits_only() -> None:
    assert normalise.postcode(" 47533 ") == "47533"
    assert normalise.postcode("D-4753") == ""


@pytest.mark.parametrize(
    ("word", "code"),
    [("Müller", "657"), ("Wikipedia", "3412"), ("Breschnew", "17863"), ("Christoph", "47823")],
)
def test_cologne_phonetic_codes_match_the_published_examples(word: str, code: str) -> None:
    assert normalise.cologne_phonetic(word) == code


def test_names_that_sound_alike_share_a_phonetic_code() -> None:
    assert normalise.cologne_phonetic("Maier") == normalise.cologne_phonetic("Meyer") == "67"


def test_a_late_typo_keeps_the_blocking_key() -> None:
    key = normalise.name_key(normalise.name("Caritasverband Kleve"))
    assert key == normalise.name_key(normalise.name("Caritasverbnd Kleve"))
    assert key == normalise.name_key(normalise.name("Caritas Verband Kleve"))


def test_schedule_signature_holds_weekdays_and_opening_time() -> None:
    signature = normalise.schedule_signature([("WE,MO", "9:00"), ("1TU", "14:30"), ("", "")])
    assert signature == "MO,WE 09:00; TU 14:30"


def test_schedule_signature_differs_for_another_time() -> None:
    morning = normalise.schedule_signature([("MO,WE", "09:00")])
    evening = normalise.schedule_signature([("MO,WE", "18:00")])
    assert morning != evening


def test_description_tokens_ignore_stopwords_and_word_endings() -> None:
    tokens = normalise.description_tokens("Wir lernen Deutsch; die Sprachkurse sind kostenlos.")
    assert tokens == ["deutsc", "kosten", "lernen", "sprach"]
    assert normalise.description_tokens("Sprachkurs") == normalise.description_tokens("Sprache")


@pytest.mark.parametrize(
    "function",
    [
        normalise.phone,
        normalise.email,
        normalise.web_host,
        normalise.name,
        normalise.street,
        normalise.postcode,
        normalise.cologne_phonetic,
    ],
)
def test_empty_input_gives_empty_output(function: object) -> None:
    assert function("") == ""  # type: ignore[operator]
