from django.contrib import admin
from django.urls import include, path

from kinetz.api import api
from kinetz.core.views import healthz

urlpatterns = [
    path("", include("kinetz.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("kinetz.accounts.urls")),
    path("staff/catalogue/", include("kinetz.offers.staff_urls")),
    path("staff/coordination/", include("kinetz.coordination.urls")),
    path("staff/", include("kinetz.territory.urls")),
    path("network/", include("kinetz.network.urls")),
    path("offers/", include("kinetz.offers.urls")),
    path("", include("kinetz.finder.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
