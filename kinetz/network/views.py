from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kinetz.accounts.access import requires
from kinetz.accounts.roles import Capability
from kinetz.network import directory
from kinetz.network.models import ActorType, Organization
from kinetz.territory.models import Municipality


@requires(Capability.VIEW_NETWORK)
def organization_list(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.for_user(request.user)
    filters = directory.read_filters(request.GET, municipalities)
    organizations = directory.filter_organizations(
        Organization.objects.for_user(request.user), filters
    )
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "actor_types": ActorType.choices,
        "municipalities": municipalities,
        "fields_of_action": directory.fields_of_action(),
        "query": query.urlencode(),
    }
    template = (
        "network/organization_results.html"
        if request.headers.get("HX-Request")
        else "network/organization_list.html"
    )
    return render(request, template, context)


@requires(Capability.VIEW_NETWORK)
def organization_detail(request: HttpRequest, organization_id: str) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related("parent"), pk=organization_id
    )
    context = {
        "organization": organization,
        "offers": directory.offers_of(organization),
        "contacts": organization.contacts.all(),
        "phones": organization.phones.all(),
        "locations": [link.location for link in organization.listed_locations.all()],
        "children": organization.children.order_by("name"),
    }
    return render(request, "network/organization_detail.html", context)
