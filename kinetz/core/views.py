from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kinetz.accounts.roles import Capability
from kinetz.offers.review import offers_overview
from kinetz.territory.models import Municipality, Region


def start(request: HttpRequest) -> HttpResponse:
    """The public start page: the finder's search box, topics and towns; the partners' way in."""
    from kinetz.finder.views import finder_choices

    region = Region.objects.order_by("name").first()
    context = finder_choices()
    context["region"] = region
    context["municipalities"] = Municipality.objects.in_region(region) if region else []
    context["fields_of_action"] = [
        term for term in context["fields_of_action"] if term.parent_id is None
    ]
    return render(request, "core/start.html", context)


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    links = {
        "territory": user.is_superuser or user.can(Capability.VIEW_TERRITORY),
        "network": user.is_superuser or user.can(Capability.VIEW_NETWORK),
        "users": user.is_superuser or user.can(Capability.MANAGE_USERS),
        "vocabularies": user.is_superuser or user.can(Capability.REVIEW_OFFERS),
        "translations": user.is_superuser
        or user.can(Capability.REVIEW_OFFERS)
        or (user.can(Capability.EDIT_OWN_ORGANIZATION) and user.organization_id is not None),
        "export": user.is_superuser or user.can(Capability.EXPORT_CATALOGUE),
        "admin_site": user.is_staff,
        "my_organization": user.is_superuser or user.can(Capability.EDIT_OWN_ORGANIZATION),
        "review": user.is_superuser or user.can(Capability.REVIEW_OFFERS),
        "coordinate": user.is_superuser or user.can(Capability.COORDINATE_OFFERS),
        "coverage": user.is_superuser or user.can(Capability.VIEW_REPORTS),
    }
    context: dict[str, object] = {"links": links}
    if links["review"]:
        context["offers"] = offers_overview(user, timezone.localdate())
    return render(request, "core/dashboard.html", context)


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
