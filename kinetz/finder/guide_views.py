"""Public map data of the finder and the printable local guide (Wegweiser); no sign-in."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from kinetz.core.languages import DEFAULT_LANGUAGE
from kinetz.finder import map as results_map
from kinetz.finder import wegweiser
from kinetz.finder.offer_page import language_name
from kinetz.territory.models import Municipality


def _municipalities() -> list[Municipality]:
    # The public finder spans every region of the installation, as its municipality filter does.
    return list(Municipality.objects.across_regions().order_by("name"))


def _municipality(slug: str) -> Municipality | None:
    # Slugs are unique per region; with several regions the oldest key (AGS) wins.
    found: Municipality | None = (
        Municipality.objects.across_regions().filter(slug=slug).order_by("ags").first()
    )
    return found


@require_GET
def boundaries(request: HttpRequest) -> HttpResponse:
    """Municipal boundaries (names and outlines only) for the results map."""
    response = HttpResponse(results_map.boundaries_json(), content_type="application/geo+json")
    response["Cache-Control"] = f"public, max-age={results_map.BOUNDARIES_CACHE_SECONDS}"
    return response


@require_GET
def guide_form(request: HttpRequest) -> HttpResponse:
    """Choose a municipality and a language; the form leads to the PDF (links work without it)."""
    visitor = get_language() or DEFAULT_LANGUAGE
    slug = (request.GET.get("municipality") or "").strip()
    chosen = (request.GET.get("language") or "").strip()
    error = ""
    if "municipality" in request.GET:
        municipality = _municipality(slug) if slug else None
        try:
            language = wegweiser.guide_language(chosen, visitor)
        except wegweiser.UnknownLanguage:
            language = visitor
        if municipality is not None:
            url = reverse("finder:wegweiser_pdf", args=[municipality.slug])
            return redirect(f"{url}?lang={language}")
        error = "municipality"
    codes = [code for code, _name in settings.LANGUAGES]
    context = {
        "municipalities": _municipalities(),
        "languages": [(code, language_name(code)) for code in codes],
        "language": chosen or visitor,
        "chosen_municipality": slug,
        "error": error,
        "demo_catalogue": settings.KINETZ_DEMO_CATALOGUE,
    }
    return render(request, "finder/wegweiser_form.html", context, status=400 if error else 200)


@require_GET
def guide_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The local guide of one municipality as PDF, in `?lang=` or the visitor's language."""
    municipality = _municipality(slug)
    if municipality is None:
        raise Http404("unknown municipality")
    try:
        language = wegweiser.guide_language(
            request.GET.get("lang"), get_language() or DEFAULT_LANGUAGE
        )
    except wegweiser.UnknownLanguage as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        wegweiser.guide_pdf(municipality, language), content_type="application/pdf"
    )
    filename = f"wegweiser-{municipality.slug}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
