"""What a query says besides its need: a town it names, a language it asks for, an age.

"Hausaufgabenhilfe Goch" or "دورة الماني في غوخ" name a municipality; "Beratung auf Türkisch" or
"ajutor in limba romana" ask for a language. Left in the text, a town name pulls the embedding
and BM25 towards offers that merely mention the town ("Integrationsrat der Stadt Goch"), so
search.py embeds the query without it and instead ranks offers located there (or given in the
asked-for language) in lists of their own. Matching is on folded words (kinetz.finder.thesaurus
.fold): case, diacritics and an Arabic proclitic (في/ب/و…) do not matter; Latin town names come
from the database, other scripts from the small table below (written by us). An age ("my 15 yo
son", "ابني عمره ٣ سنين", "ребенок 8 лет") lets search.py push back offers whose age range
excludes it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kinetz.finder.thesaurus import fold, stem_pattern

# Spellings of the Kreis Kleve municipalities in Arabic, Persian and Cyrillic script, keyed by
# the municipality slug. Latin spellings are the names in the database.
OTHER_SCRIPT_PLACES: dict[str, tuple[str, ...]] = {
    "kleve": ("كليفه", "كليفة", "كليف", "کلوه", "کلِوه", "клеве"),
    "goch": ("غوخ", "جوخ", "گوخ", "гох"),
    "emmerich-am-rhein": ("إميريش", "اميريش", "إمريش", "امریش", "امریخ", "еммеріх", "эммерих"),
    "geldern": ("غيلدرن", "جلدرن", "گلدرن", "гельдерн"),
    "kevelaer": ("كيفيلار", "كفيلار", "کولار", "کِوِلار", "кевелар", "кевелаер"),
    "rees": ("ريس",),
    "kalkar": ("كالكار", "کالکار", "калькар", "калкар"),
    "straelen": ("شترالن", "اشترالن", "штрален"),
    "bedburg-hau": ("بيدبورغ", "бедбург"),
    "kranenburg": ("كرانينبورغ", "کراننبورگ", "краненбург"),
    "weeze": ("فيزه", "ويزه", "везе", "веезе"),
    "issum": ("إيسوم", "ایسوم", "иссум", "іссум"),
    "kerken": ("كيركن", "کرکن", "керкен"),
    "uedem": ("أويدم", "юдем", "уедем"),
    "wachtendonk": ("فاختندونك", "вахтендонк"),
    "rheurdt": ("رويردت", "рейрдт", "ройрдт"),
}
# Words before a town name that make it the district, not the town ("Kreis Kleve").
_DISTRICT_WORDS = {"kreis", "landkreis", "district", "county", "powiat", "judetul", "район"}
# Arabic and Persian prepositions written together with the next word: بكليفه, لغوخ.
_PROCLITICS = ("وب", "في", "ب", "ل", "و", "ف")
# Case and postposition endings after a town name: "в Гельдерне", "Kleve'de", "Goch'ta".
_MAX_ENDING = 3

# Words that ask for a language, in the languages of the finder (stems, folded).
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "ar": (
        "arabisch",
        "arabic",
        "in arabic",
        "عربي",
        "العربية",
        "بالعربي",
        "عربی",
        "arapça",
        "арабськ",
        "арабск",
        "arabsk",
        "limba araba",
    ),
    "tr": (
        "türkisch",
        "turkish",
        "türkçe",
        "تركي",
        "بالتركي",
        "ترکی",
        "турецьк",
        "турецк",
        "turecki",
        "po turecku",
        "limba turca",
    ),
    "uk": (
        "ukrainisch",
        "ukrainian",
        "українськ",
        "украинск",
        "ukraińsk",
        "po ukraińsku",
        "ucrainean",
        "ukraynaca",
        "أوكراني",
        "اوکراینی",
    ),
    "ru": (
        "russisch",
        "russian",
        "російськ",
        "русск",
        "по-русски",
        "rosyjsk",
        "po rosyjsku",
        "rusça",
        "limba rusa",
        "روسي",
        "روسی",
    ),
    "fa": ("persisch", "farsi", "persian", "فارسی", "فارسي", "dari", "دری", "perski", "farsça"),
    "pl": ("polnisch", "polish", "po polsku", "polsk", "polonez", "lehçe", "польськ", "польск"),
    "ro": (
        "rumänisch",
        "romanian",
        "limba romana",
        "în română",
        "romaneste",
        "românește",
        "rumuńsk",
        "po rumuńsku",
        "румунськ",
        "румынск",
        "rumence",
    ),
    "bg": ("bulgarisch", "bulgarian", "българск", "bulgarsk", "bulgarca", "limba bulgara"),
    "en": (
        "englisch",
        "in english",
        "english speaking",
        "english-speaking",
        "английск",
        "англійськ",
        "ingilizce",
        "po angielsku",
        "limba engleza",
        "انگلیسی",
        "انجليزي",
        "بالانجليزي",
        "بالإنجليزي",
    ),
    "ku": ("kurdisch", "kurdish", "kürtçe", "کوردی", "كردي", "kurmanc"),
}
_LANGUAGE_PATTERNS = {code: stem_pattern(words) for code, words in LANGUAGE_WORDS.items()}
_WORD = re.compile(r"[\w'’-]+")

# A number of years or months and its unit, on folded text (fold() also makes all digits
# Western): "15 yo", "8-летний", "3 سنين", "17 ساله", "8 yasinda", "20 de ani", "6 Monate".
_YEARS = (
    r"years?\b|yrs?\b|yo\b|y/o|year-old|jahr|j\.|سن|عام|اعوام|سال|yas|рок|рік|річн|лет|"
    r"год|летн|lat\b|lata\b|letni|rok|ani\b|an\b"
)
_MONTHS = r"months?\b|monat|شهر|اشهر|ماه|ay\b|aylik|місяц|месяц|miesi|luni\b"
_AGE = re.compile(
    r"(?<![\d.,§])(\d{1,2})(?![\d.,])\s*-?\s*(?:de\s+)?(?:(?P<years>"
    + _YEARS
    + ")|(?P<months>"
    + _MONTHS
    + "))"
)


@dataclass(frozen=True)
class QueryHints:
    text: str  # the query without the town names it contains
    places: list[str] = field(default_factory=list)  # municipality slugs
    languages: list[str] = field(default_factory=list)  # ISO 639-1 codes
    age: int | None = None  # the age of the person the query is about, in years


def _place_table(latin_names: Iterable[tuple[str, str]]) -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for slug, name in latin_names:
        for spelling in {name, slug.replace("-", " "), name.replace("-", " ")}:
            table[tuple(fold(spelling).split())] = slug
    for slug, spellings in OTHER_SCRIPT_PLACES.items():
        for spelling in spellings:
            table[tuple(fold(spelling).split())] = slug
    return table


def _word_matches(word: str, name: str) -> bool:
    if word == name:
        return True
    candidates = [word]
    candidates += [word[len(p) :] for p in _PROCLITICS if word.startswith(p)]
    return any(
        c.startswith(name) and len(c) - len(name) <= _MAX_ENDING and len(name) >= 3
        for c in candidates
    )


def read_hints(query: str, municipalities: Iterable[tuple[str, str]]) -> QueryHints:
    """Town names and asked-for languages of `query`; `municipalities` are (slug, name)."""
    table = _place_table(municipalities)
    longest = max((len(key) for key in table), default=1)
    words = [(m.start(), m.end(), fold(m.group()).strip("'’-")) for m in _WORD.finditer(query)]
    places: list[str] = []
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        matched = 0
        for size in range(min(longest, len(words) - i), 0, -1):
            window = [w[2] for w in words[i : i + size]]
            for key, slug in table.items():
                if len(key) != size or window[:-1] != list(key[:-1]):
                    continue
                if not _word_matches(window[-1], key[-1]):
                    continue
                if i > 0 and words[i - 1][2] in _DISTRICT_WORDS:
                    continue
                if slug not in places:
                    places.append(slug)
                matched = size
                break
            if matched:
                break
        if matched:
            cut.append((words[i][0], words[i + matched - 1][1]))
            i += matched
        else:
            i += 1
    text = query
    for start, end in reversed(cut):
        text = text[:start] + " " + text[end:]
    folded = fold(query)
    languages = [code for code, pattern in _LANGUAGE_PATTERNS.items() if pattern.search(folded)]
    return QueryHints(
        text=" ".join(text.split()), places=places, languages=languages, age=read_age(query)
    )


def read_age(query: str) -> int | None:
    """The first age the query states, in whole years (months count as 0)."""
    match = _AGE.search(fold(query))
    if match is None:
        return None
    return 0 if match.group("months") else int(match.group(1))
