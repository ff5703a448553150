"""Normalisers for record linkage: one small function per field.

Duplicates rarely differ in meaning, mostly in spelling: `02821/000123` and `+49 2821 000123`,
`Caritasverband Kleve e.V.` and `Caritas-Verband Kleve`, `Hagsche Str. 7` and `Hagsche Straße 7`.
Putting every value into one canonical form before Splink compares them lets the comparisons
measure real differences only. Every function takes raw text and returns "" for nothing usable.
"""

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

_NON_DIGITS = re.compile(r"\D+")
_WORDS = re.compile(r"[a-z0-9äöüß]+")
_SPACES = re.compile(r"\s+")

# Abbreviations expanded word by word (after lowercasing, before punctuation is removed, so
# that "str." can be told from a word that merely starts with "str").
_ABBREVIATIONS = {
    "str.": "straße",
    "str": "straße",
    "strasse": "straße",
    "ev.": "evangelisch",
    "evang.": "evangelisch",
    "evangelische": "evangelisch",
    "evangelischer": "evangelisch",
    "evangelisches": "evangelisch",
    "kath.": "katholisch",
    "katholische": "katholisch",
    "katholischer": "katholisch",
    "katholisches": "katholisch",
    "drk": "deutsches rotes kreuz",
    "drk-kreisverband": "deutsches rotes kreuz kreisverband",
    "drk-ortsverein": "deutsches rotes kreuz ortsverein",
    "awo": "arbeiterwohlfahrt",
    "vhs": "volkshochschule",
    "vhs-haus": "volkshochschule haus",
    "ki": "kommunales integrationszentrum",
    "int.": "international",
    "intern.": "international",
    "st.": "sankt",
    "hl.": "heilig",
    "dt.": "deutsch",
    "kr.": "kreis",
    "ggs": "gemeinschaftsgrundschule",
    "kgs": "katholische grundschule",
    "fz": "familienzentrum",
}

# Legal forms and filler words that say nothing about which organisation is meant.
_LEGAL_FORMS = re.compile(
    r"\b(?:e\.\s*v\.|ev|e\s+v|g?gmbh|gmbh\s*&\s*co\.?\s*kg|mbh|ggug|kdör|"
    r"gemeinnützige[rs]?|gemeinnützig|eingetragener\s+verein|körperschaft\s+des\s+"
    r"öffentlichen\s+rechts)(?=\W|$)",
)

# "Hauptstr. 5", "Hauptstrasse 5" and "Hauptstraße 5" all become "haupt straße 5".
_STREET_SUFFIX = re.compile(r"(?<=\w)(?:str\.?|strasse|straße)(?=\W|\d|$)")


def _fold(text: str) -> str:
    """Lowercase, NFC, unify dashes and quotes."""
    text = unicodedata.normalize("NFC", text or "").lower()
    return text.replace("–", "-").replace("—", "-").replace("„", '"').replace("“", '"')


def _expand(text: str) -> str:
    words = [_ABBREVIATIONS.get(word, word) for word in text.split()]
    return " ".join(words)


def _clean(text: str) -> str:
    return " ".join(_WORDS.findall(text))


def phone(raw: str) -> str:
    """Digits in national form: +49 2821 000123, 02821/000123 → 02821000123."""
    digits = _NON_DIGITS.sub("", raw or "")
    stripped = (raw or "").strip()
    if stripped.startswith("+49"):
        digits = "0" + digits[2:]
    elif digits.startswith("0049"):
        digits = "0" + digits[4:]
    elif stripped.startswith("+"):
        digits = "00" + digits  # a foreign number stays international
    return digits if len(digits) >= 5 else ""


def email(raw: str) -> str:
    return (raw or "").strip().lower()


def web_host(raw: str) -> str:
    """The host of a web address without "www.": https://www.vhs-kleve.de/x → vhs-kleve.de."""
    text = (raw or "").strip().lower()
    if not text:
        return ""
    if "//" not in text:
        text = "//" + text
    host = urlsplit(text).hostname or ""
    return host.removeprefix("www.")


def name(raw: str) -> str:
    """An organisation's or offer's name with legal forms, punctuation and abbreviations
    smoothed out: "DRK-Kreisverband Kleve-Geldern e.V." → "deutsches rotes kreuz kreisverband
    kleve geldern"."""
    # Expand first: "Ev." is "evangelisch", while a bare "ev"/"e.V." is the legal form.
    text = _expand(_fold(raw))
    text = _LEGAL_FORMS.sub(" ", text)
    text = _STREET_SUFFIX.sub(" straße", text)
    return _clean(text)


def street(raw: str) -> str:
    """Street and number: "Hagsche Str. 7" and "Hagsche Strasse 7" → "hagsche straße 7"."""
    text = _fold(raw)
    text = _STREET_SUFFIX.sub(" straße", text)
    text = _expand(text)
    return _clean(text)


def postcode(raw: str) -> str:
    digits = _NON_DIGITS.sub("", raw or "")
    return digits if len(digits) == 5 else ""


# Descriptions ----------------------------------------------------------------------------

_STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "also",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bin",
        "bis",
        "bist",
        "dann",
        "darum",
        "dass",
        "dein",
        "deine",
        "dem",
        "den",
        "denen",
        "der",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "euch",
        "euer",
        "eure",
        "für",
        "gegen",
        "haben",
        "hat",
        "hatte",
        "hier",
        "hin",
        "hinter",
        "ihr",
        "ihre",
        "ihrem",
        "ihren",
        "ihrer",
        "ihres",
        "im",
        "in",
        "ins",
        "ist",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "kann",
        "kein",
        "keine",
        "können",
        "man",
        "mit",
        "muss",
        "nach",
        "nicht",
        "noch",
        "nur",
        "oder",
        "ohne",
        "sehr",
        "sein",
        "seine",
        "sich",
        "sie",
        "sind",
        "so",
        "über",
        "um",
        "und",
        "uns",
        "unser",
        "unter",
        "vom",
        "von",
        "vor",
        "war",
        "wie",
        "wir",
        "wird",
        "wo",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "werden",
        "wurde",
        "sowie",
        "gibt",
        "etwa",
        "ganz",
        "mehr",
        "einmal",
        "immer",
    ]
)


def description_tokens(raw: str, stem: int = 6) -> list[str]:
    """The distinct content words of a text, cut to their first `stem` letters: a crude German
    stemmer that lets "Kurse"/"Kurs" and "lernen"/"lernt" meet. Sorted, for a stable array."""
    words = _WORDS.findall(_fold(raw))
    return sorted({w[:stem] for w in words if len(w) > 3 and w not in _STOPWORDS})


# Schedules -------------------------------------------------------------------------------

_DAY_ORDER = {day: i for i, day in enumerate(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))}
_DAY = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})")


def _time(raw: str) -> str:
    match = _TIME.match(raw or "")
    return f"{int(match[1]):02d}:{match[2]}" if match else ""


def schedule_signature(schedules: Iterable[tuple[str, str]]) -> str:
    """Weekdays and opening time of an offer's schedules, e.g. "MO,WE 09:00; FR 15:00".

    Takes (byday, opens_at) pairs; ordinals of monthly rules ("1TU") are kept out, because a
    course on the first or the last Tuesday is still the Tuesday course. "" when no schedule
    names a day or a time (by appointment).
    """
    parts = set()
    for byday, opens_at in schedules:
        days = sorted(set(_DAY.findall((byday or "").upper())), key=_DAY_ORDER.__getitem__)
        when = _time(opens_at)
        if days or when:
            parts.add(f"{','.join(days)} {when}".strip())
    return "; ".join(sorted(parts))


# Phonetic key ----------------------------------------------------------------------------

_COLOGNE_SIMPLE = {
    **dict.fromkeys("aeijouyäöü", "0"),
    "h": "",
    "b": "1",
    **dict.fromkeys("fvw", "3"),
    **dict.fromkeys("gkq", "4"),
    "l": "5",
    **dict.fromkeys("mn", "6"),
    "r": "7",
    **dict.fromkeys("sz", "8"),
    "ß": "8",
}


def _cologne_code(word: str, i: int) -> str:
    """The Kölner Phonetik digit(s) of the letter at position i of a lowercase word."""
    char = word[i]
    before = word[i - 1] if i > 0 else ""
    after = word[i + 1] if i + 1 < len(word) else ""
    if char in _COLOGNE_SIMPLE:
        return _COLOGNE_SIMPLE[char]
    if char == "p":
        return "3" if after == "h" else "1"
    if char in "dt":
        return "8" if after in "csz" else "2"
    if char == "x":
        return "8" if before in "ckq" else "48"
    if char == "c":
        if i == 0:
            return "4" if after in "ahkloqrux" else "8"
        if before in "sz":
            return "8"
        return "4" if after in "ahkoqux" else "8"
    return ""  # digits and anything else carry no sound


def cologne_phonetic(text: str) -> str:
    """Kölner Phonetik (Postel 1969) of each word, joined by spaces: the German counterpart
    of Soundex, so that "Maier", "Meyer" and "Mayr" share a key ("67")."""
    codes = []
    for word in _WORDS.findall(_fold(text)):
        raw = "".join(_cologne_code(word, i) for i in range(len(word)))
        collapsed = "".join(d for j, d in enumerate(raw) if j == 0 or d != raw[j - 1])
        key = collapsed[:1] + collapsed[1:].replace("0", "")
        if key:
            codes.append(key)
    return " ".join(codes)


def name_key(normalised_name: str, digits: int = 6) -> str:
    """A blocking key: the first `digits` digits of the phonetic code of a normalised name with
    its spaces removed, so that a late typo ("Caritasverbnd"), a missing suffix or a split
    word ("Caritas Verband") still lands in the same block."""
    return cologne_phonetic(normalised_name.replace(" ", ""))[:digits]
