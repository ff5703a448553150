from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kinetz.accounts.access import requires
from kinetz.accounts.roles import Capability
from kinetz.territory.models import Indicator, IndicatorValue, Municipality


@requires(Capability.VIEW_TERRITORY)
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = list(Municipality.objects.for_user(request.user).select_related("region"))
    dates, series = IndicatorValue.objects.for_user(request.user).series_by_municipality(
        Indicator.POPULATION
    )
    rows = [(m, [series.get(m.pk, {}).get(d) for d in dates]) for m in municipalities]
    total = sum(m.population or 0 for m in municipalities)
    context = {
        "municipalities": municipalities,
        "rows": rows,
        "population_dates": dates,
        "total_population": total,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "territory/municipality_list.html", context)


@requires(Capability.VIEW_TERRITORY)
def municipality_boundaries(request: HttpRequest) -> JsonResponse:
    features = [
        {
            "type": "Feature",
            "properties": {
                "ags": m.ags,
                "name": m.name,
                "population": m.population,
            },
            "geometry": m.boundary,
        }
        for m in Municipality.objects.for_user(request.user).exclude(boundary=None)
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
