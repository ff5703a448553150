"""The hybrid search: cross-lingual retrieval, typo tolerance, filters, bad input, index updates.

Real Tantivy and the real embedding model on a handful of offers in a tmp index directory; the
embedding cache in that directory is shared by the module, so the model embeds each text once.
"""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kinetz.finder import index as search_index
from kinetz.finder.search import Filters, make_filters, search
from kinetz.offers.models import (
    CostOption,
    Location,
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceLanguage,
)
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ServiceFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)

OFFERS: list[dict[str, Any]] = [
    {
        "key": "deutsch",
        "name": "Deutschkurs für Frauen mit Kinderbetreuung",
        "description": "Deutsch lernen in kleinen Gruppen; während des Kurses werden die "
        "Kinder betreut.",
        "place": "kleve",
        "terms": ["hf-sprache", "zg-frauen"],
        "languages": ["de", "ar"],
        "fee": 0,
        "byday": "TU,TH",
    },
    {
        "key": "schwimmen",
        "name": "Schwimmkurs für Frauen",
        "description": "Schwimmen lernen im Hallenbad, nur für Frauen, mit Trainerin.",
        "place": "goch",
        "terms": ["hf-freizeit", "zg-frauen"],
        "languages": ["de"],
        "fee": 20,
        "byday": "SA",
    },
    {
        "key": "wohnen",
        "name": "Wohnungssuche: Beratung und Begleitung",
        "description": "Hilfe bei der Suche nach einer Mietwohnung, Wohnberechtigungsschein, "
        "Gespräche mit Vermietern.",
        "place": "goch",
        "terms": ["hf-wohnen"],
        "languages": ["uk", "ru"],
        "fee": 0,
        "byday": "MO",
    },
    {
        "key": "psyche",
        "name": "Psychologische Beratung für Geflüchtete",
        "description": "Gespräche bei Angst, Schlaflosigkeit und Belastung nach Krieg und Flucht.",
        "place": "kleve",
        "terms": ["hf-gesundheit"],
        "languages": ["fa", "ar"],
        "fee": 0,
        "byday": "WE",
    },
    {
        "key": "hausaufgaben",
        "name": "Hausaufgabenhilfe für Grundschulkinder",
        "description": "Ehrenamtliche helfen Kindern nachmittags bei den Hausaufgaben.",
        "place": "kleve",
        "terms": ["hf-bildung", "zg-kinder"],
        "languages": ["de", "tr"],
        "fee": 0,
        "byday": "MO,TU,WE,TH",
    },
    {
        "key": "fussball-kinder",
        "name": "Fußball-AG für Kinder",
        "description": "Fußball spielen nach der Schule, für Kinder von 6 bis 10 Jahren.",
        "place": "kleve",
        "terms": ["hf-freizeit", "zg-kinder"],
        "languages": ["de"],
        "fee": 5,
        "byday": "FR",
        "ages": (6, 10),
    },
    {
        "key": "fussball-jugend",
        "name": "Fußballtraining für Jugendliche",
        "description": "Offenes Training auf dem Sportplatz, ab 14 Jahren.",
        "place": "kleve",
        "terms": ["hf-freizeit"],
        "languages": ["de"],
        "fee": 5,
        "byday": "WE",
        "ages": (14, None),
    },
]

COORDINATES = {"kleve": (51.79, 6.14), "goch": (51.68, 6.16)}


@pytest.fixture(scope="module")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("search-index")


@pytest.fixture
def catalogue(db: None, settings: Any, index_root: Path, region: Any) -> dict[str, Any]:
    settings.KINETZ_SEARCH_INDEX_DIR = index_root
    municipalities = {
        slug: MunicipalityFactory(
            region=region,
            slug=slug,
            name=slug.title(),
            centroid_lat=COORDINATES[slug][0],
            centroid_lon=COORDINATES[slug][1],
        )
        for slug in COORDINATES
    }
    handlungsfeld = TaxonomyFactory(vocabulary="handlungsfeld")
    zielgruppe = TaxonomyFactory(vocabulary="zielgruppe", name="Zielgruppe")
    codes = sorted({code for offer in OFFERS for code in offer["terms"]})
    terms = {
        code: TaxonomyTermFactory(
            taxonomy=handlungsfeld if code.startswith("hf-") else zielgruppe,
            code=code,
            name=code[3:].title(),
        )
        for code in codes
    }
    organization = OrganizationFactory(region=region, name="Integrationsagentur Kreis Kleve")
    services: dict[str, Service] = {}
    for offer in OFFERS:
        service = ServiceFactory(
            organization=organization,
            region=region,
            name=offer["name"],
            description=offer["description"],
            minimum_age=offer.get("ages", (None, None))[0],
            maximum_age=offer.get("ages", (None, None))[1],
        )
        lat, lon = COORDINATES[offer["place"]]
        location = Location.objects.create(
            region=region,
            organization=organization,
            name=f"Treffpunkt {offer['place']}",
            latitude=lat,
            longitude=lon,
            municipality=municipalities[offer["place"]],
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        for code in offer["terms"]:
            ServiceAttribute.objects.create(service=service, taxonomy_term=terms[code])
        for code in offer["languages"]:
            ServiceLanguage.objects.create(service=service, code=code)
        CostOption.objects.create(service=service, amount=Decimal(offer["fee"]), currency="EUR")
        Schedule.objects.create(service=service, freq="WEEKLY", byday=offer["byday"])
        services[offer["key"]] = service
    draft = ServiceFactory(
        organization=organization,
        region=region,
        name="Entwurf: Schachclub für Frauen",
        description="Schach spielen, Deutschkurs danach.",
        review_state=ReviewState.DRAFT,
    )
    services["draft"] = draft
    search_index.build_generation()
    return {"services": services, "municipalities": municipalities, "terms": terms}


def ids(hits: list[Any]) -> list[str]:
    return [hit.id for hit in hits]


def test_arabic_need_finds_the_german_offer_at_the_top(catalogue: dict[str, Any]) -> None:
    hits = search("دورة لغة ألمانية للنساء", lang="ar")
    assert hits[0].id == str(catalogue["services"]["deutsch"].pk)


def test_ukrainian_need_finds_the_german_offer_at_the_top(catalogue: dict[str, Any]) -> None:
    hits = search("допомога з пошуком квартири", lang="uk")
    assert hits[0].id == str(catalogue["services"]["wohnen"].pk)


def test_persian_need_finds_the_counselling(catalogue: dict[str, Any]) -> None:
    hits = search("مشاوره روانشناسی برای پناهندگان", lang="fa")
    assert hits[0].id == str(catalogue["services"]["psyche"].pk)


@pytest.mark.parametrize("query", ["Schwimkurs", "Schwimmkurz Frauen", "Hausaufgabenhilef"])
def test_misspelled_german_still_finds_the_offer(catalogue: dict[str, Any], query: str) -> None:
    expected = "hausaufgaben" if query.startswith("Haus") else "schwimmen"
    assert search(query)[0].id == str(catalogue["services"][expected].pk)


def test_drafts_are_never_found(catalogue: dict[str, Any]) -> None:
    draft = str(catalogue["services"]["draft"].pk)
    assert draft not in ids(search("Schachclub", limit=100))
    assert draft not in ids(search("", limit=100))


def test_empty_query_browses_published_offers_by_name(catalogue: dict[str, Any]) -> None:
    names = [hit.name for hit in search("", limit=100)]
    assert names == sorted(offer["name"] for offer in OFFERS)
    assert all(hit.score == 0 for hit in search("   "))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"municipality": "goch"}, {"schwimmen", "wohnen"}),
        ({"near": "goch", "radius_km": 5}, {"schwimmen", "wohnen"}),
        ({"near": "kleve", "radius_km": 50}, {k["key"] for k in OFFERS}),
        ({"handlungsfeld": "hf-sprache"}, {"deutsch"}),
        ({"zielgruppe": "zg-frauen"}, {"deutsch", "schwimmen"}),
        ({"language": "ar"}, {"deutsch", "psyche"}),
        ({"free": True}, {"deutsch", "wohnen", "psyche", "hausaufgaben"}),
        ({"weekday": "sa"}, {"schwimmen"}),
        ({"weekday": "mo", "municipality": "kleve"}, {"hausaufgaben"}),
    ],
)
@pytest.mark.parametrize("query", ["", "Kurs Beratung Hilfe Frauen Kinder"])
def test_filters(
    catalogue: dict[str, Any], filters: dict[str, Any], expected: set[str], query: str
) -> None:
    hits = search(query, filters=make_filters(**filters), limit=100)
    keys = {key for key, service in catalogue["services"].items() if str(service.pk) in ids(hits)}
    if query:
        assert keys <= expected  # lexical and dense lists only ever return allowed offers
        assert keys
    else:
        assert keys == expected


def test_near_a_postcode(catalogue: dict[str, Any]) -> None:
    from kinetz.offers.models import Address

    location = catalogue["services"]["wohnen"].at_locations.get().location
    Address.objects.create(
        location=location,
        address_1="Markt 1",
        city="Goch",
        postal_code="47574",
        state_province="NRW",
        country="DE",
        address_type="physical",
    )
    hits = search("", filters=make_filters(near="47574", radius_km=3), limit=100)
    assert {hit.name for hit in hits} == {
        "Schwimmkurs für Frauen",
        "Wohnungssuche: Beratung und Begleitung",
    }


def test_a_very_long_query_is_cut_and_answered(catalogue: dict[str, Any]) -> None:
    hits = search("Deutschkurs " + "x" * 5000)
    assert hits[0].id == str(catalogue["services"]["deutsch"].pk)


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script> Deutschkurs",
        "'; DROP TABLE offers_service; -- Deutschkurs",
        'Deutschkurs" OR 1=1 AND name:* title:[a TO z]',
        "\x00\x07 Deutschkurs \u202e",
    ],
)
def test_markup_and_sql_in_queries_are_inert(catalogue: dict[str, Any], query: str) -> None:
    hits = search(query)
    assert hits[0].id == str(catalogue["services"]["deutsch"].pk)
    assert Service.objects.count() == len(OFFERS) + 1


def test_publish_change_and_archive_reach_the_index_through_the_task(
    catalogue: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    draft = catalogue["services"]["draft"]
    with django_capture_on_commit_callbacks(execute=True):
        draft.review_state = ReviewState.PUBLISHED
        draft.save()
    assert search("Schachclub")[0].id == str(draft.pk)

    with django_capture_on_commit_callbacks(execute=True):
        draft.name = "Schachtreff am Abend"
        draft.save()
    hits = search("Schachtreff")
    assert hits[0].id == str(draft.pk)
    assert hits[0].name == "Schachtreff am Abend"

    wohnen = catalogue["services"]["wohnen"]
    with django_capture_on_commit_callbacks(execute=True):
        wohnen.review_state = ReviewState.ARCHIVED
        wohnen.save()
    assert str(wohnen.pk) not in ids(search("Wohnungssuche", limit=100))
    assert str(wohnen.pk) not in ids(search("", limit=100))
    assert search_index.status()["pending_changes"] == 2


def test_rebuild_swaps_generations_while_a_reader_keeps_serving(
    catalogue: dict[str, Any],
) -> None:
    before = search_index.reader()
    old_path = before.path
    assert search("Deutschkurs")
    call_command("search_index", "rebuild", stdout=StringIO())
    # The old generation is still readable by a process that has it open ...
    assert old_path.exists()
    assert before.tantivy.searcher().num_docs == len(OFFERS)
    # ... and the next request switches to the new one.
    after = search_index.reader()
    assert after.path != old_path
    assert search("Deutschkurs")[0].id == str(catalogue["services"]["deutsch"].pk)


def test_api_answers_the_contract(catalogue: dict[str, Any], client: Client) -> None:
    response = client.get("/api/v1/search", {"q": "Schwimmkurs", "lang": "de", "limit": 2})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    assert set(results[0]) == {"id", "score", "name"}
    assert results[0]["name"] == "Schwimmkurs für Frauen"
    assert results[0]["score"] >= results[1]["score"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"municipality": "atlantis"}, "municipality"),
        ({"handlungsfeld": "hf-zauberei"}, "handlungsfeld"),
        ({"handlungsfeld": "zg-frauen"}, "handlungsfeld"),
        ({"zielgruppe": "drachen"}, "zielgruppe"),
        ({"language": "klingon"}, "language"),
        ({"weekday": "caturday"}, "weekday"),
        ({"near": "99999"}, "near"),
        ({"lang": "xx"}, "lang"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_api_rejects_unknown_filter_values(
    catalogue: dict[str, Any], client: Client, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/api/v1/search", {"q": "Kurs", **params})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{parameter}:")


def test_cli_json_equals_api_json(catalogue: dict[str, Any], client: Client) -> None:
    out = StringIO()
    call_command(
        "search", "курсы немецкого для женщин", "--lang", "ru", "--limit", "3", "--json", stdout=out
    )
    api = client.get(
        "/api/v1/search", {"q": "курсы немецкого для женщин", "lang": "ru", "limit": 3}
    ).json()
    assert json.loads(out.getvalue()) == api
    assert api["results"][0]["id"] == str(catalogue["services"]["deutsch"].pk)


def test_api_without_an_index_says_so(
    db: None, settings: Any, tmp_path: Path, client: Client
) -> None:
    settings.KINETZ_SEARCH_INDEX_DIR = tmp_path / "none"
    response = client.get("/api/v1/search", {"q": "Kurs"})
    assert response.status_code == 503


def test_saving_offers_without_an_index_changes_nothing(
    db: None, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KINETZ_SEARCH_INDEX_DIR = tmp_path / "none"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ServiceFactory()
    assert callbacks == []
    assert not (tmp_path / "none").exists()


def test_filters_default_to_none() -> None:
    assert Filters().facet_terms() == []


def test_thesaurus_matches_without_diacritics_and_after_arabic_proclitics() -> None:
    from kinetz.finder import thesaurus

    kita = "Kita Kita-Platz Brückenangebot Spielgruppe"
    assert kita in thesaurus.expansions_for("loc la gradinita")
    assert kita in thesaurus.expansions_for("محل بالروضة")
    youth_club = "Jugendtreff Jugendzentrum Jugendhaus Billard Kicker"
    assert youth_club in thesaurus.expansions_for("goch genclik merkezi")
    assert thesaurus.fold("Şeker Łódź ă") == "seker lodz a"
    assert thesaurus.expansions_for("Bürgerhaus") == []


def test_offer_vector_is_the_mean_of_its_passages(tmp_path: Path) -> None:
    import numpy as np

    from kinetz.finder.documents import OfferDocument, first_sentence

    assert first_sentence("Ein Kurs. Zweiter Satz.") == "Ein Kurs."
    docs = [
        OfferDocument("a", "A", "", "", "Deutschkurs", extra_passages=["Kurs", "Sprache"]),
        OfferDocument("b", "B", "", "", "Schwimmen"),
    ]
    cache = search_index.EmbeddingCache(tmp_path)
    vectors = search_index.offer_vectors(cache, docs, search_index.EmbeddingStats())
    single = cache.embed(
        ["Deutschkurs", "Kurs", "Sprache", "Schwimmen"], search_index.EmbeddingStats()
    )
    assert vectors.shape == (2, single.shape[1])
    np.testing.assert_allclose(vectors[0], single[:3].mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vectors[1], single[3], rtol=1e-5, atol=1e-6)


def test_a_town_named_in_the_query_is_read_as_a_place_not_as_a_need() -> None:
    from kinetz.finder.query_hints import read_hints

    towns = [("goch", "Goch"), ("kleve", "Kleve"), ("emmerich-am-rhein", "Emmerich am Rhein")]
    hints = read_hints("Hausaufgabenhilfe in Goch", towns)
    assert hints.places == ["goch"]
    assert hints.text == "Hausaufgabenhilfe in"
    assert read_hints("مقهى للأمهات في غوخ", towns).places == ["goch"]
    assert read_hints("консультация в Клеве", towns).places == ["kleve"]
    assert read_hints("ajutor in emmerich am rhein", towns).places == ["emmerich-am-rhein"]
    # "Kreis Kleve" is the district, not the town.
    assert read_hints("neu im Kreis Kleve", towns).places == []
    assert read_hints("Sprachkurs", towns) == read_hints("Sprachkurs", [])


def test_a_language_asked_for_in_the_query_is_recognised_in_several_scripts() -> None:
    from kinetz.finder.query_hints import read_hints

    assert read_hints("Beratung auf Türkisch", []).languages == ["tr"]
    assert read_hints("ajutor in limba romana cu scrisorile", []).languages == ["ro"]
    assert read_hints("مساعدة بالعربي", []).languages == ["ar"]
    assert read_hints("Deutschkurs für Anfänger", []).languages == []


def test_the_town_named_in_a_query_decides_between_similar_offers(
    catalogue: dict[str, Any],
) -> None:
    services = catalogue["services"]
    assert search("Kurs für Frauen in Goch")[0].id == str(services["schwimmen"].pk)
    assert search("Kurs für Frauen in Kleve")[0].id == str(services["deutsch"].pk)


def test_an_offer_in_the_asked_for_language_comes_first(catalogue: dict[str, Any]) -> None:
    services = catalogue["services"]
    assert search("Beratung auf Persisch")[0].id == str(services["psyche"].pk)
    assert search("Beratung auf Russisch")[0].id == str(services["wohnen"].pk)


def test_thesaurus_names_offer_types_in_every_script_and_keeps_specific_types_first() -> None:
    from kinetz.finder import thesaurus

    tenancy = "Mietrechtsberatung Mieterverein Mietvertrag Nebenkosten Mieterhöhung Kaution"
    assert tenancy in thesaurus.expansions_for("хозяин квартиры не возвращает залог")
    assert "Familiennachzug" in thesaurus.expansions_for("لم شمل زوجتي")
    homework = "Hausaufgabenhilfe Hausaufgabenbetreuung Lernhilfe Nachhilfe Lernpaten"
    assert homework in thesaurus.expansions_for("کمک در تکالیف مدرسه")
    midwife = "Hebammensprechstunde Hebamme Schwangere Geburt Stillen Wochenbett"
    assert midwife in thesaurus.expansions_for("szukam położnej")
    assert "Einbürgerungstest Vorbereitungskurs Fragenkatalog" in thesaurus.expansions_for(
        "vatandaslik sinavi"
    )
    # A specific type comes before the broad need of its field, which the limit may cut off.
    found = thesaurus.expansions_for("Mieterführerschein Wohnung")
    assert found[0] == "Mieterführerschein Mülltrennung Heizen Lüften"
    assert found[-1] == "Wohnen Wohnung Wohnungssuche Mietvertrag"
    # Misspelt German still names the need.
    assert "Wohnen Wohnung Wohnungssuche Mietvertrag" in thesaurus.expansions_for("wonung")


def test_thesaurus_ignores_requests_that_name_no_need() -> None:
    from kinetz.finder import thesaurus

    for query in (
        "help please",
        "помогите пожалуйста",
        "допоможіть будь ласка",
        "ساعدوني من فضلك",
        "yardım lütfen",
        "proszę o pomoc",
        "ich brauche Hilfe in Deutschland",
        "what is this",
    ):
        assert thesaurus.expansions_for(query) == [], query


def test_persian_typed_on_an_arabic_keyboard_folds_to_the_same_letters() -> None:
    from kinetz.finder import thesaurus

    assert thesaurus.fold("کلاس زبان") == thesaurus.fold("كلاس زبان")
    assert thesaurus.fold("خانه ی") == thesaurus.fold("خانه ي")


def test_every_word_of_a_thesaurus_phrase_is_a_stem() -> None:
    from kinetz.finder import thesaurus

    course = "Deutschkurs Integrationskurs Sprachkurs Deutschkenntnisse"
    # The stem phrase "интеграционн курс" must match the inflected adjective before "курс".
    assert course in thesaurus.expansions_for("интеграционный курс вечером")
    assert course in thesaurus.expansions_for("інтеграційний курс")


def test_a_short_stem_does_not_start_a_longer_word_of_another_language() -> None:
    from kinetz.finder import thesaurus

    vaccination = "Impf Impfungen Impfpässe Gesundheitsamt Masernschutz"
    # The Turkish word for vaccine with its suffix still counts ...
    assert vaccination in thesaurus.expansions_for("çocuğum için kızamık aşısı")
    # ... but not as the start of the Romanian "asigurare" (insurance).
    found = thesaurus.expansions_for("nu am asigurare de sanatate")
    assert vaccination not in found
    assert "Krankenversicherung Krankenkasse Arztbesuch Hausarzt Gesundheitssystem" in found


@pytest.mark.parametrize(
    ("query", "age"),
    [
        ("football team for my 15 yo son", 15),
        ("ابني عمره ١٧ سنة بدو يعمل اوسبيلدونغ", 17),
        ("پسر ۱۲ ساله", 12),
        ("спортивная секция для ребенка 8 лет", 8),
        ("дитина 6 років", 6),
        ("8 yaşındaki kızım için yüzme", 8),
        ("am 20 de ani si nu am diploma", 20),
        ("dziecko 5 lat przedszkole", 5),
        ("Mein 8-jähriger Sohn", 8),
        ("Krabbelgruppe für mein Baby, 6 Monate", 0),
        ("Aufenthaltserlaubnis nach § 24", None),
        ("paragraf 24", None),
        ("Deutschkurs B1 2025", None),
    ],
)
def test_an_age_named_in_the_query_is_read(query: str, age: int | None) -> None:
    from kinetz.finder.query_hints import read_hints

    assert read_hints(query, []).age == age


def test_offers_outside_the_age_named_in_the_query_are_pushed_back(
    catalogue: dict[str, Any],
) -> None:
    services = catalogue["services"]
    kids, youth = str(services["fussball-kinder"].pk), str(services["fussball-jugend"].pk)
    teenager = ids(search("football for my 15 year old son"))
    assert teenager.index(youth) < teenager.index(kids)
    child = ids(search("football for my 7 year old son"))
    assert child.index(kids) < child.index(youth)
    # Without the hints the age is not used.
    plain = ids(search("football for my 15 year old son", components=("dense",)))
    assert set(plain[:2]) == {kids, youth}


def test_the_query_vector_moves_towards_the_german_words_of_its_need(
    catalogue: dict[str, Any],
) -> None:
    import numpy as np

    from kinetz.finder import thesaurus
    from kinetz.finder.index import embed_query, reader
    from kinetz.finder.search import query_vector

    generation = reader()
    homework = "Hausaufgabenhilfe Hausaufgabenbetreuung Lernhilfe Nachhilfe Lernpaten"
    # Built with the index: every thesaurus need has its vector, no model pass at query time.
    assert set(generation.concepts) == set(thesaurus.EXPANSIONS)
    need = "مساعدة بالواجبات المدرسية لابني"
    expansions = thesaurus.expansions_for(need)
    assert homework in expansions
    plain = embed_query(need)
    moved = query_vector(generation, plain, expansions)
    concept = generation.concept_vector(expansions)
    assert concept is not None
    assert float(moved @ concept) > float(plain @ concept)
    assert np.isclose(np.linalg.norm(moved), 1.0, atol=1e-5)
    # A query that names no need keeps its own embedding.
    hello = embed_query("hello")
    np.testing.assert_allclose(query_vector(generation, hello, []), hello)
    # A thesaurus entry newer than the generation is embedded on first use.
    generation.concepts.pop(homework)
    again = generation.concept_vector(expansions)
    assert again is not None
    assert homework in generation.concepts
    np.testing.assert_allclose(again, concept, atol=1e-4)


def test_ukrainian_spelling_variants_fold_to_one_word() -> None:
    from kinetz.finder import thesaurus

    # Three apostrophes in use, and a Latin i typed inside Cyrillic words.
    assert thesaurus.fold("сім'я") == thesaurus.fold("сім’я") == thesaurus.fold("сімʼя")
    assert thesaurus.fold("iнтеграцiйний") == thesaurus.fold("інтеграційний")
    course = "Deutschkurs Integrationskurs Sprachkurs Deutschkenntnisse"
    assert course in thesaurus.expansions_for("iнтеграцiйний курс")
    # Latin words keep their i.
    assert thesaurus.fold("Kita in Kleve") == "kita in kleve"


def test_arabic_typed_without_hamza_or_with_ha_for_ta_marbuta_folds_to_one_word() -> None:
    from kinetz.finder import thesaurus

    assert thesaurus.fold("إقامة") == thesaurus.fold("اقامه")
    assert thesaurus.fold("أطفال") == thesaurus.fold("اطفال")
    # The Arabic university (with its article) is not the Persian word for society.
    study = "Studienberatung Studium Hochschulzugang Studieninteressierte Studienvorbereitender"
    assert study in thesaurus.expansions_for("بدي ادرس بالجامعة")
    assert study not in thesaurus.expansions_for("جامعه افغان ها در کلوه")


def test_offers_outside_the_town_named_in_the_query_are_pushed_back(
    catalogue: dict[str, Any],
) -> None:
    services = catalogue["services"]
    goch = {str(services[key].pk) for key in ("schwimmen", "wohnen")}
    found = ids(search("Psychologische Beratung für Geflüchtete in Goch"))
    # The better-matching offer in Kleve stays in the list, after the offers in Goch.
    assert set(found[:2]) == goch
    assert str(services["psyche"].pk) in found[2:]
    # A municipality filter decides instead: the named town is not applied twice.
    kleve = ids(
        search(
            "Psychologische Beratung für Geflüchtete in Goch",
            filters=make_filters(municipality="kleve"),
        )
    )
    assert kleve[0] == str(services["psyche"].pk)


def test_a_situation_no_stem_knows_names_its_need_through_the_residents_examples(
    catalogue: dict[str, Any],
) -> None:
    from kinetz.finder import thesaurus
    from kinetz.finder.index import embed_query, reader
    from kinetz.finder.search import expansions

    generation = reader()
    counselling = next(key for key in thesaurus.EXPANSIONS if key.startswith("Frauenberatung"))
    for story in (
        "my husband control everything, took my passport, i want leave him",
        "чоловік піднімає руку, я боюся, куди може звернутися жінка з дітьми",
    ):
        assert counselling not in thesaurus.expansions_for(story)
        assert counselling in expansions(generation, story, embed_query(story)), story
    # A keyword query keeps exactly what the stems give it.
    assert expansions(generation, "Deutschkurs", embed_query("Deutschkurs")) == (
        thesaurus.expansions_for("Deutschkurs")
    )


def test_a_large_index_ranks_a_coarse_shortlist_like_the_exact_scores(
    catalogue: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinetz.finder import search as search_module
    from kinetz.finder.index import current_generation, reader

    queries = ["مساعدة بالواجبات المدرسية لابني", "Deutschkurs abends", "football for my son"]
    assert not (current_generation() / "coarse.npy").exists()  # type: ignore[operator]
    # Lists of three offers, so that a shortlist of four of the seven is a real cut.
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    exact = [ids(search(query, limit=5)) for query in queries]
    monkeypatch.setattr(search_index, "COARSE_MIN_ROWS", 1)
    monkeypatch.setattr(search_module, "SHORTLIST", 4)
    search_index.build_generation()
    generation = reader()
    assert generation.coarse is not None
    assert generation.projection is not None
    assert generation.coarse.shape[0] == len(generation.base_ids)
    assert [ids(search(query, limit=5)) for query in queries] == exact
