"""The public start page and the results page of the finder (real index in a tmp directory)."""

from typing import Any

import pytest
from django.test import Client

from kinetz.finder.search import MAX_QUERY_CHARS
from tests.factories import TaxonomyFactory, TaxonomyTermFactory
from tests.finder import test_search

# The search tests' catalogue: seven offers, a real index; the model embeds each text once.
index_root = test_search.index_root
catalogue = test_search.catalogue


def test_start_page_lists_the_fields_of_action_as_entry_points(client: Client, db: None) -> None:
    taxonomy = TaxonomyFactory(vocabulary="handlungsfeld")
    TaxonomyTermFactory(taxonomy=taxonomy, code="hf-wohnen", name="Wohnen")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="search"' in html
    assert 'name="q"' in html
    assert 'href="/search/?handlungsfeld=hf-wohnen"' in html
    assert "Wohnen" in html
    assert "/accounts/" in html or "login" in html


def test_results_page_finds_a_known_offer(client: Client, catalogue: dict[str, Any]) -> None:
    service = catalogue["services"]["schwimmen"]
    response = client.get("/search/", {"q": "Schwimmkurs"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/offer/{service.pk}/"' in html
    assert "Schwimmkurs für Frauen" in html
    assert 'aria-live="polite"' in html
    assert 'hx-target="#search-results"' in html


def test_filters_narrow_the_results(client: Client, catalogue: dict[str, Any]) -> None:
    html = client.get("/search/", {"municipality": "goch", "free": "1"}).content.decode()
    assert "Wohnungssuche" in html
    assert "Schwimmkurs" not in html
    assert "Deutschkurs" not in html
    html = client.get("/search/", {"handlungsfeld": "hf-sprache", "weekday": "tu"}).content.decode()
    assert "Deutschkurs für Frauen" in html
    assert "Hausaufgabenhilfe" not in html


def test_unknown_filter_values_are_ignored_with_a_notice(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get(
        "/search/", {"municipality": "atlantis", "weekday": "xx", "language": "ar"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "finder-results__ignored" in html
    assert "Municipality" in html or "Gemeinde" in html
    assert "Deutschkurs" in html
    assert "Psychologische Beratung" in html  # language=ar still applies
    assert "Schwimmkurs" not in html


def test_empty_query_browses_all_published_offers(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/search/", {"q": ""}).content.decode()
    for key in ("deutsch", "schwimmen", "wohnen", "psyche", "hausaufgaben"):
        assert f"/offer/{catalogue['services'][key].pk}/" in html
    assert "Entwurf" not in html


def test_a_very_long_query_is_cut(client: Client, catalogue: dict[str, Any]) -> None:
    response = client.get("/search/", {"q": "Schwimmkurs " * 420})
    assert response.status_code == 200
    assert f'maxlength="{MAX_QUERY_CHARS}"' in response.content.decode()
    assert len(response.context["query"]) <= MAX_QUERY_CHARS


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "' OR 1=1 --"])
def test_markup_and_sql_in_the_query_are_inert(
    client: Client, catalogue: dict[str, Any], query: str
) -> None:
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "Entwurf" not in html  # no query escapes the published filter
    if query.startswith("<"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_request_gets_only_the_results_region(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get(
        "/search/",
        {"q": "Wohnung"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="search-results",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="search-status" hx-swap-oob="innerHTML"' in html
    assert "Wohnungssuche" in html


def test_missing_index_shows_a_friendly_message(
    client: Client, db: None, settings: Any, tmp_path: Any
) -> None:
    settings.KINETZ_SEARCH_INDEX_DIR = tmp_path / "none"
    response = client.get("/search/", {"q": "Kurs"})
    assert response.status_code == 503
    assert "finder-results__status" in response.content.decode()


def test_arabic_visitor_gets_results_in_an_rtl_page(
    client: Client, catalogue: dict[str, Any]
) -> None:
    html = client.get("/search/", {"q": "دورة لغة ألمانية للنساء", "lang": "ar"}).content.decode()
    assert 'dir="rtl"' in html
    assert "Deutschkurs für Frauen" in html
    assert 'lang="de"' in html


def test_results_come_in_pages(
    client: Client, catalogue: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kinetz.finder.views.PAGE_SIZE", 2)
    first = client.get("/search/", {"q": ""})
    assert len(first.context["cards"]) == 2
    assert "page=2" in first.context["more_url"]
    last = client.get("/search/", {"q": "", "page": "4"})
    assert len(last.context["cards"]) == 1
    assert last.context["more_url"] == ""
    assert client.get("/search/", {"page": "abc"}).context["page"] == 1


def test_fictional_demo_data_is_announced_only_where_it_is_loaded(
    client: Client, db: None, settings: Any
) -> None:
    settings.KINETZ_DEMO_CATALOGUE = True
    assert "are fictional" in client.get("/", {"lang": "en"}).content.decode()
    settings.KINETZ_DEMO_CATALOGUE = False
    assert "are fictional" not in client.get("/", {"lang": "en"}).content.decode()
