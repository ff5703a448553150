from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kinetz.accounts.roles import Capability
from kinetz.territory.models import Municipality, Region


def start(request: HttpRequest) -> HttpResponse:
    region = Region.objects.order_by("name").first()
    municipalities = Municipality.objects.in_region(region) if region else []
    return render(request, "core/start.html", {"region": region, "municipalities": municipalities})


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    links = {
        "territory": user.is_superuser or user.can(Capability.VIEW_TERRITORY),
        "network": user.is_superuser or user.can(Capability.VIEW_NETWORK),
        "users": user.is_superuser or user.can(Capability.MANAGE_USERS),
        "admin_site": user.is_staff,
    }
    return render(request, "core/dashboard.html", {"links": links})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
