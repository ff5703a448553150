"""GET /api/v1/search: the public cross-lingual search over published offers."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from kinetz.finder.index import IndexMissing
from kinetz.finder.search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SearchError,
    make_filters,
    search,
    validate_lang,
)

router = Router(tags=["Search"])


def run_search(
    q: str | None,
    *,
    lang: str | None = None,
    limit: int = DEFAULT_LIMIT,
    **filters: Any,
) -> dict[str, Any]:
    """The search contract shared by the API and `manage.py search` (raises SearchError)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError("limit", f"must be between 1 and {MAX_LIMIT}, not {limit}")
    code = validate_lang(lang)
    hits = search(q, lang=code, filters=make_filters(**filters), limit=limit)
    return {"results": [hit.as_dict() for hit in hits]}


@router.get("/search", summary="Search published offers in any language")
def search_offers(
    request: HttpRequest,
    q: str = "",
    lang: str | None = None,
    municipality: str | None = None,
    handlungsfeld: str | None = None,
    zielgruppe: str | None = None,
    language: str | None = None,
    free: bool | None = None,
    weekday: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Published offers best first: `{"results": [{"id", "score", "name"}, …]}`.

    `q` may be in any language (empty: browse by name). Filters: `municipality` (slug),
    `near` (municipality slug or postcode) with `radius_km` (default 10), `handlungsfeld`
    (`hf-…`), `zielgruppe` (`zg-…`), `language` offered (ISO 639-1), `free`, `weekday` (mo to su).
    """
    try:
        return run_search(
            q,
            lang=lang,
            limit=limit,
            municipality=municipality,
            handlungsfeld=handlungsfeld,
            zielgruppe=zielgruppe,
            language=language,
            free=free,
            weekday=weekday,
            near=near,
            radius_km=radius_km,
        )
    except SearchError as error:
        raise HttpError(400, str(error)) from None
    except IndexMissing:
        raise HttpError(503, "The search index has not been built yet.") from None
